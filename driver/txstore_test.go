package driver_test

import (
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zksql/zksql/driver"
	"github.com/zksql/zksql/internal/testkit/zkserver"
	"github.com/zksql/zksql/zkstore"
)

// bothStores runs check on a fresh in-memory database and on a fresh
// chroot of the shared live server, each holding /p/a and /p/b.
func bothStores(t *testing.T, check func(t *testing.T, db *sql.DB)) {
	bothStoresWith(t, "", func(t *testing.T, _, db *sql.DB) { check(t, db) })
}

// bothStoresWith is bothStores with two handles on the same tree: plain,
// and db with the DSN options opts.
func bothStoresWith(t *testing.T, opts string, check func(t *testing.T, plain, db *sql.DB)) {
	t.Run("mem", func(t *testing.T) {
		name := fmt.Sprintf("both-%d", time.Now().UnixNano())
		t.Cleanup(func() { driver.DropMemServer(name) })
		plain := openDB(t, "mem:"+name)
		mustExec(t, plain, "INSERT INTO znodes (path, data) VALUES ('/p', ''), ('/p/a', 'a'), ('/p/b', 'b')")
		check(t, plain, openDB(t, "mem:"+name+"?"+opts))
	})
	t.Run("live", func(t *testing.T) {
		if testing.Short() {
			t.Skip("live ZooKeeper test skipped in -short mode")
		}
		addr := zkserver.SharedAddr(t)
		chroot := fmt.Sprintf("/tx-%d", time.Now().UnixNano()) // a fresh one per run (-count)
		mustExec(t, openDB(t, "zk://"+addr), "INSERT INTO znodes (path) VALUES (?)", chroot)
		plain := openDB(t, "zk://"+addr+chroot)
		mustExec(t, plain, "INSERT INTO znodes (path, data) VALUES ('/p', ''), ('/p/a', 'a'), ('/p/b', 'b')")
		check(t, plain, openDB(t, "zk://"+addr+chroot+"?"+opts))
	})
}

// TestTxEveryAccessPathSeesItsWrites: issue 12's first report. A LIKE walk,
// a child listing, a full walk and point reads inside a transaction all
// see what it inserted and deleted, including below a znode it created.
func TestTxEveryAccessPathSeesItsWrites(t *testing.T) {
	bothStores(t, func(t *testing.T, db *sql.DB) {
		tx, err := db.Begin()
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		mustExec(t, tx, "INSERT INTO znodes (path, data) VALUES ('/p/c', 'c'), ('/p/c/d', 'd')")
		mustExec(t, tx, "DELETE FROM znodes WHERE path = '/p/a'")
		want := []string{"/p/b", "/p/c", "/p/c/d"}
		for _, q := range []string{
			"SELECT path FROM znodes WHERE path LIKE '/p/%'",
			"SELECT path FROM znodes WHERE path LIKE '/p/%' AND data <> ''",
			"SELECT path FROM znodes WHERE path > '/p/' AND path < '/p0'",
			"SELECT path FROM znodes WHERE path IN ('/p/a', '/p/b', '/p/c', '/p/c/d')",
			"SELECT path FROM znodes WHERE path LIKE '/p/%' ORDER BY path LIMIT 10",
		} {
			if got := queryRows(t, tx, q); !slices.Equal(got, want) {
				t.Errorf("%s: got %q, want %q", q, got, want)
			}
		}
		if got := queryRows(t, tx, "SELECT name FROM znodes WHERE parent = '/p' ORDER BY name"); !slices.Equal(got, []string{"b", "c"}) {
			t.Errorf("children of /p: %q", got)
		}
		if got := queryRows(t, tx, "SELECT COUNT(*) FROM znodes WHERE parent = '/p'"); !slices.Equal(got, []string{"2"}) {
			t.Errorf("COUNT(*) of /p's children: %q", got)
		}
		if got := queryRows(t, tx, "SELECT num_children FROM znodes WHERE path = '/p'"); !slices.Equal(got, []string{"2"}) {
			t.Errorf("num_children of /p: %q", got)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		if got := queryRows(t, db, "SELECT path FROM znodes WHERE path LIKE '/p/%'"); !slices.Equal(got, want) {
			t.Errorf("after commit: %q", got)
		}
	})
}

// TestTxInsertExistingFailsAtOnce: an INSERT of a znode that exists fails
// when it runs, with ErrNodeExists and not ErrTxConflict (retrying the
// transaction could never help), and the transaction goes on.
func TestTxInsertExistingFailsAtOnce(t *testing.T) {
	bothStores(t, func(t *testing.T, db *sql.DB) {
		tx, err := db.Begin()
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		mustExec(t, tx, "INSERT INTO znodes (path) VALUES ('/fresh')")
		_, err = tx.Exec("INSERT INTO znodes (path) VALUES ('/p/a')")
		if !errors.Is(err, zkstore.ErrNodeExists) || errors.Is(err, driver.ErrConflict) {
			t.Fatalf("INSERT of an existing znode: %v, want ErrNodeExists and no conflict", err)
		}
		// Nor may it be created twice in the same transaction, nor
		// under a parent that is missing.
		if _, err := tx.Exec("INSERT INTO znodes (path) VALUES ('/fresh')"); !errors.Is(err, zkstore.ErrNodeExists) {
			t.Fatalf("second INSERT of /fresh: %v", err)
		}
		if _, err := tx.Exec("INSERT INTO znodes (path) VALUES ('/nowhere/x')"); !errors.Is(err, zkstore.ErrNoNode) {
			t.Fatalf("INSERT under a missing parent: %v", err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		if got := queryRows(t, db, "SELECT path FROM znodes WHERE path IN ('/fresh', '/p/a')"); !slices.Equal(got, []string{"/fresh", "/p/a"}) {
			t.Fatalf("after commit: %q", got)
		}
	})
}

// TestTxPendingValues: what ZooKeeper decides only at commit reads as not
// known: a sequential INSERT's LastInsertId is ErrSequencePending, and the
// zxids and times of a znode the transaction created or changed are NULL
// (not 0, not 1970) until commit.
func TestTxPendingValues(t *testing.T) {
	bothStores(t, func(t *testing.T, db *sql.DB) {
		tx, err := db.Begin()
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		res := mustExec(t, tx, "INSERT INTO znodes (path, data, mode) VALUES ('/p/job-', 'j', 'persistent_sequential')")
		if id, err := res.LastInsertId(); !errors.Is(err, driver.ErrSequencePending) {
			t.Errorf("LastInsertId in a transaction = %d, %v; want ErrSequencePending", id, err)
		}
		mustExec(t, tx, "INSERT INTO znodes (path, data) VALUES ('/p/c', 'cc')")
		mustExec(t, tx, "UPDATE znodes SET data = 'b2' WHERE path = '/p/b'")
		const q = "SELECT path, czxid IS NULL, mzxid IS NULL, ctime IS NULL, mtime IS NULL, version, data_length FROM znodes WHERE path IN ('/p/b', '/p/c')"
		want := []string{"/p/b|0|1|0|1|1|2", "/p/c|1|1|1|1|0|2"}
		if got := queryRows(t, tx, q); !slices.Equal(got, want) {
			t.Errorf("in the transaction: %q, want %q", got, want)
		}
		if got := queryRows(t, tx, "SELECT pzxid IS NULL, num_children FROM znodes WHERE path = '/p'"); !slices.Equal(got, []string{"1|3"}) {
			t.Errorf("/p in the transaction: %q", got)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		want = []string{"/p/b|0|0|0|0|1|2", "/p/c|0|0|0|0|0|2"}
		if got := queryRows(t, db, q); !slices.Equal(got, want) {
			t.Errorf("after commit: %q, want %q", got, want)
		}
		if got := queryRows(t, db, "SELECT COUNT(*) FROM znodes WHERE path LIKE '/p/job-%'"); !slices.Equal(got, []string{"1"}) {
			t.Errorf("sequential znodes after commit: %q", got)
		}
	})
}

// TestTxExplainCount: EXPLAIN of COUNT(*) on a parent inside a transaction
// says what runs there: the listing (the transaction records it), not the
// parent's numChildren.
func TestTxExplainCount(t *testing.T) {
	bothStores(t, func(t *testing.T, db *sql.DB) {
		tx, err := db.Begin()
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		plan := strings.Join(queryRows(t, tx, "EXPLAIN SELECT COUNT(*) FROM znodes WHERE parent = '/p'"), "\n")
		if !strings.Contains(plan, "getChildren") || strings.Contains(plan, "numChildren") {
			t.Errorf("EXPLAIN in a transaction:\n%s", plan)
		}
		plan = strings.Join(queryRows(t, db, "EXPLAIN SELECT COUNT(*) FROM znodes WHERE parent = '/p'"), "\n")
		if !strings.Contains(plan, "numChildren") {
			t.Errorf("EXPLAIN outside a transaction:\n%s", plan)
		}
	})
}

// TestTxCompareAndSetInTransaction: UPDATE ... AND version = N inside a
// transaction is checked when it runs, as outside: a stale version
// affects 0 rows at once, and the commit then succeeds.
func TestTxCompareAndSetInTransaction(t *testing.T) {
	bothStores(t, func(t *testing.T, db *sql.DB) {
		tx, err := db.Begin()
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		res := mustExec(t, tx, "UPDATE znodes SET data = 'x' WHERE path = '/p/a' AND version = 7")
		if n, _ := res.RowsAffected(); n != 0 {
			t.Errorf("stale compare-and-set affected %d", n)
		}
		res = mustExec(t, tx, "UPDATE znodes SET data = 'x' WHERE path = '/p/a' AND version = 0")
		if n, _ := res.RowsAffected(); n != 1 {
			t.Errorf("compare-and-set affected %d", n)
		}
		res = mustExec(t, tx, "UPDATE znodes SET data = 'y' WHERE path = '/p/a' AND version = 1")
		if n, _ := res.RowsAffected(); n != 1 {
			t.Errorf("second compare-and-set on the transaction's version affected %d", n)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		if got := queryRows(t, db, "SELECT data, version FROM znodes WHERE path = '/p/a'"); !slices.Equal(got, []string{"y|2"}) {
			t.Errorf("after commit: %q", got)
		}
	})
}
