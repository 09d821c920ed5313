package driver_test

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"testing"

	"github.com/zksql/zksql/driver"
)

// explainCacheCases are statements and what EXPLAIN says of them with
// cache=/c: the step about the cache, and whether the statement's reads
// all come from it (nothing read is sent to ZooKeeper).
var explainCacheCases = []struct {
	q      string
	args   []any
	step   string // a substring of one EXPLAIN step ("" for none mentioning the cache)
	cached bool
}{
	{q: "SELECT data FROM znodes WHERE path = '/c/a'", step: "from the cache (subtree /c): the reads below are answered from memory, none is sent to ZooKeeper", cached: true},
	{q: "SELECT data FROM znodes WHERE path = ?", args: []any{"/c/a"}, step: "from the cache (subtree /c)", cached: true},
	{q: "SELECT path, data FROM znodes WHERE parent = '/c'", step: "from the cache (subtree /c)", cached: true},
	{q: "SELECT COUNT(*) FROM znodes WHERE parent = '/c'", step: "from the cache (subtree /c)", cached: true},
	{q: "SELECT path FROM znodes WHERE path LIKE '/c/%' ORDER BY path", step: "from the cache (subtree /c)", cached: true},
	{q: "SELECT path FROM znodes WHERE path = '/c' OR parent = '/c'", step: "from the cache (subtree /c)", cached: true},
	{q: "SELECT data FROM znodes WHERE path IN ('/c/a', '/o')", step: "partly from the cache (subtree /c); from ZooKeeper: /o"},
	{q: "SELECT path FROM znodes", step: "partly from the cache (subtree /c); from ZooKeeper: /"},
	{q: "SELECT data FROM znodes WHERE path = '/o'", step: "not from the cache (cache=/c): every read is sent to ZooKeeper"},
	{q: "SELECT perms FROM acls WHERE path = '/c/a'", step: "not from the cache (cache=/c): getACL is always sent to ZooKeeper"},
	{q: "SELECT 1", step: ""},
}

// TestExplainSaysWhatTheCacheAnswers checks, on both stores and inside
// and outside a transaction, that EXPLAIN names the cache's part in each
// read, that a statement EXPLAIN says reads only from the cache sends no
// read to ZooKeeper, and that one it says does not, sends some; and that
// EXPLAIN without arguments says a placeholder's path decides.
func TestExplainSaysWhatTheCacheAnswers(t *testing.T) {
	for name, backend := range map[string]recordingBackend{"mem": memRecording, "live": liveRecording} {
		t.Run(name, func(t *testing.T) {
			if name == "live" && testing.Short() {
				t.Skip("live ZooKeeper test skipped in -short mode")
			}
			cfg, err := driver.ParseDSN("mem:?cache=/c")
			if err != nil {
				t.Fatal(err)
			}
			plain, rec, db := backend(t, cfg)
			mustExec(t, plain, "INSERT INTO znodes (path, data) VALUES ('/c', ''), ('/c/a', 'a'), ('/c/b', 'b'), ('/o', 'o')")
			ctx := context.Background()
			// A synced read waits until the cache has applied every event
			// of the writes above: from then on it sends nothing unasked.
			if _, err := tryQueryContext(driver.WithSync(ctx), db, "SELECT path FROM znodes WHERE path = '/c'"); err != nil {
				t.Fatal(err)
			}
			if got := explainText(t, db, "SELECT data FROM znodes WHERE path = ?"); !strings.Contains(got, "from the cache if the paths the arguments give are in a cached subtree (cache=/c)") {
				t.Errorf("EXPLAIN without the argument:\n%s", got)
			}
			for _, inTx := range []bool{false, true} {
				for _, c := range explainCacheCases {
					var q interface {
						QueryContext(context.Context, string, ...any) (*sql.Rows, error)
					} = db
					var tx *sql.Tx
					if inTx {
						if tx, err = db.BeginTx(ctx, nil); err != nil {
							t.Fatal(err)
						}
						q = tx
					}
					plan := strings.Join(queryRows(t, q, "EXPLAIN "+c.q, c.args...), "\n")
					mentions := strings.Contains(plan, "cache")
					if c.step == "" && mentions || c.step != "" && !strings.Contains(plan, c.step) {
						t.Errorf("tx=%v %s: EXPLAIN does not say %q:\n%s", inTx, c.q, c.step, plan)
					}
					rec.take()
					queryRows(t, q, c.q, c.args...)
					kinds := rec.take()
					read := slices.ContainsFunc(kinds, func(k string) bool { return k == "getData" || k == "exists" || k == "getChildren" })
					if c.cached && read {
						t.Errorf("tx=%v %s: EXPLAIN says from the cache, but it sent %v", inTx, c.q, kinds)
					}
					if c.step != "" && !c.cached && !read && !strings.Contains(c.q, "acls") {
						t.Errorf("tx=%v %s: EXPLAIN says not (all) from the cache, but it sent no read (%v)", inTx, c.q, kinds)
					}
					if tx != nil {
						tx.Rollback() // the handle has one connection
					}
				}
			}
		})
	}
}

// explainText is EXPLAIN q's steps, one a line.
func explainText(t *testing.T, db *sql.DB, q string, args ...any) string {
	t.Helper()
	return strings.Join(queryRows(t, db, "EXPLAIN "+q, args...), "\n")
}
