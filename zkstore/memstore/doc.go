// Package memstore is an in-memory ZooKeeper 3.8 server whose sessions
// implement zkstore.Store, for tests and for zksql's in-memory databases.
//
// A Server holds one data tree; Connect opens a session on it. The server
// reproduces what a real 3.8 server shows its clients, checked against a live
// 3.8.0 server rather than the documentation:
//
//   - Every write request takes the next zxid, including failed ones (a
//     create that fails with NodeExists is an error transaction with its own
//     zxid), a multi takes one zxid for all its ops whether it fails or not,
//     and creating and closing a session take one each. Reads, exists, sync
//     and auth take none. Requests refused on the client side (bad path, data
//     too large, a TTL given with a non-TTL mode) never reach the server and
//     take none.
//   - Stat.Cversion is what the server reports: ZooKeeper stores only the
//     number of child creations and reports 2*creations - numChildren, so a
//     fresh "/" shows Cversion -1 and "/zookeeper" -2. Sequential names use
//     the stored count, not the reported Cversion: after creating and deleting
//     one child, Cversion is 2 but the next sequential child ends in
//     0000000001.
//   - A fresh server holds "/", "/zookeeper", "/zookeeper/quota" and
//     "/zookeeper/config" (ACL world:anyone:r, Aversion -1), all with ctime 0
//     and zxid 0. "/", "/zookeeper", "/zookeeper/quota" and
//     "/zookeeper/config" cannot be deleted (ErrBadArguments).
//   - Stat.EphemeralOwner is the owning session of an ephemeral and 0 for
//     every other znode: the server keeps container and TTL markers to itself
//     (DataNode.copyStat), so Stat.Kind never says container or TTL.
//   - Data is kept as given: a znode created or set with nil data returns nil
//     from Get, one created with an empty slice returns an empty, non-nil one.
//   - ACLs are checked where PrepRequestProcessor and FinalRequestProcessor
//     check them, in the same order relative to the other checks. GetACL needs
//     READ or ADMIN and, without ADMIN, shows digest ids as "user:x". The
//     "auth" scheme expands to the session's digest ids in the order the
//     server's ConcurrentHashMap gives them.
//   - Closing a session deletes its ephemerals in one transaction; the
//     closing session itself still receives the events those deletions cause,
//     then its remaining watches end with EventNotWatching and ErrClosed.
//     Expire ends the session's watches with ErrSessionExpired before its
//     ephemerals go, since an expired client hears nothing more.
//   - Containers are reaped once they have had a child and have none; TTL
//     znodes once they have no children and their mtime is more than the TTL
//     ago. Each reaped znode is a transaction of its own.
//
// Sessions never expire on their own (there is no client to fall silent);
// tests call Server.Expire. Server.InjectFault makes requests fail, before or
// after they are applied, so callers can test unknown outcomes.
package memstore
