package driver_test

import (
	"strings"
	"testing"
)

// TestPointUpdateIsOneSet: UPDATE ... SET data = const WHERE path = const
// reads nothing (one setData of any version); anything else in WHERE, or
// a SET that depends on the row, still reads first.
func TestPointUpdateIsOneSet(t *testing.T) {
	db, cs, _ := countingDB(t, "create_parents=true&max_data=8")
	mustExec(t, db, "INSERT INTO znodes (path, data) VALUES ('/p/a', 'old')")
	for _, c := range []struct {
		q        string
		args     []any
		affected int64
		reads    int
		data     string
	}{
		{"UPDATE znodes SET data = ? WHERE path = ?", []any{"new", "/p/a"}, 1, 0, "new"},
		{"UPDATE znodes SET data = 'lit' WHERE path = '/p/a'", nil, 1, 0, "lit"},
		{"UPDATE znodes SET data = ? WHERE path = ?", []any{"x", "/p/missing"}, 0, 0, "lit"},
		{"UPDATE znodes SET data = CONCAT(data, '!') WHERE path = '/p/a'", nil, 1, 1, "lit!"},
		{"UPDATE znodes SET data = 'v' WHERE path = '/p/a' AND version = 3", nil, 1, 1, "v"},
		// Too big for max_data=8, but no znode: 0 rows, as before.
		{"UPDATE znodes SET data = '0123456789' WHERE path = '/p/missing'", nil, 0, 1, "v"},
	} {
		cs.reset()
		res := mustExec(t, db, c.q, c.args...)
		if n, _ := res.RowsAffected(); n != c.affected {
			t.Errorf("%s: %d rows affected, want %d", c.q, n, c.affected)
		}
		if reads := cs.n("get") + cs.n("exists") + cs.n("children"); reads != c.reads || cs.n("multi") != 0 {
			t.Errorf("%s: %d reads and %d multis, want %d and none: %q", c.q, reads, cs.n("multi"), c.reads, cs.paths)
		}
		if got := queryRows(t, db, "SELECT data FROM znodes WHERE path = '/p/a'"); got[0] != c.data {
			t.Errorf("after %s: data %q, want %q", c.q, got[0], c.data)
		}
	}
	if _, err := db.Exec("UPDATE znodes SET data = '0123456789' WHERE path = '/p/a'"); err == nil || !strings.Contains(err.Error(), "max_data") {
		t.Errorf("too big for max_data: %v", err)
	}
	got := strings.Join(queryRows(t, db, "EXPLAIN UPDATE znodes SET data = ? WHERE path = ?"), "\n")
	if !strings.Contains(got, "setData ? with any version") {
		t.Errorf("EXPLAIN: %s", got)
	}
}
