package parser

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var fuzzSeeds = []string{
	"SELECT 1",
	"SELECT * FROM znodes",
	"SELECT path, data FROM znodes WHERE path = ?",
	"SELECT path FROM znodes WHERE parent = :dir ORDER BY name DESC LIMIT 10 OFFSET 5",
	"SELECT COUNT(*), parent FROM znodes GROUP BY parent HAVING COUNT(*) > 1",
	"SELECT data->'$.a', data->>'$.b', JSON_EXTRACT(data, '$.c') FROM znodes",
	"SELECT CAST(data AS CHAR), SUBSTRING(path, 2, 3), CONCAT(parent, '/', name) FROM znodes",
	"SELECT path FROM znodes WHERE name LIKE 'a\\_%' ESCAPE '|' OR path REGEXP '^/x'",
	"SELECT path FROM znodes WHERE version BETWEEN 1 AND 5 AND data IS NOT NULL",
	"SELECT path FROM znodes WHERE path IN ('/a', '/b') AND NOT version <> 3",
	"SELECT -version, version % 2, 1.5e3, 0xFF, X'AB', NULL, TRUE FROM znodes",
	"SELECT DISTINCT parent AS p FROM znodes ORDER BY p",
	"SELECT * FROM znodes ORDER BY 2 LIMIT 1, 2",
	"INSERT INTO znodes (path, data) VALUES (?, ?)",
	"INSERT INTO znodes (path, data, mode, ttl) VALUES ('/a', 'x', 'persistent', NULL), ('/b', 'y', 'ephemeral', 0)",
	"INSERT INTO znodes (path, data) VALUES (:p, :d) ON DUPLICATE KEY UPDATE data = VALUES(data)",
	"INSERT INTO acls (path, scheme, id, perms) VALUES ('/a', 'world', 'anyone', 'r')",
	"UPDATE znodes SET data = ? WHERE path = ? AND version = ?",
	"UPDATE acls SET perms = 'rw' WHERE path = '/a'",
	"DELETE FROM znodes WHERE path = ?",
	"DELETE FROM acls WHERE path LIKE '/a/%'",
	"SHOW TABLES",
	"SHOW COLUMNS FROM znodes",
	"DESCRIBE acls",
	"EXPLAIN SELECT * FROM znodes WHERE path = ?",
	"BEGIN",
	"START TRANSACTION",
	"COMMIT",
	"ROLLBACK",
	"SELECT * FROM znodes JOIN acls ON znodes.path = acls.path",
	"SELECT * FROM (SELECT 1) t",
	"SELECT path FROM znodes UNION SELECT path FROM acls",
	"CREATE TABLE t (a int",
	"DROP TABLE znodes",
	"SELECT 1; SELECT 2",
	"SELECT NOW()",
	"SELECT nope FROM znodes",
	"LOCK TABLES znodes READ",
	"SET x = 1",
	"SELECT 'unterminated",
	"SELECT `x",
	"SELECT /*! 1 */",
	"SELECT ((((1))))",
	"SELECT path FROM znodes WHERE path = ? OR path = :p",
	"SELECT path FROM znodes WHERE path IN ::l",
	"SELECT * FROM znodes\nWHERE\n\tversion = 1;",
	"SELECT b'01', 99999999999999999999, 1e999",
	"SELECT CASE WHEN 1 THEN 2 END",
	"SELECT CASE version WHEN 1 THEN 'a' WHEN ? THEN b ELSE NULL END FROM znodes",
	"SELECT COALESCE(NULL, data), IFNULL(ttl, 0), NULLIF(1, 1), IF(1 > 0, 'y', 'n'), CONCAT_WS(',', 'a', NULL)",
	"SELECT HEX(data), UNHEX('4142'), NOW(), NOW(6), UTC_TIMESTAMP, UNIX_TIMESTAMP(), FROM_UNIXTIME(1) FROM znodes",
	"SELECT JSON_UNQUOTE(data->'$.a'), JSON_TYPE(data), JSON_LENGTH(data, '$'), JSON_KEYS(data), JSON_CONTAINS(data, '1', '$.a'), JSON_VALID(data) FROM znodes",
	"SELECT path FROM znodes WHERE JSON_EXTRACT(data, '$.tag') = 'odd'",
	"",
	";",
	"\x00",
	"SELECT '\\'",
	"/*!*/",
}

// FuzzParse checks that Parse never panics, that every error is an *Error
// positioned inside the statement, and that accepted statements print SQL
// that parses back to the same tree.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		st, err := Parse(sql)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse(%q) returned %T: %v", sql, err, err)
			}
			if e.Offset < 0 || e.Offset > len(sql) {
				t.Fatalf("Parse(%q): offset %d outside [0, %d]", sql, e.Offset, len(sql))
			}
			if e.SQL != sql {
				t.Fatalf("Parse(%q): Error.SQL = %q", sql, e.SQL)
			}
			if e.Line < 1 || e.Column < 1 {
				t.Fatalf("Parse(%q): line %d column %d", sql, e.Line, e.Column)
			}
			if strings.Contains(e.Msg, "internal parser error") {
				t.Fatalf("Parse(%q) panicked: %v", sql, err)
			}
			_ = err.Error()
			return
		}
		printed := st.String()
		again, err := Parse(printed)
		if err != nil {
			t.Fatalf("Parse(%q) printed %q, which does not parse: %v", sql, printed, err)
		}
		if diff := cmp.Diff(st, again); diff != "" {
			t.Fatalf("Parse(%q) printed %q, which parses differently (-first +second):\n%s", sql, printed, diff)
		}
		_ = ParamsOf(st)
	})
}
