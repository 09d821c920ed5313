package cachestore

import (
	"context"
	"sync/atomic"
)

// A Group links the Stores of one program that should see each other's
// writes, such as the sessions behind one sql.DB. ZooKeeper orders the
// writes of different sessions only through the server: another
// session's write reaches a cache as a watch event, which may still be on
// the wire when the writer's reply is in. A read through a member after
// another member's write returned therefore first syncs (one round trip,
// Store.Sync), so it sees that write; a member's own writes need no sync.
// Members that only read, or a Group whose members do not write, pay
// nothing.
type Group struct {
	writes atomic.Uint64 // writes through any member that returned
}

// NewGroup makes an empty Group.
func NewGroup() *Group { return &Group{} }

// InGroup makes the Store a member of g.
func InGroup(g *Group) Option { return func(c *config) { c.group = g } }

// groupWrote records a write through s that returned.
func (s *Store) groupWrote() {
	g := s.cfg.group
	if g == nil {
		return
	}
	v := g.writes.Add(1)
	// Caught up with the others' writes before this one, s is caught up
	// with this one too: its own writes are re-read anyway.
	s.groupSynced.CompareAndSwap(v-1, v)
}

// groupSync syncs s when another member wrote since s last did, so that a
// read that follows sees that write.
func (s *Store) groupSync(ctx context.Context, path string) error {
	g := s.cfg.group
	if g == nil {
		return nil
	}
	target := g.writes.Load()
	if s.groupSynced.Load() >= target {
		return nil
	}
	if err := s.Sync(ctx, path); err != nil {
		return err
	}
	for {
		cur := s.groupSynced.Load()
		if cur >= target || s.groupSynced.CompareAndSwap(cur, target) {
			return nil
		}
	}
}
