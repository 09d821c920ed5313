package parser

import (
	"errors"
	"strings"
	"testing"
)

type refuseCase struct {
	sql  string
	kind ErrorKind
	near string // expected Near; the offset is its first occurrence ("" = end of statement)
	off  int    // explicit offset when near occurs earlier too; -1 = derive from near
	msg  string // substring of Msg
}

func rc(sql string, kind ErrorKind, near, msg string) refuseCase {
	return refuseCase{sql: sql, kind: kind, near: near, off: -1, msg: msg}
}

var refuseCases = []refuseCase{
	// Joins, subqueries, unions.
	rc("SELECT * FROM znodes JOIN acls ON znodes.path = acls.path", KindUnsupported, "JOIN", "JOIN is not supported"),
	rc("SELECT * FROM znodes z LEFT JOIN acls a USING (path)", KindUnsupported, "LEFT", "LEFT JOIN is not supported"),
	rc("SELECT * FROM znodes, acls", KindUnsupported, "acls", "comma-separated"),
	rc("SELECT * FROM (SELECT * FROM znodes) t", KindUnsupported, "(", "subqueries are not supported"),
	rc("SELECT path FROM znodes WHERE path IN (SELECT path FROM acls)", KindUnsupported, "(", "subqueries are not supported"),
	rc("SELECT (SELECT 1) FROM znodes", KindUnsupported, "(", "subqueries are not supported"),
	rc("SELECT path FROM znodes WHERE EXISTS (SELECT 1)", KindUnsupported, "EXISTS", "EXISTS"),
	rc("SELECT path FROM znodes UNION SELECT path FROM acls", KindUnsupported, "UNION", "UNION is not supported"),

	// Other statements.
	rc("CREATE TABLE t (a INT)", KindUnsupported, "CREATE", "CREATE is not supported"),
	rc("create table x (a int", KindUnsupported, "create", "CREATE is not supported"),
	rc("ALTER TABLE znodes ADD COLUMN x INT", KindUnsupported, "ALTER", "ALTER"),
	rc("DROP TABLE znodes", KindUnsupported, "DROP", "DROP"),
	rc("TRUNCATE znodes", KindUnsupported, "TRUNCATE", "TRUNCATE"),
	rc("LOCK TABLES znodes READ", KindUnsupported, "LOCK", "LOCK TABLES"),
	rc("SET autocommit = 1", KindUnsupported, "SET", "SET is not supported"),
	rc("USE zk", KindUnsupported, "USE", "USE"),
	rc("REPLACE INTO znodes (path) VALUES ('/a')", KindUnsupported, "REPLACE", "ON DUPLICATE KEY UPDATE"),
	rc("SHOW DATABASES", KindUnsupported, "DATABASES", "SHOW DATABASES is not supported"),
	rc("SHOW FULL TABLES", KindUnsupported, "FULL", "SHOW FULL TABLES"),
	rc("SHOW TABLES LIKE 'z%'", KindUnsupported, "LIKE", "SHOW TABLES LIKE"),
	rc("SHOW FULL COLUMNS FROM znodes", KindUnsupported, "FULL", "SHOW FULL"),
	refuseCase{sql: "SHOW COLUMNS FROM znodes FROM zk", kind: KindUnsupported, near: "FROM", off: 25, msg: "single schema"},
	rc("SHOW COLUMNS znodes", KindSyntax, "znodes", "expected FROM"),
	rc("DESCRIBE nope", KindUnknown, "nope", "unknown table 'nope'"),
	rc("DESCRIBE zk.znodes", KindUnsupported, ".", "database-qualified"),
	rc("DESCRIBE znodes path", KindUnsupported, "path", "takes only a table name"),
	rc("DESCRIBE", KindSyntax, "", "needs a table name"),
	rc("EXPLAIN FORMAT=JSON SELECT 1", KindUnsupported, "FORMAT", "EXPLAIN FORMAT"),
	rc("EXPLAIN SHOW TABLES", KindSyntax, "SHOW", "expected a table name"),
	rc("EXPLAIN SELECT * FROM nope", KindUnknown, "nope", "unknown table"),
	rc("EXPLAIN (SELECT 1)", KindSyntax, "", "unexpected end of statement"), // sqlparser cannot parse a lone (SELECT)
	refuseCase{sql: "SELECT 1; SELECT 2", kind: KindUnsupported, near: "SELECT", off: 10, msg: "only one statement"},
	refuseCase{sql: "SELECT 1;;", kind: KindSyntax, near: ";", off: 9, msg: "unexpected ';'"},
	rc("", KindSyntax, "", "empty statement"),
	rc("  -- only a comment", KindSyntax, "", "empty statement"),
	rc(";", KindSyntax, ";", "empty statement"),

	// Names.
	rc("SELECT * FROM nodes", KindUnknown, "nodes", "unknown table 'nodes'"),
	rc("SELECT * FROM zk.znodes", KindUnsupported, "zk", "database-qualified"),
	rc("SELECT foo FROM znodes", KindUnknown, "foo", "unknown column 'foo' in table znodes"),
	rc("SELECT scheme FROM znodes", KindUnknown, "scheme", "unknown column 'scheme'"),
	rc("SELECT acls.path FROM znodes", KindUnknown, "acls", "unknown table 'acls'"),
	rc("SELECT path", KindUnknown, "path", "no FROM clause"),
	rc("SELECT *", KindSyntax, "*", "needs a FROM clause"),
	rc("SELECT acls.* FROM znodes", KindUnknown, "acls", "unknown table"),
	rc("SELECT SYSDATE()", KindUnknown, "SYSDATE", "unknown function SYSDATE"),
	rc("SELECT JSON_OBJECT('a', 1)", KindUnknown, "JSON_OBJECT", "unknown function JSON_OBJECT"),
	rc("SELECT group_concat(path) FROM znodes", KindUnsupported, "group_concat", "GROUP_CONCAT"),
	rc("SELECT std(version) FROM znodes", KindUnsupported, "std", "aggregate function STD is not supported"),
	rc("SELECT mysql.length(path) FROM znodes", KindUnsupported, "mysql", "qualified function"),

	// Functions and operators.
	rc("SELECT LENGTH(path, 1) FROM znodes", KindSyntax, "LENGTH", "LENGTH takes exactly 1 argument, got 2"),
	rc("SELECT CONCAT() FROM znodes", KindSyntax, "CONCAT", "at least 1 argument"),
	rc("SELECT LENGTH(DISTINCT path) FROM znodes", KindUnsupported, "LENGTH", "DISTINCT is only allowed"),
	rc("SELECT JSON_EXTRACT(data, '$.a', '$.b') FROM znodes", KindUnsupported, "JSON_EXTRACT", "exactly 2 arguments"),
	refuseCase{sql: "SELECT LENGTH(path AS p) FROM znodes", kind: KindSyntax, near: "p", off: 22, msg: "aliases"},
	rc("SELECT SUM(*) FROM znodes", KindSyntax, "SUM", "only COUNT(*)"),
	rc("SELECT CAST(path AS DATE) FROM znodes", KindUnsupported, "DATE", "CAST to DATE"),
	rc("SELECT CAST(path AS CHAR(10)) FROM znodes", KindUnsupported, "CHAR", "modifiers"),
	rc("SELECT CONVERT(path USING utf8) FROM znodes", KindUnsupported, "CONVERT", "USING"),
	rc("SELECT CASE WHEN version = 1 THEN bogus END FROM znodes", KindUnknown, "bogus", "unknown column 'bogus'"),
	rc("SELECT IF(1, 2) FROM znodes", KindSyntax, "IF", "IF takes exactly 3 arguments, got 2"),
	rc("SELECT COALESCE() FROM znodes", KindSyntax, "COALESCE", "at least 1 argument"),
	rc("SELECT JSON_CONTAINS(data) FROM znodes", KindSyntax, "JSON_CONTAINS", "2 to 3 arguments"),
	rc("SELECT path FROM znodes WHERE version IS TRUE", KindUnsupported, "IS", "IS TRUE"),
	rc("SELECT path FROM znodes WHERE version <=> 1", KindUnsupported, "<=>", "operator <=>"),
	rc("SELECT version & 1 FROM znodes", KindUnsupported, "&", "operator &"),
	rc("SELECT version DIV 2 FROM znodes", KindUnsupported, "DIV", "operator DIV"),
	rc("SELECT ~version FROM znodes", KindUnsupported, "~", "operator ~"),
	rc("SELECT path COLLATE utf8_bin FROM znodes", KindUnsupported, "COLLATE", "COLLATE"),
	rc("SELECT (path, name) = ('/a', 'a') FROM znodes", KindUnsupported, "(", "row constructors"),
	rc("SELECT b'101'", KindUnsupported, "b'101'", "literal B'101' is not supported"),
	rc("SELECT 99999999999999999999", KindUnsupported, "99999999999999999999", "out of range"),

	// Clauses.
	rc("SELECT path FROM znodes WHERE COUNT(*) > 1", KindUnsupported, "COUNT", "aggregate COUNT is not allowed in WHERE"),
	rc("SELECT MAX(COUNT(*)) FROM znodes", KindUnsupported, "COUNT", "cannot be nested"),
	rc("SELECT COUNT(*) AS n FROM znodes GROUP BY n", KindUnsupported, "n", "GROUP BY cannot refer to an aggregate"),
	rc("SELECT path FROM znodes ORDER BY ?", KindUnsupported, "?", "placeholders are not allowed in ORDER BY"),
	rc("SELECT path FROM znodes ORDER BY 2", KindUnknown, "ORDER", "position 2 is not in the select list"),
	rc("SELECT path AS x, name AS x FROM znodes ORDER BY x", KindUnsupported, "x", "ambiguous"),
	rc("SELECT path FROM znodes LIMIT -1", KindSyntax, "LIMIT", "non-negative"),
	rc("SELECT path FROM znodes LIMIT 1.5", KindUnsupported, "LIMIT", "integer literals or placeholders"),
	rc("SELECT path FROM znodes FOR UPDATE", KindUnsupported, "FOR", "FOR UPDATE"),
	rc("SELECT path FROM znodes LOCK IN SHARE MODE", KindUnsupported, "LOCK", "LOCK IN SHARE MODE"),
	rc("SELECT SQL_NO_CACHE path FROM znodes", KindUnsupported, "SQL_NO_CACHE", "SQL_NO_CACHE"),
	rc("SELECT STRAIGHT_JOIN path FROM znodes", KindUnsupported, "STRAIGHT_JOIN", "STRAIGHT_JOIN"),
	rc("SELECT path FROM znodes USE INDEX (i)", KindUnsupported, "INDEX", "index hints"),
	rc("SELECT path FROM znodes PARTITION (p0)", KindUnsupported, "PARTITION", "PARTITION"),

	// Placeholders.
	rc("SELECT path FROM znodes WHERE path = ? OR path = :p", KindUnsupported, ":p", "cannot mix"),
	rc("SELECT path FROM znodes WHERE path = :p OR path = ?", KindUnsupported, "?", "cannot mix"),
	rc("SELECT path FROM znodes WHERE path IN ::paths", KindUnsupported, "::paths", "list placeholders"),

	// INSERT.
	rc("INSERT INTO znodes VALUES ('/a', 'x')", KindSyntax, "znodes", "needs a column list"),
	rc("INSERT INTO znodes (path, version) VALUES ('/a', 1)", KindUnsupported, "version", "cannot be inserted"),
	rc("INSERT INTO znodes (path, nope) VALUES ('/a', 1)", KindUnknown, "nope", "unknown column 'nope'"),
	rc("INSERT INTO znodes (data) VALUES ('x')", KindSyntax, "znodes", "must set column path"),
	rc("INSERT INTO acls (path, scheme, id) VALUES ('/a', 'world', 'anyone')", KindSyntax, "acls", "must set column perms"),
	rc("INSERT INTO znodes (path, path) VALUES ('/a', '/b')", KindSyntax, "path", "listed twice"),
	refuseCase{sql: "INSERT INTO znodes (path, data) VALUES ('/a', 'x'), ('/b')", kind: KindSyntax, near: "(", off: 52, msg: "row 2 has 1 values"},
	rc("INSERT INTO znodes (path, data) VALUES ('/a', path)", KindUnsupported, "path", "not allowed in VALUES"),
	rc("INSERT INTO znodes (path, data) VALUES ('/a', VALUES(data))", KindUnsupported, "VALUES", "only allowed in ON DUPLICATE KEY UPDATE"),
	rc("INSERT INTO znodes (path, data) VALUES ('/a', COUNT(*))", KindUnsupported, "COUNT", "not allowed in VALUES"),
	rc("INSERT INTO znodes (path, data) SELECT path, data FROM znodes", KindUnsupported, "SELECT", "INSERT ... SELECT"),
	rc("INSERT IGNORE INTO znodes (path) VALUES ('/a') ON DUPLICATE KEY UPDATE data = 'x'", KindUnsupported, "IGNORE", "INSERT IGNORE with ON DUPLICATE KEY UPDATE"),
	refuseCase{sql: "INSERT INTO acls (path, scheme, id, perms, acl) VALUES ('/a', 'world', 'anyone', 'r', 'x')", kind: KindUnknown, near: "acl", off: 43, msg: "unknown column 'acl' in table acls"},
	rc("INSERT INTO znodes (path, aversion) VALUES ('/a', 1)", KindUnsupported, "aversion", "insertable columns are path, data, mode, ttl, acl"),
	rc("INSERT INTO znodes (path) VALUES ('/a') ON DUPLICATE KEY UPDATE mode = 'x'", KindUnsupported, "mode", "cannot be updated"),
	refuseCase{sql: "INSERT INTO znodes (path) VALUES ('/a') ON DUPLICATE KEY UPDATE data = VALUES(data)", kind: KindUnknown, near: "VALUES", off: 71, msg: "must name a column of the INSERT column list"},

	// UPDATE and DELETE.
	rc("UPDATE znodes SET path = '/b' WHERE path = '/a'", KindUnsupported, "path", "cannot be updated; updatable columns are data"),
	rc("UPDATE znodes SET version = 3", KindUnsupported, "version", "cannot be updated"),
	rc("UPDATE znodes SET data = 'a', data = 'b'", KindSyntax, "data", "assigned twice"),
	rc("UPDATE znodes SET data = 'x' ORDER BY path", KindUnsupported, "ORDER", "ORDER BY"),
	rc("UPDATE znodes SET data = 'x' LIMIT 1", KindUnsupported, "LIMIT", "UPDATE ... LIMIT"),
	rc("UPDATE znodes, acls SET data = 'x'", KindUnsupported, "acls", "comma-separated"),
	rc("UPDATE nope SET data = 'x'", KindUnknown, "nope", "unknown table"),
	rc("UPDATE znodes SET data = 'x' WHERE SUM(version) > 1", KindUnsupported, "SUM", "not allowed in WHERE"),
	rc("DELETE FROM znodes LIMIT 1", KindUnsupported, "LIMIT", "DELETE ... LIMIT"),
	rc("DELETE FROM znodes ORDER BY path", KindUnsupported, "ORDER", "DELETE ... ORDER BY"),
	rc("DELETE znodes FROM znodes JOIN acls ON znodes.path = acls.path", KindUnsupported, "znodes", "multi-table DELETE"),
	rc("DELETE FROM acls WHERE data = 'x'", KindUnknown, "data", "unknown column 'data' in table acls"),

	// Lexical and syntax errors.
	rc("SELECT FROM znodes", KindSyntax, "FROM", "unexpected 'FROM'"),
	rc("SELECT * FROM znodes WHERE", KindSyntax, "", "unexpected end of statement"),
	rc("SELECT 'abc FROM znodes", KindSyntax, "'abc FROM znodes", "unterminated string"),
	rc("SELECT `abc FROM znodes", KindSyntax, "`abc FROM znodes", "unterminated"),
	rc("SELECT path FROM znodes WHERE path = $1", KindSyntax, "$", "unexpected character '$'"),
	refuseCase{sql: "SELECT 'é', é FROM znodes", kind: KindSyntax, near: "é", off: 13, msg: "non-ASCII"},
	rc("SELECT /*! STRAIGHT_JOIN */ path FROM znodes", KindUnsupported, "/*!", "MySQL-specific comments"),
	rc("/*!*/", KindUnsupported, "/*!", "MySQL-specific comments"), // sqlparser panics on this
	rc("SELECT /* unterminated", KindSyntax, "/* unterminated", "unterminated comment"),
	rc("SELECT 1 FROM znodes WHERE path = :", KindSyntax, ":", "invalid placeholder"),
	// Names sql.Named would refuse (found by FuzzExec: database/sql's own
	// error named neither statement nor position).
	refuseCase{sql: "DELETE FROM Znodes WHERE:@", kind: KindSyntax, near: ":@", off: 24, msg: "invalid placeholder name :@"},
	rc("SELECT :_x", KindSyntax, ":_x", "a name begins with a letter"),
	// HAVING cannot refer to an item holding a `?` by alias: substituted,
	// the `?` would print back as a second argument (found by FuzzParse).
	rc("SELECT ? a FROM znodes HAVING a > 1", KindUnsupported, "a", "alias 'a' names an expression with a ? placeholder, which HAVING cannot refer to"),
	rc("SELECT 12abc", KindSyntax, "12", "invalid number"),
	refuseCase{sql: "SELECT SUBSTRING(LOWER(path)) FROM znodes", kind: KindSyntax, near: "SUBSTRING", off: 7, msg: "SUBSTRING takes 2 to 3 arguments, got 1"},
	rc("SELECT (", KindSyntax, "", "unexpected end of statement"),
	rc("SELECT UTC_DATE", KindUnknown, "UTC_DATE", "unknown function UTC_DATE"),
	// ONLY_FULL_GROUP_BY: the error is at the offending item.
	refuseCase{sql: "SELECT parent, name, COUNT(*) FROM znodes GROUP BY parent", kind: KindUnsupported, near: "name", off: 15, msg: "expression #2 of the select list (name) contains the column 'name', which is neither in GROUP BY nor aggregated"},
	refuseCase{sql: "SELECT COUNT(*), LENGTH(data) + 1 FROM znodes", kind: KindUnsupported, near: "LENGTH", off: 17, msg: "expression #2 of the select list (LENGTH(data) + 1) contains the column 'data', which is not aggregated"},
	rc("SELECT perms, COUNT(*) FROM acls GROUP BY path, scheme", KindUnsupported, "perms", "neither in GROUP BY nor aggregated"),
	rc("SELECT path FROM znodes GROUP BY parent", KindUnsupported, "path", "expression #1 of the select list (path)"),
	rc("SELECT parent FROM znodes GROUP BY parent ORDER BY name", KindUnsupported, "name", "expression #1 of ORDER BY (name)"),
	rc("SELECT parent FROM znodes GROUP BY parent HAVING MAX(version) > version", KindUnsupported, "MAX", "HAVING (MAX(version) > version) contains the column 'version'"),
	rc("SELECT @@version", KindUnsupported, "@@version", "variables"),
	rc("BEGIN WORK", KindSyntax, "WORK", "unexpected 'WORK'"),
	rc("SELECT * FROM znodes\nWHERE path = '/a'\n  AND bogus = 1", KindUnknown, "bogus", "unknown column 'bogus'"),
}

func TestParseRefuses(t *testing.T) {
	for _, tc := range refuseCases {
		t.Run(tc.sql, func(t *testing.T) {
			st, err := Parse(tc.sql)
			if err == nil {
				t.Fatalf("Parse(%q) = %v, want error", tc.sql, st)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse(%q) error %T is not *Error: %v", tc.sql, err, err)
			}
			wantOff := tc.off
			if wantOff < 0 {
				if tc.near == "" {
					wantOff = len(tc.sql)
				} else {
					wantOff = strings.Index(tc.sql, tc.near)
				}
			}
			if e.Kind != tc.kind {
				t.Errorf("Kind = %v, want %v (%v)", e.Kind, tc.kind, err)
			}
			if e.Offset != wantOff {
				t.Errorf("Offset = %d, want %d (%v)", e.Offset, wantOff, err)
			}
			if tc.near != "" && !strings.HasPrefix(e.Near, tc.near) {
				t.Errorf("Near = %q, want prefix %q", e.Near, tc.near)
			}
			if !strings.Contains(e.Msg, tc.msg) {
				t.Errorf("Msg = %q, want it to contain %q", e.Msg, tc.msg)
			}
			if e.SQL != tc.sql {
				t.Errorf("SQL = %q, want the statement", e.SQL)
			}
			if !strings.HasPrefix(err.Error(), "zksql: syntax error at position ") {
				t.Errorf("Error() = %q", err.Error())
			}
		})
	}
}
