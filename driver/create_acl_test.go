package driver_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/zksql/zksql/driver"
	"github.com/zksql/zksql/internal/testkit/zkserver"
	"github.com/zksql/zksql/zkstore"
)

// eachStore runs f on a fresh empty tree on mem: and under a fresh chroot
// on the shared live server; dsn takes options after '?'.
func eachStore(t *testing.T, f func(t *testing.T, dsn string)) {
	t.Run("mem", func(t *testing.T) {
		name := fmt.Sprintf("create-%d", treeSeq.Add(1))
		t.Cleanup(func() { driver.DropMemServer(name) })
		f(t, "mem:"+name)
	})
	t.Run("live", func(t *testing.T) {
		if testing.Short() {
			t.Skip("-short")
		}
		addr := zkserver.SharedAddr(t)
		chroot := fmt.Sprintf("/create-%d-%d", time.Now().UnixNano(), treeSeq.Add(1))
		mustExec(t, openDB(t, "zk://"+addr), "INSERT INTO znodes (path) VALUES (?)", chroot)
		f(t, "zk://"+addr+chroot)
	})
}

const (
	aclUser = "acl-owner"
	aclPass = "owner-" + leakSecret
)

// aclOf renders a znode's ACL and aversion as the acls table and the
// znodes table read them.
func aclOf(t *testing.T, db *sql.DB, path string) []string {
	t.Helper()
	out := queryRows(t, db, "SELECT scheme, id, perms FROM acls WHERE path = ?", path)
	return append(out, "aversion "+strings.Join(queryRows(t, db, "SELECT aversion FROM znodes WHERE path = ?", path), ""))
}

// TestCreateWithDefaultACL: default_acl is the ACL of every create,
// parents made by create_parents included, sent in the create request
// itself (aversion 0: no setACL followed); other sessions get what it
// grants and nothing more.
func TestCreateWithDefaultACL(t *testing.T) {
	eachStore(t, func(t *testing.T, dsn string) {
		owner := openDB(t, dsn+"?auth=digest:"+aclUser+":"+aclPass+"&create_parents=true&default_acl=auth::cdrwa,world:anyone:r")
		anon := openDB(t, dsn)
		if n, _ := mustExec(t, owner, "INSERT INTO znodes (path, data) VALUES ('/cfg/app/db', 'secret-ish'), ('/cfg/app/web', 'w')").RowsAffected(); n != 2 {
			t.Errorf("RowsAffected = %d, want 2", n)
		}
		ownerID := zkstore.DigestID(aclUser, aclPass)
		want := []string{"digest|" + ownerID + "|cdrwa", "world|anyone|r", "aversion 0"}
		for _, p := range []string{"/cfg", "/cfg/app", "/cfg/app/db", "/cfg/app/web"} {
			if got := aclOf(t, owner, p); !cmp.Equal(got, want) {
				t.Errorf("ACL of %s = %q, want %q", p, got, want)
			}
		}
		if got := queryRows(t, anon, "SELECT data FROM znodes WHERE path = '/cfg/app/db'"); !cmp.Equal(got, []string{"secret-ish"}) {
			t.Errorf("anonymous read %q", got)
		}
		for _, q := range []string{
			"UPDATE znodes SET data = 'x' WHERE path = '/cfg/app/db'",
			"INSERT INTO znodes (path) VALUES ('/cfg/app/new')",
			"DELETE FROM znodes WHERE path = '/cfg/app/web'",
		} {
			if _, err := anon.Exec(q); !errors.Is(err, zkstore.ErrNoAuth) {
				t.Errorf("anonymous %s: %v, want ErrNoAuth", q, err)
			}
		}
		// A store-level default: without default_acl the open ACL.
		mustExec(t, anon, "INSERT INTO znodes (path) VALUES ('/open')")
		if got, want := aclOf(t, anon, "/open"), []string{"world|anyone|cdrwa", "aversion 0"}; !cmp.Equal(got, want) {
			t.Errorf("ACL of /open = %q, want %q", got, want)
		}
		// auth:: with no credentials is refused by ZooKeeper, and nothing
		// is created.
		noCreds := openDB(t, dsn+"?default_acl=auth::cdrwa")
		if _, err := noCreds.Exec("INSERT INTO znodes (path) VALUES ('/nocreds')"); !errors.Is(err, zkstore.ErrInvalidACL) {
			t.Errorf("auth:: without credentials: %v, want ErrInvalidACL", err)
		}
		if got := queryRows(t, anon, "SELECT COUNT(*) FROM znodes WHERE path = '/nocreds'"); !cmp.Equal(got, []string{"0"}) {
			t.Errorf("/nocreds exists after a failed create")
		}
	})
}

// TestInsertACLColumn: an INSERT gives each row its ACL in the acl
// column, in the text or JSON form; NULL means the default. The ACL is in
// the create request (aversion 0), in a multi, an upsert and a
// transaction alike.
func TestInsertACLColumn(t *testing.T) {
	eachStore(t, func(t *testing.T, dsn string) {
		db := openDB(t, dsn+"?auth=digest:"+aclUser+":"+aclPass+"&default_acl=world:anyone:cdr")
		anon := openDB(t, dsn)
		ownerID := zkstore.DigestID(aclUser, aclPass)
		res := mustExec(t, db, `INSERT INTO znodes (path, data, acl) VALUES
			('/r', 'read-only', 'world:anyone:r'),
			('/j', 'json', ?),
			('/d', 'default', NULL),
			('/mine', 'owner', 'auth::cdrwa')`,
			`[{"scheme":"digest","id":"`+ownerID+`","perms":"cdrwa"},{"scheme":"world","id":"anyone","perms":1}]`)
		if n, _ := res.RowsAffected(); n != 4 {
			t.Errorf("RowsAffected = %d, want 4", n)
		}
		for p, want := range map[string][]string{
			"/r":    {"world|anyone|r", "aversion 0"},
			"/j":    {"digest|" + ownerID + "|cdrwa", "world|anyone|r", "aversion 0"},
			"/d":    {"world|anyone|cdr", "aversion 0"},
			"/mine": {"digest|" + ownerID + "|cdrwa", "aversion 0"},
		} {
			if got := aclOf(t, db, p); !cmp.Equal(got, want) {
				t.Errorf("ACL of %s = %q, want %q", p, got, want)
			}
		}
		if _, err := anon.Exec("UPDATE znodes SET data = 'x' WHERE path = '/r'"); !errors.Is(err, zkstore.ErrNoAuth) {
			t.Errorf("anonymous write to /r: %v, want ErrNoAuth", err)
		}

		// One row: one create request with the ACL.
		mustExec(t, db, "INSERT INTO znodes (path, acl) VALUES ('/one', 'world:anyone:ra')")
		if got, want := aclOf(t, db, "/one"), []string{"world|anyone|ra", "aversion 0"}; !cmp.Equal(got, want) {
			t.Errorf("ACL of /one = %q, want %q", got, want)
		}

		// Upsert: a new znode gets the acl; an existing one keeps its ACL.
		mustExec(t, db, "INSERT INTO znodes (path, acl) VALUES ('/u', 'world:anyone:rw')")
		mustExec(t, db, "INSERT INTO znodes (path, data, acl) VALUES ('/u', 'again', 'world:anyone:cdrwa'), ('/up', 'new', 'world:anyone:rw') ON DUPLICATE KEY UPDATE data = VALUES(data)")
		if got, want := aclOf(t, db, "/u"), []string{"world|anyone|rw", "aversion 0"}; !cmp.Equal(got, want) {
			t.Errorf("upsert changed the ACL of /u: %q", got)
		}
		if got := queryRows(t, db, "SELECT data FROM znodes WHERE path = '/u'"); !cmp.Equal(got, []string{"again"}) {
			t.Errorf("upsert of /u: data %q", got)
		}
		if got, want := aclOf(t, db, "/up"), []string{"world|anyone|rw", "aversion 0"}; !cmp.Equal(got, want) {
			t.Errorf("ACL of /up = %q, want %q", got, want)
		}

		// Transaction: the creates go in the commit's multi with their ACL.
		tx, err := db.Begin()
		if err != nil {
			t.Fatal(err)
		}
		mustExec(t, tx, "INSERT INTO znodes (path, acl) VALUES ('/tx1', 'world:anyone:r'), ('/tx2', NULL)")
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		if got, want := aclOf(t, db, "/tx1"), []string{"world|anyone|r", "aversion 0"}; !cmp.Equal(got, want) {
			t.Errorf("ACL of /tx1 = %q, want %q", got, want)
		}
		if got, want := aclOf(t, db, "/tx2"), []string{"world|anyone|cdr", "aversion 0"}; !cmp.Equal(got, want) {
			t.Errorf("ACL of /tx2 = %q, want %q", got, want)
		}

		// A bad acl in any row fails the statement before anything is
		// sent, naming the row, without showing the id.
		before := queryRows(t, db, "SELECT path FROM znodes WHERE path LIKE '/%' ORDER BY path")
		_, err = db.Exec("INSERT INTO znodes (path, acl) VALUES ('/ok', NULL), ('/bad', ?)", "digest:"+aclUser+":"+aclPass+":cdrwa")
		if !errors.Is(err, zkstore.ErrInvalidACL) || !strings.Contains(err.Error(), "row 2") || strings.Contains(err.Error(), leakSecret) {
			t.Errorf("bad acl: %v, want ErrInvalidACL naming row 2, without the password", err)
		}
		if after := queryRows(t, db, "SELECT path FROM znodes WHERE path LIKE '/%' ORDER BY path"); !cmp.Equal(before, after) {
			t.Errorf("a refused INSERT changed the tree: %q -> %q", before, after)
		}
	})
}

// TestExplainInsertACL: EXPLAIN says which ACL a create carries, with
// digest ids redacted.
func TestExplainInsertACL(t *testing.T) {
	hash := zkstore.DigestID("alice", leakSecret)
	db := openDB(t, "mem:?default_acl=digest:"+hash+":cdrwa")
	plan := strings.Join(queryRows(t, db, "EXPLAIN INSERT INTO znodes (path) VALUES ('/a')"), "\n")
	if !strings.Contains(plan, "ACL default_acl digest:alice:xxxxx:cdrwa in the create request") || strings.Contains(plan, hash[len("alice:"):]) {
		t.Errorf("EXPLAIN:\n%s", plan)
	}
	plan = strings.Join(queryRows(t, db, "EXPLAIN INSERT IGNORE INTO znodes (path, acl) VALUES ('/a', 'world:anyone:r'), ('/b', NULL)"), "\n")
	for _, want := range []string{"rows whose znode exists are skipped (INSERT IGNORE)", "its row's acl in the create request (NULL: default_acl", "dropped from the multi"} {
		if !strings.Contains(plan, want) {
			t.Errorf("EXPLAIN INSERT IGNORE lacks %q:\n%s", want, plan)
		}
	}
	plan = strings.Join(queryRows(t, openDB(t, "mem:"), "EXPLAIN INSERT INTO znodes (path) VALUES ('/a')"), "\n")
	if !strings.Contains(plan, "ACL world:anyone:cdrwa") {
		t.Errorf("EXPLAIN without default_acl:\n%s", plan)
	}
}

// TestInsertIgnore: INSERT IGNORE creates what is missing, leaves what
// exists untouched, and counts only what it created.
func TestInsertIgnore(t *testing.T) {
	eachStore(t, func(t *testing.T, dsn string) {
		db := openDB(t, dsn)
		mustExec(t, db, "INSERT INTO znodes (path, data) VALUES ('/a', 'old'), ('/c', 'old')")
		res := mustExec(t, db, "INSERT IGNORE INTO znodes (path, data) VALUES ('/a', 'new'), ('/b', 'new'), ('/c', 'new'), ('/d', 'new'), ('/b', 'twice')")
		if n, _ := res.RowsAffected(); n != 2 {
			t.Errorf("RowsAffected = %d, want 2", n)
		}
		want := []string{"/a|old|0", "/b|new|0", "/c|old|0", "/d|new|0"}
		q := "SELECT path, data, version FROM znodes WHERE path IN ('/a', '/b', '/c', '/d') ORDER BY path"
		if got := queryRows(t, db, q); !cmp.Equal(got, want) {
			t.Errorf("after INSERT IGNORE: %q, want %q", got, want)
		}
		// Again: nothing to do, nothing sent, 0 rows.
		if n, _ := mustExec(t, db, "INSERT IGNORE INTO znodes (path, data) VALUES ('/a', 'x'), ('/b', 'x')").RowsAffected(); n != 0 {
			t.Errorf("second INSERT IGNORE: RowsAffected = %d, want 0", n)
		}
		if got := queryRows(t, db, q); !cmp.Equal(got, want) {
			t.Errorf("after the second INSERT IGNORE: %q, want %q", got, want)
		}
		// Only a duplicate is ignored: a missing parent still fails the
		// whole statement, and nothing is created.
		if _, err := db.Exec("INSERT IGNORE INTO znodes (path) VALUES ('/e'), ('/nope/x')"); !errors.Is(err, zkstore.ErrNoNode) {
			t.Errorf("missing parent: %v, want ErrNoNode", err)
		}
		if got := queryRows(t, db, "SELECT COUNT(*) FROM znodes WHERE path = '/e'"); !cmp.Equal(got, []string{"0"}) {
			t.Errorf("/e created by a failed INSERT IGNORE")
		}
		// Sequential rows always create.
		if n, _ := mustExec(t, db, "INSERT IGNORE INTO znodes (path, mode) VALUES ('/a/q-', 'persistent_sequential'), ('/a/q-', 'persistent_sequential')").RowsAffected(); n != 2 {
			t.Errorf("sequential INSERT IGNORE: RowsAffected = %d, want 2", n)
		}

		// create_parents: an idempotent ensure-path.
		ensure := openDB(t, dsn+"?create_parents=true")
		for i, wantN := range []int64{1, 0} {
			if n, _ := mustExec(t, ensure, "INSERT IGNORE INTO znodes (path) VALUES ('/x/y/z')").RowsAffected(); n != wantN {
				t.Errorf("ensure-path %d: RowsAffected = %d, want %d", i+1, n, wantN)
			}
		}
		if got := queryRows(t, db, "SELECT path FROM znodes WHERE path LIKE '/x%' ORDER BY path"); !cmp.Equal(got, []string{"/x", "/x/y", "/x/y/z"}) {
			t.Errorf("ensure-path made %q", got)
		}
		// A row naming a parent of an earlier row gives it its data and ACL.
		if n, _ := mustExec(t, ensure, "INSERT IGNORE INTO znodes (path, data, acl) VALUES ('/p1/p2/leaf', 'leaf', NULL), ('/p1', 'top', 'world:anyone:cdr'), ('/x', 'exists', NULL)").RowsAffected(); n != 2 {
			t.Errorf("parent listed after its child: RowsAffected = %d, want 2", n)
		}
		if got, want := queryRows(t, db, "SELECT path, data FROM znodes WHERE path LIKE '/p1%' ORDER BY path"), []string{"/p1|top", "/p1/p2|", "/p1/p2/leaf|leaf"}; !cmp.Equal(got, want) {
			t.Errorf("parent listed after its child: %q, want %q", got, want)
		}
		if got, want := aclOf(t, db, "/p1"), []string{"world|anyone|cdr", "aversion 0"}; !cmp.Equal(got, want) {
			t.Errorf("ACL of /p1 = %q, want %q", got, want)
		}

		// The acls table: an entry already there is skipped.
		if n, _ := mustExec(t, db, "INSERT IGNORE INTO acls (path, scheme, id, perms) VALUES ('/a', 'world', 'anyone', 'r'), ('/a', 'ip', '127.0.0.1', 'r')").RowsAffected(); n != 1 {
			t.Errorf("INSERT IGNORE INTO acls: RowsAffected = %d, want 1", n)
		}
		if got, want := aclOf(t, db, "/a"), []string{"world|anyone|cdrwa", "ip|127.0.0.1|r", "aversion 1"}; !cmp.Equal(got, want) {
			t.Errorf("ACL of /a = %q, want %q", got, want)
		}

		// In a transaction: decided against the transaction's view.
		tx, err := db.Begin()
		if err != nil {
			t.Fatal(err)
		}
		mustExec(t, tx, "INSERT INTO znodes (path) VALUES ('/t1')")
		if n, _ := mustExec(t, tx, "INSERT IGNORE INTO znodes (path) VALUES ('/t1'), ('/t2'), ('/a')").RowsAffected(); n != 1 {
			t.Errorf("INSERT IGNORE in a transaction: RowsAffected = %d, want 1", n)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		if got := queryRows(t, db, "SELECT path FROM znodes WHERE path IN ('/t1', '/t2') ORDER BY path"); !cmp.Equal(got, []string{"/t1", "/t2"}) {
			t.Errorf("after the transaction: %q", got)
		}

		// A znode the transaction found absent, created by another client
		// before COMMIT: the commit fails whole.
		tx, err = db.Begin()
		if err != nil {
			t.Fatal(err)
		}
		mustExec(t, tx, "INSERT IGNORE INTO znodes (path) VALUES ('/t3'), ('/t4')")
		mustExec(t, db, "INSERT INTO znodes (path) VALUES ('/t4')")
		if err := tx.Commit(); !errors.Is(err, driver.ErrTxConflict) {
			t.Errorf("commit after a concurrent create: %v, want ErrTxConflict", err)
		}
		if got := queryRows(t, db, "SELECT path FROM znodes WHERE path IN ('/t3', '/t4')"); !cmp.Equal(got, []string{"/t4"}) {
			t.Errorf("after the failed commit: %q", got)
		}
	})
}

// raceStore lets another client act just before the first write the
// statement sends (a Create or a Multi), after its existence checks.
type raceStore struct {
	zkstore.Store
	mu     sync.Mutex
	before func()
	writes int
}

func (s *raceStore) hook() {
	s.mu.Lock()
	f := s.before
	s.before = nil
	s.writes++
	s.mu.Unlock()
	if f != nil {
		f()
	}
}

func (s *raceStore) Create(ctx context.Context, p string, data []byte, o zkstore.CreateOptions) (string, error) {
	s.hook()
	return s.Store.Create(ctx, p, data, o)
}

func (s *raceStore) Multi(ctx context.Context, ops ...zkstore.Op) ([]zkstore.OpResult, error) {
	s.hook()
	return s.Store.Multi(ctx, ops...)
}

// racingDB opens dsn through a raceStore.
func racingDB(t *testing.T, dsn string) (*sql.DB, *raceStore) {
	t.Helper()
	cfg, err := driver.ParseDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	rs := &raceStore{}
	open := func(ctx context.Context) (zkstore.Store, error) {
		st, err := driver.OpenStore(ctx, cfg)
		if err != nil {
			return nil, err
		}
		rs.Store = st
		return rs, nil
	}
	stmtCfg := cfg.Clone()
	stmtCfg.Auth = nil
	c, err := driver.NewStoreConnector(open, stmtCfg)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(c)
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db, rs
}

// TestInsertIgnoreRace: a znode another client creates between INSERT
// IGNORE's check and its write is ignored, not an error; the rest is
// created, and RowsAffected counts only what this statement created. The
// plain INSERT fails whole in the same race.
func TestInsertIgnoreRace(t *testing.T) {
	eachStore(t, func(t *testing.T, dsn string) {
		other := openDB(t, dsn)
		for _, c := range []struct {
			name, opts, stmt, raced string
			affected                int64
			created                 []string
		}{
			{"one row", "", "INSERT IGNORE INTO znodes (path, data) VALUES ('/r1', 'mine')", "/r1", 0, []string{"/r1|theirs"}},
			{"multi", "", "INSERT IGNORE INTO znodes (path, data) VALUES ('/m1', 'mine'), ('/m2', 'mine'), ('/m3', 'mine')", "/m2", 2,
				[]string{"/m1|mine", "/m2|theirs", "/m3|mine"}},
			{"parent", "?create_parents=true", "INSERT IGNORE INTO znodes (path, data) VALUES ('/p/q/r', 'mine')", "/p", 1,
				[]string{"/p|theirs", "/p/q|", "/p/q/r|mine"}},
		} {
			t.Run(c.name, func(t *testing.T) {
				db, rs := racingDB(t, dsn+c.opts)
				rs.mu.Lock()
				rs.before = func() { mustExec(t, other, "INSERT INTO znodes (path, data) VALUES (?, 'theirs')", c.raced) }
				rs.mu.Unlock()
				res, err := db.Exec(c.stmt)
				if err != nil {
					t.Fatalf("%s: %v", c.stmt, err)
				}
				if n, _ := res.RowsAffected(); n != c.affected {
					t.Errorf("RowsAffected = %d, want %d", n, c.affected)
				}
				var got []string
				for _, row := range c.created {
					p, _, _ := strings.Cut(row, "|")
					got = append(got, queryRows(t, other, "SELECT path, data FROM znodes WHERE path = ?", p)...)
				}
				if !cmp.Equal(got, c.created) {
					t.Errorf("tree %q, want %q", got, c.created)
				}
				if rs.before != nil {
					t.Errorf("the race was not met")
				}
			})
		}
		// Without IGNORE the same race fails the statement, and none of
		// its rows is created.
		db, rs := racingDB(t, dsn)
		rs.before = func() { mustExec(t, other, "INSERT INTO znodes (path) VALUES ('/n2')") }
		if _, err := db.Exec("INSERT INTO znodes (path) VALUES ('/n1'), ('/n2')"); !errors.Is(err, zkstore.ErrNodeExists) {
			t.Errorf("plain INSERT in the race: %v, want ErrNodeExists", err)
		}
		if got := queryRows(t, other, "SELECT path FROM znodes WHERE path IN ('/n1', '/n2')"); !cmp.Equal(got, []string{"/n2"}) {
			t.Errorf("after the failed INSERT: %q", got)
		}
	})
}

// TestInsertIgnoreConcurrent: clients ensuring the same paths at once all
// succeed, and together they create each znode exactly once.
func TestInsertIgnoreConcurrent(t *testing.T) {
	eachStore(t, func(t *testing.T, dsn string) {
		const clients, paths = 4, 20
		var rows []string
		for i := 0; i < paths; i++ {
			rows = append(rows, fmt.Sprintf("('/c/n%02d')", i))
		}
		stmt := "INSERT IGNORE INTO znodes (path) VALUES " + strings.Join(rows, ", ")
		var wg sync.WaitGroup
		total := make([]int64, clients)
		errs := make([]error, clients)
		for i := 0; i < clients; i++ {
			db := openDB(t, dsn+"?create_parents=true")
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				for round := 0; round < 3; round++ {
					res, err := db.Exec(stmt)
					if err != nil {
						errs[i] = err
						return
					}
					n, _ := res.RowsAffected()
					total[i] += n
				}
			}(i)
		}
		wg.Wait()
		var sum int64
		for i := range total {
			if errs[i] != nil {
				t.Errorf("client %d: %v", i, errs[i])
			}
			sum += total[i]
		}
		if sum != paths {
			t.Errorf("the clients created %d znodes in all, want %d", sum, paths)
		}
		if got := queryRows(t, openDB(t, dsn), "SELECT COUNT(*) FROM znodes WHERE parent = '/c'"); !cmp.Equal(got, []string{fmt.Sprint(paths)}) {
			t.Errorf("/c has %q children, want %d", got, paths)
		}
	})
}
