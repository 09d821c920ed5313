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

	"github.com/zksql/zksql/driver"
	"github.com/zksql/zksql/internal/testkit/zkserver"
	"github.com/zksql/zksql/zkstore"
	"github.com/zksql/zksql/zkstore/cachestore"
)

// cacheTree is one test's tree on one store, and the faults the read
// cache's contract is tested under.
type cacheTree struct {
	// open opens a sql.DB with a session of its own on the tree, with the
	// DSN options opts ("" for none), closed at the end of the test.
	open func(t *testing.T, opts string) *sql.DB
	// cut disconnects db's session until heal reconnects it; expire ends
	// it (returning once the session is gone for good).
	cut, heal, expire func(t *testing.T, db *sql.DB)
}

// cacheTrees runs f on an in-memory tree and on a live one.
func cacheTrees(t *testing.T, f func(t *testing.T, tr cacheTree)) {
	t.Run("mem", func(t *testing.T) { f(t, memCacheTree(t)) })
	t.Run("live", func(t *testing.T) {
		if testing.Short() {
			t.Skip("live ZooKeeper test skipped in -short mode")
		}
		f(t, liveCacheTree(t))
	})
}

func memCacheTree(t *testing.T) cacheTree {
	name := fmt.Sprintf("cache-%d", time.Now().UnixNano())
	t.Cleanup(func() { driver.DropMemServer(name) })
	srv := func() interface {
		Disconnect(int64) error
		Reconnect(int64) error
		Expire(int64) error
	} {
		return driver.MemServer(name)
	}
	do := func(f func(int64) error) func(t *testing.T, db *sql.DB) {
		return func(t *testing.T, db *sql.DB) {
			t.Helper()
			if err := f(storeOfDB(t, db).SessionID()); err != nil {
				t.Fatal(err)
			}
		}
	}
	return cacheTree{
		open: func(t *testing.T, opts string) *sql.DB {
			return openDB(t, "mem:"+name+"?"+opts)
		},
		cut:    do(func(id int64) error { return srv().Disconnect(id) }),
		heal:   do(func(id int64) error { return srv().Reconnect(id) }),
		expire: do(func(id int64) error { return srv().Expire(id) }),
	}
}

// liveCacheTree is a fresh chroot on the shared server. Each sql.DB
// reaches it through a proxy of its own, whose Block cuts its session.
func liveCacheTree(t *testing.T) cacheTree {
	addr := zkserver.SharedAddr(t)
	chroot := fmt.Sprintf("/cache-%d", time.Now().UnixNano())
	mustExec(t, openDB(t, "zk://"+addr), "INSERT INTO znodes (path) VALUES (?)", chroot)
	var mu sync.Mutex
	proxies := map[*sql.DB]*zkserver.Proxy{}
	proxyOf := func(db *sql.DB) *zkserver.Proxy {
		mu.Lock()
		defer mu.Unlock()
		return proxies[db]
	}
	return cacheTree{
		open: func(t *testing.T, opts string) *sql.DB {
			p, err := zkserver.NewProxy(addr)
			if err != nil {
				t.Fatal(err)
			}
			db := openDB(t, "zk://"+p.Addr()+chroot+"?session_timeout=2s&"+opts)
			t.Cleanup(func() { db.Close(); p.Close() }) // runs before openDB's Close, which is then a no-op
			mu.Lock()
			proxies[db] = p
			mu.Unlock()
			return db
		},
		cut:  func(t *testing.T, db *sql.DB) { proxyOf(db).Block() },
		heal: func(t *testing.T, db *sql.DB) { proxyOf(db).Unblock() },
		expire: func(t *testing.T, db *sql.DB) {
			t.Helper()
			p := proxyOf(db)
			sid := storeOfDB(t, db).SessionID()
			p.Block()
			want := fmt.Sprintf("sid=0x%x,", sid)
			waitUntil(t, 30*time.Second, "the server expires the session", func() bool {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				cons, err := zkserver.FourLetterWord(ctx, addr, "cons")
				return err == nil && !strings.Contains(cons, want)
			})
			p.Unblock()
		},
	}
}

// storeOfDB is the session store of db's connections.
func storeOfDB(t testing.TB, db *sql.DB) zkstore.Store {
	t.Helper()
	cn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer cn.Close()
	var st zkstore.Store
	if err := cn.Raw(func(dc any) error {
		st = dc.(interface{ Store() zkstore.Store }).Store()
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return st
}

// cacheOf is db's read cache; the test fails if db has none.
func cacheOf(t testing.TB, db *sql.DB) *cachestore.Store {
	t.Helper()
	cs, ok := storeOfDB(t, db).(*cachestore.Store)
	if !ok {
		t.Fatalf("the session is a %T, not a read cache", storeOfDB(t, db))
	}
	return cs
}

// waitUntil polls cond until it holds, failing the test after timeout.
func waitUntil(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, timeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// readData reads path's data and mzxid through q.
func readData(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, path string) (data string, mzxid int64, err error) {
	err = q.QueryRowContext(ctx, "SELECT data, mzxid FROM znodes WHERE path = ?", path).Scan(&data, &mzxid)
	return data, mzxid, err
}

// TestCacheReadsFromMemory checks, on both stores, that a cached sql.DB
// answers point reads, listings and walks of its subtree from memory
// (the cache's hit count grows and its inner session sees no read), and
// that they see the sql.DB's own writes at once.
func TestCacheReadsFromMemory(t *testing.T) {
	cacheTrees(t, func(t *testing.T, tr cacheTree) {
		other := tr.open(t, "")
		mustExec(t, other, "INSERT INTO znodes (path, data) VALUES ('/c', ''), ('/c/a', 'a0'), ('/c/b', 'b0'), ('/o', 'o0')")
		db := tr.open(t, "cache=/c")
		cs := cacheOf(t, db)
		if got := cs.Subtrees(); len(got) != 1 || got[0] != "/c" {
			t.Fatalf("cached subtrees %q, want [/c]", got)
		}
		ctx := context.Background()
		for i := range 20 {
			v := fmt.Sprintf("own-%d", i)
			mustExec(t, db, "UPDATE znodes SET data = ? WHERE path = '/c/a'", v)
			before := cs.Stats()
			got, _, err := readData(ctx, db, "/c/a")
			if err != nil {
				t.Fatal(err)
			}
			if got != v {
				t.Fatalf("after its own write of %q the sql.DB read %q", v, got)
			}
			if after := cs.Stats(); after.Hits <= before.Hits || after.Misses != before.Misses {
				t.Fatalf("the read was not answered from memory: stats %+v then %+v", before, after)
			}
		}
		before := cs.Stats()
		if got := queryRows(t, db, "SELECT path, data FROM znodes WHERE parent = '/c' ORDER BY path"); strings.Join(got, " ") != "/c/a|own-19 /c/b|b0" {
			t.Fatalf("listing: %q", got)
		}
		if got := queryRows(t, db, "SELECT path FROM znodes WHERE path LIKE '/c/%' ORDER BY path"); strings.Join(got, " ") != "/c/a /c/b" {
			t.Fatalf("walk: %q", got)
		}
		if after := cs.Stats(); after.Hits <= before.Hits || after.Misses != before.Misses {
			t.Fatalf("listing and walk not answered from memory: stats %+v then %+v", before, after)
		}
		// Outside the subtree the server answers.
		if got, _, err := readData(ctx, db, "/o"); err != nil || got != "o0" {
			t.Fatalf("read outside the cache: %q, %v", got, err)
		}
	})
}

// TestCacheSeesOtherSessions checks, on both stores, that another
// session's write reaches a cached read once its event has arrived
// (polled with a deadline), at once under WithSync and with
// sync_reads=true, and that reads never go backwards meanwhile.
func TestCacheSeesOtherSessions(t *testing.T) {
	cacheTrees(t, func(t *testing.T, tr cacheTree) {
		other := tr.open(t, "")
		mustExec(t, other, "INSERT INTO znodes (path, data) VALUES ('/c', ''), ('/c/a', 'v0')")
		db := tr.open(t, "cache=/c")
		synced := tr.open(t, "cache=/c&sync_reads=true")
		ctx := context.Background()
		var last int64 // the newest mzxid db has read
		for i := 1; i <= 20; i++ {
			v := fmt.Sprintf("v%d", i)
			mustExec(t, other, "UPDATE znodes SET data = ? WHERE path = '/c/a'", v)
			switch i % 3 {
			case 0: // WithSync makes the read current
				got, _, err := readData(driver.WithSync(ctx), db, "/c/a")
				if err != nil || got != v {
					t.Fatalf("under WithSync: %q, %v; want %q", got, err, v)
				}
			case 1: // so does sync_reads
				got, _, err := readData(ctx, synced, "/c/a")
				if err != nil || got != v {
					t.Fatalf("with sync_reads=true: %q, %v; want %q", got, err, v)
				}
			}
			waitUntil(t, 20*time.Second, "the other session's write reaches the cache", func() bool {
				got, mzxid, err := readData(ctx, db, "/c/a")
				if err != nil {
					t.Fatal(err)
				}
				if mzxid < last {
					t.Fatalf("read went backwards: mzxid %d after %d", mzxid, last)
				}
				last = mzxid
				return got == v
			})
		}
		// A creation and a deletion by the other session reach listings.
		mustExec(t, other, "INSERT INTO znodes (path, data) VALUES ('/c/new', 'n')")
		waitUntil(t, 20*time.Second, "the creation reaches the cache", func() bool {
			return len(queryRows(t, db, "SELECT path FROM znodes WHERE parent = '/c'")) == 2
		})
		mustExec(t, other, "DELETE FROM znodes WHERE path = '/c/a'")
		if got := queryRows(t, synced, "SELECT path FROM znodes WHERE parent = '/c'"); strings.Join(got, " ") != "/c/new" {
			t.Fatalf("with sync_reads after a deletion: %q", got)
		}
	})
}

// TestCacheDisconnected checks, on both stores, that while the session is
// disconnected a cached read fails with the connection error, one with
// stale_reads=true answers the data from before, and that after the
// connection is back reads answer current data again.
func TestCacheDisconnected(t *testing.T) {
	cacheTrees(t, func(t *testing.T, tr cacheTree) {
		other := tr.open(t, "")
		mustExec(t, other, "INSERT INTO znodes (path, data) VALUES ('/c', ''), ('/c/a', 'before')")
		strict := tr.open(t, "cache=/c")
		stale := tr.open(t, "cache=/c&stale_reads=true")
		ctx := context.Background()
		for _, db := range []*sql.DB{strict, stale} {
			if got, _, err := readData(ctx, db, "/c/a"); err != nil || got != "before" {
				t.Fatalf("before the cut: %q, %v", got, err)
			}
		}
		tr.cut(t, strict)
		tr.cut(t, stale)
		waitUntil(t, 30*time.Second, "the session notices the cut", func() bool {
			return storeOfDB(t, strict).State() != zkstore.StateConnected && storeOfDB(t, stale).State() != zkstore.StateConnected
		})
		mustExec(t, other, "UPDATE znodes SET data = 'during' WHERE path = '/c/a'")
		rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if got, _, err := readData(rctx, strict, "/c/a"); !errors.Is(err, zkstore.ErrConnectionLoss) {
			t.Fatalf("a cached read while disconnected: %q, %v; want ErrConnectionLoss", got, err)
		}
		if got, _, err := readData(rctx, stale, "/c/a"); err != nil || got != "before" {
			t.Fatalf("a stale read while disconnected: %q, %v; want %q", got, err, "before")
		}
		tr.heal(t, strict)
		tr.heal(t, stale)
		for _, db := range []*sql.DB{strict, stale} {
			waitUntil(t, 30*time.Second, "reads work again with the change made meanwhile", func() bool {
				got, _, err := readData(ctx, db, "/c/a")
				if err == nil && got != "before" && got != "during" {
					t.Fatalf("read %q", got)
				}
				return err == nil && got == "during"
			})
		}
	})
}

// TestCacheRebuiltAfterExpiry checks, on both stores, that after the
// session expires the sql.DB's next session has a new cache, loaded
// before it answers: its first answer already holds the write another
// session made while none was open.
func TestCacheRebuiltAfterExpiry(t *testing.T) {
	cacheTrees(t, func(t *testing.T, tr cacheTree) {
		other := tr.open(t, "")
		mustExec(t, other, "INSERT INTO znodes (path, data) VALUES ('/c', ''), ('/c/a', 'old')")
		db := tr.open(t, "cache=/c")
		ctx := context.Background()
		if got, _, err := readData(ctx, db, "/c/a"); err != nil || got != "old" {
			t.Fatalf("first read: %q, %v", got, err)
		}
		first := cacheOf(t, db)
		tr.expire(t, db)
		mustExec(t, other, "UPDATE znodes SET data = 'new' WHERE path = '/c/a'")
		var got string
		waitUntil(t, 30*time.Second, "a read succeeds on a new session", func() bool {
			var err error
			got, _, err = readData(ctx, db, "/c/a")
			return err == nil
		})
		if got != "new" {
			t.Fatalf("first answer after the expiry: %q, want %q", got, "new")
		}
		second := cacheOf(t, db)
		if second == first || second.SessionID() == first.SessionID() {
			t.Fatal("the session and its cache were not replaced")
		}
		if s := second.Stats(); s.Loads < 1 || s.Znodes < 2 {
			t.Fatalf("the new cache holds nothing: %+v", s)
		}
	})
}

// TestCacheTransactionsStaySerializable checks, on both stores, that a
// transaction reads from the cache and that a version it read and
// another session changed fails its commit with ErrTxConflict.
func TestCacheTransactionsStaySerializable(t *testing.T) {
	cacheTrees(t, func(t *testing.T, tr cacheTree) {
		other := tr.open(t, "")
		mustExec(t, other, "INSERT INTO znodes (path, data) VALUES ('/c', ''), ('/c/a', 'a0'), ('/c/b', 'b0')")
		db := tr.open(t, "cache=/c")
		cs := cacheOf(t, db)
		ctx := context.Background()
		for _, conflict := range []bool{false, true} {
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			before := cs.Stats().Hits
			a, _, err := readData(ctx, tx, "/c/a")
			if err != nil {
				t.Fatal(err)
			}
			if cs.Stats().Hits == before {
				t.Fatal("the transaction's read was not answered from the cache")
			}
			if conflict {
				mustExec(t, other, "UPDATE znodes SET data = 'changed' WHERE path = '/c/a'")
			}
			mustExec(t, tx, "UPDATE znodes SET data = ? WHERE path = '/c/b'", a+"+b")
			err = tx.Commit()
			switch {
			case conflict && !errors.Is(err, driver.ErrTxConflict):
				t.Fatalf("commit after another session changed what the transaction read: %v, want ErrTxConflict", err)
			case !conflict && err != nil:
				t.Fatalf("commit: %v", err)
			}
		}
		if got, _, err := readData(driver.WithSync(ctx), db, "/c/b"); err != nil || got != "a0+b" {
			t.Fatalf("/c/b = %q, %v: the conflicting commit changed it", got, err)
		}
	})
}

// TestCacheConfigFields checks that the Config fields are the connectors'
// options: NewConnector and NewStoreConnector check them as ParseDSN does,
// and a connector built from a Config caches what it names.
func TestCacheConfigFields(t *testing.T) {
	open := func(context.Context) (zkstore.Store, error) { return nil, errors.New("not opened") }
	for _, bad := range []*driver.Config{
		config(func(c *driver.Config) { c.Mem, c.Cache = true, []string{"config"} }),
		config(func(c *driver.Config) { c.Mem, c.Cache = true, []string{"/a", "/a/b"} }),
		config(func(c *driver.Config) { c.Mem, c.StaleReads = true, true }),
	} {
		if _, err := driver.NewConnector(bad); err == nil {
			t.Errorf("NewConnector(%+v) accepted it", bad)
		}
		if _, err := driver.NewStoreConnector(open, bad); err == nil {
			t.Errorf("NewStoreConnector(%+v) accepted it", bad)
		}
	}
	cfg := config(func(c *driver.Config) { c.Mem, c.Cache, c.StaleReads = true, []string{"/b", "/a"}, true })
	c, err := driver.NewConnector(cfg)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(c)
	defer db.Close()
	if got := cacheOf(t, db).Subtrees(); strings.Join(got, ",") != "/a,/b" {
		t.Fatalf("cached subtrees %q, want /a,/b", got)
	}
	if got := cfg.FormatDSN(); got != "mem:?cache=/b,/a&stale_reads=true" {
		t.Fatalf("the caller's Config changed: %s", got) // NewConnector copies it
	}
}
