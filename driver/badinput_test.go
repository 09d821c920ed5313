package driver_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/zksql/zksql/driver"
	"github.com/zksql/zksql/parser"
	"github.com/zksql/zksql/zkstore"
)

// badCase is one malformed, unsupported or hostile statement. Each must
// fail with an error that says what went wrong and where (a
// *parser.Error with its position, or a message naming the statement),
// must not panic or hang, and must leave the tree byte-for-byte as it was.
type badCase struct {
	name string
	sql  string
	args []any
	// opts are DSN options for the handle the case runs on.
	opts string
	// want are substrings the error message must contain (the path, the
	// column, the option to change...).
	want []string
	// is is an error the result must match with errors.Is.
	is error
	// valid: hostile but legal. It must succeed (a query that matches
	// nothing, a value compared and found different) and change nothing.
	valid bool
	// memOnly: the case names ZooKeeper's own /zookeeper, which only the
	// mem: tree (no chroot) reaches; under the live tree's chroot the
	// path is an ordinary one.
	memOnly bool
}

// badCorpus builds the corpus. It is a function, not a literal, so that
// families of cases (every invalid path in every statement) are generated.
func badCorpus() []badCase {
	var cs []badCase
	add := func(c badCase) { cs = append(cs, c) }
	parse := func(name, sql string) { add(badCase{name: "syntax/" + name, sql: sql}) }

	// Broken SQL: every one is a *parser.Error with a position.
	for i, s := range []string{
		"", ";", " ", "\t\n", "--", "/* */", "/*", "SELEC 1", "SELECT", "SELECT FROM znodes",
		"SELECT * FROM", "SELECT * FROM znodes WHERE", "SELECT * FROM znodes WHERE path =",
		"SELECT * FROM znodes WHERE path = 'unterminated", "SELECT * FROM znodes WHERE path = \"x",
		"SELECT `path FROM znodes", "SELECT * FROM znodes WHERE (path = 'a'", "SELECT * FROM znodes WHERE path = 'a')",
		"SELECT * FROM znodes ORDER", "SELECT * FROM znodes ORDER BY", "SELECT * FROM znodes GROUP BY",
		"SELECT * FROM znodes LIMIT", "SELECT * FROM znodes LIMIT 1,", "SELECT * FROM znodes LIMIT x",
		"SELECT path,, name FROM znodes", "SELECT path name name FROM znodes", "SELECT * * FROM znodes",
		"INSERT INTO znodes", "INSERT INTO znodes (path) VALUES", "INSERT INTO znodes (path VALUES ('/a')",
		"INSERT INTO znodes (path) VALUES ('/a'", "INSERT INTO znodes (path) VALUES ('/a'),", "INSERT znodes",
		"INSERT INTO znodes (path) VALUE ('/a') ON DUPLICATE KEY", "UPDATE znodes", "UPDATE znodes SET",
		"UPDATE znodes SET data", "UPDATE znodes SET data =", "UPDATE SET data = 'x'", "UPDATE znodes SET data = 'x' WHERE",
		"DELETE znodes", "DELETE FROM", "DELETE FROM znodes WHERE", "DELETE FROM znodes WHERE path = ",
		"SELECT 1 +", "SELECT 1 + * 2", "SELECT (", "SELECT )", "SELECT CONCAT(", "SELECT CONCAT(1,", "SELECT CAST(1 AS)",
		"SELECT CASE", "SELECT 1 BETWEEN 2", "SELECT 1 IN ()", "SELECT 1 IN (", "SELECT 'a' LIKE", "SELECT 'a' LIKE 'b' ESCAPE",
		"SELECT 0x", "SELECT X'F'", "SELECT X'GG'", "SELECT b'2'", "SELECT 1e", "SELECT 1.2.3", "SELECT @", "SELECT @@",
		"SELECT #", "SELECT $1", "SELECT ?? FROM znodes", "SELECT 1; SELECT 2", "SELECT 1;;", "EXPLAIN", "EXPLAIN EXPLAIN SELECT 1",
		"DESCRIBE", "SHOW", "SHOW TABLE", "select * from znodes where path = 'a' and", "SELECT * FROM znodes WHERE NOT",
		"SELECT data-> FROM znodes", "SELECT data->>'$.a' ->> FROM znodes", "SELECT * FROM znodes WHERE path IS", "SELECT * FROM znodes WHERE path IS NOT",
		"SELECT DISTINCT FROM znodes", "SELECT * FROM znodes HAVING", "SELECT * FROM znodes ORDER BY path ASC DESC",
		"\x00", "SELECT \x00", "SELECT 1\x00", "SELECT * FROM znodes WHERE path = \x00'/a'", "\xff\xfe", "SELECT '\xff", "SELECT 1 FROM znodes WHERE path = '\\",
		"ＳＥＬＥＣＴ 1", "SELECT 1 FROM znodes WHERE path ≠ '/a'", "SELECT\u00a01", "SELECT 'a' 'b' 'c' FROM",
	} {
		parse(fmt.Sprintf("%02d", i), s)
	}

	// Unsupported constructs.
	for i, s := range []string{
		"CREATE TABLE t (a INT)", "DROP TABLE znodes", "ALTER TABLE znodes ADD x INT", "TRUNCATE TABLE znodes",
		"RENAME TABLE znodes TO z", "REPLACE INTO znodes (path) VALUES ('/a')", "GRANT ALL ON znodes TO bob",
		"REVOKE ALL ON znodes FROM bob", "SET autocommit = 0", "SET NAMES utf8", "USE zookeeper", "LOCK TABLES znodes READ",
		"UNLOCK TABLES", "CALL p()", "DO 1", "HANDLER znodes OPEN", "LOAD DATA INFILE '/etc/passwd' INTO TABLE znodes",
		"SELECT * FROM znodes INTO OUTFILE '/tmp/x'", "SELECT LOAD_FILE('/etc/passwd')", "SELECT SLEEP(100)", "SELECT BENCHMARK(100000000, 1)",
		"SELECT * FROM znodes JOIN acls ON znodes.path = acls.path", "SELECT * FROM znodes, acls", "SELECT * FROM znodes z1, znodes z2",
		"SELECT * FROM (SELECT path FROM znodes) t", "SELECT path FROM znodes WHERE path IN (SELECT path FROM acls)",
		"SELECT (SELECT 1)", "SELECT EXISTS (SELECT 1)", "SELECT path FROM znodes UNION SELECT path FROM acls",
		"SELECT path FROM znodes UNION ALL SELECT path FROM znodes", "SELECT * FROM nope", "SELECT * FROM information_schema.tables",
		"SELECT * FROM mysql.user", "SELECT * FROM znodes.znodes", "SELECT nope FROM znodes", "SELECT znodes.nope FROM znodes",
		"SELECT acls.path FROM znodes", "SELECT * FROM znodes WHERE nope = 1", "SELECT * FROM znodes ORDER BY nope", "SELECT * FROM znodes GROUP BY nope",
		"SELECT SYSDATE()", "SELECT UUID()", "SELECT USER()", "SELECT DATABASE()", "SELECT VERSION()", "SELECT NOPE(1)",
		"SELECT ROW_NUMBER() OVER () FROM znodes", "SELECT GROUP_CONCAT(path) FROM znodes", "SELECT path FROM znodes FOR UPDATE",
		"SELECT path FROM znodes LOCK IN SHARE MODE", "SELECT SQL_CALC_FOUND_ROWS path FROM znodes", "SELECT @@version", "SELECT @x := 1",
		"INSERT INTO znodes (path) SELECT path FROM znodes", "INSERT INTO nope (path) VALUES ('/a')",
		"INSERT INTO znodes (nope) VALUES ('/a')", "INSERT INTO znodes (path, version) VALUES ('/n', 3)", "INSERT INTO znodes (path, mzxid) VALUES ('/n', 3)",
		"INSERT INTO znodes (data) VALUES ('x')", "INSERT INTO znodes VALUES ('/n')", "INSERT INTO znodes (path, path) VALUES ('/n', '/m')",
		"INSERT IGNORE INTO znodes (path) VALUES ('/app') ON DUPLICATE KEY UPDATE data = 'x'", "INSERT INTO znodes (path) VALUES ('/n') ON DUPLICATE KEY UPDATE path = '/m'",
		"INSERT INTO znodes (path) VALUES ('/n') ON DUPLICATE KEY UPDATE version = 3",
		"UPDATE znodes SET path = '/moved' WHERE path = '/app/nodes/n1'", "UPDATE znodes SET name = 'x' WHERE path = '/other'",
		"UPDATE znodes SET version = 9 WHERE path = '/other'", "UPDATE znodes SET mode = 'ephemeral' WHERE path = '/other'",
		"UPDATE znodes SET nope = 1 WHERE path = '/other'", "UPDATE znodes, acls SET data = 'x'", "UPDATE nope SET data = 'x'",
		"UPDATE znodes SET data = 'x' WHERE path = '/other' ORDER BY path LIMIT 1", "DELETE FROM znodes WHERE path = '/other' LIMIT 1",
		"DELETE FROM nope", "DELETE znodes, acls FROM znodes JOIN acls", "DELETE FROM znodes WHERE nope = 1",
		"UPDATE acls SET path = '/x' WHERE path = '/other'", "UPDATE acls SET nope = 1 WHERE path = '/other'",
		"INSERT INTO acls (path, scheme) VALUES ('/other', 'world')", "DESCRIBE nope", "SHOW DATABASES", "SHOW CREATE TABLE znodes",
		"SHOW PROCESSLIST", "SHOW VARIABLES", "EXPLAIN DROP TABLE znodes", "BEGIN", "START TRANSACTION", "COMMIT", "ROLLBACK",
		"SAVEPOINT s", "SELECT * FROM znodes WHERE MATCH(data) AGAINST ('x')", "SELECT CONVERT(data USING latin1) FROM znodes",
		"SELECT path COLLATE utf8_bin FROM znodes", "SELECT * FROM znodes PARTITION (p0)", "SELECT * FROM znodes USE INDEX (i)",
		"SELECT SUM(COUNT(*)) FROM znodes", "SELECT * FROM znodes WHERE COUNT(*) > 1", "SELECT path FROM znodes GROUP BY COUNT(*)",
	} {
		add(badCase{name: fmt.Sprintf("unsupported/%02d", i), sql: s})
	}

	// Bad ACLs in the acl column of INSERT: refused before anything is
	// sent, in plain, IGNORE and upsert inserts alike.
	for i, acl := range []any{
		"", " ", "world", "world:anyone", "world:someone:r", "world:anyone:rx", "auth:alice:cdrwa",
		"digest:alice:cdrwa", "digest:alice:not-a-hash:cdrwa", "sasl:alice:cdrwa", "x509:CN=a:r", ":anyone:r",
		"world:anyone:r,", "[]", "[{}]", `[{"scheme":"world","id":"anyone"}]`, `[{"scheme":"world","id":"anyone","perms":99}]`,
		`{"scheme":"world","id":"anyone","perms":"r","extra":1}`, "[{", int64(7), []byte("ip::r"),
	} {
		for j, stmt := range []string{
			"INSERT INTO znodes (path, acl) VALUES ('/n', ?)",
			"INSERT IGNORE INTO znodes (path, acl) VALUES ('/app', ?), ('/n', ?)",
			"INSERT INTO znodes (path, data, acl) VALUES ('/n', 'x', ?) ON DUPLICATE KEY UPDATE data = 'y'",
		} {
			args := []any{acl}
			if j == 1 {
				args = []any{nil, acl}
			}
			add(badCase{name: fmt.Sprintf("acl/%02d-%d", i, j), sql: stmt, args: args, is: zkstore.ErrInvalidACL})
		}
	}

	// Invalid paths, as literals and as arguments, in every statement
	// that writes them.
	badPaths := []string{
		"", "a", "app", "app/x", "/app/", "//", "//app", "/app//x", "/.", "/..", "/app/.", "/app/..",
		"/app/./x", "/app/../other", "/a\x00b", "/\x00", "/app/\u0001", "/app/\u001f", "/app/\u007f",
		"/app/\u009f", "/app/\ud7ff\ue000x\uf8ff", "/app/\ufff0", "/app/\ufffe", " /app", "\\app",
		// Reserved on mem: (no chroot); under a live test's chroot these
		// are ordinary names, so only the NUL-free ones are skipped below.
		"/zookeeper", "/zookeeper/quota", "/zookeeper/config",
	}
	for i, p := range badPaths {
		if strings.ContainsRune(p, '\x00') || !strings.HasPrefix(p, "/zookeeper") {
			add(badCase{name: fmt.Sprintf("path/insert-arg/%02d", i), sql: "INSERT INTO znodes (path, data) VALUES (?, 'x')", args: []any{p}})
		}
		if !strings.ContainsAny(p, "'\\") && !strings.HasPrefix(p, "/zookeeper") {
			add(badCase{name: fmt.Sprintf("path/insert-literal/%02d", i), sql: "INSERT INTO znodes (path, data) VALUES ('" + p + "', 'x')"})
		}
		add(badCase{name: fmt.Sprintf("path/insert-acl/%02d", i), sql: "INSERT INTO acls (path, scheme, id, perms) VALUES (?, 'world', 'anyone', 'r')", args: []any{p}})
	}
	for i, p := range []string{"/app/x/", "/app/x//", "/app/x/.", "/app/x\x00"} {
		add(badCase{name: fmt.Sprintf("path/sequential/%d", i), sql: "INSERT INTO znodes (path, mode) VALUES (?, 'persistent_sequential')", args: []any{p}})
	}
	for i, p := range []string{"/nope/child", "/app/nodes/n1/x/y", "/missing/a/b/c"} {
		add(badCase{name: fmt.Sprintf("path/no-parent/%d", i), sql: "INSERT INTO znodes (path, data) VALUES (?, 'x')", args: []any{p}, is: zkstore.ErrNoNode, want: []string{"/"}})
	}
	add(badCase{name: "path/root", sql: "INSERT INTO znodes (path) VALUES ('/')", is: zkstore.ErrNodeExists})
	add(badCase{name: "path/exists", sql: "INSERT INTO znodes (path) VALUES ('/app')", is: zkstore.ErrNodeExists, want: []string{"/app"}})
	add(badCase{name: "path/exists-in-batch", sql: "INSERT INTO znodes (path) VALUES ('/new1'), ('/app/nodes/n2')", is: zkstore.ErrNodeExists, want: []string{"/app/nodes/n2"}})
	add(badCase{name: "path/twice-in-batch", sql: "INSERT INTO znodes (path) VALUES ('/new1'), ('/new1')", is: zkstore.ErrNodeExists, want: []string{"/new1"}})
	add(badCase{name: "path/delete-root", sql: "DELETE FROM znodes WHERE path = '/'"})
	add(badCase{name: "path/delete-not-empty", sql: "DELETE FROM znodes WHERE path = '/app'", is: zkstore.ErrNotEmpty, want: []string{"/app"}})
	add(badCase{name: "path/delete-parent-not-child", sql: "DELETE FROM znodes WHERE path IN ('/app/nodes', '/app/nodes/n1')", is: zkstore.ErrNotEmpty})
	add(badCase{name: "path/ephemeral-parent", sql: "INSERT INTO znodes (path, mode) VALUES ('/eph', 'ephemeral'), ('/eph/child', 'persistent')"})

	// NUL bytes and control characters in the statement and the values.
	for i, s := range []string{
		"SELECT * FROM znodes WHERE path = '/app'\x00 OR 1=1", "INSERT INTO znodes (path) VALUES ('/a\x00b')",
		"UPDATE znodes\x00 SET data = 'x'", "DELETE FROM znodes\x00", "INSERT INTO znodes (path) VALUES ('/\x00')",
		"INSERT INTO znodes (path) VALUES (CONCAT('/a', CHAR(0)))",
		"INSERT INTO znodes (path, data) VALUES (CONCAT('/app/', X'00'), 'x')",
		"INSERT INTO acls (path, scheme, id, perms) VALUES ('/other', 'world\x00', 'anyone', 'r')",
	} {
		add(badCase{name: fmt.Sprintf("nul/%d", i), sql: s})
	}
	for i, a := range [][]any{
		{"/app\x00", "x"}, {"\x00", "x"}, {"/app/\x00/x", "x"}, {[]byte("/a\x00"), "x"}, {"/\x00\x00\x00", nil},
	} {
		add(badCase{name: fmt.Sprintf("nul/arg/%d", i), sql: "INSERT INTO znodes (path, data) VALUES (?, ?)", args: a})
	}

	// Huge values: over max_data, over the parser's limits, out of range.
	big := strings.Repeat("x", driver.DefaultMaxData+1)
	add(badCase{name: "huge/data-arg", sql: "INSERT INTO znodes (path, data) VALUES ('/big', ?)", args: []any{big}, is: zkstore.ErrDataTooLarge, want: []string{"max_data"}})
	add(badCase{name: "huge/data-bytes", sql: "INSERT INTO znodes (path, data) VALUES ('/big', ?)", args: []any{[]byte(big)}, is: zkstore.ErrDataTooLarge})
	add(badCase{name: "huge/update-data", sql: "UPDATE znodes SET data = ? WHERE path = '/other'", args: []any{big}, is: zkstore.ErrDataTooLarge, want: []string{"/other"}})
	add(badCase{name: "huge/update-concat", sql: "UPDATE znodes SET data = CONCAT(?, ?) WHERE path = '/other'", args: []any{big[:600000], big[:600000]}, is: zkstore.ErrDataTooLarge})
	add(badCase{name: "huge/odku", sql: "INSERT INTO znodes (path, data) VALUES ('/other', 'x') ON DUPLICATE KEY UPDATE data = ?", args: []any{big}, is: zkstore.ErrDataTooLarge})
	add(badCase{name: "huge/small-max-data", opts: "max_data=4", sql: "INSERT INTO znodes (path, data) VALUES ('/small', 'hello')", is: zkstore.ErrDataTooLarge, want: []string{"max_data"}})
	add(badCase{name: "huge/small-max-data-update", opts: "max_data=4", sql: "UPDATE znodes SET data = CONCAT(data, data) WHERE path LIKE '/app/%'", is: zkstore.ErrDataTooLarge})
	add(badCase{name: "huge/statement", sql: "SELECT '" + strings.Repeat("y", parser.MaxStatementBytes) + "'"})
	add(badCase{name: "huge/literal-data", sql: "INSERT INTO znodes (path, data) VALUES ('/big', '" + big[:parser.MaxStatementBytes] + "')"})
	add(badCase{name: "huge/long-path-arg", sql: "INSERT INTO znodes (path) VALUES (?)", args: []any{strings.Repeat("/a", 600000)}})
	for i, s := range []string{
		"SELECT 99999999999999999999999", "SELECT 9223372036854775807 + 1", "SELECT -9223372036854775807 - 2",
		"SELECT 9223372036854775807 * 2", "SELECT 1e999", "SELECT * FROM znodes LIMIT 99999999999999999999",
		"SELECT * FROM znodes LIMIT -1", "SELECT * FROM znodes LIMIT 1 OFFSET -1", "SELECT * FROM znodes LIMIT 1.5",
		"SELECT * FROM znodes LIMIT 'a'", "SELECT CAST('99999999999999999999' AS SIGNED)",
		"INSERT INTO znodes (path, mode, ttl) VALUES ('/ttl', 'persistent_ttl', 99999999999999)",
		"INSERT INTO znodes (path, mode, ttl) VALUES ('/ttl', 'persistent_ttl', 0)",
		"INSERT INTO znodes (path, mode, ttl) VALUES ('/ttl', 'persistent_ttl', -5)",
		"INSERT INTO znodes (path, mode, ttl) VALUES ('/ttl', 'persistent', 5)",
		"INSERT INTO znodes (path, mode) VALUES ('/ttl', 'persistent_ttl')",
		"INSERT INTO znodes (path, ttl) VALUES ('/ttl', 99999999999999999999)",
		"UPDATE znodes SET data = 'x' WHERE path = '/other' AND version = 99999999999999999999",
		"INSERT INTO acls (path, scheme, id, perms) VALUES ('/other', 'world', 'anyone', 99)",
		"INSERT INTO acls (path, scheme, id, perms) VALUES ('/other', 'world', 'anyone', -1)",
	} {
		add(badCase{name: fmt.Sprintf("huge/number/%02d", i), sql: s})
	}
	add(badCase{name: "huge/limit-arg", sql: "SELECT * FROM znodes LIMIT ?", args: []any{int64(-1)}})
	add(badCase{name: "huge/uint64-arg", sql: "SELECT ?", args: []any{uint64(math.MaxUint64)}})
	add(badCase{name: "huge/nan-arg", sql: "INSERT INTO znodes (path, mode, ttl) VALUES ('/ttl', 'persistent_ttl', ?)", args: []any{math.NaN()}})
	add(badCase{name: "huge/inf-arg", sql: "INSERT INTO znodes (path, mode, ttl) VALUES ('/ttl', 'persistent_ttl', ?)", args: []any{math.Inf(1)}})

	// Wrong types.
	for i, c := range []struct {
		sql  string
		args []any
	}{
		{"INSERT INTO znodes (path) VALUES (1)", nil},
		{"INSERT INTO znodes (path) VALUES (NULL)", nil},
		{"INSERT INTO znodes (path) VALUES (TRUE)", nil},
		{"INSERT INTO znodes (path) VALUES (?)", []any{int64(7)}},
		{"INSERT INTO znodes (path) VALUES (?)", []any{nil}},
		{"INSERT INTO znodes (path) VALUES (?)", []any{true}},
		{"INSERT INTO znodes (path) VALUES (?)", []any{time.Unix(0, 0)}},
		{"INSERT INTO znodes (path) VALUES (?)", []any{2.5}},
		{"INSERT INTO znodes (path, mode) VALUES ('/m', 'nope')", nil},
		{"INSERT INTO znodes (path, mode) VALUES ('/m', 42)", nil},
		{"INSERT INTO znodes (path, mode) VALUES ('/m', ?)", []any{"PERSISTENT; DROP"}},
		{"INSERT INTO znodes (path, mode, ttl) VALUES ('/m', 'persistent_ttl', 'soon')", nil},
		{"INSERT INTO znodes (path, mode, ttl) VALUES ('/m', 'persistent_ttl', ?)", []any{"1000ms"}},
		{"INSERT INTO znodes (path, mode, ttl) VALUES ('/m', 'persistent_ttl', 1.5)", nil},
		{"INSERT INTO znodes (path, data) VALUES ('/m', ?)", []any{struct{}{}}},
		{"INSERT INTO znodes (path, data) VALUES ('/m', ?)", []any{map[string]int{"a": 1}}},
		{"INSERT INTO znodes (path, data) VALUES ('/m', ?)", []any{make(chan int)}},
		{"INSERT INTO znodes (path, data) VALUES ('/m', ?)", []any{func() {}}},
		{"INSERT INTO znodes (path, data) VALUES ('/m', ?)", []any{[]int{1, 2}}},
		{"INSERT INTO znodes (path, data) VALUES ('/m', ?)", []any{complex(1, 2)}},
		{"SELECT * FROM znodes LIMIT ?", []any{"ten"}},
		{"SELECT * FROM znodes LIMIT ?", []any{2.5}},
		{"SELECT * FROM znodes LIMIT ?", []any{nil}},
		{"SELECT * FROM znodes WHERE path REGEXP '('", nil},
		{"SELECT * FROM znodes WHERE path REGEXP ?", []any{"[z-a]"}},
		{"SELECT * FROM znodes WHERE path REGEXP ?", []any{"(?P<x"}},
		{"SELECT data->'$.[' FROM znodes WHERE path = '/app/config'", nil},
		{"SELECT data->? FROM znodes WHERE path = '/app/config'", []any{"not a path"}},
		{"SELECT JSON_EXTRACT(data, '$[') FROM znodes WHERE path = '/app/config'", nil},
		{"SELECT * FROM znodes WHERE path LIKE 'a' ESCAPE 'xy'", nil},
		{"SELECT * FROM znodes WHERE path LIKE ? ESCAPE ?", []any{"/a%", "too long"}},
		{"SELECT 1 / 0 + 'a' FROM znodes WHERE ctime > 'not a time'", nil},
		{"SELECT SUBSTRING(path) FROM znodes", nil},
		{"SELECT CONCAT() FROM znodes", nil},
		{"SELECT LENGTH(path, data) FROM znodes", nil},
		{"SELECT COUNT(path, data) FROM znodes", nil},
		{"SELECT SUM(*) FROM znodes", nil},
		{"INSERT INTO acls (path, scheme, id, perms) VALUES ('/other', 'world', 'anyone', 'xyz')", nil},
		{"INSERT INTO acls (path, scheme, id, perms) VALUES ('/other', 'world', 'anyone', ?)", []any{2.5}},
		{"INSERT INTO acls (path, scheme, id, perms) VALUES ('/other', 'nope', 'x', 'r')", nil},
		{"INSERT INTO acls (path, scheme, id, perms) VALUES ('/other', 'ip', 'not-an-ip', 'r')", nil},
		{"INSERT INTO acls (path, scheme, id, perms) VALUES ('/other', 'digest', 'no-colon', 'r')", nil},
		{"INSERT INTO acls (path, scheme, id, perms) VALUES ('/other', NULL, 'anyone', 'r')", nil},
		{"INSERT INTO acls (path, scheme, id, perms) VALUES ('/nope', 'world', 'anyone', 'r')", nil},
		{"UPDATE acls SET perms = 'q' WHERE path = '/other'", nil},
		{"UPDATE acls SET perms = 64 WHERE path = '/other'", nil},
		{"DELETE FROM acls WHERE path = '/other'", nil},
	} {
		add(badCase{name: fmt.Sprintf("type/%02d", i), sql: c.sql, args: c.args})
	}

	// Deep nesting: bounded by the parser, refused with its position.
	for i, s := range []string{
		"SELECT " + strings.Repeat("(", 200) + "1" + strings.Repeat(")", 200),
		"SELECT " + strings.Repeat("(", 100000),
		"SELECT " + strings.Repeat("CONCAT(", 600) + "'a'" + strings.Repeat(")", 600),
		"SELECT " + strings.Repeat("NOT ", 1000) + "1",
		"SELECT " + strings.Repeat("-", 1000) + "1",
		"SELECT 1" + strings.Repeat(" + 1", 1000),
		"SELECT * FROM znodes WHERE " + strings.Repeat("path = 'a' OR ", 1000) + "FALSE",
		"SELECT * FROM znodes WHERE " + strings.Repeat("path = 'a' AND ", 1000) + "TRUE",
		"UPDATE znodes SET data = " + strings.Repeat("CONCAT(data, ", 600) + "'x'" + strings.Repeat(")", 600),
		"DELETE FROM znodes WHERE " + strings.Repeat("(", 150) + "path = '/other'" + strings.Repeat(")", 150),
		"INSERT INTO znodes (path) VALUES (" + strings.Repeat("(", 150) + "'/x'" + strings.Repeat(")", 150) + ")",
		"SELECT * FROM znodes WHERE path IN " + strings.Repeat("(", 150) + "'/a'" + strings.Repeat(")", 150),
		"SELECT CASE " + strings.Repeat("WHEN 1 THEN CASE ", 300) + "1" + strings.Repeat(" END", 300) + " END",
		"EXPLAIN SELECT " + strings.Repeat("(", 200) + "1" + strings.Repeat(")", 200),
		"SELECT " + strings.Repeat("!", 1000) + "1",
	} {
		add(badCase{name: fmt.Sprintf("nesting/%02d", i), sql: s})
	}
	add(badCase{name: "nesting/json-path-arg", sql: "SELECT data->? FROM znodes WHERE path = '/app/config'", args: []any{"$" + strings.Repeat("[0]", 100000)}, valid: true})
	add(badCase{name: "nesting/like-arg", sql: "SELECT * FROM znodes WHERE path = '/other' AND data LIKE ?", args: []any{strings.Repeat("%_", 200000)}, valid: true})
	add(badCase{name: "nesting/like-walk", sql: "SELECT path FROM znodes WHERE path LIKE '/app%' AND data LIKE ?", args: []any{strings.Repeat("%a", 5000) + "z"}, valid: true})
	add(badCase{name: "nesting/nul-hides-parens", sql: "SELECT 1\x00" + strings.Repeat("(", 100000)})
	add(badCase{name: "nesting/nul-hides-statement", sql: "SELECT 1\x00; DELETE FROM znodes"})
	add(badCase{name: "nesting/nul-between-tokens", sql: "DELETE FROM znodes WHERE path = '/other'\x00AND version = 7"})

	// Placeholder mismatches.
	for i, c := range []struct {
		sql  string
		args []any
	}{
		{"SELECT * FROM znodes WHERE path = ?", nil},
		{"SELECT * FROM znodes WHERE path = ?", []any{"/a", "/b"}},
		{"SELECT * FROM znodes WHERE path = ? OR path = ?", []any{"/a"}},
		{"SELECT * FROM znodes WHERE path = '/other'", []any{"/a"}},
		{"INSERT INTO znodes (path, data) VALUES (?, ?)", []any{"/a"}},
		{"INSERT INTO znodes (path, data) VALUES (?, ?)", []any{"/a", "x", "y"}},
		{"INSERT INTO znodes (path, data) VALUES ('/a', 'x')", []any{"/a"}},
		{"UPDATE znodes SET data = ? WHERE path = ?", []any{"x"}},
		{"UPDATE znodes SET data = ? WHERE path = ?", nil},
		{"DELETE FROM znodes WHERE path = ?", nil},
		{"DELETE FROM znodes WHERE path = ?", []any{"/other", "/app"}},
		{"SELECT * FROM znodes WHERE path = :p", nil},
		{"SELECT * FROM znodes WHERE path = :p", []any{sql.Named("q", "/other")}},
		{"SELECT * FROM znodes WHERE path = ?", []any{sql.Named("p", "/other")}},
		{"SELECT * FROM znodes WHERE path = ? OR path = :p", []any{"/a", "/b"}},
		{"DELETE FROM znodes WHERE path = :p", []any{sql.Named("path", "/other")}},
		{"UPDATE znodes SET data = :d WHERE path = :p", []any{sql.Named("d", "x")}},
		{"INSERT INTO znodes (path, data) VALUES (:p, :d)", []any{sql.Named("p", "/n")}},
		{"SELECT * FROM znodes WHERE path = $1", []any{"/a"}},
		{"SELECT * FROM znodes WHERE path = @p", []any{sql.Named("p", "/a")}},
		{"SELECT * FROM znodes WHERE path = '?'", []any{"/a"}},
		{"SELECT * FROM znodes WHERE path = ':p'", []any{sql.Named("p", "/a")}},
		{"SELECT ? FROM znodes LIMIT ?", []any{"x"}},
		{"EXPLAIN UPDATE znodes SET data = ? WHERE path = ?", []any{"x"}},
		{"SELECT * FROM znodes WHERE path IN (?, ?, ?)", []any{"/a", "/b"}},
	} {
		add(badCase{name: fmt.Sprintf("placeholder/%02d", i), sql: c.sql, args: c.args})
	}

	// Injection attempts through arguments: the value is data, never SQL,
	// so each of these fails for what the value is (an invalid path, a
	// missing parent, a znode that exists), not for what it says.
	inject := []string{
		"'; DELETE FROM znodes; --", "') OR ('1'='1", "/x' OR '1'='1", "'); DROP TABLE znodes; --",
		"/app'); DELETE FROM znodes WHERE ('1'='1", "\\'; DELETE FROM znodes; --", "/app\" OR \"1\"=\"1",
		"*/ DELETE FROM znodes /*", "/app/nodes/n1' --", "/a\x00'; DELETE FROM znodes; --", "?", ":p",
		"/app/../other", "%", "/app%", "1 OR 1=1", "/app' UNION SELECT path FROM acls --",
	}
	for i, v := range inject {
		if zkstore.ValidatePath(v, false) == nil {
			// A legal znode name: TestInjectionStoredVerbatim stores it.
			add(badCase{name: fmt.Sprintf("inject/select-path/%02d", i), sql: "SELECT * FROM znodes WHERE path = ?", args: []any{v}, valid: true})
			add(badCase{name: fmt.Sprintf("inject/update-path/%02d", i), sql: "UPDATE znodes SET data = 'x' WHERE path = ?", args: []any{v}, valid: true})
			add(badCase{name: fmt.Sprintf("inject/delete-path/%02d", i), sql: "DELETE FROM znodes WHERE path = ?", args: []any{v}, valid: true})
		} else {
			add(badCase{name: fmt.Sprintf("inject/insert-path/%02d", i), sql: "INSERT INTO znodes (path, data) VALUES (?, 'x')", args: []any{v}})
		}
		add(badCase{name: fmt.Sprintf("inject/where-data/%02d", i), sql: "UPDATE znodes SET data = 'x' WHERE path LIKE '/app/%' AND data = ?", args: []any{v}, valid: true})
		add(badCase{name: fmt.Sprintf("inject/like/%02d", i), sql: "DELETE FROM znodes WHERE path LIKE CONCAT('/app/', ?) AND data = 'nope'", args: []any{v}, valid: true})
		add(badCase{name: fmt.Sprintf("inject/acl-path/%02d", i), sql: "INSERT INTO acls (path, scheme, id, perms) VALUES (?, 'world', 'anyone', 'rw')", args: []any{v}})
	}
	for i, v := range []string{"/app' OR '1'='1", "/other'; --", "/x\"); --"} {
		add(badCase{name: fmt.Sprintf("inject/nested-insert/%d", i), sql: "INSERT INTO znodes (path, data) VALUES (CONCAT(?, '/child'), 'x')", args: []any{v}, is: zkstore.ErrNoNode})
	}
	add(badCase{name: "inject/mode", sql: "INSERT INTO znodes (path, mode) VALUES ('/inj', ?)", args: []any{"persistent'); DELETE FROM znodes; --"}})
	add(badCase{name: "inject/perms", sql: "INSERT INTO acls (path, scheme, id, perms) VALUES ('/other', 'world', 'anyone', ?)", args: []any{"r'); DELETE FROM acls; --"}})
	add(badCase{name: "inject/limit", sql: "SELECT * FROM znodes LIMIT ?", args: []any{"1; DELETE FROM znodes"}})
	add(badCase{name: "inject/regexp", sql: "SELECT * FROM znodes WHERE path REGEXP ?", args: []any{"') OR 1=1 OR ('"}})
	add(badCase{name: "inject/odku-exists", sql: "INSERT INTO znodes (path, data) VALUES (?, 'x'), (?, 'y')", args: []any{"/inj", "/app'); DELETE FROM znodes; --/x"}, is: zkstore.ErrNoNode})

	// ACLs: the session has no credentials; /locked is read-only to it and
	// /private unreadable. The error names the znode.
	for i, c := range []struct {
		sql  string
		args []any
		path string
	}{
		{"UPDATE znodes SET data = 'x' WHERE path = '/locked'", nil, "/locked"},
		{"UPDATE znodes SET data = 'x' WHERE path = ?", []any{"/locked/child"}, "/locked/child"},
		{"UPDATE znodes SET data = 'x' WHERE path IN ('/other', '/locked')", nil, "/locked"},
		{"DELETE FROM znodes WHERE path = '/locked/child'", nil, "/locked/child"},
		{"INSERT INTO znodes (path) VALUES ('/locked/new')", nil, "/locked/new"},
		{"INSERT INTO znodes (path) VALUES ('/new'), ('/locked/new')", nil, "/locked/new"},
		{"INSERT INTO znodes (path, data) VALUES ('/locked', 'x') ON DUPLICATE KEY UPDATE data = 'y'", nil, "/locked"},
		{"SELECT data FROM znodes WHERE path = '/private'", nil, "/private"},
		{"SELECT * FROM znodes WHERE path = ?", []any{"/private/child"}, "/private"},
		{"SELECT path FROM znodes WHERE parent = '/private'", nil, "/private"},
		{"SELECT path FROM znodes WHERE path LIKE '/private/%'", nil, "/private"},
		{"SELECT path, data FROM znodes", nil, "/private"},
		{"SELECT COUNT(*) FROM znodes", nil, "/private"},
		{"SELECT * FROM acls WHERE path = '/private'", nil, "/private"},
		{"UPDATE znodes SET data = 'x' WHERE path = '/private'", nil, "/private"},
		{"DELETE FROM znodes WHERE path = '/private/child'", nil, "/private"},
		{"INSERT INTO znodes (path) VALUES ('/private/new')", nil, "/private/new"},
		{"INSERT INTO acls (path, scheme, id, perms) VALUES ('/locked', 'digest', 'bob:xyz', 'cdrwa')", nil, "/locked"},
		{"UPDATE acls SET perms = 'cdrwa' WHERE path = '/locked'", nil, "/locked"},
		{"DELETE FROM acls WHERE path = '/locked' AND scheme = 'digest'", nil, "/locked"},
		{"UPDATE znodes SET data = 'x' WHERE path LIKE '/locked%'", nil, "/locked"},
		{"DELETE FROM znodes WHERE path LIKE '/locked/%'", nil, "/locked/child"},
	} {
		add(badCase{name: fmt.Sprintf("acl/%02d", i), sql: c.sql, args: c.args, is: zkstore.ErrNoAuth, want: []string{c.path}})
	}

	// max_scan: statements that would visit more znodes stop with
	// ErrMaxScan, nothing written.
	for i, s := range []string{
		"SELECT * FROM znodes", "SELECT path FROM znodes", "SELECT COUNT(*) FROM znodes WHERE data = 'x'",
		"SELECT path FROM znodes ORDER BY path DESC", "SELECT path FROM znodes WHERE path LIKE '/app/%'",
		"SELECT path FROM znodes WHERE path IN ('/a', '/b', '/c', '/d')", "SELECT * FROM acls",
		"UPDATE znodes SET data = 'x' WHERE data = 'alpha'", "DELETE FROM znodes WHERE data = 'beta'",
		"UPDATE znodes SET data = 'x' WHERE path LIKE '/app/%'", "DELETE FROM znodes WHERE path LIKE '/app/nodes/%'",
		"SELECT path FROM znodes WHERE parent = '/app/nodes' ORDER BY name", "UPDATE acls SET perms = 'r' WHERE scheme = 'world'",
		"EXPLAIN SELECT * FROM znodes", "SELECT DISTINCT parent FROM znodes",
	} {
		c := badCase{name: fmt.Sprintf("max_scan/%02d", i), sql: s, opts: "max_scan=2", is: driver.ErrMaxScan, want: []string{"max_scan=2"}}
		if strings.HasPrefix(s, "EXPLAIN") {
			continue // EXPLAIN reads nothing
		}
		add(c)
	}

	// The root ("/", the chroot node under a chroot) is never deleted nor
	// emptied, and /zookeeper is never written: refused before anything
	// is sent, whatever else the statement matches.
	for i, s := range []string{
		"DELETE FROM znodes WHERE path = '/'", "DELETE FROM znodes", "DELETE FROM znodes WHERE parent IS NULL",
		"DELETE FROM znodes WHERE path = '/' OR path = '/other'", "DELETE FROM znodes WHERE path LIKE '/%'",
		"DELETE FROM znodes WHERE name = ''", "DELETE FROM znodes WHERE path IN ('/', '/app')",
	} {
		// With the admin's credentials, so that a scan of the whole tree
		// reads /private and reaches the write.
		add(badCase{name: fmt.Sprintf("root/%d", i), sql: s, opts: adminAuth(), is: driver.ErrProtected, want: []string{`"/"`, "never deleted"}})
	}
	add(badCase{name: "root/arg", sql: "DELETE FROM znodes WHERE path = ?", args: []any{"/"}, is: driver.ErrProtected})
	add(badCase{name: "root/create-parents", opts: adminAuth() + "&create_parents=true", sql: "DELETE FROM znodes", is: driver.ErrProtected})
	for i, c := range []struct {
		sql  string
		args []any
	}{
		{"INSERT INTO znodes (path) VALUES ('/zookeeper/mine')", nil},
		{"INSERT INTO znodes (path) VALUES (?)", []any{"/zookeeper/quota/app"}},
		{"INSERT INTO znodes (path) VALUES ('/new'), ('/zookeeper/x')", nil},
		{"UPDATE znodes SET data = 'x' WHERE path = '/zookeeper'", nil},
		{"UPDATE znodes SET data = 'x' WHERE path = '/zookeeper/quota'", nil},
		{"UPDATE znodes SET data = ? WHERE path = ?", []any{"x", "/zookeeper/quota"}},
		{"UPDATE znodes SET data = 'x'", nil},
		{"UPDATE znodes SET data = 'x' WHERE path LIKE '/zookeeper%'", nil},
		{"DELETE FROM znodes WHERE path = '/zookeeper/quota'", nil},
		{"DELETE FROM znodes WHERE path LIKE '/zookeeper/%'", nil},
		{"INSERT INTO znodes (path, data) VALUES ('/zookeeper/quota', 'x') ON DUPLICATE KEY UPDATE data = 'y'", nil},
		{"INSERT INTO acls (path, scheme, id, perms) VALUES ('/zookeeper/quota', 'digest', 'x:y', 'r')", nil},
		{"UPDATE acls SET perms = 'r' WHERE path = '/zookeeper/quota'", nil},
		{"UPDATE acls SET perms = 'r'", nil},
		{"DELETE FROM acls WHERE path = '/zookeeper/quota'", nil},
	} {
		add(badCase{name: fmt.Sprintf("system/%02d", i), sql: c.sql, args: c.args, opts: adminAuth(), memOnly: true, is: driver.ErrProtected, want: []string{"/zookeeper"}})
	}

	// A request larger than max_request (the servers' jute.maxbuffer) is
	// refused before it is sent, whole.
	for i, c := range []struct {
		sql  string
		args []any
	}{
		{"DELETE FROM znodes WHERE path LIKE '/app/nodes/%'", nil},
		{"UPDATE znodes SET data = 'changed' WHERE path LIKE '/app/%'", nil},
		{"INSERT INTO znodes (path, data) VALUES ('/r1', 'x'), ('/r2', 'x'), ('/r3', 'x'), ('/r4', 'x')", nil},
		{"INSERT INTO znodes (path, data) VALUES ('/r1', ?)", []any{strings.Repeat("d", 300)}},
		{"UPDATE znodes SET data = ? WHERE path = '/other'", []any{strings.Repeat("d", 300)}},
		{"INSERT INTO acls (path, scheme, id, perms) VALUES ('/other', 'digest', ?, 'r')", []any{strings.Repeat("u", 300) + ":x"}},
	} {
		add(badCase{name: fmt.Sprintf("max_request/%d", i), sql: c.sql, args: c.args, opts: "max_request=100", is: zkstore.ErrRequestTooLarge, want: []string{"the limit is 100", "max_request=100"}})
	}

	// read_only refuses every write, nothing sent.
	for i, s := range []string{
		"INSERT INTO znodes (path) VALUES ('/ro')", "UPDATE znodes SET data = 'x' WHERE path = '/other'",
		"DELETE FROM znodes WHERE path = '/other'", "INSERT INTO acls (path, scheme, id, perms) VALUES ('/other', 'world', 'anyone', 'r')",
		"DELETE FROM acls WHERE path = '/other'",
	} {
		add(badCase{name: fmt.Sprintf("read_only/%d", i), sql: s, opts: "read_only=true", is: driver.ErrReadOnly})
	}
	return cs
}

// runBad runs one case on db and returns its error. It fails t if the
// statement takes longer than the per-case timeout.
func runBad(t *testing.T, db *sql.DB, c badCase) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- execOrQuery(ctx, db, c.sql, c.args...) }()
	select {
	case err := <-done:
		return err
	case <-time.After(20 * time.Second):
		t.Fatalf("%q hung past its 10s context", truncateForLog(c.sql))
		return nil
	}
}

// execOrQuery runs a write with Exec and anything else with Query,
// reading every row, and returns the first error.
func execOrQuery(ctx context.Context, db *sql.DB, q string, args ...any) error {
	head := strings.ToUpper(strings.TrimSpace(q))
	if strings.HasPrefix(head, "INSERT") || strings.HasPrefix(head, "UPDATE") || strings.HasPrefix(head, "DELETE") {
		_, err := db.ExecContext(ctx, q, args...)
		return err
	}
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return rows.Close()
}

func argsForLog(args []any) string {
	return truncateForLog(fmt.Sprintf("%q", args))
}

func truncateForLog(s string) string {
	if len(s) > 100 {
		return s[:100] + "…"
	}
	return s
}

// checkClear fails t unless err is a clear error for case c: non-nil, no
// internal error (a recovered panic), placed (a *parser.Error with its
// position, or a message naming the statement or an argument), carrying
// c.want and matching c.is.
func checkClear(t *testing.T, c badCase, err error) {
	t.Helper()
	if err == nil {
		t.Fatalf("%q %s: no error", truncateForLog(c.sql), argsForLog(c.args))
	}
	msg := err.Error()
	if strings.Contains(msg, "internal error") || strings.Contains(msg, "panic") {
		t.Fatalf("%q: internal error: %v", truncateForLog(c.sql), err)
	}
	var pe *parser.Error
	placed := errors.As(err, &pe) && pe.Line >= 1 && pe.Column >= 1 && pe.Offset >= 0 && pe.Offset <= len(c.sql)
	placed = placed || strings.Contains(msg, "(statement: ") || strings.Contains(msg, "argument")
	if !placed {
		t.Errorf("error says neither where in the statement nor which statement: %v", err)
	}
	for _, w := range c.want {
		if !strings.Contains(msg, w) {
			t.Errorf("error %q does not mention %q", truncateForLog(msg), w)
		}
	}
	if c.is != nil && !errors.Is(err, c.is) {
		t.Errorf("error %v does not match %v", err, c.is)
	}
	if len(msg) > 2000 {
		t.Errorf("error message is %d bytes: hostile input is echoed without bound", len(msg))
	}
}

// runCorpus runs every case on tree h, each on a handle with its options,
// and checks the tree after each.
func runCorpus(t *testing.T, h *hostileTree, cases []badCase) {
	handles := map[string]*sql.DB{}
	for _, c := range cases {
		if c.memOnly && h.name != "mem" {
			continue
		}
		db := handles[c.opts]
		if db == nil {
			db = h.open(t, c.opts)
			handles[c.opts] = db
		}
		// A fresh baseline per case, so one failure does not cascade.
		before := h.snapshot(t)
		t.Run(c.name, func(t *testing.T) {
			err := runBad(t, db, c)
			sameTree(t, fmt.Sprintf("%q", truncateForLog(c.sql)), before, h.snapshot(t))
			if c.valid {
				if err != nil {
					t.Fatalf("%q %s: %v", truncateForLog(c.sql), argsForLog(c.args), err)
				}
				return
			}
			checkClear(t, c, err)
		})
	}
}

func TestBadInputCorpusSize(t *testing.T) {
	cs := badCorpus()
	names := map[string]bool{}
	for _, c := range cs {
		if names[c.name] {
			t.Errorf("case name %s used twice", c.name)
		}
		names[c.name] = true
	}
	bad := 0
	for _, c := range cs {
		if !c.valid {
			bad++
		}
	}
	if bad < 300 {
		t.Fatalf("corpus has %d failing cases, want at least 300", bad)
	}
	t.Logf("bad-input corpus: %d statements that must fail, %d hostile but legal ones", bad, len(cs)-bad)
}

func TestBadInput(t *testing.T) {
	runCorpus(t, memHostileTree(t), badCorpus())
}

// TestBadInputLive runs the whole corpus on the shared live server.
func TestBadInputLive(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	runCorpus(t, liveHostileTree(t), badCorpus())
}
