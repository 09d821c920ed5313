package main

import (
	"context"
	"sync/atomic"

	"github.com/zksql/zksql/zkstore"
)

// counters tallies the requests the driver makes, so a long walk can show
// how far it got. One set is shared by every session the connector opens.
type counters struct {
	requests atomic.Int64 // every read request
	listings atomic.Int64 // getChildren: one per znode a walk visits
}

// countingStore is a zkstore.Store that counts the read requests going
// through it. The driver takes any Store (driver.NewStoreConnector), so
// the shell learns of a walk's progress without the driver knowing.
type countingStore struct {
	zkstore.Store
	n *counters
}

func (s countingStore) Get(ctx context.Context, path string) ([]byte, zkstore.Stat, error) {
	s.n.requests.Add(1)
	return s.Store.Get(ctx, path)
}

func (s countingStore) Exists(ctx context.Context, path string) (zkstore.Stat, bool, error) {
	s.n.requests.Add(1)
	return s.Store.Exists(ctx, path)
}

func (s countingStore) Children(ctx context.Context, path string) ([]string, zkstore.Stat, error) {
	s.n.requests.Add(1)
	s.n.listings.Add(1)
	return s.Store.Children(ctx, path)
}

func (s countingStore) GetACL(ctx context.Context, path string) ([]zkstore.ACL, zkstore.Stat, error) {
	s.n.requests.Add(1)
	return s.Store.GetACL(ctx, path)
}

// The counting store keeps the pipelined reads of the store it wraps, so
// a walk in the shell is as fast as one through the driver alone.
var _ zkstore.Pipeliner = countingStore{}

func (s countingStore) GetAsync(ctx context.Context, path string) zkstore.PendingRead {
	s.n.requests.Add(1)
	return zkstore.GetAsync(ctx, s.Store, path)
}

func (s countingStore) ChildrenAsync(ctx context.Context, path string) zkstore.PendingRead {
	s.n.requests.Add(1)
	s.n.listings.Add(1)
	return zkstore.ChildrenAsync(ctx, s.Store, path)
}

func (s countingStore) Pipelines() bool { return zkstore.Pipelines(s.Store) }
