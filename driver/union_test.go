package driver_test

import (
	"database/sql"
	"slices"
	"strings"
	"testing"
)

// TestUnionAccessPath: `path = X OR path LIKE 'X/%'`, the way everyone
// writes "this znode and its subtree", reads X and walks below X only, so
// it neither walks the whole tree nor meets max_scan on a big one; rows
// come out in walk order, each once, and EXPLAIN says so.
func TestUnionAccessPath(t *testing.T) {
	// max_scan below the tree's size: a full walk would fail.
	bothStoresWith(t, "max_scan=8", func(t *testing.T, db, small *sql.DB) {
		for i := range 30 {
			mustExec(t, db, "INSERT INTO znodes (path) VALUES (?)", "/big"+strings.Repeat("x", i%5)+string(rune('a'+i)))
		}
		mustExec(t, db, "INSERT INTO znodes (path, data) VALUES ('/p/a/x', 'ax'), ('/p-z', 'z')")
		for _, c := range []struct {
			q    string
			want []string
		}{
			{"SELECT path FROM znodes WHERE path = '/p' OR path LIKE '/p/%'", []string{"/p", "/p/a", "/p/a/x", "/p/b"}},
			{"SELECT path FROM znodes WHERE path LIKE '/p/%' OR path = '/p'", []string{"/p", "/p/a", "/p/a/x", "/p/b"}},
			{"SELECT path, data FROM znodes WHERE (path = '/p/a' OR parent = '/p/a' OR path IN ('/p/b', '/p/a', '/none')) AND data <> ''", []string{"/p/a|a", "/p/a/x|ax", "/p/b|b"}},
			{"SELECT COUNT(*) FROM znodes WHERE path = '/p' OR path LIKE '/p/%'", []string{"4"}},
			{"SELECT path FROM znodes WHERE path = NULL OR path = '/p-z'", []string{"/p-z"}},
		} {
			if got := queryRows(t, small, c.q); !slices.Equal(got, c.want) {
				t.Errorf("%s: got %q, want %q", c.q, got, c.want)
			}
		}
		plan := strings.Join(queryRows(t, small, "EXPLAIN SELECT path FROM znodes WHERE path = '/p' OR path LIKE '/p/%'"), "\n")
		if !strings.Contains(plan, "union of 2 access paths") || strings.Contains(plan, "walk tree /") && !strings.Contains(plan, "instead") {
			t.Errorf("EXPLAIN:\n%s", plan)
		}
		// A disjunct without an access path of its own walks the tree.
		if _, err := tryQuery(small, "SELECT path FROM znodes WHERE path = '/p' OR data = 'z'"); err == nil || !strings.Contains(err.Error(), "max_scan") {
			t.Errorf("an OR with an unindexed disjunct: %v, want the max_scan error of a full walk", err)
		}
	})
}
