// Package watch turns ZooKeeper's one-shot watches into streams a Go
// program can range over, on any zkstore.Store (the in-memory memstore and
// the live livestore alike).
//
//	for ev := range watch.Node(ctx, watch.StoreSource(st), "/app/config") {
//		if ev.Err != nil { ... }   // Disconnected, Reconnected, Expired, Error
//		use(ev.Data, ev.Stat)       // Current, Created, DataChanged, Deleted
//	}
//
// # Streams
//
// [Node] follows one znode's data and existence, [Children] one znode's
// list of children, and [Tree] a whole subtree (like Curator's
// CuratorCache/TreeCache). Each returns a receive-only channel; the stream
// runs in a goroutine of its own until ctx ends or the [Source] has no
// session to give any more, and then closes the channel. No goroutine of a
// stream outlives it: once the channel is closed, everything the stream
// started has returned. Cancel ctx as soon as the stream is no longer read.
//
// # The contract
//
//   - The first event gives the current state: for Node and Children one
//     event of Type Current (Exists says whether the znode is there); for
//     Tree one Created event per znode, parents before children, then one
//     Synced event. [WithInitial](false) leaves them out.
//   - Every later data event says what changed since the previous event on
//     the same path: Created, Deleted, DataChanged (Node, Tree) or
//     ChildrenChanged (Children), with the znode's new Data, Stat and, for
//     Children, the sorted child names, where the znode exists.
//   - Revision is ZooKeeper's zxid of the change, as etcd's revision: Mzxid
//     for Current, Created and DataChanged of a Node or Tree, Pzxid for a
//     Children stream. ZooKeeper does not tell the zxid of a deletion, so a
//     Deleted event carries a zxid that lies between the revision of the
//     previous event on the path and the Czxid of the znode's next
//     incarnation: when the znode was seen deleted and created again, the
//     new znode's Czxid; otherwise a Pzxid of its parent read before the
//     absence was seen (a Tree uses the Pzxid of the parent's listing that
//     no longer has the name), raised to the previous event's revision if
//     lower. Either way any later Created on the path has a revision at
//     least as high. On a Node or Children stream Revision never
//     decreases; on a Tree it never decreases per path.
//   - On a Tree, the children of a deleted znode are reported deleted
//     before it (also when it was deleted and created again, the old
//     children then being deleted with it), a znode is reported created
//     only after its parent, and a consumer that applies the events in
//     order never holds a znode whose parent it does not hold.
//   - Intermediate states may be coalesced. A stream re-arms each one-shot
//     watch by re-reading the znode with a new watch and diffing against the
//     last state it delivered, so changes made between a watch firing and
//     its re-registration are never lost, but a burst of changes may arrive
//     as one event. What is guaranteed is the latest state: once the store
//     stops changing, the last event a consumer receives (per path, for a
//     Tree) matches what the store holds.
//   - A slow consumer blocks nobody: ZooKeeper's watch delivery never waits
//     for a stream, and a stream keeps reading while its consumer is busy,
//     holding the latest state and delivering it (as the difference from
//     what it last delivered) when the consumer is ready. Memory stays
//     bounded by the size of the watched state, not by the number of
//     changes.
//   - Session trouble is reported in the stream, as events whose Err is set
//     (like etcd's WatchResponse.Err): Disconnected (Err matches
//     zkstore.ErrConnectionLoss) when the connection drops, Reconnected when
//     the same session is back (ZooKeeper re-registers one-shot watches
//     itself and fires those whose znodes changed meanwhile, so nothing is
//     re-read but by a Tree under a persistent watch, as below; a read
//     that failed with the lost connection is made again),
//     Expired (Err matches zkstore.ErrSessionExpired, and its text says
//     whether the server expired the session or the client gave it up after
//     a whole session timeout without a connection) as soon as the store
//     reports the session gone, before a new session is asked for, and
//     Error for anything else (a failed read, a Source that cannot give a
//     session); failed reads are retried with backoff. A status event comes
//     after every data event describing state read before it.
//   - A Tree that follows its subtree with a persistent recursive watch
//     (see [Tree]) is told by the store, after a reconnect, that changes
//     may have gone unreported (zkstore.EventWatchResync: ZooKeeper does
//     not replay them); it then reads the subtree again and reports what
//     differs from what it delivered as ordinary Created, DataChanged and
//     Deleted events, without Resync, as the one-shot watches' firings
//     report it. The same happens when it fell too far behind the store's
//     events.
//   - A resync happens only when the stream's watches may have been lost,
//     and never while its session lives on with its watches: after the
//     session expired or its store was closed (the stream then has a new
//     session), after a watch ended without firing, or after a read failed
//     with an error other than a lost connection (its effect on the state
//     read is unknown). A Disconnected..Reconnected pair, whatever reads
//     failed in between, is not followed by a resync.
//   - After an expiry (or when the store was closed under it) the stream
//     asks its Source for a session again. If it gets a new one it re-reads
//     everything with new watches and reports the result with Resync set,
//     as etcd reports a compaction: a Node or Children stream sends one
//     Current event with Resync, a Tree sends the differences from what it
//     had delivered (Created, Deleted, DataChanged, each with Resync) and
//     then Synced with Resync. Changes made while there was no session are
//     known only through that difference. If the Source has no new session
//     (StoreSource), the Expired or Error event is the stream's last one and
//     the channel closes.
//   - When ctx ends the channel is closed without a further event.
//
// Data is a fresh copy in every event; the receiver may keep or modify it.
//
// # Sessions
//
// A zkstore.Store is one session and is dead after it expires, so a stream
// takes a [Source] of sessions: [StoreSource] for one Store (expiry ends the
// stream), [Reopen] to open a new session after expiry, and [FromDB] for
// the session of a zksql database/sql connection.
package watch
