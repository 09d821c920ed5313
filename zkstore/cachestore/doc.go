// Package cachestore is a zkstore.Store that answers reads of chosen
// subtrees from memory, as Curator's CuratorCache and kazoo's TreeCache do,
// and sends everything else to the Store it wraps.
//
// New loads each subtree (with pipelined reads where the inner store is a
// zkstore.Pipeliner, the data of many znodes a request where it is a
// zkstore.BatchGetter) and keeps it current from one persistent recursive
// watch per subtree (ZooKeeper 3.6+; see zkstore.PersistentWatcher). Get,
// Exists and Children, and GetAsync and ChildrenAsync, of a path inside a
// cached subtree are answered from memory; the watch-setting reads (GetW,
// ExistsW, ChildrenW), GetACL, every write, Sync, AddAuth and every read
// outside the cached subtrees go to the inner store, as do the optional
// capabilities (Pipeliner, PersistentWatcher, Introspector), so that
// wrapping loses nothing.
//
// # How the cache stays current
//
// A watch event carries no data: it only says that a znode changed. One
// goroutine per subtree takes the events in the order the server sent
// them and re-reads each changed znode through the same session, in that
// order: getData for a data change; getData and getChildren for a
// creation or deletion, and getData of the parent, whose child list the
// child's re-read patches by one name and whose new Stat checks the list
// (NumChildren; a mismatch reads the list in full). A session's reads are
// answered in order, so every re-read sees a state at least as new as the
// one before, and a re-read that comes back older than what is cached (by
// Stat: czxid, mzxid, pzxid, versions) is never applied. A znode listed by
// its parent but unknown to the cache, or the reverse, is re-read as well,
// so the cache converges on the server's tree. An idle subtree's goroutine
// looks for events every few milliseconds; a read that finds events
// waiting applies them first, so the interval bounds only how long events
// may wait when nobody reads.
//
// On one connection the server sends a write's watch notifications before
// that write's reply, and a sync's reply after the notifications of
// everything committed before it. So "apply every event already received"
// is a barrier: a read that finds events waiting, or an own write or Sync
// not yet caught up with, first waits (bounded by its context) until they
// are applied. Own writes are also re-read explicitly after they return,
// which covers a write sent on a new connection before the watch was set
// again there.
//
// # Contract
//
// For a path inside a cached subtree:
//   - A read through this Store sees every write made through this Store
//     that returned before the read began (successful or not: a write that
//     failed with ErrConnectionLoss is re-read too).
//   - Reads never go backwards: once a read has returned a znode's state,
//     no later read returns an older one (by czxid, mzxid, pzxid).
//   - Another client's write is visible to every read that begins after its
//     watch event reached this session.
//   - Sync(path) followed by a read returns state at least as new as the
//     sync point (the sync's barrier covers every subtree).
//   - Stores made with the same Group (InGroup), such as the sessions of
//     one sql.DB, see each other's writes: a read through one after a
//     write through another returned first syncs (one round trip). Without
//     a Group, another session's write is visible once its event arrives,
//     or after a Sync: ZooKeeper's own guarantee across sessions.
//   - While the session is disconnected a cached read fails at once with
//     zkstore.ErrConnectionLoss, unless the StaleReads option allows
//     answering from memory; such an answer is the state of the moment the
//     connection was lost (or older), never newer than the server's.
//     Changes made while it was disconnected raised no events, so once the
//     connection is back the cache loads the whole subtree again (any
//     change of the session's state asks for that, as does the
//     zkstore.EventWatchResync the store reports once it has set the watch
//     again), and reads wait for the load before they answer.
//   - After session expiry, or Close, every read fails with the inner
//     store's error (zkstore.ErrSessionExpired, zkstore.ErrClosed), as every
//     zkstore.Store does: the session, and with it the cache, is gone for
//     good. A new cache is made with New on a new session.
//
// Every call that can block takes a context. No goroutine outlives Close,
// or the end of the session.
//
// # What the cache cannot see
//
// ZooKeeper sends no watch event for setACL, and (since the fix of
// CVE-2024-23944) no event about a znode this session may not READ. So:
//   - A znode whose read this session was refused (ErrNoAuth) is not
//     cached: reads of it and of everything under it go to the server. An
//     ACL change made through this Store, or AddAuth, re-reads what it
//     concerns (AddAuth: the whole cache).
//   - An ACL change made by another session that takes READ away from this
//     one is not seen: the cache keeps answering the data it had until the
//     znode changes again. One that gives READ is seen at the znode's next
//     change (until then, reads of it go to the server, as above).
//   - A znode created by another session with an ACL this session may not
//     READ raises no event here: the cache does not know it, and its
//     parent's cached child list lacks it until the parent is re-read for
//     another reason (any change of the parent's children does: its
//     NumChildren then disagrees with the list, which is read in full). A
//     read of a path the cache does not know is always sent to the server,
//     so Get and Exists of such a znode still answer what the server says;
//     only Children of its parent can be short.
//
// /zookeeper (ZooKeeper's own znodes) is never cached.
package cachestore
