package faults_test

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"
)

// Whole ensemble down: every member killed for a while. Statements fail
// within their context deadline with an error saying why, goroutines and
// pooled connections do not pile up meanwhile, and statements work again
// once the ensemble is back; nothing acknowledged before is lost.
func TestWholeEnsembleDown(t *testing.T) {
	ens := ensemble(t)
	r := rawConn(t, ens.Addrs()...)
	root := newRoot(t, r)
	db := openDB(t, dsn(ens.Addrs(), root, "session_timeout=3s"))
	for i := range 20 {
		mustExec(t, db, "INSERT INTO znodes (path, data) VALUES (?, 'kept')", "/k"+string(rune('a'+i)))
	}
	sid := sessionID(t, db)
	g0, open0 := runtime.NumGoroutine(), db.Stats().OpenConnections

	for i := range ens.Servers() {
		if err := ens.Kill(i); err != nil {
			t.Fatal(err)
		}
	}
	down := time.Now()
	const deadline = 500 * time.Millisecond
	errs := newTally()
	var mu sync.Mutex
	var worst time.Duration
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := 0; time.Since(down) < 3*time.Second; i++ {
				ctx, cancel := context.WithTimeout(context.Background(), deadline)
				t0 := time.Now()
				var err error
				if (w+i)%2 == 0 {
					var n int
					err = db.QueryRowContext(ctx, "SELECT COUNT(*) FROM znodes WHERE parent = '/'").Scan(&n)
				} else {
					_, err = db.ExecContext(ctx, "UPDATE znodes SET data = 'down' WHERE path = '/ka'")
				}
				took := time.Since(t0)
				cancel()
				errs.add(err)
				mu.Lock()
				worst = max(worst, took)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	gDown, openDown := runtime.NumGoroutine(), db.Stats().OpenConnections

	t0 := time.Now()
	heal(t, ens)
	restarted := time.Since(t0)
	back := time.Now()
	var n int
	after, firstOK := untilOK(t, back, 2*time.Second, 200, "statements do not work after the ensemble is back", func(ctx context.Context) error {
		return db.QueryRowContext(ctx, "SELECT COUNT(*) FROM znodes WHERE path LIKE '/k%'").Scan(&n)
	})
	if n != 20 {
		t.Errorf("%d znodes after the ensemble came back, want 20", n)
	}
	nsid := sessionID(t, db)
	var gAfter int
	waitFor(t, 10*time.Second, "goroutines back to what they were", func() bool {
		gAfter = runtime.NumGoroutine()
		return gAfter <= g0+2
	})
	openAfter := db.Stats().OpenConnections

	t.Logf("whole ensemble down for %v (3 of 3 killed), statements with a %v deadline:", time.Since(down).Round(time.Millisecond)-restarted-time.Since(back), deadline)
	t.Logf("  while down: %s, slowest returned after %v%s", errs, worst.Round(time.Millisecond), errs.examples())
	t.Logf("  restart took %v; first success %v after, statements in between %s; session %#x -> %#x", restarted.Round(time.Millisecond), firstOK.Round(time.Millisecond), after, sid, nsid)
	t.Logf("  goroutines %d before, %d while down, %d after; pooled connections %d, %d, %d", g0, gDown, gAfter, open0, openDown, openAfter)
	if errs.get("ok") > 0 {
		t.Errorf("%d statements succeeded with every server down", errs.get("ok"))
	}
	if n := errs.get("ErrBadConn"); n > 0 {
		t.Errorf("%d statements returned ErrBadConn", n)
	}
	if worst > deadline+200*time.Millisecond {
		t.Errorf("a statement returned %v after starting, deadline %v", worst, deadline)
	}
	if openDown > open0+4 {
		t.Errorf("pooled connections grew from %d to %d while the ensemble was down", open0, openDown)
	}
	if gDown > g0+50 {
		t.Errorf("goroutines grew from %d to %d while the ensemble was down", g0, gDown)
	}
}
