package faults_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/zksql/zksql/zkstore"
)

// Unknown outcome made known: a sequential INSERT whose reply is lost after
// the server applied it. With protect_sequential=true the driver
// finds its znode by the protection prefix and reports success with the
// right LastInsertId; exactly one znode exists. Without it the caller gets
// ErrConnectionLoss and must find out alone (the znode is there too).
func TestProtectedSequentialReplyLost(t *testing.T) {
	_, r, root, p := behindProxy(t)
	ctx := ctxT(t, time.Minute)

	for _, tc := range []struct {
		opts    string
		protect bool
	}{
		{"session_timeout=2s&protect_sequential=true", true},
		{"session_timeout=2s", false}, // the default since 7988b21
	} {
		db := openDB(t, dsn([]string{p.Addr()}, root, tc.opts))
		dir := fmt.Sprintf("/q-%v", tc.protect)
		mustExec(t, db, "INSERT INTO znodes (path) VALUES (?)", dir)
		settle(t, db)

		p.DropNextReply()
		start := time.Now()
		res, err := db.ExecContext(ctx, "INSERT INTO znodes (path, data, mode) VALUES (?, 'job', 'persistent_sequential')", dir+"/job-")
		took := time.Since(start)
		names := r.children(t, root+dir)
		t.Logf("protect_sequential=%v: err=%v after %v; children %v", tc.protect, err, took.Round(time.Millisecond), names)
		if len(names) != 1 {
			t.Fatalf("protect_sequential=%v: %d znodes created, want exactly 1: %v", tc.protect, len(names), names)
		}
		seq, ok := zkstore.ParseSequence(names[0])
		if !ok {
			t.Fatalf("%q has no sequence number", names[0])
		}
		if !tc.protect {
			wantUnknown(t, "unprotected sequential INSERT", err)
			if strings.HasPrefix(names[0], "_c_") {
				t.Fatalf("unprotected name %q has the protection prefix", names[0])
			}
			continue
		}
		if err != nil {
			t.Fatalf("protected sequential INSERT, applied but reply lost: %v, want the resolved success", err)
		}
		id, err := res.LastInsertId()
		if err != nil || id != int64(seq) {
			t.Fatalf("LastInsertId %d, %v; the znode is %s (sequence %d)", id, err, names[0], seq)
		}
		if !strings.HasPrefix(names[0], "_c_") || !strings.HasSuffix(names[0], fmt.Sprintf("job-%010d", seq)) {
			t.Fatalf("protected name %q, want _c_<id>-job-%010d", names[0], seq)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			t.Fatalf("RowsAffected %d", n)
		}
	}

	// A protected create that never reached the server (the partition
	// holds it and the deadline ends first) is not reported applied.
	db := openDB(t, dsn([]string{p.Addr()}, root, "session_timeout=2s&protect_sequential=true"))
	mustExec(t, db, "INSERT INTO znodes (path) VALUES ('/never')")
	settle(t, db)
	p.Block()
	dctx, cancel := contextTimeout(ctx, 500*time.Millisecond)
	_, err := db.ExecContext(dctx, "INSERT INTO znodes (path, mode) VALUES ('/never/n-', 'persistent_sequential')")
	cancel()
	p.Unblock()
	t.Logf("protected create held by a partition: %v", err)
	if err == nil || !errors.Is(err, zkstore.ErrConnectionLoss) {
		t.Fatalf("got %v, want a connection loss with the outcome unknown", err)
	}
	// The partition held the bytes; once it heals they may still arrive.
	// Whatever happens, at most one znode.
	time.Sleep(500 * time.Millisecond)
	if names := r.children(t, root+"/never"); len(names) > 1 {
		t.Fatalf("%d znodes from one INSERT: %v", len(names), names)
	}
}
