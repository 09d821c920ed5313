package main

import (
	"strings"
	"testing"

	"github.com/zksql/zksql/zkstore"
)

// TestMariaDBExplainPointLookup: EXPLAIN of a query go-mysql-server plans
// as "at most one row" (a primary-key point lookup, an aggregate without
// GROUP BY) answers with the whole plan, and the query itself returns
// exactly the rows it should.
func TestMariaDBExplainPointLookup(t *testing.T) {
	stores(t, func(t *testing.T, st zkstore.Store) {
		gw := startGateway(t, st, nil)
		for stmt, want := range map[string][]string{
			"EXPLAIN SELECT path, data_text FROM znodes WHERE path = '/app/config/timeout_ms'": {
				"IndexedTableAccess(znodes)", "index: [znodes.path]", "Filter"},
			"EXPLAIN FORMAT=TREE SELECT * FROM znodes WHERE path = '/i18n/日本語'": {
				"IndexedTableAccess(znodes)", "index: [znodes.path]"},
			"DESCRIBE SELECT name FROM znodes WHERE path = '/app'": {"IndexedTableAccess(znodes)"},
			"EXPLAIN SELECT COUNT(*) FROM znodes WHERE parent = '/app'": {
				"IndexedTableAccess(znodes)", "index: [znodes.parent]"},
		} {
			out := mustMariadb(t, gw, stmt)
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if len(lines) < 3 { // header and at least two plan lines
				t.Errorf("%s: %d lines:\n%s", stmt, len(lines), out)
			}
			for _, w := range want {
				if !strings.Contains(out, w) {
					t.Errorf("%s: no %q in\n%s", stmt, w, out)
				}
			}
		}
		// The point lookup returns the one znode, and nothing for a path
		// that does not exist or is not a valid path.
		for stmt, want := range map[string]string{
			"SELECT path, data_text FROM znodes WHERE path = '/app/config/timeout_ms'":                                                "path\tdata_text\n/app/config/timeout_ms\t2500",
			"SELECT COUNT(*) FROM znodes WHERE path = '/app'":                                                                         "COUNT(*)\n1",
			"SELECT COUNT(*) FROM znodes WHERE path = '/nope'":                                                                        "COUNT(*)\n0",
			"SELECT COUNT(*) FROM znodes WHERE path = 'no/slash'":                                                                     "COUNT(*)\n0",
			"SELECT path FROM znodes WHERE path IN ('/app', '/app', '/i18n') ORDER BY path":                                           "path\n/app\n/i18n",
			"SELECT path FROM znodes WHERE path = '/app' OR path = '/app'":                                                            "path\n/app",
			"SELECT a.path, COUNT(*) FROM znodes a JOIN znodes k ON k.parent = a.path WHERE a.path = '/app/services' GROUP BY a.path": "path\tCOUNT(*)\n/app/services\t2",
		} {
			wantOutput(t, stmt, mustMariadb(t, gw, stmt), want)
		}
	})
}
