package faults_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/zksql/zksql/zkstore"
)

// wantUnknown checks the error of a write whose reply was lost: it matches
// ErrConnectionLoss, says the outcome is unknown, and is not ErrBadConn,
// which database/sql would answer by sending the write again.
func wantUnknown(t *testing.T, what string, err error) {
	t.Helper()
	switch {
	case err == nil:
		t.Fatalf("%s: no error, though its reply was lost", what)
	case errors.Is(err, driver.ErrBadConn):
		t.Fatalf("%s: ErrBadConn after the request was sent (database/sql would re-send it): %v", what, err)
	case !errors.Is(err, zkstore.ErrConnectionLoss):
		t.Fatalf("%s: %v, want an error matching ErrConnectionLoss", what, err)
	case !strings.Contains(err.Error(), "outcome unknown"):
		t.Fatalf("%s: %q does not say the outcome is unknown", what, err)
	}
}

// Connection loss mid-write: the server applies the write, its reply is
// lost (the proxy drops it). The driver reports ErrConnectionLoss with an
// unknown outcome and never sends the write again, neither itself nor
// through database/sql's ErrBadConn retry: the server shows the write
// applied exactly once.
func TestConnectionLossMidWrite(t *testing.T) {
	_, r, root, p := behindProxy(t)
	db := openDB(t, dsn([]string{p.Addr()}, root, "session_timeout=2s&protect_sequential=true"))
	mustExec(t, db, "INSERT INTO znodes (path, data) VALUES ('/x', 'v0'), ('/y', 'v0')")
	sid := sessionID(t, db)
	ctx := ctxT(t, time.Minute)

	// A single-row INSERT is one create request, the chunk whose reply
	// goes. Sent twice, the second would fail with ErrNodeExists instead.
	p.DropNextReply()
	start := time.Now()
	_, err := db.ExecContext(ctx, "INSERT INTO znodes (path, data) VALUES ('/a', 'A')")
	t.Logf("INSERT, reply lost: %v after %v", err, time.Since(start).Round(time.Millisecond))
	wantUnknown(t, "INSERT", err)
	if data, st, ok := r.get(t, root+"/a"); !ok || data != "A" || st.Version != 0 {
		t.Fatalf("/a after the lost reply: exists=%v data=%q, want applied once with A", ok, data)
	}

	// An UPDATE appending to the data, committed as one multi whose reply
	// is lost: applied twice it would read "v0++".
	settle(t, db)
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, "UPDATE znodes SET data = CONCAT(data, '+') WHERE path = '/x'"); err != nil {
		t.Fatal(err)
	}
	p.DropNextReply()
	start = time.Now()
	err = tx.Commit()
	t.Logf("Commit of UPDATE, reply lost: %v after %v", err, time.Since(start).Round(time.Millisecond))
	wantUnknown(t, "Commit", err)
	r.sync(t, root)
	if data, st, _ := r.get(t, root+"/x"); data != "v0+" || st.Version != 1 {
		t.Fatalf("/x after the lost commit reply: %q version %d, want v0+ version 1 (applied exactly once)", data, st.Version)
	}

	// A plain UPDATE reads first: the lost reply is the read's, so the
	// write is never sent. The error is still a connection loss (the
	// driver cannot tell the read from the write apart at that level),
	// and nothing is re-sent behind the caller's back.
	settle(t, db)
	p.DropNextReply()
	_, err = db.ExecContext(ctx, "UPDATE znodes SET data = CONCAT(data, '+') WHERE path = '/y'")
	t.Logf("UPDATE, read's reply lost: %v", err)
	if err == nil || errors.Is(err, driver.ErrBadConn) || !errors.Is(err, zkstore.ErrConnectionLoss) {
		t.Fatalf("UPDATE with its read's reply lost: %v, want ErrConnectionLoss", err)
	}
	if data, _, _ := r.get(t, root+"/y"); data != "v0" && data != "v0+" {
		t.Fatalf("/y is %q: applied more than once", data)
	}

	// With a deadline shorter than the client's own timeout, the caller
	// gets its context's error back on time, and it still matches
	// ErrConnectionLoss: the create may have been applied (it was).
	settle(t, db) // reconnected: the create is the next chunk, not the handshake
	p.DropNextReply()
	dctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	start = time.Now()
	_, err = db.ExecContext(dctx, "INSERT INTO znodes (path, data) VALUES ('/b', 'B')")
	took := time.Since(start)
	cancel()
	t.Logf("INSERT with a 300ms deadline, reply lost: %v after %v", err, took.Round(time.Millisecond))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want context.DeadlineExceeded", err)
	}
	wantUnknown(t, "INSERT with a deadline", err)
	if took > time.Second {
		t.Fatalf("returned after %v, deadline 300ms", took)
	}
	if _, _, ok := r.get(t, root+"/b"); !ok {
		t.Fatalf("/b absent: the server should have applied the create")
	}

	// The session survived all of it, and the driver works on it once
	// go-zookeeper has given up on the connection whose replies vanish.
	settle(t, db)
	mustExec(t, db, "UPDATE znodes SET data = 'v1' WHERE path = '/a'")
	if got := sessionID(t, db); got != sid {
		t.Fatalf("session changed from %#x to %#x on a mere connection loss", sid, got)
	}
}

// settle waits until a read through db succeeds: the session is connected
// again after a fault, so the next request goes out at once.
func settle(t *testing.T, db interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var n int
		err := db.QueryRowContext(context.Background(), "SELECT COUNT(*) FROM znodes WHERE path = '/'").Scan(&n)
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no successful read within 30s: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
