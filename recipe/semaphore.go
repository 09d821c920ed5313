package recipe

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/zksql/zksql/zkstore"
)

// Semaphore is a counting semaphore: at most N leases at once, Curator's
// InterProcessSemaphoreV2. Each contender creates an ephemeral sequential
// znode under dir; the N lowest sequences hold a lease, and the others
// wait for a change in the list (any departure before them moves them up).
//
// Guarantee: while every contender on dir uses the same N, never more
// than N znodes count as lease holders: a znode's place only improves (a
// later contender always sorts after it), so a contender that finds
// itself among the N lowest stays among them until a holder leaves.
//
// What a session loss does: a lease is an ephemeral znode, so it ends with
// its session. The server expires the session after the session timeout
// without hearing from the client, and then gives the lease to a waiter
// while the old holder may not know yet: a Lease reports the suspended
// connection on States first, so that the holder can stop using the
// resource before that happens, and Lost once the loss is known. Waiters
// whose session ends get an error.
type Semaphore struct {
	st   zkstore.Store
	dir  string
	max  int
	data []byte
}

// NewSemaphore returns a semaphore of n leases on dir (created, with its
// parents, if missing). data is stored in each lease's znode.
func NewSemaphore(st zkstore.Store, dir string, n int, data []byte) *Semaphore {
	return &Semaphore{st: st, dir: dir, max: n, data: data}
}

// Lease is one holding of a Semaphore; Release ends it.
type Lease struct {
	h    *holding
	once sync.Once
	err  error
}

// Acquire blocks until a lease is held, ctx ends or the session fails. On
// failure no znode of ours is left behind.
func (s *Semaphore) Acquire(ctx context.Context) (*Lease, error) {
	if s.max < 1 {
		return nil, fmt.Errorf("recipe: semaphore %s of %d leases: want at least 1", s.dir, s.max)
	}
	if err := ensurePath(ctx, s.st, s.dir); err != nil {
		return nil, err
	}
	node, err := createProtected(ctx, s.st, s.dir, "lease", s.data)
	if err != nil {
		return nil, err
	}
	if err := s.wait(ctx, zkstore.Base(node)); err != nil {
		giveUpPlace(ctx, s.st, node)
		return nil, err
	}
	return &Lease{h: startHolding(s.st, node)}, nil
}

// wait returns once me is among the max lowest.
func (s *Semaphore) wait(ctx context.Context, me string) error {
	for {
		var names []string
		var ch <-chan zkstore.Event
		err := retryRead(ctx, func() (err error) {
			names, _, ch, err = s.st.ChildrenW(ctx, s.dir)
			return err
		})
		if err != nil {
			return err
		}
		names = slices.DeleteFunc(names, func(n string) bool { _, ok := zkstore.ParseSequence(n); return !ok })
		slices.SortFunc(names, func(a, b string) int { return int(seq(a)) - int(seq(b)) })
		i := slices.Index(names, me)
		switch {
		case i < 0:
			return fmt.Errorf("recipe: lease znode %s vanished: %w", me, zkstore.ErrSessionExpired)
		case i < s.max:
			return nil
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

// Leases is the number of leases held now (at most N).
func (s *Semaphore) Leases(ctx context.Context) (int, error) {
	names, err := contenders(ctx, s.st, s.dir)
	if errors.Is(err, zkstore.ErrNoNode) {
		return 0, nil
	}
	return min(len(names), s.max), err
}

// Node is the lease's znode.
func (l *Lease) Node() string { return l.h.node }

// Lost is closed when the lease is lost without Release: its session
// expired or was closed, or its znode was deleted.
func (l *Lease) Lost() <-chan struct{} { return l.h.lost }

// States reports the connection the lease depends on, as Mutex.States
// does: stop using the resource on Suspended, until Reconnected; Lost is
// the last state. The channel is closed after Lost or by Release.
func (l *Lease) States() <-chan ConnectionState { return l.h.states }

// Release gives the lease back. A lease already lost releases without
// error; a second Release does nothing.
func (l *Lease) Release(ctx context.Context) error {
	l.once.Do(func() { l.err = l.h.release(ctx) })
	return l.err
}
