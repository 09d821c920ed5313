package watch_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/zksql/zksql/watch"
	"github.com/zksql/zksql/zkstore"
)

// With db.SetMaxOpenConns(1), holding the pool's only connection would
// leave every statement waiting forever: FromDB refuses, the stream ends
// with that error, and the program's statements still run.
func TestFromDBRefusesTheLastConnection(t *testing.T) {
	noLeaks(t)
	db, err := sql.Open("zookeeper", "mem:?create_parents=true")
	must(t, err)
	defer db.Close()
	db.SetMaxOpenConns(1)
	src := watch.FromDB(db)
	defer src.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ch := watch.Node(ctx, src, "/cfg/x")
	ev := recv(t, ch, 5*time.Second)
	if ev.Type != watch.Error || !errors.Is(ev.Err, watch.ErrPoolTooSmall) {
		t.Fatalf("first event %v, want an Error with ErrPoolTooSmall", ev)
	}
	t.Log(ev.Err)
	closed(t, ch, 5*time.Second)
	if _, err := db.ExecContext(ctx, "INSERT INTO znodes (path, data) VALUES ('/cfg/x', '1')"); err != nil {
		t.Fatalf("a statement after the refusal: %v", err)
	}
	if _, err := src.Store(ctx); !errors.Is(err, watch.ErrPoolTooSmall) || !errors.Is(err, zkstore.ErrClosed) {
		t.Fatalf("Store: %v", err)
	}
}

// With a limit of 2, one FromDB source holds one connection and the
// statements share the other; a second source would take the last one
// and is refused.
func TestFromDBLeavesAConnection(t *testing.T) {
	noLeaks(t)
	db, err := sql.Open("zookeeper", "mem:?create_parents=true")
	must(t, err)
	defer db.Close()
	db.SetMaxOpenConns(2)
	src := watch.FromDB(db)
	defer src.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ch := watch.Node(ctx, src, "/cfg/x")
	if ev := recv(t, ch, 5*time.Second); ev.Type != watch.Current {
		t.Fatalf("first event %v", ev)
	}
	if _, err := db.ExecContext(ctx, "INSERT INTO znodes (path, data) VALUES ('/cfg/x', '1')"); err != nil {
		t.Fatal(err)
	}
	if ev := recv(t, ch, 5*time.Second); ev.Type != watch.Created {
		t.Fatalf("got %v", ev)
	}
	second := watch.FromDB(db)
	defer second.Close()
	if _, err := second.Store(ctx); !errors.Is(err, watch.ErrPoolTooSmall) {
		t.Fatalf("a second source on a pool of 2: %v", err)
	}
	// Once the first gives its connection back, the second may hold one.
	cancel()
	closed(t, ch, 5*time.Second)
	src.Close()
	ctx, cancel = context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := second.Store(ctx); err != nil {
		t.Fatalf("second source after the first closed: %v", err)
	}
}
