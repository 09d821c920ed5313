package faults_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"

	_ "github.com/zksql/zksql/driver"
	"github.com/zksql/zksql/internal/testkit/zkserver"
	"github.com/zksql/zksql/zkstore"
)

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// dsn is a zk:// DSN for servers under chroot with the given options.
func dsn(servers []string, chroot, opts string) string {
	s := "zk://" + strings.Join(servers, ",") + chroot
	if opts != "" {
		s += "?" + opts
	}
	return s
}

// openDB opens a database through the driver and closes it with the test.
func openDB(t testing.TB, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("zookeeper", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func newProxy(t testing.TB, target string) *zkserver.Proxy {
	t.Helper()
	p, err := zkserver.NewProxy(target)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func ctxT(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func mustExec(t testing.TB, db interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, q string, args ...any) sql.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := db.ExecContext(ctx, q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return res
}

// sessionID is the ZooKeeper session of db's connections.
func sessionID(t testing.TB, db *sql.DB) int64 {
	t.Helper()
	st := storeOf(t, db)
	return st.SessionID()
}

// storeOf reaches the session of db through sql.Conn.Raw.
func storeOf(t testing.TB, db *sql.DB) zkstore.Store {
	t.Helper()
	ctx := ctxT(t, 30*time.Second)
	c, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var st zkstore.Store
	if err := c.Raw(func(dc any) error {
		st = dc.(interface{ Store() zkstore.Store }).Store()
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return st
}

// raw is an independent client, plain go-zookeeper and not this library,
// that the tests check the servers with and make changes from.
type raw struct{ c *zk.Conn }

type silent struct{}

func (silent) Printf(string, ...any) {}

func rawConn(t testing.TB, servers ...string) raw {
	t.Helper()
	c, events, err := zk.Connect(servers, 10*time.Second, zk.WithLogger(silent{}), zk.WithLogInfo(false))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	deadline := time.After(30 * time.Second)
	for {
		select {
		case ev := <-events:
			if ev.State == zk.StateHasSession {
				// Drain the rest so go-zookeeper never blocks on it.
				go func() {
					for range events {
					}
				}()
				return raw{c}
			}
		case <-deadline:
			t.Fatalf("raw client: no session from %v", servers)
		}
	}
}

// retry runs f until it succeeds or 30 s pass: the raw client rides out
// the faults the tests inject into everyone.
func (r raw) retry(t testing.TB, what string, f func() error) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("raw %s: %v", what, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (r raw) create(t testing.TB, path, data string) {
	t.Helper()
	r.retry(t, "create "+path, func() error {
		_, err := r.c.Create(path, []byte(data), 0, zk.WorldACL(zk.PermAll))
		if errors.Is(err, zk.ErrNodeExists) {
			return nil
		}
		return err
	})
}

func (r raw) set(t testing.TB, path, data string) {
	t.Helper()
	r.retry(t, "set "+path, func() error {
		_, err := r.c.Set(path, []byte(data), -1)
		return err
	})
}

// get returns a znode's data and Stat; ok is false if it does not exist.
func (r raw) get(t testing.TB, path string) (string, *zk.Stat, bool) {
	t.Helper()
	var data []byte
	var st *zk.Stat
	ok := true
	r.retry(t, "get "+path, func() error {
		var err error
		data, st, err = r.c.Get(path)
		if errors.Is(err, zk.ErrNoNode) {
			ok = false
			return nil
		}
		return err
	})
	return string(data), st, ok
}

func (r raw) children(t testing.TB, path string) []string {
	t.Helper()
	var names []string
	r.retry(t, "children "+path, func() error {
		var err error
		names, _, err = r.c.Children(path)
		return err
	})
	slices.Sort(names)
	return names
}

// sync makes the raw client's server catch up with the leader, so that
// its reads see every acknowledged write.
func (r raw) sync(t testing.TB, path string) {
	t.Helper()
	r.retry(t, "sync", func() error { _, err := r.c.Sync(path); return err })
}

// newRoot creates a fresh chroot for one test and returns it.
func newRoot(t testing.TB, r raw) string {
	t.Helper()
	name := strings.NewReplacer("/", "-", " ", "_").Replace(t.Name())
	root := "/" + name + "-" + randHex(4)
	r.create(t, root, "")
	return root
}

// behindProxy gives a test the shared standalone server, a raw client of
// it, a fresh chroot made by that client, and a fault proxy of the test's
// own in front of the server.
func behindProxy(t testing.TB) (*zkserver.Server, raw, string, *zkserver.Proxy) {
	t.Helper()
	srv := standalone(t)
	r := rawConn(t, srv.Addr())
	root := newRoot(t, r)
	return srv, r, root, newProxy(t, srv.Addr())
}

// kind classifies an error for the tallies the tests log.
func kind(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, driver.ErrBadConn):
		return "ErrBadConn"
	case errors.Is(err, context.DeadlineExceeded) && errors.Is(err, zkstore.ErrConnectionLoss):
		return "deadline+connloss"
	case errors.Is(err, context.DeadlineExceeded):
		return "deadline"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, zkstore.ErrConnectionLoss):
		return "connloss"
	case errors.Is(err, zkstore.ErrSessionExpired):
		return "expired"
	case errors.Is(err, zkstore.ErrClosed):
		return "closed"
	case errors.Is(err, zkstore.ErrBadVersion), errors.Is(err, zkstore.ErrNodeExists), errors.Is(err, zkstore.ErrNoNode):
		return "conflict"
	}
	return "other"
}

// tally counts errors by kind, and keeps one example message of each.
type tally struct {
	mu      sync.Mutex
	n       map[string]int
	example map[string]string
}

func newTally() *tally { return &tally{n: map[string]int{}, example: map[string]string{}} }

func (c *tally) add(err error) string {
	k := kind(err)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n[k]++
	if _, ok := c.example[k]; !ok && err != nil {
		c.example[k] = err.Error()
	}
	return k
}

func (c *tally) get(k string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[k]
}

func (c *tally) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	keys := make([]string, 0, len(c.n))
	for k := range c.n {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%d ", k, c.n[k])
	}
	return strings.TrimSpace(b.String())
}

func (c *tally) examples() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var b strings.Builder
	for k, v := range c.example {
		fmt.Fprintf(&b, "\n  %s: %s", k, v)
	}
	return b.String()
}

// untilOK runs try, each time with a context of perTry, 50 ms apart, until
// it succeeds; when tries+2 attempts have failed it fails t with what and
// the failures. It returns the attempts tallied and how long after since
// the success came.
func untilOK(t testing.TB, since time.Time, perTry time.Duration, tries int, what string, try func(ctx context.Context) error) (*tally, time.Duration) {
	t.Helper()
	attempts := newTally()
	for i := 0; ; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), perTry)
		err := try(ctx)
		cancel()
		if attempts.add(err) == "ok" {
			return attempts, time.Since(since)
		}
		if i > tries {
			t.Fatalf("%s: %s%s", what, attempts, attempts.examples())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitFor polls cond until it holds or timeout passes.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > timeout {
			t.Fatalf("%s: not within %v", what, timeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return time.Since(start)
}

// serverForgot waits until the server at addr no longer lists session sid
// among its connections ("cons"): it has expired it, or never knew it.
func serverForgot(t testing.TB, addr string, sid int64, timeout time.Duration) time.Duration {
	t.Helper()
	want := fmt.Sprintf("sid=0x%x,", sid)
	return waitFor(t, timeout, "server expires the session", func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		cons, err := zkserver.FourLetterWord(ctx, addr, "cons")
		return err == nil && !strings.Contains(cons, want)
	})
}

func contextTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, d)
}
