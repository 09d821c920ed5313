package main

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/zksql/zksql/driver"
	"github.com/zksql/zksql/internal/testkit/zkserver"
	"github.com/zksql/zksql/zkstore"
	"github.com/zksql/zksql/zkstore/livestore"
)

// TestCountingStoreKeepsPipelining: the shell's counting store over a
// live session still offers pipelined reads, and a walk through the driver
// uses them (each read counted once).
func TestCountingStoreKeepsPipelining(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	inner, err := livestore.Open(ctx, []string{zkserver.SharedAddr(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer inner.Close()
	n := new(counters)
	st := countingStore{Store: inner, n: n}
	if _, ok := zkstore.PipelinerOf(st); !ok {
		t.Fatal("the counting store over a live session hides its pipelined reads")
	}
	base := "/countstore-" + time.Now().Format("150405.000000000")
	for _, p := range []string{base, base + "/a", base + "/b", base + "/a/x"} {
		if _, err := inner.Create(ctx, p, []byte("d"), zkstore.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	piped := &pipeCounting{countingStore: st}
	c, err := driver.NewStoreConnector(func(context.Context) (zkstore.Store, error) { return piped, nil }, nil)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(c)
	defer db.Close()
	var count int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM znodes WHERE path LIKE ? AND data = 'd'", base+"/%").Scan(&count); err != nil {
		t.Fatal(err)
	}
	if count != 3 {
		t.Fatalf("walk found %d znodes, want 3", count)
	}
	if piped.async == 0 {
		t.Errorf("the walk through the counting store sent no pipelined read (%d requests)", n.requests.Load())
	}
}

// pipeCounting counts the pipelined reads that reach the counting store.
type pipeCounting struct {
	countingStore
	async int
}

func (p *pipeCounting) GetAsync(ctx context.Context, path string) zkstore.PendingRead {
	p.async++
	return p.countingStore.GetAsync(ctx, path)
}

func (p *pipeCounting) ChildrenAsync(ctx context.Context, path string) zkstore.PendingRead {
	p.async++
	return p.countingStore.ChildrenAsync(ctx, path)
}

// Close is the test's: the session is closed by the test.
func (p *pipeCounting) Close() error { return nil }
