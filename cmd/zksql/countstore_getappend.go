package main

import (
	"context"

	"github.com/zksql/zksql/zkstore"
)

// The counting store keeps the buffer-reusing reads of the store it wraps
// (a mem: session's), so a point SELECT in the shell costs what it costs
// through the driver alone; each such read is counted as a Get.
var _ zkstore.GetAppender = countingStore{}

func (s countingStore) GetAppend(ctx context.Context, path string, buf []byte) ([]byte, zkstore.Stat, error) {
	s.n.requests.Add(1)
	return zkstore.GetAppend(ctx, s.Store, path, buf)
}
