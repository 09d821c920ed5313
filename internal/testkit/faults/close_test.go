package faults_test

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"runtime"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/zksql/zksql/driver"
	"github.com/zksql/zksql/internal/testkit/zkserver"
	"github.com/zksql/zksql/watch"
	"github.com/zksql/zksql/zkstore"
	"github.com/zksql/zksql/zkstore/livestore"
)

// noLeaks fails the test if it leaves goroutines behind. Call it first, so
// that its cleanup runs after every other.
func noLeaks(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, ignore, zkserver.IgnoreShared()) })
}

// Close twice, on every level: sql.DB, the connector, the store.
func TestCloseTwice(t *testing.T) {
	srv := standalone(t)
	noLeaks(t)
	cfg, err := driver.ParseDSN(dsn([]string{srv.Addr()}, "", "session_timeout=4s"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := driver.NewConnector(cfg)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(c)
	mustExec(t, db, "SELECT COUNT(*) FROM znodes WHERE path = '/'")
	for i := range 2 {
		if err := db.Close(); err != nil {
			t.Errorf("db.Close #%d: %v", i+1, err)
		}
	}
	for i := range 2 {
		if err := c.(io.Closer).Close(); err != nil {
			t.Errorf("connector Close #%d after db.Close: %v", i+1, err)
		}
	}
	st, err := livestore.Open(ctxT(t, 20*time.Second), []string{srv.Addr()})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() { st.Close() })
	}
	wg.Wait()
	if err := st.Close(); err != nil {
		t.Errorf("store Close after Close: %v", err)
	}
	if _, err := st.Create(context.Background(), "/x", nil, zkstore.CreateOptions{}); !errors.Is(err, zkstore.ErrClosed) {
		t.Errorf("Create on a closed store: %v, want ErrClosed", err)
	}
}

// Close while statements and watches run: everything returns promptly with
// an error, the stream on the database's session ends by itself, nothing
// panics or hangs, and no goroutine is left.
func TestCloseWhileBusy(t *testing.T) {
	srv := standalone(t)
	r := rawConn(t, srv.Addr())
	root := newRoot(t, r)
	noLeaks(t)
	db, err := sql.Open("zookeeper", dsn([]string{srv.Addr()}, root, "session_timeout=4s"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		mustExec(t, db, "INSERT INTO znodes (path, data) VALUES (?, 'v')", "/n"+string(rune('a'+i)))
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src := watch.FromDB(db)
	tree := watch.Tree(ctx, src, "/")
	if _, evs := recvType(t, tree, watch.Synced, 10*time.Second); len(evs) != 21 {
		t.Fatalf("tree: %d events, want 21", len(evs))
	}
	treeDone := make(chan []watch.Event, 1)
	go func() {
		var evs []watch.Event
		for ev := range tree {
			evs = append(evs, ev)
		}
		treeDone <- evs
	}()

	errs := newTally()
	var ops sync.WaitGroup
	var done sync.WaitGroup
	for w := range 8 {
		done.Go(func() {
			for i := 0; ; i++ {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				var err error
				if i%2 == 0 {
					var n int
					err = db.QueryRowContext(ctx, "SELECT COUNT(*) FROM znodes WHERE path LIKE '/n%'").Scan(&n)
				} else {
					_, err = db.ExecContext(ctx, "UPDATE znodes SET data = ? WHERE path = ?", i, "/n"+string(rune('a'+w)))
				}
				cancel()
				if errs.add(err) != "ok" {
					return
				}
				if i == 10 {
					ops.Done()
				}
			}
		})
		ops.Add(1)
	}
	ops.Wait() // every goroutine is busy
	t0 := time.Now()
	if err := db.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	closeTook := time.Since(t0)
	stopped := make(chan struct{})
	go func() { done.Wait(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		t.Fatal("statements still running 10s after Close")
	}
	stmtsTook := time.Since(t0)
	var evs []watch.Event
	select {
	case evs = <-treeDone:
	case <-time.After(10 * time.Second):
		t.Fatal("the stream on the closed database did not end within 10s")
	}
	streamTook := time.Since(t0)
	src.Close()
	t.Logf("Close while 8 goroutines run statements and a Tree stream runs: Close took %v, statements all returned %v after, stream ended %v after", closeTook.Round(time.Millisecond), stmtsTook.Round(time.Millisecond), streamTook.Round(time.Millisecond))
	t.Logf("  statements: %s%s", errs, errs.examples())
	t.Logf("  stream: %d events; last %v", len(evs), evs[max(0, len(evs)-2):])
	if n := errs.get("ok"); n < 8*10 {
		t.Errorf("only %d statements succeeded before Close", n)
	}

	// Statements after Close: a clear error, no panic.
	_, err = db.Exec("SELECT COUNT(*) FROM znodes")
	t.Logf("  statement after Close: %v", err)
	if err == nil {
		t.Error("statement after Close succeeded")
	}
}

// A context cancelled mid-call: go-zookeeper takes no context, so the
// driver must return by itself; with the network black-holed the call
// would otherwise wait for go-zookeeper's own timeouts.
func TestContextCancelledMidCall(t *testing.T) {
	_, _, root, p := behindProxy(t)
	noLeaks(t)
	db := openDB(t, dsn([]string{p.Addr()}, root, "session_timeout=10s"))
	mustExec(t, db, "INSERT INTO znodes (path, data) VALUES ('/c', 'v')")
	held, err := db.Conn(ctxT(t, 10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	before := runtime.NumGoroutine()

	p.Block()
	var worst time.Duration
	for i, q := range []string{
		"SELECT data FROM znodes WHERE path = '/c'",
		"SELECT COUNT(*) FROM znodes",
		"UPDATE znodes SET data = 'w' WHERE path = '/c'",
		"INSERT INTO znodes (path) VALUES ('/d')",
		"DELETE FROM znodes WHERE path = '/c'",
	} {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(200*time.Millisecond, cancel)
		t0 := time.Now()
		var err error
		if i < 2 {
			var rows *sql.Rows
			rows, err = held.QueryContext(ctx, q)
			if err == nil {
				for rows.Next() {
				}
				err = rows.Err()
				rows.Close()
			}
		} else {
			_, err = held.ExecContext(ctx, q)
		}
		late := time.Since(t0) - 200*time.Millisecond
		worst = max(worst, late)
		cancel()
		t.Logf("  %s, cancelled at 200ms: returned %v after the cancel: %v", q, late.Round(time.Millisecond), err)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s: %v, want context.Canceled", q, err)
		}
		if kind(err) == "ErrBadConn" {
			t.Errorf("%s: ErrBadConn after the request may have been sent", q)
		}
	}
	during := runtime.NumGoroutine()
	p.Unblock()
	settle(t, held)
	// The calls cut short by their contexts have their replies now.
	var after int
	waitFor(t, 10*time.Second, "goroutines of the cancelled calls end", func() bool {
		after = runtime.NumGoroutine()
		return after <= before
	})
	t.Logf("context cancelled mid-call (network black-holed): worst return %v after cancel; goroutines %d before, %d while blocked, %d after healing", worst.Round(time.Millisecond), before, during, after)
	if worst > 100*time.Millisecond {
		t.Errorf("a cancelled call returned %v after its cancel", worst)
	}
}
