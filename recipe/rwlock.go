package recipe

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/zksql/zksql/zkstore"
)

// RWLock is a distributed read-write lock, Curator's
// InterProcessReadWriteLock (ZooKeeper's shared-lock recipe): each
// contender creates an ephemeral sequential znode under dir, named read-…
// or write-…. A writer holds the lock when its znode is the lowest of all;
// a reader when no write znode is lower than its own.
//
// Guarantee: many readers or one writer, never both, and writers are not
// starved: a reader that arrives after a waiting writer sorts after it and
// waits for it, so a steady stream of readers cannot hold a writer off.
// Each waiter watches one znode only (a writer its predecessor, a reader
// the nearest write znode before it), so a release wakes the waiters it
// concerns, not the herd.
//
// What a session loss does: as for Mutex, the holder's znode ends with its
// session, and the lock may pass to others after the session timeout while
// the old holder does not know; RWHold reports the suspended connection
// (States) before that, and Lost once the loss is known.
type RWLock struct {
	st  zkstore.Store
	dir string
}

// NewRWLock returns the read-write lock at dir (created, with its parents,
// if missing).
func NewRWLock(st zkstore.Store, dir string) *RWLock { return &RWLock{st: st, dir: dir} }

const (
	readPrefix  = "read"
	writePrefix = "write"
)

// RWHold is one holding of an RWLock, read or write; Unlock ends it.
type RWHold struct {
	h    *holding
	once sync.Once
	err  error
}

// RLock blocks until the lock is held for reading, ctx ends or the session
// fails.
func (l *RWLock) RLock(ctx context.Context) (*RWHold, error) { return l.lock(ctx, readPrefix) }

// Lock blocks until the lock is held for writing, ctx ends or the session
// fails.
func (l *RWLock) Lock(ctx context.Context) (*RWHold, error) { return l.lock(ctx, writePrefix) }

func (l *RWLock) lock(ctx context.Context, kind string) (*RWHold, error) {
	if err := ensurePath(ctx, l.st, l.dir); err != nil {
		return nil, err
	}
	node, err := createProtected(ctx, l.st, l.dir, kind, nil)
	if err != nil {
		return nil, err
	}
	if err := l.wait(ctx, zkstore.Base(node), kind); err != nil {
		giveUpPlace(ctx, l.st, node)
		return nil, err
	}
	return &RWHold{h: startHolding(l.st, node)}, nil
}

// blocker is the znode me waits for, "" when me holds the lock: a
// writer's predecessor, a reader's nearest lower writer.
func blocker(names []string, i int, kind string) string {
	if kind == writePrefix {
		if i == 0 {
			return ""
		}
		return names[i-1]
	}
	for j := i - 1; j >= 0; j-- {
		if strings.HasPrefix(names[j], writePrefix+"-") {
			return names[j]
		}
	}
	return ""
}

func (l *RWLock) wait(ctx context.Context, me, kind string) error {
	for {
		var names []string
		err := retryRead(ctx, func() (err error) {
			names, err = contenders(ctx, l.st, l.dir)
			return err
		})
		if err != nil {
			return err
		}
		i := slices.Index(names, me)
		if i < 0 {
			return fmt.Errorf("recipe: lock znode %s vanished: %w", me, zkstore.ErrSessionExpired)
		}
		b := blocker(names, i, kind)
		if b == "" {
			return nil
		}
		var ok bool
		var ch <-chan zkstore.Event
		err = retryRead(ctx, func() (err error) {
			_, ok, ch, err = l.st.ExistsW(ctx, zkstore.Join(l.dir, b))
			return err
		})
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		select {
		case ev := <-ch:
			if ev.Type == zkstore.EventNotWatching {
				return ev.Err
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Node is the holding's znode.
func (h *RWHold) Node() string { return h.h.node }

// Lost is closed when the holding is lost without Unlock: its session
// expired or was closed, or its znode was deleted.
func (h *RWHold) Lost() <-chan struct{} { return h.h.lost }

// States reports the connection the holding depends on, as Mutex.States
// does. The channel is closed after Lost or by Unlock.
func (h *RWHold) States() <-chan ConnectionState { return h.h.states }

// Unlock ends the holding. One already lost unlocks without error; a
// second Unlock does nothing.
func (h *RWHold) Unlock(ctx context.Context) error {
	h.once.Do(func() { h.err = h.h.release(ctx) })
	return h.err
}
