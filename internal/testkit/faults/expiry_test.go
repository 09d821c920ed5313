package faults_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/zksql/zksql/recipe"
	"github.com/zksql/zksql/watch"
	"github.com/zksql/zksql/zkstore"
)

// recvType receives events until one of type want, returning it and the
// ones before it.
func recvType(t *testing.T, ch <-chan watch.Event, want watch.EventType, timeout time.Duration) (watch.Event, []watch.Event) {
	t.Helper()
	var before []watch.Event
	deadline := time.After(timeout)
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				t.Fatalf("stream closed waiting for %v; got %v", want, before)
			}
			if ev.Type == want {
				return ev, before
			}
			before = append(before, ev)
		case <-deadline:
			t.Fatalf("no %v within %v; got %v", want, timeout, before)
		}
	}
}

// Session expiry, forced by a partition longer than the session timeout:
// the session's ephemeral vanishes, the statement in flight fails, the
// held lock is reported lost, the watch stream reports the expiry and
// resynchronises on the driver's new session (the change made meanwhile
// delivered), and statements work again on a new session.
func TestSessionExpiry(t *testing.T) {
	srv, r, root, p := behindProxy(t)
	db := openDB(t, dsn([]string{p.Addr()}, root, "session_timeout=2s"))
	mustExec(t, db, "INSERT INTO znodes (path, data) VALUES ('/w', 'v1')")
	mustExec(t, db, "INSERT INTO znodes (path, data, mode) VALUES ('/eph', 'mine', 'ephemeral')")
	sid := sessionID(t, db)
	old := storeOf(t, db)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src := watch.FromDB(db)
	defer src.Close()
	node := watch.Node(ctx, src, "/w")
	if ev := <-node; ev.Type != watch.Current || string(ev.Data) != "v1" {
		t.Fatalf("first event %v", ev)
	}
	lock := recipe.NewMutex(old, "/lock", nil)
	if err := lock.Lock(ctxT(t, 20*time.Second)); err != nil {
		t.Fatal(err)
	}
	lost := lock.Lost()

	// The store's own account: StateExpired, whoever closes it afterwards.
	events := old.SessionEvents(ctx)
	expiredAt := make(chan time.Duration, 1)
	var healed time.Time
	var healedMu = make(chan struct{})
	go func() {
		for ev := range events {
			if ev.State == zkstore.StateExpired {
				<-healedMu
				expiredAt <- time.Since(healed)
				return
			}
		}
	}()

	// The partition: the statement sent now is in flight when the session
	// dies; another client changes /w meanwhile.
	blocked := time.Now()
	p.Block()
	inflight := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, err := db.ExecContext(ctx, "UPDATE znodes SET data = 'lost?' WHERE path = '/w'")
		inflight <- err
	}()
	r.set(t, root+"/w", "v2")
	expiredAfter := serverForgot(t, srv.Addr(), sid, 30*time.Second)
	p.Unblock()
	healed = time.Now()
	close(healedMu)

	var known time.Duration
	select {
	case known = <-expiredAt:
	case <-time.After(20 * time.Second):
		t.Fatalf("the store did not report the expiry within 20s of healing; state %v", old.State())
	}
	select {
	case <-lost:
	case <-time.After(10 * time.Second):
		t.Fatal("lock not reported lost 10s after the expiry was known")
	}
	lostAfter := time.Since(healed)
	var inflightErr error
	select {
	case inflightErr = <-inflight:
	case <-time.After(30 * time.Second):
		t.Fatal("the statement in flight never returned")
	}

	// Statements after the expiry: count failures until the first success.
	after, firstOK := untilOK(t, healed, 5*time.Second, 100, "no statement works after the expiry", func(ctx context.Context) error {
		_, err := db.ExecContext(ctx, "INSERT INTO znodes (path, data, mode) VALUES (?, 'again', 'ephemeral')", "/eph2")
		return err
	})
	nsid := sessionID(t, db)

	// The stream: Disconnected, Expired, then the state re-read on the new
	// session, with the change made during the partition.
	ev, before := recvType(t, node, watch.Expired, 20*time.Second)
	if !errors.Is(ev.Err, zkstore.ErrSessionExpired) {
		t.Fatalf("Expired event without ErrSessionExpired: %v", ev)
	}
	ev, between := recvType(t, node, watch.Current, 20*time.Second)
	if !ev.Resync || string(ev.Data) != "v2" {
		t.Fatalf("after expiry: %v, want Current with Resync and v2", ev)
	}
	resynced := time.Since(healed)
	r.set(t, root+"/w", "v3")
	if ev := <-node; ev.Type != watch.DataChanged || string(ev.Data) != "v3" {
		t.Fatalf("after the resync: %v", ev)
	}

	_, _, ephOK := r.get(t, root+"/eph")
	_, st2, eph2OK := r.get(t, root+"/eph2")
	w, _, _ := r.get(t, root+"/w")
	t.Logf("session expiry (session_timeout=2s, partition via proxy):")
	t.Logf("  server expired session %#x %v after the partition began; client's store reported StateExpired %v after it healed", sid, expiredAfter.Round(time.Millisecond), known.Round(time.Millisecond))
	t.Logf("  statement in flight: %v (kind %s)", inflightErr, kind(inflightErr))
	t.Logf("  statements after: %s%s; first success %v after healing, new session %#x", after, after.examples(), firstOK.Round(time.Millisecond), nsid)
	t.Logf("  lock lost reported %v after healing; stream: %v, then %v, then %v with Resync %v after healing", lostAfter.Round(time.Millisecond), before, between, ev, resynced.Round(time.Millisecond))
	t.Logf("  partition lasted %v; /w holds %q", healed.Sub(blocked).Round(time.Millisecond), w)

	if ephOK {
		t.Error("the expired session's ephemeral is still there")
	}
	if !eph2OK || st2.EphemeralOwner != nsid || nsid == sid {
		t.Errorf("new ephemeral: present=%v owner %#x, sessions %#x -> %#x", eph2OK, st2.EphemeralOwner, sid, nsid)
	}
	if inflightErr == nil || (!errors.Is(inflightErr, zkstore.ErrConnectionLoss) && !errors.Is(inflightErr, zkstore.ErrSessionExpired)) {
		t.Errorf("statement in flight: %v, want ErrConnectionLoss or ErrSessionExpired", inflightErr)
	}
	if w == "lost?" {
		t.Errorf("the statement in flight across the expiry was applied")
	}
	if n := after.get("ErrBadConn"); n > 0 {
		t.Errorf("%d statements returned ErrBadConn", n)
	}
	if err := lock.Unlock(ctxT(t, 10*time.Second)); err != nil {
		t.Errorf("Unlock of a lost lock: %v", err)
	}
}
