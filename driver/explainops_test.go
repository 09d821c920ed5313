package driver_test

import (
	"context"
	"database/sql"
	sqldriver "database/sql/driver"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zksql/zksql/driver"
	"github.com/zksql/zksql/internal/testkit/zkserver"
	"github.com/zksql/zksql/zkstore"
	"github.com/zksql/zksql/zkstore/livestore"
	"github.com/zksql/zksql/zkstore/memstore"
)

// opRecorder is a Store that records the kinds of ZooKeeper operations
// sent through it, named as EXPLAIN names them. It keeps the pipelined
// reads of the store it wraps, so the executor takes the same paths it
// takes in production.
type opRecorder struct {
	zkstore.Store
	mu   sync.Mutex
	seen map[string]bool
}

var _ zkstore.Pipeliner = (*opRecorder)(nil)

func (r *opRecorder) saw(kinds ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, k := range kinds {
		r.seen[k] = true
	}
}

func (r *opRecorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := slices.Sorted(maps.Keys(r.seen))
	r.seen = map[string]bool{}
	return out
}

func (r *opRecorder) Get(ctx context.Context, p string) ([]byte, zkstore.Stat, error) {
	r.saw("getData")
	return r.Store.Get(ctx, p)
}

func (r *opRecorder) Exists(ctx context.Context, p string) (zkstore.Stat, bool, error) {
	r.saw("exists")
	return r.Store.Exists(ctx, p)
}

func (r *opRecorder) Children(ctx context.Context, p string) ([]string, zkstore.Stat, error) {
	r.saw("getChildren")
	return r.Store.Children(ctx, p)
}

func (r *opRecorder) GetACL(ctx context.Context, p string) ([]zkstore.ACL, zkstore.Stat, error) {
	r.saw("getACL")
	return r.Store.GetACL(ctx, p)
}

func (r *opRecorder) SetACL(ctx context.Context, p string, acl []zkstore.ACL, v int32) (zkstore.Stat, error) {
	r.saw("setACL")
	return r.Store.SetACL(ctx, p, acl, v)
}

func (r *opRecorder) Create(ctx context.Context, p string, data []byte, o zkstore.CreateOptions) (string, error) {
	r.saw("create")
	return r.Store.Create(ctx, p, data, o)
}

func (r *opRecorder) Set(ctx context.Context, p string, data []byte, v int32) (zkstore.Stat, error) {
	r.saw("setData")
	return r.Store.Set(ctx, p, data, v)
}

func (r *opRecorder) Delete(ctx context.Context, p string, v int32) error {
	r.saw("delete")
	return r.Store.Delete(ctx, p, v)
}

func (r *opRecorder) Multi(ctx context.Context, ops ...zkstore.Op) ([]zkstore.OpResult, error) {
	r.saw("multi")
	for _, op := range ops {
		switch op.(type) {
		case *zkstore.CreateOp:
			r.saw("create")
		case *zkstore.SetOp:
			r.saw("setData")
		case *zkstore.DeleteOp:
			r.saw("delete")
		case *zkstore.CheckOp:
			r.saw("check")
		}
	}
	return r.Store.Multi(ctx, ops...)
}

func (r *opRecorder) GetAsync(ctx context.Context, p string) zkstore.PendingRead {
	r.saw("getData")
	return zkstore.GetAsync(ctx, r.Store, p)
}

func (r *opRecorder) ChildrenAsync(ctx context.Context, p string) zkstore.PendingRead {
	r.saw("getChildren")
	return zkstore.ChildrenAsync(ctx, r.Store, p)
}

func (r *opRecorder) SyncAsync(ctx context.Context, p string) zkstore.PendingSync {
	r.saw("sync")
	return zkstore.SyncAsync(ctx, r.Store, p)
}

func (r *opRecorder) Pipelines() bool { return zkstore.Pipelines(r.Store) }

// explainKinds are the operation names EXPLAIN uses.
var explainKinds = []string{"getData", "exists", "getChildren", "getACL", "setACL", "create", "setData", "delete", "multi", "check"}

// explainedKinds lists the operation kinds an EXPLAIN text names.
func explainedKinds(plan string) map[string]bool {
	out := map[string]bool{}
	for _, k := range explainKinds {
		if strings.Contains(plan, k) {
			out[k] = true
		}
	}
	return out
}

// recordingBackend opens, per case, a fresh tree and two handles on it:
// plain, for the fixture, and one whose session goes through rec.
type recordingBackend func(t *testing.T, cfg *driver.Config) (plain *sql.DB, rec *opRecorder, db *sql.DB)

func memRecording(t *testing.T, cfg *driver.Config) (*sql.DB, *opRecorder, *sql.DB) {
	srv := memstore.NewServer()
	t.Cleanup(srv.Close)
	open := func(r *opRecorder) *sql.DB {
		var c sqldriver.Connector
		var err error
		if r == nil { // the fixture's handle, without the case's options
			c, err = driver.NewStoreConnector(func(context.Context) (zkstore.Store, error) { return srv.Open(), nil }, nil)
		} else {
			c, err = driver.NewStoreConnector(func(context.Context) (zkstore.Store, error) {
				r.Store = srv.Open()
				return r, nil
			}, cfg)
		}
		if err != nil {
			t.Fatal(err)
		}
		db := sql.OpenDB(c)
		db.SetMaxOpenConns(1)
		t.Cleanup(func() { db.Close() })
		return db
	}
	rec := &opRecorder{seen: map[string]bool{}}
	return open(nil), rec, open(rec)
}

func liveRecording(t *testing.T, cfg *driver.Config) (*sql.DB, *opRecorder, *sql.DB) {
	addr := zkserver.SharedAddr(t)
	chroot := fmt.Sprintf("/explainops-%d", time.Now().UnixNano())
	mustExec(t, openDB(t, "zk://"+addr), "INSERT INTO znodes (path) VALUES (?)", chroot)
	rec := &opRecorder{seen: map[string]bool{}}
	c, err := driver.NewStoreConnector(func(ctx context.Context) (zkstore.Store, error) {
		st, err := livestore.Open(ctx, []string{addr}, livestore.Chroot(chroot))
		if err != nil {
			return nil, err
		}
		rec.Store = st
		return rec, nil
	}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(c)
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return openDB(t, "zk://"+addr+chroot), rec, db
}

// explainCorpus is the statement corpus and the legal statements of the
// bad-input corpus (hostile values that must run and match nothing).
func explainCorpus() []stmtCase {
	cs := slices.Clone(stmtCases)
	for _, b := range badCorpus() {
		if !b.valid {
			continue
		}
		head := strings.ToUpper(strings.TrimSpace(b.sql))
		write := strings.HasPrefix(head, "INSERT") || strings.HasPrefix(head, "UPDATE") || strings.HasPrefix(head, "DELETE")
		cs = append(cs, stmtCase{name: "bad/" + b.name, opts: b.opts, q: b.sql, args: b.args, exec: write})
	}
	return cs
}

// TestExplainListsTheOperationsRun runs every statement of the statement
// corpus and the legal ones of the bad-input corpus, outside and inside a transaction, through a store that records
// the operations sent, and checks each kind sent is one its EXPLAIN lists.
func TestExplainListsTheOperationsRun(t *testing.T) {
	runExplainOps(t, memRecording, "")
}

// TestExplainListsTheOperationsRunCached runs the corpus with the whole
// tree cached: EXPLAIN then also lists the cache's re-reads after a
// write, and its plans are still the ones run.
func TestExplainListsTheOperationsRunCached(t *testing.T) {
	runExplainOps(t, memRecording, "cache=/")
}

func TestExplainListsTheOperationsRunLive(t *testing.T) {
	if testing.Short() {
		t.Skip("live ZooKeeper test skipped in -short mode")
	}
	runExplainOps(t, liveRecording, "")
}

func TestExplainListsTheOperationsRunCachedLive(t *testing.T) {
	if testing.Short() {
		t.Skip("live ZooKeeper test skipped in -short mode")
	}
	runExplainOps(t, liveRecording, "cache=/")
}

// runExplainOps runs the corpus on open's store with the DSN options
// extra added to each case's.
func runExplainOps(t *testing.T, open recordingBackend, extra string) {
	checked, planned := 0, 0
	for _, c := range explainCorpus() {
		if strings.HasPrefix(c.q, "BEGIN") {
			continue
		}
		for _, inTx := range []bool{false, true} {
			name := c.name
			if inTx {
				name += "/tx"
			}
			t.Run(name, func(t *testing.T) {
				cfg, err := driver.ParseDSN("mem:?" + c.opts + "&" + extra)
				if err != nil {
					t.Fatal(err)
				}
				plain, rec, db := open(t, cfg)
				for _, s := range append(slices.Clone(fixture), c.setup...) {
					mustExec(t, plain, s)
				}
				ctx := context.Background()
				conn, err := db.Conn(ctx)
				if err != nil {
					t.Fatal(err)
				}
				defer conn.Close()
				if extra != "" {
					// A synced read waits until the cache has applied the
					// events of the fixture's writes: from then on it reads
					// only what a statement makes it read.
					if _, err := tryQueryContext(driver.WithSync(ctx), conn, "SELECT path FROM znodes WHERE path = '/'"); err != nil {
						t.Fatal(err)
					}
				}
				type querier interface {
					QueryContext(context.Context, string, ...any) (*sql.Rows, error)
					ExecContext(context.Context, string, ...any) (sql.Result, error)
				}
				var q querier = conn
				if inTx {
					tx, err := conn.BeginTx(ctx, nil)
					if err != nil {
						t.Fatal(err)
					}
					defer tx.Rollback()
					q = tx
				}
				plan, err := tryQuery(q, "EXPLAIN "+c.q)
				if err != nil {
					t.Skipf("no EXPLAIN: %v", err) // a statement the parser refuses
				}
				rec.take()
				if err := driver.ResetLastRun(conn); err != nil {
					t.Fatal(err)
				}
				if c.exec {
					q.ExecContext(ctx, c.q, c.args...)
				} else {
					tryQuery(q, c.q, c.args...)
				}
				listed := explainedKinds(strings.Join(plan, "\n"))
				for _, k := range rec.take() {
					if k == "check" {
						continue // version checks ride in the multi EXPLAIN names
					}
					if !listed[k] {
						t.Errorf("%s sent %s, which its EXPLAIN does not list:\n%s", c.q, k, strings.Join(plan, "\n"))
					}
				}
				if checkPlanRan(t, ctx, conn, c.q, plan) {
					planned++
				}
				checked++
			})
		}
	}
	t.Logf("%d statement runs checked against their EXPLAIN, %d of them ran a read plan", checked, planned)
	if planned == 0 {
		t.Error("no statement reported the read plan it ran")
	}
}

// checkPlanRan checks that the read plan the statement ran is the one its
// EXPLAIN printed, step for step, and that the executor took the plan's
// strategy, or its fallback where the strategy depends on the arguments.
func checkPlanRan(t *testing.T, ctx context.Context, conn *sql.Conn, q string, explained []string) bool {
	t.Helper()
	plan, strategy, fallback, ran, ok, err := driver.LastRun(ctx, conn)
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		return false // no read plan: INSERT, SHOW, a statement refused before it ran
	}
	steps := make([]string, len(explained))
	for i, row := range explained {
		_, steps[i], _ = strings.Cut(row, "|")
	}
	text := strings.Join(steps, "\n")
	if !strings.Contains(text, plan) {
		t.Errorf("%s: the plan run is not the one EXPLAIN printed\nran:\n%s\nEXPLAIN:\n%s", q, plan, text)
	}
	// Only these strategies depend on the arguments (a valid path given
	// as text); the others run as planned.
	mayFallBack := strategy == "point" || strategy == "count from the parent's Stat" || strategy == "set any version"
	if ran != strategy && !(mayFallBack && ran == fallback) {
		t.Errorf("%s: planned %s (fallback %s), the executor ran %s", q, strategy, fallback, ran)
	}
	return true
}

func (r *opRecorder) Sync(ctx context.Context, p string) error {
	r.saw("sync")
	return r.Store.Sync(ctx, p)
}

// AddWatch forwards persistent watches, so that a read cache can be built
// over the recorder.
func (r *opRecorder) AddWatch(ctx context.Context, p string, mode zkstore.WatchMode) (<-chan zkstore.Event, error) {
	return zkstore.AddWatch(ctx, r.Store, p, mode)
}
