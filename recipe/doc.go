// Package recipe holds ZooKeeper recipes on a zkstore.Store, in the manner
// of Apache Curator's:
//
//   - Mutex, a distributed lock, and Election, leader election on it;
//   - Register and Discover, service discovery, and KeepRegistered, a
//     registration re-created on a new session after an expiry (Keep does
//     the same for any ephemeral znode, like Curator's PersistentNode);
//   - Counter, a shared counter (Curator's DistributedAtomicLong);
//   - Queue, a FIFO queue (SimpleDistributedQueue), taken with Take or,
//     for a select, on a channel with Consume;
//   - Semaphore, a counting semaphore with leases (InterProcessSemaphoreV2);
//   - RWLock, a read-write lock (InterProcessReadWriteLock);
//   - Barrier and DoubleBarrier (DistributedBarrier, DistributedDoubleBarrier).
//
// A Store is one session; a recipe's ephemeral znodes live as long as it.
// When the session expires they are gone, and each recipe says so rather
// than pretend otherwise: what holds something (a Mutex, an Election's
// leadership, a Semaphore's Lease, an RWLock's RWHold) closes its Lost
// channel, and reports on States the connection's ConnectionState as
// Curator's ConnectionStateListener does, Suspended included: while the
// connection is down the session may still live, but after the session
// timeout the server may hand what was held to someone else, so work that
// must never overlap another holder's should stop on Suspended. Each
// recipe's doc comment states its guarantee and what a session loss does
// to it.
package recipe
