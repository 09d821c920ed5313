package main

import (
	"context"

	"github.com/zksql/zksql/zkstore"
)

// The counting store keeps the persistent watches of the store it wraps
// (AddWatch is not a read: it is not counted).
var _ zkstore.PersistentWatcher = countingStore{}

func (s countingStore) AddWatch(ctx context.Context, path string, mode zkstore.WatchMode) (<-chan zkstore.Event, error) {
	return zkstore.AddWatch(ctx, s.Store, path, mode)
}
