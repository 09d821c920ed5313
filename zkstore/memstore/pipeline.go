package memstore

import (
	"context"

	"github.com/zksql/zksql/zkstore"
)

var _ zkstore.Pipeliner = (*Session)(nil)

// GetAsync reads now: an in-memory store has no round trip to overlap.
func (s *Session) GetAsync(ctx context.Context, path string) zkstore.PendingRead {
	r := &zkstore.DoneRead{}
	r.Data, r.Stat, r.Err = s.Get(ctx, path)
	return r
}

// ChildrenAsync reads now.
func (s *Session) ChildrenAsync(ctx context.Context, path string) zkstore.PendingRead {
	r := &zkstore.DoneRead{}
	r.Names, r.Stat, r.Err = s.Children(ctx, path)
	return r
}

// Pipelines is false: callers do better to call Get and Children.
func (s *Session) Pipelines() bool { return false }
