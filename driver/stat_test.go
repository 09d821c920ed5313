package driver_test

import (
	"context"
	"database/sql"
	"slices"
	"testing"
	"time"

	"github.com/zksql/zksql/internal/testkit/zkserver"
	"github.com/zksql/zksql/zkstore"
)

// checkStatsMatchStore compares every Stat field read through SQL with
// what the session reads from the store itself.
func checkStatsMatchStore(t *testing.T, db *sql.DB) {
	ctx := context.Background()
	mustExec(t, db, "INSERT INTO znodes (path, data) VALUES ('/s', 'abc'), ('/s/c1', ''), ('/s/c2', 'x')")
	mustExec(t, db, "INSERT INTO znodes (path, mode) VALUES ('/s/e', 'ephemeral')")
	mustExec(t, db, "UPDATE znodes SET data = 'abcd' WHERE path = '/s'")
	mustExec(t, db, "DELETE FROM znodes WHERE path = '/s/c1'")
	cn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer cn.Close()
	var st zkstore.Store
	cn.Raw(func(dc any) error { st = dc.(interface{ Store() zkstore.Store }).Store(); return nil })

	rows, err := cn.QueryContext(ctx, `SELECT path, data, version, cversion, aversion, czxid, mzxid, pzxid,
		ctime, mtime, ephemeral_owner, data_length, num_children, mode FROM znodes WHERE path LIKE '/s%'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var paths []string
	for rows.Next() {
		var path, mode string
		var data []byte
		var s zkstore.Stat
		var ctime, mtime time.Time
		if err := rows.Scan(&path, &data, &s.Version, &s.Cversion, &s.Aversion, &s.Czxid, &s.Mzxid, &s.Pzxid,
			&ctime, &mtime, &s.EphemeralOwner, &s.DataLength, &s.NumChildren, &mode); err != nil {
			t.Fatal(err)
		}
		s.Ctime, s.Mtime = ctime.UnixMilli(), mtime.UnixMilli()
		want, wantStat, err := st.Get(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		if string(data) != string(want) || s != wantStat || mode != wantStat.Kind().String() {
			t.Errorf("%s: SQL says %+v %q %s, store %+v %q", path, s, data, mode, wantStat, want)
		}
		if ctime.Location() != time.UTC {
			t.Errorf("ctime not UTC")
		}
		paths = append(paths, path)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(paths, []string{"/s", "/s/c2", "/s/e"}) {
		t.Fatalf("paths %q", paths)
	}
	// ACLs through SQL equal GetACL.
	acl, _, _ := st.GetACL(ctx, "/s")
	got := queryRows(t, cn, "SELECT scheme, id, perms FROM acls WHERE path = '/s'")
	if len(got) != len(acl) || got[0] != acl[0].Scheme+"|"+acl[0].ID+"|"+zkstore.PermString(acl[0].Perms) {
		t.Fatalf("acls %q, store %+v", got, acl)
	}
}

func TestStatsMatchStore(t *testing.T) { checkStatsMatchStore(t, openDB(t, "mem:")) }

func TestStatsMatchStoreLive(t *testing.T) {
	if testing.Short() {
		t.Skip("live ZooKeeper test skipped in -short mode")
	}
	srv := zkserver.StartTB(t)
	root := openDB(t, "zk://"+srv.Addr())
	mustExec(t, root, "INSERT INTO znodes (path) VALUES ('/statroot')")
	checkStatsMatchStore(t, openDB(t, "zk://"+srv.Addr()+"/statroot"))
}

// TestTransactionsLive runs the transaction conflict check on a real server.
func TestTransactionsLive(t *testing.T) {
	if testing.Short() {
		t.Skip("live ZooKeeper test skipped in -short mode")
	}
	srv := zkserver.StartTB(t)
	db := openDB(t, "zk://"+srv.Addr()+"?create_parents=true")
	mustExec(t, db, "INSERT INTO znodes (path, data) VALUES ('/tx/a', '1')")
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	queryRows(t, tx, "SELECT data FROM znodes WHERE parent = '/tx'")
	mustExec(t, tx, "INSERT INTO znodes (path) VALUES ('/tx/b')")
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	tx, _ = db.Begin()
	queryRows(t, tx, "SELECT data FROM znodes WHERE path = '/tx/a'")
	mustExec(t, tx, "UPDATE znodes SET data = '2' WHERE path = '/tx/b'")
	mustExec(t, db, "UPDATE znodes SET data = 'other' WHERE path = '/tx/a'")
	if err := tx.Commit(); err == nil {
		t.Fatal("conflicting commit succeeded")
	}
	if got := queryRows(t, db, "SELECT path, data FROM znodes WHERE parent = '/tx'"); !slices.Equal(got, []string{"/tx/a|other", "/tx/b|"}) {
		t.Fatalf("got %q", got)
	}
	// Ephemerals die with the sql.DB's session.
	db2 := openDB(t, "zk://"+srv.Addr())
	mustExec(t, db2, "INSERT INTO znodes (path, mode) VALUES ('/tx/eph', 'ephemeral')")
	db2.Close()
	if got := queryRows(t, db, "SELECT path FROM znodes WHERE path = '/tx/eph'"); len(got) != 0 {
		t.Fatalf("ephemeral survived: %q", got)
	}
}
