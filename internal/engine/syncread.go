package engine

import (
	"context"

	"github.com/zksql/zksql/zkstore"
)

// syncKey is the context key WithSync sets.
type syncKey struct{}

// WithSync returns a context under which a SELECT first makes the server
// its session reads from catch up with the ZooKeeper leader (ZooKeeper's
// sync), so the read sees every write acknowledged anywhere before the
// statement began. One sync covers the whole tree, so it is sent on "/"
// (the session's root, under a chroot). It costs one round trip (none
// more for a point read, sent behind it: sendSync); without
// it a read may lag other sessions' writes by what the connected follower
// has not applied yet.
func WithSync(ctx context.Context) context.Context {
	return context.WithValue(ctx, syncKey{}, true)
}

// syncRequested reports whether ctx asks reads to sync first (WithSync).
func syncRequested(ctx context.Context) bool {
	v, _ := ctx.Value(syncKey{}).(bool)
	return v
}

// syncReads reports whether a SELECT run with ctx syncs first: the
// statement asks (WithSync) or the DSN does (sync_reads=true).
func (e *env) syncReads() bool {
	return e.cfg.SyncReads || syncRequested(e.ctx)
}

// syncFirst syncs the session's server with the leader when the
// statement's context or the session's options ask for it.
func (e *env) syncFirst() error {
	if p := e.sendSync(); p != nil {
		return p.Wait()
	}
	return nil
}

// sendSync sends the sync syncFirst waits for, once per statement. A point
// read is sent right after it, before the wait: on a store that
// sends a sync without waiting for it (zkstore.SyncSender), the read goes
// out behind the sync and both take one round trip; the server answers
// the read only once the sync has caught it up. The caller waits for the
// returned sync before it answers anything. nil when no sync is asked.
func (e *env) sendSync() zkstore.PendingSync {
	if e.synced || !e.syncReads() {
		return nil
	}
	e.synced = true
	return zkstore.SyncAsync(e.ctx, e.st, "/")
}
