package driver_test

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/zksql/zksql/driver"
	"github.com/zksql/zksql/zkstore"
	"github.com/zksql/zksql/zkstore/memstore"
)

// rawStore runs f on the store behind one connection of db.
func rawStore(t *testing.T, db *sql.DB, f func(st zkstore.Store)) {
	t.Helper()
	c, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Raw(func(dc any) error {
		f(dc.(interface{ Store() zkstore.Store }).Store())
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// queryOne runs q and returns its single row's single value as text.
func queryOne(t *testing.T, db *sql.DB, q string, args ...any) string {
	t.Helper()
	rows := queryRows(t, db, q, args...)
	if len(rows) != 1 {
		t.Fatalf("%s: %d rows %q, want 1", q, len(rows), rows)
	}
	return rows[0]
}

func TestSystemTablesListedAndReadOnly(t *testing.T) {
	db := openDB(t, "mem:")
	tables := queryRows(t, db, "SHOW TABLES")
	for _, want := range []string{"servers", "connections", "session", "watches", "ephemerals", "ensemble_config"} {
		if !slices.Contains(tables, want) {
			t.Errorf("SHOW TABLES = %q, missing %s", tables, want)
		}
		cols := queryRows(t, db, "DESCRIBE "+want)
		if len(cols) == 0 {
			t.Errorf("DESCRIBE %s: no columns", want)
		}
		for _, c := range cols {
			if !strings.HasSuffix(c, "|read-only") {
				t.Errorf("DESCRIBE %s: column %q is not read-only", want, c)
			}
		}
	}
	for _, q := range []string{
		"DELETE FROM servers",
		"UPDATE watches SET path = '/x'",
		"INSERT INTO ephemerals (path) VALUES ('/x')",
		"DELETE FROM session WHERE session_id = 1",
	} {
		_, err := db.Exec(q)
		if err == nil || !strings.Contains(err.Error(), "the system tables are read-only") {
			t.Errorf("%s: error %v, want read-only", q, err)
		}
	}
	// DELETE FROM servers must not have touched the znodes.
	if n := queryOne(t, db, "SELECT COUNT(*) FROM znodes"); n == "0" {
		t.Errorf("znodes emptied by a refused DELETE")
	}
}

func TestSystemTablesMem(t *testing.T) {
	db := openDB(t, "mem:")
	ctx := context.Background()
	mustExec(t, db, "INSERT INTO znodes (path, data) VALUES ('/app', 'a'), ('/app/x', 'xx')")
	mustExec(t, db, "INSERT INTO znodes (path, data, mode) VALUES ('/app/lock', 'me', 'ephemeral')")
	var sid int64
	rawStore(t, db, func(st zkstore.Store) {
		sid = st.SessionID()
		if _, _, _, err := st.GetW(ctx, "/app/x"); err != nil {
			t.Fatal(err)
		}
		if _, _, _, err := st.ChildrenW(ctx, "/app"); err != nil {
			t.Fatal(err)
		}
	})
	id := strconv.FormatInt(sid, 10)

	// One standalone member whose figures are the store's own.
	srv := queryRows(t, db, "SELECT host, role, reachable, error, source, znode_count, ephemerals_count, watch_count, alive_connections FROM servers")
	if want := []string{"memstore|standalone|1|NULL|memstore|8|1|2|1"}; !slices.Equal(srv, want) {
		t.Errorf("servers = %q, want %q", srv, want)
	}
	// ZooKeeper's znode count has the root twice ("" and "/"), so it is
	// one more than a walk of the tree finds.
	walk, _ := strconv.Atoi(queryOne(t, db, "SELECT COUNT(*) FROM znodes"))
	if got := queryOne(t, db, "SELECT znode_count FROM servers"); got != strconv.Itoa(walk+1) {
		t.Errorf("znode_count %s, walk %d (+1 for the root counted twice)", got, walk)
	}
	// The last zxid is the one the tree's newest change has.
	if got, want := queryOne(t, db, "SELECT last_zxid FROM servers"), queryOne(t, db, "SELECT MAX(mzxid) FROM znodes"); got != want {
		t.Errorf("last_zxid %s, newest mzxid %s", got, want)
	}

	if got := queryOne(t, db, "SELECT session_id, server, state, timeout_negotiated, reconnects, replaced_sessions FROM session"); got != id+"|memstore|connected|1|0|0" {
		t.Errorf("session = %q, want our session %s", got, id)
	}
	if got := queryOne(t, db, "SELECT COUNT(*) FROM connections WHERE session_id = ?", sid); got != "1" {
		t.Errorf("our session in connections %s times, want 1", got)
	}
	if got := queryRows(t, db, "SELECT path, kind FROM watches WHERE session_id = ? ORDER BY path, kind", sid); !slices.Equal(got, []string{"/app|child", "/app/x|data"}) {
		t.Errorf("watches = %q", got)
	}
	if got := queryRows(t, db, "SELECT path FROM ephemerals WHERE session_id = ?", sid); !slices.Equal(got, []string{"/app/lock"}) {
		t.Errorf("ephemerals = %q", got)
	}
	// The owner of an ephemeral is the session it names.
	if got := queryOne(t, db, "SELECT ephemeral_owner FROM znodes WHERE path = '/app/lock'"); got != id {
		t.Errorf("ephemeral_owner %s, session %s", got, id)
	}
	// A standalone server has an empty dynamic configuration.
	if got := queryRows(t, db, "SELECT * FROM ensemble_config"); len(got) != 0 {
		t.Errorf("ensemble_config on mem: = %q, want no rows", got)
	}
	// The whole dialect applies.
	if got := queryRows(t, db, "SELECT kind, COUNT(*) FROM watches GROUP BY kind HAVING COUNT(*) > 0 ORDER BY kind DESC"); !slices.Equal(got, []string{"data|1", "child|1"}) {
		t.Errorf("grouped watches = %q", got)
	}
	if got := queryRows(t, db, "EXPLAIN SELECT host FROM servers WHERE reachable = 0"); len(got) != 2 || !strings.Contains(got[0], "read system table servers") {
		t.Errorf("EXPLAIN = %q", got)
	}
}

// A watch that fired, and an ephemeral whose session closed, leave their
// tables.
func TestSystemTablesMemFollowChanges(t *testing.T) {
	t.Cleanup(func() { driver.DropMemServer("systables-follow") })
	mustExec(t, openDB(t, "mem:systables-follow"), "INSERT INTO znodes (path) VALUES ('/w')")
	db := openDB(t, "mem:systables-follow")
	other := openDB(t, "mem:systables-follow")
	mustExec(t, other, "INSERT INTO znodes (path, mode) VALUES ('/w/e', 'ephemeral')")
	rawStore(t, db, func(st zkstore.Store) {
		if _, _, _, err := st.GetW(context.Background(), "/w"); err != nil {
			t.Fatal(err)
		}
	})
	if got := queryOne(t, db, "SELECT COUNT(*) FROM watches WHERE path = '/w'"); got != "1" {
		t.Fatalf("watch on /w listed %s times", got)
	}
	if got := queryOne(t, db, "SELECT COUNT(*) FROM ephemerals"); got != "1" {
		t.Fatalf("%s ephemerals, want 1", got)
	}
	if n := queryOne(t, db, "SELECT COUNT(*) FROM connections"); n != "3" {
		t.Errorf("%s connections, want 3 (three sql.DBs)", n)
	}
	mustExec(t, db, "UPDATE znodes SET data = 'x' WHERE path = '/w'")
	if got := queryOne(t, db, "SELECT COUNT(*) FROM watches WHERE path = '/w'"); got != "0" {
		t.Errorf("fired watch still listed")
	}
	other.Close()
	if got := queryOne(t, db, "SELECT COUNT(*) FROM ephemerals"); got != "0" {
		t.Errorf("ephemeral of a closed session still listed")
	}
}

// plainStore hides every optional capability of the store it wraps.
type plainStore struct{ zkstore.Store }

func TestSystemTablesNeedIntrospector(t *testing.T) {
	srv := memstore.NewServer()
	defer srv.Close()
	c, err := driver.NewStoreConnector(func(context.Context) (zkstore.Store, error) {
		return plainStore{srv.Open()}, nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(c)
	defer db.Close()
	_, err = tryQuery(db, "SELECT * FROM servers")
	if !errors.Is(err, driver.ErrNoIntrospection) {
		t.Errorf("servers on a store without Introspector: %v, want ErrNoIntrospection", err)
	}
}

func TestVersionWarning(t *testing.T) {
	for _, tt := range []struct {
		version, want string
	}{
		{"3.8.0-${mvngit.commit.id}", "ZOOKEEPER-4394"},
		{"3.8.0", "ZOOKEEPER-4646"},
		{"3.8.4", "ZOOKEEPER-4643"},
		{"3.9.2", "ZOOKEEPER-4394"},
		{"3.9.3", "ZOOKEEPER-4925"},
		{"3.9.4", ""},
		{"3.10.0", ""},
		{"memstore", ""},
		{"", ""},
	} {
		got := driver.VersionWarning(tt.version)
		if tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
			t.Errorf("VersionWarning(%q) = %q, want it to name %q", tt.version, got, tt.want)
		}
	}
}

func TestSystemTablesDSN(t *testing.T) {
	for _, tt := range []struct{ dsn, want string }{
		{"zk://a:1,b:2?admin_port=8080", "zk://a:1,b:2"},
		{"zk://a:1,b:2?admin_port=0", "zk://a:1,b:2?admin_port=0"},
		{"zk://a:1,b:2?admin_port=7,8&probe_timeout=500ms", "zk://a:1,b:2?admin_port=7,8&probe_timeout=500ms"},
	} {
		cfg, err := driver.ParseDSN(tt.dsn)
		if err != nil {
			t.Errorf("ParseDSN(%q): %v", tt.dsn, err)
			continue
		}
		if got := cfg.FormatDSN(); got != tt.want {
			t.Errorf("ParseDSN(%q).FormatDSN() = %q, want %q", tt.dsn, got, tt.want)
		}
	}
	for _, tt := range []struct{ dsn, want string }{
		{"zk://a:1,b:2?admin_port=7,8,9", "3 ports for 2 servers"},
		{"zk://a:1?admin_port=x", "want a port from 0 to 65535"},
		{"zk://a:1?admin_port=70000", "want a port from 0 to 65535"},
		{"mem:?admin_port=1", "does not apply to mem:"},
		{"mem:?probe_timeout=1s", "does not apply to mem:"},
		{"zk://a:1?probe_timeout=0", "probe_timeout"},
	} {
		_, err := driver.ParseDSN(tt.dsn)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseDSN(%q): %v, want an error containing %q", tt.dsn, err, tt.want)
		}
	}
}

// replaced_sessions counts the sessions the database had to replace.
func TestSystemTablesSessionReplaced(t *testing.T) {
	t.Cleanup(func() { driver.DropMemServer("systables-replaced") })
	db := openDB(t, "mem:systables-replaced")
	first := queryOne(t, db, "SELECT session_id, replaced_sessions FROM session")
	id, _, _ := strings.Cut(first, "|")
	sid, _ := strconv.ParseInt(id, 10, 64)
	if err := driver.MemServer("systables-replaced").Expire(sid); err != nil {
		t.Fatal(err)
	}
	// The statement that finds the session expired fails; the next one
	// runs on a new session.
	tryQuery(db, "SELECT * FROM session")
	got := queryOne(t, db, "SELECT session_id <> ?, replaced_sessions, state FROM session", sid)
	if got != "1|1|connected" {
		t.Errorf("after expiry: %q (first %q), want a new session and one replaced", got, first)
	}
}
