package driver_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/zksql/zksql/driver"
	"github.com/zksql/zksql/internal/testkit/zkserver"
	"github.com/zksql/zksql/parser"
	"github.com/zksql/zksql/zkstore"
)

// backend opens a database on a fresh, empty tree for each call. opts are
// DSN options ("create_parents=true").
type backend struct {
	name string
	// open returns two handles on one fresh tree: plain, without options,
	// and db, with opts.
	open func(t *testing.T, opts string) (plain, db *sql.DB)
}

var memTree atomic.Int64

func memBackend() backend {
	return backend{name: "mem", open: func(t *testing.T, opts string) (*sql.DB, *sql.DB) {
		name := fmt.Sprintf("stmt-%d", memTree.Add(1))
		t.Cleanup(func() { driver.DropMemServer(name) })
		return openDB(t, "mem:"+name), openDB(t, "mem:"+name+"?"+opts)
	}}
}

var liveChroot atomic.Int64

// liveBackend starts one real ZooKeeper for the test; each database lives
// under a chroot of its own, so every case starts from an empty tree.
func liveBackend(t *testing.T) backend {
	srv := zkserver.StartTB(t)
	root := openDB(t, "zk://"+srv.Addr())
	return backend{name: "live", open: func(t *testing.T, opts string) (*sql.DB, *sql.DB) {
		chroot := fmt.Sprintf("/t%d", liveChroot.Add(1))
		mustExec(t, root, "INSERT INTO znodes (path) VALUES (?)", chroot)
		return openDB(t, "zk://"+srv.Addr()+chroot), openDB(t, "zk://"+srv.Addr()+chroot+"?"+opts)
	}}
}

// fixture is the tree most cases start from.
var fixture = []string{
	`INSERT INTO znodes (path, data) VALUES ('/app', 'root'), ('/app/config', '{"port":8080}'),
		('/app/nodes', ''), ('/app/nodes/n1', 'alpha'), ('/app/nodes/n2', 'beta'),
		('/app/nodes/n3', 'gamma'), ('/other', 'o')`,
}

type stmtCase struct {
	name      string
	opts      string   // DSN options
	setup     []string // run after the fixture
	q         string
	args      []any
	exec      bool     // run with Exec and check affected
	want      []string // rows as "v1|v2"; for exec: {"affected", "lastid"}
	err       error    // errors.Is target
	errIn     string   // substring of the error
	after     string   // query whose rows must equal afterWant
	afterWant []string
}

var stmtCases = []stmtCase{
	{name: "point read", q: "SELECT data FROM znodes WHERE path = '/app/config'", want: []string{`{"port":8080}`}},
	{name: "point read placeholder", q: "SELECT name, parent FROM znodes WHERE path = ?", args: []any{"/app/nodes/n1"}, want: []string{"n1|/app/nodes"}},
	{name: "point read missing", q: "SELECT path FROM znodes WHERE path = '/nope'", want: nil},
	{name: "point read invalid path", q: "SELECT path FROM znodes WHERE path = 'nope/'", want: nil},
	{name: "in list", q: "SELECT path FROM znodes WHERE path IN ('/app/nodes/n2', '/app', '/missing')", want: []string{"/app", "/app/nodes/n2"}},
	{name: "children", q: "SELECT name FROM znodes WHERE parent = ?", args: []any{"/app/nodes"}, want: []string{"n1", "n2", "n3"}},
	{name: "children filtered by data", q: "SELECT name FROM znodes WHERE parent = '/app/nodes' AND data = 'beta'", want: []string{"n2"}},
	{name: "children of missing", q: "SELECT name FROM znodes WHERE parent = '/nope'", want: nil},
	{name: "like prefix", q: "SELECT path FROM znodes WHERE path LIKE '/app/n%'", want: []string{"/app/nodes", "/app/nodes/n1", "/app/nodes/n2", "/app/nodes/n3"}},
	{name: "like exact", q: "SELECT path FROM znodes WHERE path LIKE '/app'", want: []string{"/app"}},
	{name: "not like", q: "SELECT path FROM znodes WHERE path NOT LIKE '/app%' AND path NOT LIKE '/zookeeper%' AND path != '/'", want: []string{"/other"}},
	{name: "znode and its subtree", q: "SELECT path FROM znodes WHERE path = '/app/nodes' OR path LIKE '/app/nodes/%'", want: []string{"/app/nodes", "/app/nodes/n1", "/app/nodes/n2", "/app/nodes/n3"}},
	{name: "union of points and a listing", q: "SELECT path FROM znodes WHERE parent = '/app/nodes' OR path IN ('/other', '/app/nodes/n2')", want: []string{"/app/nodes/n1", "/app/nodes/n2", "/app/nodes/n3", "/other"}},
	{name: "walk by name", q: "SELECT path FROM znodes WHERE name = 'n1'", want: []string{"/app/nodes/n1"}},
	{name: "walk order is pre-order", setup: []string{"INSERT INTO znodes (path) VALUES ('/app-x'), ('/app/a')"}, q: "SELECT path FROM znodes WHERE path LIKE '/app%' AND (name LIKE 'a%' OR name = 'app-x')", want: []string{"/app", "/app/a", "/app-x"}},
	{name: "count children", q: "SELECT COUNT(*) FROM znodes WHERE parent = '/app/nodes'", want: []string{"3"}},
	{name: "count children of missing", q: "SELECT COUNT(*) FROM znodes WHERE parent = '/nope'", want: []string{"0"}},
	{name: "count all", q: "SELECT COUNT(*), COUNT(DISTINCT parent) FROM znodes WHERE path LIKE '/app/%'", want: []string{"5|2"}},
	{name: "group by", q: "SELECT parent, COUNT(*) FROM znodes WHERE path LIKE '/app/%' GROUP BY parent ORDER BY parent", want: []string{"/app|2", "/app/nodes|3"}},
	{name: "having", q: "SELECT parent, COUNT(*) AS c FROM znodes WHERE path LIKE '/app/%' GROUP BY parent HAVING c > 2", want: []string{"/app/nodes|3"}},
	{name: "aggregates", q: "SELECT MIN(name), MAX(name), SUM(data_length), AVG(version) FROM znodes WHERE parent = '/app/nodes'", want: []string{"n1|n3|14|0"}},
	{name: "aggregate of nothing", q: "SELECT COUNT(*), MAX(name) FROM znodes WHERE parent = '/nope' AND name = 'x'", want: []string{"0|NULL"}},
	{name: "order desc limit", q: "SELECT name FROM znodes WHERE parent = '/app/nodes' ORDER BY name DESC LIMIT 2", want: []string{"n3", "n2"}},
	{name: "limit offset", q: "SELECT name FROM znodes WHERE parent = '/app/nodes' LIMIT 1 OFFSET 1", want: []string{"n2"}},
	{name: "limit placeholder", q: "SELECT name FROM znodes WHERE parent = '/app/nodes' LIMIT ?", args: []any{2}, want: []string{"n1", "n2"}},
	// A late sort: the listing is sorted on Stats (read per child), data
	// is read only for the two rows kept.
	{name: "late sort on stat", q: "SELECT name, data FROM znodes WHERE parent = '/app/nodes' ORDER BY version DESC, name DESC LIMIT 2", want: []string{"n3|gamma", "n2|beta"}},
	{name: "late sort on name", q: "SELECT name, version FROM znodes WHERE parent = '/app/nodes' ORDER BY name LIMIT 1 OFFSET 1", want: []string{"n2|0"}},
	{name: "order by data length", q: "SELECT name, LENGTH(data) FROM znodes WHERE parent = '/app/nodes' ORDER BY LENGTH(data), name", want: []string{"n2|4", "n1|5", "n3|5"}},
	{name: "distinct", q: "SELECT DISTINCT parent FROM znodes WHERE path LIKE '/app/nodes/%'", want: []string{"/app/nodes"}},
	{name: "named placeholders", q: "SELECT name FROM znodes WHERE parent = :p AND name != :n", args: []any{sql.Named("p", "/app/nodes"), sql.Named("n", "n2")}, want: []string{"n1", "n3"}},
	{name: "stat columns", q: "SELECT version, cversion, data_length, num_children, mode, ttl, ephemeral_owner FROM znodes WHERE path = '/app/nodes'", want: []string{"0|3|0|3|persistent|NULL|0"}},
	{name: "root has no parent", q: "SELECT name, parent FROM znodes WHERE path = '/'", want: []string{"|NULL"}},
	{name: "expression without table", q: "SELECT 1 + 1, CONCAT('a', 'b')", want: []string{"2|ab"}},
	{name: "string functions on data", q: "SELECT UPPER(data) FROM znodes WHERE path = '/app/nodes/n1'", want: []string{"ALPHA"}},
	{name: "json", q: "SELECT data ->> '$.port' FROM znodes WHERE path = '/app/config'", want: []string{"8080"}},
	{name: "show tables", q: "SHOW TABLES", want: []string{"acls", "connections", "ensemble_config", "ephemerals", "servers", "session", "watches", "znodes"}},
	{name: "describe acls", q: "DESCRIBE acls", want: []string{"path|TEXT|NO|PRI|NULL|required", "scheme|TEXT|NO|PRI|NULL|required, updatable", "id|TEXT|NO|PRI|NULL|required, updatable", "perms|TEXT|NO||NULL|required, updatable"}},
	{name: "acls read", q: "SELECT scheme, id, perms FROM acls WHERE path = '/app'", want: []string{"world|anyone|cdrwa"}},
	{name: "acls by prefix", q: "SELECT path FROM acls WHERE path LIKE '/app/nodes/%'", want: []string{"/app/nodes/n1", "/app/nodes/n2", "/app/nodes/n3"}},
	{name: "unknown column", q: "SELECT nope FROM znodes", err: nil, errIn: "unknown column"},
	{name: "wrong arg count", q: "SELECT path FROM znodes WHERE path = ?", args: nil, errIn: "argument"},

	// INSERT
	{name: "insert rows", exec: true, q: "INSERT INTO znodes (path, data) VALUES ('/x', 'a'), ('/x/y', ?)", args: []any{[]byte("b")}, want: []string{"2", "0"},
		after: "SELECT path, data FROM znodes WHERE path LIKE '/x%'", afterWant: []string{"/x|a", "/x/y|b"}},
	{name: "insert null data", exec: true, q: "INSERT INTO znodes (path, data) VALUES ('/x', NULL)", want: []string{"1", "0"},
		after: "SELECT data, data_length FROM znodes WHERE path = '/x'", afterWant: []string{"|0"}},
	{name: "insert existing", exec: true, q: "INSERT INTO znodes (path) VALUES ('/app')", err: zkstore.ErrNodeExists},
	{name: "insert all or nothing", exec: true, q: "INSERT INTO znodes (path) VALUES ('/new1'), ('/app'), ('/new2')", err: zkstore.ErrNodeExists,
		after: "SELECT path FROM znodes WHERE path LIKE '/new%'", afterWant: nil},
	{name: "insert without parent", exec: true, q: "INSERT INTO znodes (path) VALUES ('/no/such/parent')", err: zkstore.ErrNoNode},
	{name: "insert create_parents", opts: "create_parents=true", exec: true, q: "INSERT INTO znodes (path, data) VALUES ('/p/q/r', 'd'), ('/p/q/s', 'e')", want: []string{"2", "0"},
		after: "SELECT path, data FROM znodes WHERE path LIKE '/p%'", afterWant: []string{"/p|", "/p/q|", "/p/q/r|d", "/p/q/s|e"}},
	{name: "insert invalid path", exec: true, q: "INSERT INTO znodes (path) VALUES ('/a//b')", err: zkstore.ErrInvalidPath},
	{name: "insert sequential", exec: true, q: "INSERT INTO znodes (path, mode) VALUES ('/app/nodes/s-', 'persistent_sequential'), ('/app/nodes/s-', 'persistent_sequential')", want: []string{"2", "4"},
		after: "SELECT name FROM znodes WHERE parent = '/app/nodes' AND name LIKE 's-%'", afterWant: []string{"s-0000000003", "s-0000000004"}},
	{name: "insert sequential protected", opts: "protect_sequential=true", exec: true, q: "INSERT INTO znodes (path, mode) VALUES ('/app/q-', 'persistent_sequential')", want: []string{"1", "2"},
		after: "SELECT COUNT(*) FROM znodes WHERE parent = '/app' AND name LIKE '\\_c\\_%-q-0000000002'", afterWant: []string{"1"}},
	{name: "insert ephemeral", exec: true, q: "INSERT INTO znodes (path, mode) VALUES ('/e', 'ephemeral')", want: []string{"1", "0"},
		after: "SELECT mode, ephemeral_owner != 0 FROM znodes WHERE path = '/e'", afterWant: []string{"ephemeral|1"}},
	{name: "insert ttl", exec: true, q: "INSERT INTO znodes (path, mode, ttl) VALUES ('/t', 'persistent_ttl', 60000)", want: []string{"1", "0"},
		after: "SELECT mode, ttl, ephemeral_owner FROM znodes WHERE path = '/t'", afterWant: []string{"persistent|NULL|0"}}, // ZooKeeper shows TTL znodes as persistent
	{name: "insert ttl missing", exec: true, q: "INSERT INTO znodes (path, mode) VALUES ('/t', 'persistent_ttl')", err: zkstore.ErrBadArguments},
	{name: "insert container", exec: true, q: "INSERT INTO znodes (path, mode) VALUES ('/c', 'container')", want: []string{"1", "0"},
		after: "SELECT mode FROM znodes WHERE path = '/c'", afterWant: []string{"persistent"}}, // and containers too
	{name: "insert bad mode", exec: true, q: "INSERT INTO znodes (path, mode) VALUES ('/c', 'sticky')", err: zkstore.ErrBadArguments},
	{name: "insert max_data", opts: "max_data=3", exec: true, q: "INSERT INTO znodes (path, data) VALUES ('/big', 'abcd')", err: zkstore.ErrDataTooLarge},
	{name: "upsert", exec: true, q: "INSERT INTO znodes (path, data) VALUES ('/app', 'new'), ('/fresh', 'f') ON DUPLICATE KEY UPDATE data = VALUES(data)", want: []string{"2", "0"},
		after: "SELECT path, data, version FROM znodes WHERE path IN ('/app', '/fresh')", afterWant: []string{"/app|new|1", "/fresh|f|0"}},
	{name: "upsert with existing data", exec: true, q: "INSERT INTO znodes (path, data) VALUES ('/app', '+x') ON DUPLICATE KEY UPDATE data = CONCAT(data, VALUES(data))", want: []string{"1", "0"},
		after: "SELECT data FROM znodes WHERE path = '/app'", afterWant: []string{"root+x"}},
	{name: "read_only", opts: "read_only=true", exec: true, q: "INSERT INTO znodes (path) VALUES ('/ro')", err: driver.ErrReadOnly},

	// UPDATE
	{name: "update cas", exec: true, q: "UPDATE znodes SET data = 'v2' WHERE path = '/app' AND version = ?", args: []any{0}, want: []string{"1", "0"},
		after: "SELECT data, version FROM znodes WHERE path = '/app'", afterWant: []string{"v2|1"}},
	{name: "update cas stale", exec: true, q: "UPDATE znodes SET data = 'v2' WHERE path = '/app' AND version = 7", want: []string{"0", "0"},
		after: "SELECT data, version FROM znodes WHERE path = '/app'", afterWant: []string{"root|0"}},
	{name: "update many", exec: true, q: "UPDATE znodes SET data = CONCAT(name, ':', data) WHERE parent = '/app/nodes'", want: []string{"3", "0"},
		after: "SELECT data FROM znodes WHERE parent = '/app/nodes'", afterWant: []string{"n1:alpha", "n2:beta", "n3:gamma"}},
	{name: "update none", exec: true, q: "UPDATE znodes SET data = 'x' WHERE path = '/nope'", want: []string{"0", "0"}},
	{name: "update max_data", opts: "max_data=4", exec: true, q: "UPDATE znodes SET data = 'toolong' WHERE path = '/app'", err: zkstore.ErrDataTooLarge},

	// DELETE
	{name: "delete leaf", exec: true, q: "DELETE FROM znodes WHERE path = '/other'", want: []string{"1", "0"},
		after: "SELECT path FROM znodes WHERE path = '/other'", afterWant: nil},
	{name: "delete subtree", exec: true, q: "DELETE FROM znodes WHERE path = '/app' OR path LIKE '/app/%'", want: []string{"6", "0"},
		after: "SELECT COUNT(*) FROM znodes WHERE path LIKE '/app%'", afterWant: []string{"0"}},
	{name: "delete not empty", exec: true, q: "DELETE FROM znodes WHERE path = '/app/nodes'", err: zkstore.ErrNotEmpty,
		after: "SELECT COUNT(*) FROM znodes WHERE parent = '/app/nodes'", afterWant: []string{"3"}},
	{name: "delete partly matched children", exec: true, q: "DELETE FROM znodes WHERE path LIKE '/app/nodes%' AND name != 'n2'", err: zkstore.ErrNotEmpty,
		after: "SELECT COUNT(*) FROM znodes WHERE parent = '/app/nodes'", afterWant: []string{"3"}},
	{name: "delete cas stale", exec: true, q: "DELETE FROM znodes WHERE path = '/other' AND version = 3", want: []string{"0", "0"}},

	// acls
	{name: "acl insert", exec: true, q: "INSERT INTO acls (path, scheme, id, perms) VALUES ('/app', 'digest', 'bob:x', 'r')", want: []string{"1", "0"},
		after: "SELECT scheme, id, perms FROM acls WHERE path = '/app'", afterWant: []string{"world|anyone|cdrwa", "digest|bob:x|r"}},
	{name: "acl insert duplicate", exec: true, q: "INSERT INTO acls (path, scheme, id, perms) VALUES ('/app', 'world', 'anyone', 'r')", err: zkstore.ErrNodeExists},
	{name: "acl update", exec: true, q: "UPDATE acls SET perms = 'rw' WHERE path = '/other'", want: []string{"1", "0"},
		after: "SELECT perms FROM acls WHERE path = '/other'", afterWant: []string{"rw"},
	},
	{name: "acl delete", setup: []string{"INSERT INTO acls (path, scheme, id, perms) VALUES ('/other', 'digest', 'bob:x', 'r')"}, exec: true, q: "DELETE FROM acls WHERE path = '/other' AND scheme = 'digest'", want: []string{"1", "0"},
		after: "SELECT scheme FROM acls WHERE path = '/other'", afterWant: []string{"world"}},
	{name: "acl delete last", exec: true, q: "DELETE FROM acls WHERE path = '/other'", err: zkstore.ErrInvalidACL},

	// limits
	{name: "max_scan", opts: "max_scan=5", q: "SELECT path FROM znodes WHERE data = 'x'", err: driver.ErrMaxScan},
	{name: "max_scan message", opts: "max_scan=5", q: "SELECT path FROM znodes", errIn: "max_scan=5"},
	{name: "max_scan children", opts: "max_scan=2", q: "SELECT path FROM znodes WHERE parent = '/app/nodes'", err: driver.ErrMaxScan},
	{name: "max_scan point ok", opts: "max_scan=2", q: "SELECT path FROM znodes WHERE path IN ('/app', '/other')", want: []string{"/app", "/other"}},
	{name: "tx statement refused", exec: true, q: "BEGIN", errIn: "BeginTx"},
}

func runStmtCases(t *testing.T, b backend) {
	for _, c := range stmtCases {
		t.Run(c.name, func(t *testing.T) {
			plain, db := b.open(t, c.opts)
			// The fixture is written without the options, which could refuse it.
			for _, s := range append(slices.Clone(fixture), c.setup...) {
				mustExec(t, plain, s)
			}
			checkCase(t, db, c)
		})
	}
}

func checkCase(t *testing.T, db *sql.DB, c stmtCase) {
	t.Helper()
	var got []string
	var err error
	if c.exec {
		var res sql.Result
		res, err = db.Exec(c.q, c.args...)
		if err == nil {
			n, _ := res.RowsAffected()
			id, _ := res.LastInsertId()
			got = []string{fmt.Sprint(n), fmt.Sprint(id)}
		}
	} else {
		got, err = tryQuery(db, c.q, c.args...)
	}
	switch {
	case c.err != nil || c.errIn != "":
		if err == nil {
			t.Fatalf("%s: no error, got %q", c.q, got)
		}
		if c.err != nil && !errors.Is(err, c.err) {
			t.Fatalf("%s: error %v does not match %v", c.q, err, c.err)
		}
		if !strings.Contains(err.Error(), c.errIn) {
			t.Fatalf("%s: error %q does not contain %q", c.q, err, c.errIn)
		}
	case err != nil:
		t.Fatalf("%s: %v", c.q, err)
	case !slices.Equal(got, c.want):
		t.Fatalf("%s:\ngot  %q\nwant %q", c.q, got, c.want)
	}
	if c.after != "" {
		if a := queryRows(t, db, c.after); !slices.Equal(a, c.afterWant) {
			t.Fatalf("after %s:\n%s:\ngot  %q\nwant %q", c.q, c.after, a, c.afterWant)
		}
	}
}

func TestStatements(t *testing.T) { runStmtCases(t, memBackend()) }

func TestParseErrorIsParserError(t *testing.T) {
	db := openDB(t, "mem:")
	_, err := db.Query("SELECT FROM WHERE")
	var pe *parser.Error
	if !errors.As(err, &pe) {
		t.Fatalf("got %T %v, want *parser.Error", err, err)
	}
	if _, err := db.ExecContext(context.Background(), "INSERT INTO nope (path) VALUES ('/a')"); !errors.As(err, &pe) {
		t.Fatalf("got %v", err)
	}
}

// TestStatementsLive runs the same cases against a real ZooKeeper.
func TestStatementsLive(t *testing.T) {
	if testing.Short() {
		t.Skip("live ZooKeeper test skipped in -short mode")
	}
	runStmtCases(t, liveBackend(t))
}
