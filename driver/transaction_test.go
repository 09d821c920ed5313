package driver_test

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"testing"

	"github.com/zksql/zksql/driver"
	"github.com/zksql/zksql/zkstore"
)

func txDB(t *testing.T) *sql.DB {
	db := openDB(t, "mem:?create_parents=true")
	mustExec(t, db, "INSERT INTO znodes (path, data) VALUES ('/a/x', '1'), ('/a/y', '2'), ('/b', 'b')")
	return db
}

func TestTxCommitAppliesAtomically(t *testing.T) {
	db := txDB(t)
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, tx, "UPDATE znodes SET data = 'x2' WHERE path = '/a/x'")
	mustExec(t, tx, "INSERT INTO znodes (path, data) VALUES ('/a/z', 'new')")
	mustExec(t, tx, "DELETE FROM znodes WHERE path = '/b'")
	// Nothing is visible outside before the commit.
	if got := queryRows(t, db, "SELECT data FROM znodes WHERE path IN ('/a/x', '/a/z', '/b')"); !slices.Equal(got, []string{"1", "b"}) {
		t.Fatalf("outside before commit: %q", got)
	}
	// The transaction sees its own writes: point reads and listings.
	if got := queryRows(t, tx, "SELECT path, data FROM znodes WHERE path IN ('/a/x', '/a/z', '/b')"); !slices.Equal(got, []string{"/a/x|x2", "/a/z|new"}) {
		t.Fatalf("inside: %q", got)
	}
	if got := queryRows(t, tx, "SELECT name FROM znodes WHERE parent = '/a'"); !slices.Equal(got, []string{"x", "y", "z"}) {
		t.Fatalf("listing inside: %q", got)
	}
	if got := queryRows(t, tx, "SELECT version FROM znodes WHERE path = '/a/x'"); !slices.Equal(got, []string{"1"}) {
		t.Fatalf("version inside: %q", got)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := queryRows(t, db, "SELECT path, data FROM znodes WHERE path IN ('/a/x', '/a/z', '/b')"); !slices.Equal(got, []string{"/a/x|x2", "/a/z|new"}) {
		t.Fatalf("after commit: %q", got)
	}
}

func TestTxRollbackDiscards(t *testing.T) {
	db := txDB(t)
	tx, _ := db.Begin()
	mustExec(t, tx, "INSERT INTO znodes (path) VALUES ('/gone')")
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if got := queryRows(t, db, "SELECT path FROM znodes WHERE path = '/gone'"); len(got) != 0 {
		t.Fatal(got)
	}
}

func TestTxConflictOnRead(t *testing.T) {
	db := txDB(t)
	tx, _ := db.Begin()
	queryRows(t, tx, "SELECT data FROM znodes WHERE path = '/a/x'")
	mustExec(t, tx, "INSERT INTO znodes (path, data) VALUES ('/derived', 'from x')")
	mustExec(t, db, "UPDATE znodes SET data = 'changed' WHERE path = '/a/x'")
	err := tx.Commit()
	if !errors.Is(err, driver.ErrTxConflict) || !errors.Is(err, driver.ErrConflict) || !errors.Is(err, zkstore.ErrBadVersion) {
		t.Fatalf("got %v", err)
	}
	if got := queryRows(t, db, "SELECT path FROM znodes WHERE path = '/derived'"); len(got) != 0 {
		t.Fatalf("applied despite conflict: %q", got)
	}
}

func TestTxPhantomChild(t *testing.T) {
	db := txDB(t)
	tx, _ := db.Begin()
	queryRows(t, tx, "SELECT name FROM znodes WHERE parent = '/a'")
	mustExec(t, tx, "UPDATE znodes SET data = 'seen two' WHERE path = '/b'")
	mustExec(t, db, "INSERT INTO znodes (path) VALUES ('/a/new')")
	if err := tx.Commit(); !errors.Is(err, driver.ErrTxConflict) {
		t.Fatalf("got %v", err)
	}
}

func TestTxAbsentRead(t *testing.T) {
	db := txDB(t)
	tx, _ := db.Begin()
	queryRows(t, tx, "SELECT path FROM znodes WHERE path = '/lock'")
	mustExec(t, tx, "UPDATE znodes SET data = 'no lock' WHERE path = '/b'")
	mustExec(t, db, "INSERT INTO znodes (path) VALUES ('/lock')")
	if err := tx.Commit(); !errors.Is(err, driver.ErrTxConflict) || !errors.Is(err, zkstore.ErrNodeExists) {
		t.Fatalf("got %v", err)
	}
}

func TestTxReadOnly(t *testing.T) {
	db := txDB(t)
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	queryRows(t, tx, "SELECT data FROM znodes WHERE parent = '/a'")
	if _, err := tx.Exec("INSERT INTO znodes (path) VALUES ('/ro')"); !errors.Is(err, driver.ErrReadOnly) {
		t.Fatalf("got %v", err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatalf("consistent read-only commit: %v", err)
	}
	// A read-only transaction whose view changed fails its commit.
	tx, _ = db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	queryRows(t, tx, "SELECT data FROM znodes WHERE path = '/a/y'")
	mustExec(t, db, "UPDATE znodes SET data = '3' WHERE path = '/a/y'")
	if err := tx.Commit(); !errors.Is(err, driver.ErrTxConflict) {
		t.Fatalf("got %v", err)
	}
}

func TestTxIsolationLevels(t *testing.T) {
	db := txDB(t)
	ctx := context.Background()
	for _, l := range []sql.IsolationLevel{sql.LevelDefault, sql.LevelSerializable} {
		tx, err := db.BeginTx(ctx, &sql.TxOptions{Isolation: l})
		if err != nil {
			t.Fatal(l, err)
		}
		tx.Rollback()
	}
	for _, l := range []sql.IsolationLevel{sql.LevelReadCommitted, sql.LevelRepeatableRead, sql.LevelSnapshot, sql.LevelReadUncommitted} {
		if _, err := db.BeginTx(ctx, &sql.TxOptions{Isolation: l}); err == nil {
			t.Errorf("%v accepted", l)
		}
	}
}

func TestTxACLWriteRefused(t *testing.T) {
	db := txDB(t)
	tx, _ := db.Begin()
	defer tx.Rollback()
	if _, err := tx.Exec("UPDATE acls SET perms = 'r' WHERE path = '/b'"); err == nil {
		t.Fatal("ACL write accepted in a transaction")
	}
}

func TestTxDone(t *testing.T) {
	db := txDB(t)
	tx, _ := db.Begin()
	tx.Commit()
	if err := tx.Commit(); err == nil {
		t.Fatal("second commit accepted")
	}
}
