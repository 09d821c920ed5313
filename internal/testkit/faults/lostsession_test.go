package faults_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/zksql/zksql/internal/testkit/zkserver"
	"github.com/zksql/zksql/zkstore"
)

// Server lost the session: the server is killed and its state wiped
// before it comes back, so it has never heard of the client's session.
// The driver's store learns that on reconnecting (the server answers with
// an expired session), gives up on it instead of retrying it forever, and
// the next statements run on a new session.
func TestServerLostSession(t *testing.T) {
	srv := zkserver.StartTB(t, zkserver.Options{TickTime: tick})
	db := openDB(t, dsn([]string{srv.Addr()}, "", "session_timeout=4s"))
	mustExec(t, db, "INSERT INTO znodes (path, data, mode) VALUES ('/eph-lost', 'mine', 'ephemeral')")
	sid := sessionID(t, db)
	old := storeOf(t, db)

	if err := srv.Kill(); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(filepath.Join(srv.Dir(), "data"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if err := os.RemoveAll(filepath.Join(srv.Dir(), "data", e.Name())); err != nil {
			t.Fatal(err)
		}
	}
	if err := srv.Restart(ctxT(t, time.Minute)); err != nil {
		t.Fatal(err)
	}
	back := time.Now()

	known := waitFor(t, 20*time.Second, "the store gives up the session the server lost", func() bool {
		s := old.State()
		return s == zkstore.StateExpired || s == zkstore.StateClosed
	})
	stmts, firstOK := untilOK(t, back, 5*time.Second, 100, "no statement works on the restarted server", func(ctx context.Context) error {
		_, err := db.ExecContext(ctx, "INSERT INTO znodes (path, data, mode) VALUES ('/eph-new', 'again', 'ephemeral')")
		return err
	})
	nsid := sessionID(t, db)
	r := rawConn(t, srv.Addr())
	_, _, oldThere := r.get(t, "/eph-lost")
	_, st, newThere := r.get(t, "/eph-new")
	t.Logf("server lost the session (killed, data wiped, restarted):")
	t.Logf("  store gave up session %#x %v after the server was back (state %v)", sid, known.Round(time.Millisecond), old.State())
	t.Logf("  statements until one worked: %s%s; first success %v after restart; new session %#x", stmts, stmts.examples(), firstOK.Round(time.Millisecond), nsid)
	if nsid == sid || !newThere || st.EphemeralOwner != nsid || oldThere {
		t.Errorf("sessions %#x -> %#x; new ephemeral present=%v owner %#x; old ephemeral present=%v", sid, nsid, newThere, st.EphemeralOwner, oldThere)
	}
	if n := stmts.get("ErrBadConn"); n > 0 {
		t.Errorf("%d statements returned ErrBadConn", n)
	}
}
