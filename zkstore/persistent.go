package zkstore

import (
	"context"
	"fmt"
)

// WatchMode is the mode of a persistent watch; the values are ZooKeeper's
// AddWatchMode.
type WatchMode int32

const (
	// WatchPersistent watches one znode, like a data and a child watch
	// together that stay set: NodeCreated, NodeDataChanged, NodeDeleted
	// and NodeChildrenChanged of that path.
	WatchPersistent WatchMode = 0
	// WatchPersistentRecursive watches a znode and every descendant, now
	// and future: NodeCreated, NodeDataChanged and NodeDeleted of any of
	// them, never NodeChildrenChanged (a child's NodeCreated or
	// NodeDeleted says it).
	WatchPersistentRecursive WatchMode = 1
)

func (m WatchMode) String() string {
	switch m {
	case WatchPersistent:
		return "PERSISTENT"
	case WatchPersistentRecursive:
		return "PERSISTENT_RECURSIVE"
	}
	return fmt.Sprintf("WatchMode(%d)", int32(m))
}

// EventWatchResync is delivered by a persistent watch when changes may
// have gone unreported: the connection was lost and the watch set again on
// the new connection (ZooKeeper does not replay what changed meanwhile),
// or the reader fell too far behind. A consumer re-reads what it follows,
// as an etcd watcher does after compaction. The watch goes on. Path is the
// watched path.
const EventWatchResync EventType = -3

// ErrNoPersistentWatches is what AddWatch fails with when the server (or
// the client library this store is built with) cannot set persistent
// watches: ZooKeeper before 3.6 answers addWatch with UNIMPLEMENTED (and
// drops the connection, though not the session, so other requests in
// flight on it fail with ErrConnectionLoss; a store asks only once). It
// matches ErrUnimplemented. Callers fall back to one-shot watches.
var ErrNoPersistentWatches = fmt.Errorf("%w: persistent watches (addWatch, ZooKeeper 3.6+)", ErrUnimplemented)

// PersistentWatcher is a Store that can set ZooKeeper 3.6+'s persistent
// watches, which are not removed when they fire. It is optional: callers
// find it with PersistentWatcherOf. A Store that wraps another keeps the
// capability by implementing AddWatch with this package's AddWatch on the
// wrapped store.
type PersistentWatcher interface {
	Store
	// AddWatch sets a persistent watch on path (which need not exist) and
	// returns its events. It returns once the server has set the watch,
	// so every change committed after AddWatch returns is reported. The
	// watch listens from before its request is sent, so that nothing the
	// server reports between setting it and replying is lost; an event of
	// a change made just before may therefore come first.
	//
	// The channel delivers, in the order the server made them:
	//   - node events (the types mode says), each with Path the znode that
	//     changed, relative to the store's chroot like every path: for
	//     WatchPersistent always path itself, for
	//     WatchPersistentRecursive path or a descendant;
	//   - EventWatchResync, with Path the watched path, after the
	//     connection was lost and the watch set again, or when the reader
	//     fell too far behind: events may be missing before it, so
	//     re-read;
	//   - at the end, when the session expires or the store is closed,
	//     one EventNotWatching with Err ErrSessionExpired or ErrClosed,
	//     then the channel is closed.
	// When ctx ends the watch is removed and the channel closed after the
	// events already in it, with no final event.
	//
	// A slow reader never blocks the session: up to about a thousand
	// events wait in the channel; a reader further behind gets one
	// EventWatchResync in place of the events that did not fit, and
	// events flow again once it has taken that (its re-read, made after
	// taking it, sees what was dropped). Holding no goroutine, an
	// abandoned watch costs only its channel until ctx ends or the
	// session does. Watches of the same session on the same path and
	// mode each get every event.
	//
	// ctx also bounds the wait for the server's reply; if it ends first
	// the error matches ctx's error.
	AddWatch(ctx context.Context, path string, mode WatchMode) (<-chan Event, error)
}

// PersistentWatcherOf returns st as a PersistentWatcher when it is one.
// Whether the server supports persistent watches only AddWatch can tell
// (ErrNoPersistentWatches).
func PersistentWatcherOf(st Store) (PersistentWatcher, bool) {
	p, ok := st.(PersistentWatcher)
	return p, ok
}

// AddWatch sets a persistent watch through st, or fails with
// ErrNoPersistentWatches (wrapped in a *PathError) when st has no
// persistent watches: what a wrapping Store's AddWatch returns.
func AddWatch(ctx context.Context, st Store, path string, mode WatchMode) (<-chan Event, error) {
	if p, ok := st.(PersistentWatcher); ok {
		return p.AddWatch(ctx, path, mode)
	}
	return nil, &PathError{Op: "addWatch", Path: path, Err: ErrNoPersistentWatches}
}
