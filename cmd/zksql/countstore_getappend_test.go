package main

import (
	"context"
	"testing"

	"github.com/zksql/zksql/zkstore"
	"github.com/zksql/zksql/zkstore/memstore"
)

// TestCountingStoreGetAppend: the shell's counting store forwards
// GetAppend to the store it wraps, appending the same data Get reads and
// counting the read once.
func TestCountingStoreGetAppend(t *testing.T) {
	ctx := context.Background()
	srv := memstore.NewServer()
	defer srv.Close()
	inner := srv.Open()
	defer inner.Close()
	if _, err := inner.Create(ctx, "/a", []byte("data"), zkstore.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	n := new(counters)
	st := countingStore{Store: inner, n: n}
	got, stat, err := zkstore.GetAppend(ctx, st, "/a", []byte("buf:"))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "buf:data" || stat.DataLength != 4 {
		t.Errorf("GetAppend = %q, DataLength %d; want %q, 4", got, stat.DataLength, "buf:data")
	}
	if c := n.requests.Load(); c != 1 {
		t.Errorf("%d requests counted, want 1", c)
	}
}
