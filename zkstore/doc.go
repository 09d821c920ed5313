// Package zkstore is the one interface zksql talks to ZooKeeper through.
//
// A Store is one ZooKeeper session. Every operation a user of
// github.com/go-zookeeper/zk has is here: create in every mode, get, set,
// delete, exists, children, ACLs, multi, sync and one-shot watches. Every call
// that can block takes a context.
//
// Two implementations exist and must be indistinguishable through this
// interface: package memstore, an in-memory ZooKeeper that needs no server,
// and package livestore, a session on a real ensemble. Package storetest holds
// the conformance suite both run; the in-memory store is trusted only because
// that suite passes on a live ZooKeeper too.
//
// Optional capabilities are interfaces a Store may also implement, found
// with a helper and kept by wrapping stores: Pipeliner (reads sent ahead),
// Introspector (what the servers report about themselves) and
// PersistentWatcher (ZooKeeper 3.6+'s persistent and persistent-recursive
// watches, with a named error, ErrNoPersistentWatches, for servers
// without them).
//
// GetAppender (reads into the caller's buffer, used by the driver's point
// SELECT on the in-memory store) is one more, with the helper GetAppend.
//
// Errors are the package variables below (ErrNoNode, ErrNodeExists, ...),
// wrapped with the path that caused them; test them with errors.Is,
// whichever store produced them.
package zkstore
