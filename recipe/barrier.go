package recipe

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/zksql/zksql/zkstore"
)

// Barrier holds processes back until it is removed, Curator's
// DistributedBarrier: the barrier is up while its persistent znode exists.
//
// Guarantee: Wait returns nil only once it has seen the znode absent.
// The znode is persistent, so the barrier outlives every session: a
// process that set it and died leaves it up until someone removes it. A
// waiter whose session ends gets the session's error (its wait is
// over, but not because the barrier came down).
type Barrier struct {
	st   zkstore.Store
	path string
}

// NewBarrier returns the barrier at path.
func NewBarrier(st zkstore.Store, path string) *Barrier { return &Barrier{st: st, path: path} }

// Set raises the barrier (creating the parents of its znode if missing).
// Setting a barrier already up does nothing.
func (b *Barrier) Set(ctx context.Context) error {
	if err := ensurePath(ctx, b.st, zkstore.Parent(b.path)); err != nil {
		return err
	}
	_, err := b.st.Create(ctx, b.path, nil, zkstore.CreateOptions{})
	if errors.Is(err, zkstore.ErrNodeExists) {
		return nil
	}
	return err
}

// Remove lowers the barrier, releasing the waiters. Removing a barrier
// that is not up does nothing.
func (b *Barrier) Remove(ctx context.Context) error {
	err := b.st.Delete(ctx, b.path, zkstore.AnyVersion)
	if errors.Is(err, zkstore.ErrNoNode) {
		return nil
	}
	return err
}

// Wait blocks while the barrier is up, until ctx ends or the session does.
// A lost connection is waited out (the read is retried) for as long as
// the session lives.
func (b *Barrier) Wait(ctx context.Context) error {
	for {
		var ok bool
		var ch <-chan zkstore.Event
		err := retryRead(ctx, func() (err error) {
			_, ok, ch, err = b.st.ExistsW(ctx, b.path)
			return err
		})
		if err != nil || !ok {
			return err
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

// DoubleBarrier lets a group of count members start together and finish
// together, Curator's DistributedDoubleBarrier (ZooKeeper's double-barrier
// recipe): each member is an ephemeral znode dir/ID; Enter returns once
// count members have entered, Leave once every member has left.
//
// Guarantee: no Enter returns before count members have entered (the last
// to arrive creates dir/ready, which releases them all), and no Leave
// returns while a member is still inside.
//
// What a session loss does: a member's znode is ephemeral, so a member
// whose session ends leaves the group: before the group is complete it
// no longer counts towards count (its Enter fails; another member must
// come), and after Enter it counts as having left (the others' Leave does
// not wait for it). Use one dir per round: the ready znode is removed by
// the last to leave, and a member entering a dir whose previous round
// has not fully left would pass at once.
type DoubleBarrier struct {
	st    zkstore.Store
	dir   string
	id    string
	count int

	mu sync.Mutex
	h  *holding // between Enter and Leave
}

// readyName is the znode that releases the members; no member may take
// its name.
const readyName = "ready"

// NewDoubleBarrier returns member id of a group of count at dir.
func NewDoubleBarrier(st zkstore.Store, dir, id string, count int) *DoubleBarrier {
	return &DoubleBarrier{st: st, dir: dir, id: id, count: count}
}

func (b *DoubleBarrier) members(names []string) int {
	n := 0
	for _, name := range names {
		if name != readyName {
			n++
		}
	}
	return n
}

// Enter joins the group and blocks until count members have, ctx ends or
// the session does. On failure the member's znode is removed.
func (b *DoubleBarrier) Enter(ctx context.Context) error {
	if b.id == readyName || b.id == "" {
		return fmt.Errorf("recipe: double barrier %s: member id %q is reserved", b.dir, b.id)
	}
	if b.count < 1 {
		return fmt.Errorf("recipe: double barrier %s of %d members: want at least 1", b.dir, b.count)
	}
	if err := ensurePath(ctx, b.st, b.dir); err != nil {
		return err
	}
	ready := zkstore.Join(b.dir, readyName)
	// Watch for ready before joining, so that its creation by the last
	// member cannot be missed.
	_, ok, ch, err := b.st.ExistsW(ctx, ready)
	if err != nil {
		return err
	}
	me := zkstore.Join(b.dir, b.id)
	if _, err := b.st.Create(ctx, me, nil, zkstore.CreateOptions{Mode: zkstore.ModeEphemeral}); err != nil {
		return err
	}
	fail := func(err error) error {
		giveUpPlace(ctx, b.st, me)
		return err
	}
	if ok {
		b.inside(me)
		return nil
	}
	var names []string
	err = retryRead(ctx, func() (err error) {
		names, _, err = b.st.Children(ctx, b.dir)
		return err
	})
	if err != nil {
		return fail(err)
	}
	if b.members(names) >= b.count {
		_, err := b.st.Create(ctx, ready, nil, zkstore.CreateOptions{})
		if err != nil && !errors.Is(err, zkstore.ErrNodeExists) {
			return fail(err)
		}
		b.inside(me)
		return nil
	}
	select {
	case ev := <-ch:
		if ev.Type == zkstore.EventNotWatching {
			return fail(ev.Err)
		}
		b.inside(me) // ready was created
		return nil
	case <-ctx.Done():
		return fail(ctx.Err())
	}
}

// inside starts reporting on the member's znode me.
func (b *DoubleBarrier) inside(me string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.h = startHolding(b.st, me)
}

// States reports, between Enter and Leave, the connection the membership
// depends on (see Mutex.States): on Suspended the member may be counted
// as gone after the session timeout; Lost means it has been. The channel
// is closed after Lost or by Leave; nil outside the group.
func (b *DoubleBarrier) States() <-chan ConnectionState {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.h == nil {
		return nil
	}
	return b.h.states
}

// Lost is closed, between Enter and Leave, when the member's znode is gone
// without Leave (its session ended); nil outside the group. Call Leave
// even after a loss: it ends the goroutine that watches the membership.
func (b *DoubleBarrier) Lost() <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.h == nil {
		return nil
	}
	return b.h.lost
}

// Leave leaves the group and blocks until every member has left, ctx ends
// or the session does.
func (b *DoubleBarrier) Leave(ctx context.Context) error {
	b.mu.Lock()
	if b.h != nil {
		b.h.cancel()
		<-b.h.done
		b.h = nil
	}
	b.mu.Unlock()
	if err := removeOwn(ctx, b.st, zkstore.Join(b.dir, b.id)); err != nil {
		return err
	}
	for {
		var names []string
		var ch <-chan zkstore.Event
		err := retryRead(ctx, func() (err error) {
			names, _, ch, err = b.st.ChildrenW(ctx, b.dir)
			return err
		})
		if err != nil {
			return err
		}
		if b.members(names) == 0 {
			// The last out takes the ready znode down (any of those who
			// see the group empty may; one succeeds).
			err := b.st.Delete(ctx, zkstore.Join(b.dir, readyName), zkstore.AnyVersion)
			if err != nil && !errors.Is(err, zkstore.ErrNoNode) {
				return err
			}
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

// retryRead runs read, again after a lost connection, for as long as ctx
// and the session live. Only reads may be retried so: a write whose
// connection was lost may have been applied.
func retryRead(ctx context.Context, read func() error) error {
	retry := newBackoff()
	for {
		err := read()
		if !errors.Is(err, zkstore.ErrConnectionLoss) || ctx.Err() != nil || !retry.wait(ctx) {
			return err
		}
	}
}
