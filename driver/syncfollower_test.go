package driver_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/zksql/zksql/driver"
	"github.com/zksql/zksql/internal/testkit/zkserver"
)

// TestSyncReadOnFollowerSeesLeaderWrites: on a 3-server ensemble, a
// session on the leader writes and a session on a follower reads right
// after each acknowledged write. With sync_reads=true (the sync and the
// read sent back to back, one round trip: zkstore.SyncSender) and with
// driver.WithSync, every read returns the write just made. A reader on
// the same follower without a sync may lag; how often it did is logged,
// not asserted (it depends on timing).
func TestSyncReadOnFollowerSeesLeaderWrites(t *testing.T) {
	e := zkserver.StartEnsembleTB(t, 3)
	leader, err := e.Leader(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	follower := e.Addrs()[(leader+1)%3]
	writer := openDB(t, "zk://"+e.Addrs()[leader])
	synced := openDB(t, "zk://"+follower+"?sync_reads=true")
	perStatement := openDB(t, "zk://"+follower)
	plain := openDB(t, "zk://"+follower)
	mustExec(t, writer, "INSERT INTO znodes (path, data) VALUES ('/sf', '0')")

	ctx := context.Background()
	stmt, err := synced.PrepareContext(ctx, "SELECT data FROM znodes WHERE path = ?")
	if err != nil {
		t.Fatal(err)
	}
	defer stmt.Close()
	n := 300
	if testing.Short() {
		n = 50
	}
	lagged := 0
	for i := 1; i <= n; i++ {
		want := strconv.Itoa(i)
		mustExec(t, writer, "UPDATE znodes SET data = ? WHERE path = '/sf'", want)
		var got string
		// Whichever reads first has the follower most likely behind:
		// the order alternates.
		readPlain := func() {
			if err := plain.QueryRowContext(ctx, "SELECT data FROM znodes WHERE path = '/sf'").Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != want {
				lagged++
			}
		}
		readSynced := func() {
			if err := stmt.QueryRowContext(ctx, "/sf").Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Fatalf("write %d: sync_reads=true on a follower read %q, want %q", i, got, want)
			}
			if err := perStatement.QueryRowContext(driver.WithSync(ctx), "SELECT data FROM znodes WHERE path = '/sf'").Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Fatalf("write %d: WithSync on a follower read %q, want %q", i, got, want)
			}
		}
		if i%2 == 0 {
			readPlain()
			readSynced()
		} else {
			readSynced()
			readPlain()
		}
	}
	t.Logf("%d writes: reads without a sync on the follower lagged %d times", n, lagged)
}
