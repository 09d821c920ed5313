package driver_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zksql/zksql/driver"
	"github.com/zksql/zksql/parser"
)

// execSeeds start FuzzExec: statements of every kind the driver runs,
// with placeholders for the fuzzed arguments. More are checked in under
// testdata/fuzz/FuzzExec.
var execSeeds = []string{
	"SELECT * FROM znodes",
	"SELECT path, data FROM znodes WHERE path = ?",
	"SELECT path FROM znodes WHERE parent = ? ORDER BY name DESC LIMIT 2 OFFSET 1",
	"SELECT COUNT(*) FROM znodes WHERE parent = ?",
	"SELECT parent, COUNT(*), MAX(version) FROM znodes WHERE path LIKE '/app/%' GROUP BY parent HAVING COUNT(*) > ?",
	"SELECT DISTINCT LENGTH(data) FROM znodes WHERE path LIKE ? ESCAPE '|'",
	"SELECT data->'$.port', data->>'$.tags[0]' FROM znodes WHERE path = '/app/config'",
	"SELECT path FROM znodes WHERE path IN (?, '/other', ?) AND data REGEXP ?",
	"SELECT * FROM acls WHERE path = ?",
	"INSERT INTO znodes (path, data) VALUES (?, ?)",
	"INSERT INTO znodes (path, data, mode) VALUES (CONCAT('/app/nodes/', ?), ?, 'persistent_sequential')",
	"INSERT INTO znodes (path, data, mode, ttl) VALUES (?, ?, 'persistent_ttl', ?)",
	"INSERT INTO znodes (path, data) VALUES ('/other', ?) ON DUPLICATE KEY UPDATE data = CONCAT(data, VALUES(data))",
	"INSERT INTO znodes (path, data) VALUES ('/n1', ?), (?, 'x'), ('/n1/c', ?)",
	"INSERT INTO acls (path, scheme, id, perms) VALUES ('/other', 'digest', ?, ?)",
	"UPDATE znodes SET data = ? WHERE path = ?",
	"UPDATE znodes SET data = ? WHERE path = '/app/config' AND version = ?",
	"UPDATE znodes SET data = CONCAT(data, ?) WHERE parent = '/app/nodes'",
	"UPDATE acls SET perms = ? WHERE path = '/other'",
	"DELETE FROM znodes WHERE path = ?",
	"DELETE FROM znodes WHERE path LIKE ?",
	"DELETE FROM znodes WHERE parent = '/app/nodes' AND data <> ?",
	"DELETE FROM acls WHERE path = '/other' AND scheme = ?",
	"UPDATE znodes SET data = 'x' WHERE path = '/locked'",
	"DELETE FROM znodes WHERE path LIKE '/private%'",
	"EXPLAIN UPDATE znodes SET data = ? WHERE path LIKE ?",
	"SHOW TABLES",
	"DESCRIBE znodes",
	"SELECT :p, :q FROM znodes WHERE path = :p",
	"SELECT ? + ? * ?",
	"SELECT * FROM znodes LIMIT ?",
	"SELECT 1\x00(",
	"INSERT INTO znodes (path) VALUES ('/a'), ('/a')",
	"INSERT IGNORE INTO znodes (path, data) VALUES (?, ?), ('/other', 'x')",
	"INSERT INTO znodes (path, data, acl) VALUES (?, 'x', ?)",
	"INSERT IGNORE INTO acls (path, scheme, id, perms) VALUES ('/other', 'world', 'anyone', ?)",
}

var fuzzTree atomic.Int64

// FuzzExec runs random statements with random arguments through
// database/sql on a fresh in-memory fixture tree (with read-only and
// unreadable znodes, and max_scan=64). No statement may panic or hang; a
// failed one must say what and where, and must leave the tree
// byte-for-byte as it was.
func FuzzExec(f *testing.F) {
	for i, s := range execSeeds {
		f.Add(s, []string{"/app", "/other", "x", "'; DELETE FROM znodes; --", "%"}[i%5], int64(i), []byte("data\x00"))
	}
	f.Fuzz(func(t *testing.T, stmt, s string, n int64, b []byte) {
		if len(stmt) > 4096 || len(s) > 4096 || len(b) > 4096 {
			t.Skip("too long")
		}
		name := fmt.Sprintf("fuzz-%d", fuzzTree.Add(1))
		t.Cleanup(func() { driver.DropMemServer(name) })
		h := newHostileTree(t, "mem", "mem:"+name)
		db := h.open(t, "max_scan=64")
		before := h.snapshot(t)

		err := runFuzzed(t, db, stmt, fuzzArgs(stmt, s, n, b))
		if err == nil {
			return
		}
		msg := err.Error()
		if strings.Contains(msg, "internal error") {
			t.Fatalf("%q: %v", stmt, err)
		}
		var pe *parser.Error
		if !errors.As(err, &pe) && !strings.Contains(msg, "(statement: ") && !strings.Contains(msg, "argument") {
			t.Fatalf("%q: error names neither position nor statement: %v", stmt, err)
		}
		sameTree(t, fmt.Sprintf("failed statement %q (%v)", stmt, err), before, h.snapshot(t))
	})
}

// fuzzArgs fits the fuzzed values to the statement's placeholders.
func fuzzArgs(stmt, s string, n int64, b []byte) []any {
	st, err := parser.Parse(stmt)
	if err != nil {
		return []any{s} // exercise argument checks on statements that do not parse
	}
	p := parser.ParamsOf(st)
	pool := []any{s, n, b, nil, float64(n) / 3, n%2 == 0, time.UnixMilli(n).UTC()}
	var out []any
	if len(p.Named) > 0 {
		for i, name := range p.Named {
			out = append(out, sql.Named(name, pool[i%len(pool)]))
		}
		return out
	}
	for i := range p.NumInput() {
		out = append(out, pool[i%len(pool)])
	}
	return out
}

func runFuzzed(t *testing.T, db *sql.DB, stmt string, args []any) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- execOrQuery(ctx, db, stmt, args...) }()
	select {
	case err := <-done:
		return err
	case <-time.After(15 * time.Second):
		t.Fatalf("%q hung past its 5s context", stmt)
		return nil
	}
}
