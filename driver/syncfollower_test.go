package driver_test

import (
	"context"
	"database/sql"
	"strconv"
	"testing"

	"github.com/zksql/zksql/driver"
	"github.com/zksql/zksql/internal/testkit/zkserver"
)

// TestSyncReadOnFollowerSeesLeaderWrites: on a 3-server ensemble, a
// session on the leader writes and a session on a follower reads right
// after each acknowledged write. With sync_reads=true (the sync and the
// read sent back to back, one round trip: zkstore.SyncSender) and with
// driver.WithSync, every read returns the write just made, in a
// transaction too (a point read and a listing). A reader on
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
		readTx := func() {
			// In a transaction: a point read and a listing (a
			// transaction reads through its own store, not the point
			// path), with sync_reads=true and with WithSync.
			for name, begin := range map[string]func() (*sql.Tx, context.Context){
				"sync_reads=true": func() (*sql.Tx, context.Context) { return begin(t, synced, ctx), ctx },
				"WithSync":        func() (*sql.Tx, context.Context) { return begin(t, perStatement, ctx), driver.WithSync(ctx) },
			} {
				tx, qctx := begin()
				if err := tx.QueryRowContext(qctx, "SELECT data FROM znodes WHERE path = '/sf'").Scan(&got); err != nil {
					t.Fatal(err)
				}
				if got != want {
					t.Fatalf("write %d: %s in a transaction on a follower read %q, want %q", i, name, got, want)
				}
				if err := tx.QueryRowContext(qctx, "SELECT data FROM znodes WHERE parent = '/' AND name = 'sf'").Scan(&got); err != nil {
					t.Fatal(err)
				}
				if got != want {
					t.Fatalf("write %d: %s in a transaction, listing, on a follower read %q, want %q", i, name, got, want)
				}
				if err := tx.Rollback(); err != nil {
					t.Fatal(err)
				}
			}
		}
		// A sync catches the follower up for every session on it, so
		// each kind of read must come first in some rounds to be
		// tested at all.
		switch i % 3 {
		case 0:
			readPlain()
			readSynced()
		case 1:
			readSynced()
			readPlain()
		case 2:
			readTx()
			readPlain()
		}
	}
	t.Logf("%d writes: reads without a sync on the follower lagged %d times", n, lagged)
}

func begin(t *testing.T, db *sql.DB, ctx context.Context) *sql.Tx {
	t.Helper()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	return tx
}
