package parser

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

type acceptCase struct {
	sql    string
	want   Statement
	params Params
}

var acceptCases = []acceptCase{
	// SELECT basics.
	{sql: "SELECT 1", want: &Select{Items: items(num(1))}},
	{sql: "select * from znodes", want: &Select{Items: star(), From: "znodes"}},
	{sql: "SELECT * FROM znodes;", want: &Select{Items: star(), From: "znodes"}},
	{sql: "SELECT /* hi */ path FROM znodes -- trailing\n", want: &Select{Items: items(col("path")), From: "znodes"}},
	{sql: "SELECT path, data FROM znodes WHERE path = ?",
		want:   &Select{Items: items(col("path"), col("data")), From: "znodes", Where: eq(col("path"), q(1))},
		params: Params{Ordinal: 1}},
	{sql: "SELECT `Path` AS `p`, NAME n FROM `ZNODES` WHERE `path` = '/a'",
		want: &Select{Items: []SelectItem{{Expr: col("path"), Alias: "p"}, {Expr: col("name"), Alias: "n"}}, From: "znodes", Where: eq(col("path"), str("/a"))}},
	{sql: "SELECT z.path FROM znodes AS z WHERE Z.version > 1 AND znodes.version < 9",
		want: &Select{Items: items(col("path")), From: "znodes",
			Where: and(bin(OpGt, col("version"), num(1)), bin(OpLt, col("version"), num(9)))}},
	{sql: "SELECT znodes.* FROM znodes", want: &Select{Items: star(), From: "znodes"}},
	{sql: "SELECT DISTINCT parent FROM znodes", want: &Select{Distinct: true, Items: items(col("parent")), From: "znodes"}},
	{sql: "SELECT path FROM acls WHERE scheme = 'world' AND id = 'anyone'",
		want: &Select{Items: items(col("path")), From: "acls", Where: and(eq(col("scheme"), str("world")), eq(col("id"), str("anyone")))}},

	// Boolean structure and comparisons.
	{sql: "SELECT 1 FROM znodes WHERE version = 1 OR version = 2 AND NOT mode = 'x'",
		want: &Select{Items: items(num(1)), From: "znodes",
			Where: or(eq(col("version"), num(1)), and(eq(col("version"), num(2)), not(eq(col("mode"), str("x")))))}},
	{sql: "SELECT 1 FROM znodes WHERE (version = 1 OR version = 2) AND !(ttl > 0)",
		want: &Select{Items: items(num(1)), From: "znodes",
			Where: and(or(eq(col("version"), num(1)), eq(col("version"), num(2))), not(bin(OpGt, col("ttl"), num(0))))}},
	{sql: "SELECT version <> 1, version != 1, version <= 1, version >= 1, version < 1, version > 1 FROM znodes",
		want: &Select{From: "znodes", Items: items(
			bin(OpNe, col("version"), num(1)), bin(OpNe, col("version"), num(1)),
			bin(OpLe, col("version"), num(1)), bin(OpGe, col("version"), num(1)),
			bin(OpLt, col("version"), num(1)), bin(OpGt, col("version"), num(1)))}},
	{sql: `SELECT path FROM znodes WHERE name LIKE 'a\_%' AND name NOT LIKE 'b|%' ESCAPE '|'`,
		want: &Select{Items: items(col("path")), From: "znodes", Where: and(
			&Like{X: col("name"), Pattern: str(`a\_%`)},
			&Like{X: col("name"), Pattern: str("b|%"), Escape: str("|"), Not: true})}},
	{sql: "SELECT path FROM znodes WHERE path REGEXP '^/a' OR path NOT REGEXP ?",
		want: &Select{Items: items(col("path")), From: "znodes", Where: or(
			&Regexp{X: col("path"), Pattern: str("^/a")},
			&Regexp{X: col("path"), Pattern: q(1), Not: true})},
		params: Params{Ordinal: 1}},
	{sql: "SELECT path FROM znodes WHERE path IN ('/a', ?, ?) AND version NOT IN (1)",
		want: &Select{Items: items(col("path")), From: "znodes", Where: and(
			&In{X: col("path"), List: []Expr{str("/a"), q(1), q(2)}},
			&In{X: col("version"), List: []Expr{num(1)}, Not: true})},
		params: Params{Ordinal: 2}},
	{sql: "SELECT path FROM znodes WHERE version BETWEEN 1 AND 5 AND ctime NOT BETWEEN ? AND ?",
		want: &Select{Items: items(col("path")), From: "znodes", Where: and(
			&Between{X: col("version"), Lo: num(1), Hi: num(5)},
			&Between{X: col("ctime"), Lo: q(1), Hi: q(2), Not: true})},
		params: Params{Ordinal: 2}},
	{sql: "SELECT path FROM znodes WHERE data IS NULL OR ttl IS NOT NULL",
		want: &Select{Items: items(col("path")), From: "znodes", Where: or(
			&IsNull{X: col("data")}, &IsNull{X: col("ttl"), Not: true})}},

	// Arithmetic.
	{sql: "SELECT version + 1 * 2 - 3 % 2 / 4, -version, +version, num_children MOD 2 FROM znodes",
		want: &Select{From: "znodes", Items: items(
			bin(OpSub, bin(OpAdd, col("version"), bin(OpMul, num(1), num(2))), bin(OpDiv, bin(OpMod, num(3), num(2)), num(4))),
			&Unary{Op: OpNeg, X: col("version")},
			col("version"),
			bin(OpMod, col("num_children"), num(2)))}},
	{sql: "SELECT (version + 1) * 2 FROM znodes",
		want: &Select{From: "znodes", Items: items(bin(OpMul, bin(OpAdd, col("version"), num(1)), num(2)))}},

	// Literals.
	{sql: `SELECT 'it''s', "dq", 'a\nb', 42, -7, 1.5, -2.5, 1e3, 0x1F, X'ab', NULL, TRUE, false`,
		want: &Select{Items: items(str("it's"), str("dq"), str("a\nb"), num(42), num(-7), lit(1.5), lit(-2.5), lit(1000.0),
			lit([]byte{0x1f}), lit([]byte{0xab}), lit(nil), lit(true), lit(false))}},
	{sql: "SELECT 9223372036854775807, -9223372036854775808",
		want: &Select{Items: items(num(9223372036854775807), num(-9223372036854775808))}},

	// Functions.
	{sql: "SELECT LENGTH(data), lower(name), UPPER(name), concat(parent, '/', name) FROM znodes",
		want: &Select{From: "znodes", Items: items(
			fn(FuncLength, col("data")), fn(FuncLower, col("name")), fn(FuncUpper, col("name")),
			fn(FuncConcat, col("parent"), str("/"), col("name")))}},
	{sql: "SELECT SUBSTRING(path, 2), SUBSTR(path, 2, 3), substring(path FROM 1 FOR ?) FROM znodes",
		want: &Select{From: "znodes", Items: items(
			fn(FuncSubstring, col("path"), num(2)), fn(FuncSubstring, col("path"), num(2), num(3)),
			fn(FuncSubstring, col("path"), num(1), q(1)))},
		params: Params{Ordinal: 1}},
	// Any first argument, which sqlparser's own SUBSTRING rule refuses.
	{sql: "SELECT SUBSTRING(LOWER(path), 1), substr(CONCAT(name, 'x'), 2, ?) FROM znodes",
		want: &Select{From: "znodes", Items: items(
			fn(FuncSubstring, fn(FuncLower, col("path")), num(1)),
			fn(FuncSubstring, fn(FuncConcat, col("name"), str("x")), num(2), q(1)))},
		params: Params{Ordinal: 1}},
	{sql: "SELECT CAST(data AS CHAR), CONVERT(path, BINARY), CAST(czxid AS SIGNED INTEGER), CAST(ttl AS UNSIGNED), CAST(ctime AS DATETIME), CAST(data AS JSON) FROM znodes",
		want: &Select{From: "znodes", Items: items(
			&Cast{X: col("data"), Type: CastChar}, &Cast{X: col("path"), Type: CastBinary},
			&Cast{X: col("czxid"), Type: CastSigned}, &Cast{X: col("ttl"), Type: CastUnsigned},
			&Cast{X: col("ctime"), Type: CastDatetime}, &Cast{X: col("data"), Type: CastJSON})}},
	{sql: "SELECT data->'$.a', data->>'$.b', JSON_EXTRACT(data, ?) FROM znodes WHERE data->>'$.c' = 'x'",
		want: &Select{From: "znodes", Items: items(
			&JSONExtract{X: col("data"), Path: str("$.a")},
			&JSONExtract{X: col("data"), Path: str("$.b"), Unquote: true},
			&JSONExtract{X: col("data"), Path: q(1)}),
			Where: eq(&JSONExtract{X: col("data"), Path: str("$.c"), Unquote: true}, str("x"))},
		params: Params{Ordinal: 1}},
	{sql: "SELECT JSON_EXTRACT(CAST(data AS JSON), CONCAT('$.', name)) FROM znodes",
		want: &Select{From: "znodes", Items: items(&JSONExtract{
			X: &Cast{X: col("data"), Type: CastJSON}, Path: fn(FuncConcat, str("$."), col("name"))})}},

	{sql: "SELECT CASE version WHEN 1 THEN 'one' WHEN 2 THEN 'two' ELSE name END, CASE WHEN data IS NULL THEN 0 END FROM znodes",
		want: &Select{From: "znodes", Items: items(
			&Case{Operand: col("version"), Whens: []When{{Cond: num(1), Result: str("one")}, {Cond: num(2), Result: str("two")}}, Else: col("name")},
			&Case{Whens: []When{{Cond: &IsNull{X: col("data")}, Result: num(0)}}})}},
	{sql: "SELECT COALESCE(data, ''), IFNULL(ttl, 0), NULLIF(name, 'x'), IF(version > 1, 'a', 'b'), CONCAT_WS('/', parent, name), HEX(data), UNHEX('41') FROM znodes",
		want: &Select{From: "znodes", Items: items(
			fn(FuncCoalesce, col("data"), str("")), fn(FuncIfNull, col("ttl"), num(0)), fn(FuncNullIf, col("name"), str("x")),
			fn(FuncIf, bin(OpGt, col("version"), num(1)), str("a"), str("b")), fn(FuncConcatWS, str("/"), col("parent"), col("name")),
			fn(FuncHex, col("data")), fn(FuncUnhex, str("41")))}},
	{sql: "SELECT NOW(), now(3), CURRENT_TIMESTAMP, CURRENT_TIMESTAMP(), LOCALTIMESTAMP, UTC_TIMESTAMP, UTC_TIMESTAMP(), UNIX_TIMESTAMP(), UNIX_TIMESTAMP(mtime), FROM_UNIXTIME(0) FROM znodes",
		want: &Select{From: "znodes", Items: items(
			fn(FuncNow), fn(FuncNow, num(3)), fn(FuncNow), fn(FuncNow), fn(FuncNow), fn(FuncUTCTimestamp), fn(FuncUTCTimestamp),
			fn(FuncUnixTimestamp), fn(FuncUnixTimestamp, col("mtime")), fn(FuncFromUnixtime, num(0)))}},
	{sql: "SELECT JSON_UNQUOTE(data->'$.a'), JSON_TYPE(data), JSON_LENGTH(data), JSON_LENGTH(data, '$.a'), JSON_KEYS(data), JSON_KEYS(data, '$.a'), JSON_CONTAINS(data, '1'), JSON_CONTAINS(data, '1', '$.a'), JSON_VALID(data) FROM znodes",
		want: &Select{From: "znodes", Items: items(
			fn(FuncJSONUnquote, &JSONExtract{X: col("data"), Path: str("$.a")}), fn(FuncJSONType, col("data")),
			fn(FuncJSONLength, col("data")), fn(FuncJSONLength, col("data"), str("$.a")),
			fn(FuncJSONKeys, col("data")), fn(FuncJSONKeys, col("data"), str("$.a")),
			fn(FuncJSONContains, col("data"), str("1")), fn(FuncJSONContains, col("data"), str("1"), str("$.a")),
			fn(FuncJSONValid, col("data")))}},

	// Aggregates, GROUP BY, HAVING, ORDER BY, LIMIT.
	{sql: "SELECT path, data, COUNT(*) FROM znodes GROUP BY path",
		want: &Select{From: "znodes", Items: items(col("path"), col("data"), agg(AggCount, nil)), GroupBy: []Expr{col("path")}}},
	{sql: "SELECT perms, COUNT(*) FROM acls GROUP BY path, scheme, id",
		want: &Select{From: "acls", Items: items(col("perms"), agg(AggCount, nil)), GroupBy: []Expr{col("path"), col("scheme"), col("id")}}},
	{sql: "SELECT LENGTH(name) + 1, MAX(version) FROM znodes GROUP BY LENGTH(name) ORDER BY LENGTH(name)",
		want: &Select{From: "znodes", Items: items(bin(OpAdd, fn(FuncLength, col("name")), num(1)), agg(AggMax, col("version"))),
			GroupBy: []Expr{fn(FuncLength, col("name"))}, OrderBy: []OrderItem{{Expr: fn(FuncLength, col("name"))}}}},
	{sql: "SELECT COUNT(*), count(path), COUNT(DISTINCT parent), SUM(data_length), MIN(ctime), MAX(mtime), AVG(num_children) FROM znodes",
		want: &Select{From: "znodes", Items: items(
			agg(AggCount, nil), agg(AggCount, col("path")), &Aggregate{Func: AggCount, Distinct: true, Arg: col("parent")},
			agg(AggSum, col("data_length")), agg(AggMin, col("ctime")), agg(AggMax, col("mtime")), agg(AggAvg, col("num_children")))}},
	{sql: "SELECT parent AS p, COUNT(*) AS n FROM znodes GROUP BY p HAVING n > 1 ORDER BY n DESC, 1",
		want: &Select{From: "znodes",
			Items:   []SelectItem{{Expr: col("parent"), Alias: "p"}, {Expr: agg(AggCount, nil), Alias: "n"}},
			GroupBy: []Expr{col("parent")},
			Having:  bin(OpGt, agg(AggCount, nil), num(1)),
			OrderBy: []OrderItem{{Expr: agg(AggCount, nil), Desc: true}, {Expr: col("parent")}}}},
	{sql: "SELECT parent, SUM(version) FROM znodes GROUP BY 1 HAVING SUM(version) > 3",
		want: &Select{From: "znodes", Items: items(col("parent"), agg(AggSum, col("version"))),
			GroupBy: []Expr{col("parent")}, Having: bin(OpGt, agg(AggSum, col("version")), num(3))}},
	{sql: "SELECT * FROM znodes ORDER BY 4 DESC, path ASC, LENGTH(data)",
		want: &Select{Items: star(), From: "znodes", OrderBy: []OrderItem{
			{Expr: col("data"), Desc: true}, {Expr: col("path")}, {Expr: fn(FuncLength, col("data"))}}}},
	{sql: "SELECT data AS path FROM znodes ORDER BY path",
		want: &Select{Items: []SelectItem{{Expr: col("data"), Alias: "path"}}, From: "znodes", OrderBy: []OrderItem{{Expr: col("data")}}}},
	{sql: "SELECT path FROM znodes LIMIT 10",
		want: &Select{Items: items(col("path")), From: "znodes", Limit: &Limit{Count: num(10)}}},
	{sql: "SELECT path FROM znodes LIMIT 5, 10",
		want: &Select{Items: items(col("path")), From: "znodes", Limit: &Limit{Count: num(10), Offset: num(5)}}},
	{sql: "SELECT path FROM znodes LIMIT 10 OFFSET 5",
		want: &Select{Items: items(col("path")), From: "znodes", Limit: &Limit{Count: num(10), Offset: num(5)}}},
	{sql: "SELECT path FROM znodes WHERE parent = ? LIMIT ? OFFSET ?",
		want:   &Select{Items: items(col("path")), From: "znodes", Where: eq(col("parent"), q(1)), Limit: &Limit{Count: q(2), Offset: q(3)}},
		params: Params{Ordinal: 3}},
	{sql: "SELECT path FROM znodes WHERE parent = :dir OR path = :dir LIMIT :n",
		want: &Select{Items: items(col("path")), From: "znodes",
			Where: or(eq(col("parent"), named("dir")), eq(col("path"), named("dir"))), Limit: &Limit{Count: named("n")}},
		params: Params{Named: []string{"dir", "n"}}},

	// INSERT.
	{sql: "INSERT INTO znodes (path, data) VALUES (?, ?)",
		want:   &Insert{Table: "znodes", Columns: []string{"path", "data"}, Rows: [][]Expr{{q(1), q(2)}}},
		params: Params{Ordinal: 2}},
	{sql: "insert into ZNODES (PATH, data, mode, ttl) values ('/a', 'x', 'persistent', NULL), ('/b', X'00', 'ephemeral', 0);",
		want: &Insert{Table: "znodes", Columns: []string{"path", "data", "mode", "ttl"}, Rows: [][]Expr{
			{str("/a"), str("x"), str("persistent"), lit(nil)},
			{str("/b"), lit([]byte{0}), str("ephemeral"), num(0)}}}},
	{sql: "INSERT INTO znodes (path, data) VALUES (:p, :d) ON DUPLICATE KEY UPDATE data = VALUES(data)",
		want: &Insert{Table: "znodes", Columns: []string{"path", "data"}, Rows: [][]Expr{{named("p"), named("d")}},
			OnDuplicate: []Assignment{{Column: "data", Value: &InsertedValue{Column: "data"}}}},
		params: Params{Named: []string{"p", "d"}}},
	{sql: "INSERT INTO znodes (path, data) VALUES ('/a', 'x') ON DUPLICATE KEY UPDATE data = CONCAT(data, VALUES(data))",
		want: &Insert{Table: "znodes", Columns: []string{"path", "data"}, Rows: [][]Expr{{str("/a"), str("x")}},
			OnDuplicate: []Assignment{{Column: "data", Value: fn(FuncConcat, col("data"), &InsertedValue{Column: "data"})}}}},
	{sql: "INSERT INTO znodes SET path = '/a', data = 'x'",
		want: &Insert{Table: "znodes", Columns: []string{"path", "data"}, Rows: [][]Expr{{str("/a"), str("x")}}}},
	{sql: "INSERT IGNORE INTO znodes (path, data, acl) VALUES ('/a', 'x', 'world:anyone:r'), ('/b', '', NULL)",
		want: &Insert{Table: "znodes", Ignore: true, Columns: []string{"path", "data", "acl"}, Rows: [][]Expr{
			{str("/a"), str("x"), str("world:anyone:r")}, {str("/b"), str(""), lit(nil)}}}},
	{sql: "insert ignore into acls (path, scheme, id, perms) values ('/a', 'world', 'anyone', 'r')",
		want: &Insert{Table: "acls", Ignore: true, Columns: []string{"path", "scheme", "id", "perms"},
			Rows: [][]Expr{{str("/a"), str("world"), str("anyone"), str("r")}}}},
	{sql: "INSERT INTO acls (path, scheme, id, perms) VALUES ('/a', 'world', 'anyone', 'r')",
		want: &Insert{Table: "acls", Columns: []string{"path", "scheme", "id", "perms"},
			Rows: [][]Expr{{str("/a"), str("world"), str("anyone"), str("r")}}}},
	{sql: "INSERT INTO znodes (path, data) VALUES (CONCAT('/a', ?), LOWER('X') )",
		want: &Insert{Table: "znodes", Columns: []string{"path", "data"},
			Rows: [][]Expr{{fn(FuncConcat, str("/a"), q(1)), fn(FuncLower, str("X"))}}},
		params: Params{Ordinal: 1}},

	// UPDATE.
	{sql: "UPDATE znodes SET data = ? WHERE path = ? AND version = ?",
		want:   &Update{Table: "znodes", Set: []Assignment{{Column: "data", Value: q(1)}}, Where: and(eq(col("path"), q(2)), eq(col("version"), q(3)))},
		params: Params{Ordinal: 3}},
	{sql: "UPDATE znodes z SET z.data = CONCAT(data, 'x') WHERE z.path LIKE '/a/%'",
		want: &Update{Table: "znodes", Set: []Assignment{{Column: "data", Value: fn(FuncConcat, col("data"), str("x"))}},
			Where: &Like{X: col("path"), Pattern: str("/a/%")}}},
	{sql: "UPDATE acls SET perms = 'rw', id = 'bob' WHERE path = '/a' AND scheme = 'digest'",
		want: &Update{Table: "acls", Set: []Assignment{{Column: "perms", Value: str("rw")}, {Column: "id", Value: str("bob")}},
			Where: and(eq(col("path"), str("/a")), eq(col("scheme"), str("digest")))}},
	{sql: "UPDATE znodes SET data = NULL",
		want: &Update{Table: "znodes", Set: []Assignment{{Column: "data", Value: lit(nil)}}}},

	// DELETE.
	{sql: "DELETE FROM znodes WHERE path = ?", want: &Delete{Table: "znodes", Where: eq(col("path"), q(1))}, params: Params{Ordinal: 1}},
	{sql: "delete from acls where path = '/a' and id = 'x'", want: &Delete{Table: "acls", Where: and(eq(col("path"), str("/a")), eq(col("id"), str("x")))}},
	{sql: "DELETE FROM znodes", want: &Delete{Table: "znodes"}},

	// Metadata and transactions.
	{sql: "SHOW TABLES", want: &ShowTables{}},
	{sql: "show tables;", want: &ShowTables{}},
	{sql: "DESCRIBE znodes", want: &Describe{Table: "znodes"}},
	{sql: "desc ACLS;", want: &Describe{Table: "acls"}},
	{sql: "EXPLAIN `znodes`", want: &Describe{Table: "znodes"}},
	{sql: "SHOW COLUMNS FROM znodes", want: &Describe{Table: "znodes"}},
	{sql: "show fields in acls", want: &Describe{Table: "acls"}},
	{sql: "EXPLAIN SELECT path FROM znodes WHERE path = ?",
		want:   &Explain{Stmt: &Select{Items: items(col("path")), From: "znodes", Where: eq(col("path"), q(1))}},
		params: Params{Ordinal: 1}},
	{sql: "DESCRIBE DELETE FROM znodes WHERE path = '/a'",
		want: &Explain{Stmt: &Delete{Table: "znodes", Where: eq(col("path"), str("/a"))}}},
	{sql: "EXPLAIN UPDATE znodes SET data = 'x'", want: &Explain{Stmt: &Update{Table: "znodes", Set: []Assignment{{Column: "data", Value: str("x")}}}}},
	{sql: "EXPLAIN INSERT INTO znodes (path) VALUES ('/a')", want: &Explain{Stmt: &Insert{Table: "znodes", Columns: []string{"path"}, Rows: [][]Expr{{str("/a")}}}}},
	{sql: "BEGIN", want: &Begin{}},
	{sql: "START TRANSACTION", want: &Begin{}},
	{sql: "commit;", want: &Commit{}},
	{sql: "ROLLBACK", want: &Rollback{}},
}

func TestParseAccepts(t *testing.T) {
	for _, tc := range acceptCases {
		t.Run(tc.sql, func(t *testing.T) {
			got, err := Parse(tc.sql)
			if err != nil {
				t.Fatalf("Parse(%q) error: %v", tc.sql, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Parse(%q) mismatch (-want +got):\n%s", tc.sql, diff)
			}
			if diff := cmp.Diff(tc.params, ParamsOf(got)); diff != "" {
				t.Errorf("ParamsOf(%q) mismatch (-want +got):\n%s", tc.sql, diff)
			}
			// String must print SQL that parses back to the same tree.
			again, err := Parse(got.String())
			if err != nil {
				t.Fatalf("reparse of %q (from %q): %v", got.String(), tc.sql, err)
			}
			if diff := cmp.Diff(got, again); diff != "" {
				t.Errorf("reparse of %q mismatch (-first +second):\n%s", got.String(), diff)
			}
		})
	}
}
