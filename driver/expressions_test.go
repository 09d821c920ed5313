package driver_test

import (
	"slices"
	"testing"
)

// exprCases are issue 11's reports on expressions: MySQL's JSON
// comparison, the functions MySQL users write, ONLY_FULL_GROUP_BY. They
// run on memstore and on a live ZooKeeper.
var exprCases = []stmtCase{
	// A non-JSON operand compared with a JSON value becomes JSON (MySQL 8).
	{name: "json extract equals string", setup: jsonTags,
		q: "SELECT name FROM znodes WHERE parent = '/j' AND JSON_EXTRACT(data, '$.tag') = 'odd'", want: []string{"odd"}},
	{name: "json arrow equals string", setup: jsonTags,
		q: "SELECT name FROM znodes WHERE parent = '/j' AND data->'$.tag' IN ('odd', 'none') ORDER BY name", want: []string{"odd"}},
	{name: "json string matches a string, not a number", setup: jsonTags,
		q: "SELECT name FROM znodes WHERE parent = '/j' AND data->'$.n' = '1'", want: []string{"even"}},
	{name: "json number", setup: jsonTags,
		q: "SELECT name FROM znodes WHERE parent = '/j' AND data->'$.n' = 1", want: []string{"odd"}},
	{name: "delete by json tag", setup: jsonTags, exec: true,
		q: "DELETE FROM znodes WHERE parent = '/j' AND JSON_EXTRACT(data, '$.tag') = 'odd'", want: []string{"1", "0"},
		after: "SELECT name FROM znodes WHERE parent = '/j'", afterWant: []string{"bad", "even"}},
	{name: "update by json tag", setup: jsonTags, exec: true,
		q: "UPDATE znodes SET data = 'seen' WHERE parent = '/j' AND data->'$.tag' = 'even'", want: []string{"1", "0"},
		after: "SELECT name, data FROM znodes WHERE parent = '/j'", afterWant: []string{"bad|not json", "even|seen", `odd|{"tag":"odd","n":1}`}},

	// Functions.
	{name: "conditional functions",
		q:    "SELECT COALESCE(NULL, name), IFNULL(ttl, 0), NULLIF(name, 'n1'), IF(version = 0, 'v0', 'other'), CASE name WHEN 'n1' THEN 'first' ELSE 'other' END, CASE WHEN data_length > 3 THEN 'long' END FROM znodes WHERE path = '/app/nodes/n1'",
		want: []string{"n1|0|NULL|v0|first|long"}},
	{name: "string functions",
		q:    "SELECT CONCAT_WS('/', parent, NULL, name), HEX(data), UNHEX(HEX(data)) = data, HEX(255) FROM znodes WHERE path = '/app/nodes/n1'",
		want: []string{"/app/nodes/n1|616C706861|1|FF"}},
	{name: "json functions",
		q:    "SELECT JSON_UNQUOTE(data->'$.port'), JSON_TYPE(data), JSON_LENGTH(data), JSON_KEYS(data), JSON_CONTAINS(data, '8080', '$.port'), JSON_VALID(data), JSON_VALID(name) FROM znodes WHERE path = '/app/config'",
		want: []string{`8080|OBJECT|1|["port"]|1|1|0`}},
	{name: "case in where", q: "SELECT name FROM znodes WHERE parent = '/app/nodes' AND CASE WHEN name = 'n2' THEN 1 ELSE 0 END", want: []string{"n2"}},
	{name: "time functions",
		q:    "SELECT COUNT(*) FROM znodes WHERE parent = '/app/nodes' AND mtime <= NOW(6) AND UNIX_TIMESTAMP(ctime) > 0 AND FROM_UNIXTIME(0) = '1970-01-01 00:00:00' AND UTC_TIMESTAMP() >= '2020-01-01'",
		want: []string{"3"}},
	{name: "now is the statement's", q: "SELECT COUNT(DISTINCT NOW(6)) FROM znodes", want: []string{"1"}},
	{name: "unknown function", q: "SELECT SYSDATE() FROM znodes", errIn: "unknown function SYSDATE"},

	// ONLY_FULL_GROUP_BY.
	{name: "group by loose column", q: "SELECT name, COUNT(*) FROM znodes GROUP BY parent",
		errIn: "expression #1 of the select list (name) contains the column 'name', which is neither in GROUP BY nor aggregated (ONLY_FULL_GROUP_BY"},
	{name: "aggregate with loose column", q: "SELECT COUNT(*), path FROM znodes",
		errIn: "expression #2 of the select list (path) contains the column 'path', which is not aggregated"},
	{name: "star with aggregate", q: "SELECT *, COUNT(*) FROM znodes", errIn: "expression #1 of the select list (*)"},
	{name: "loose column in having", q: "SELECT parent, COUNT(*) FROM znodes GROUP BY parent HAVING name > 'a'", errIn: "HAVING (name > 'a') contains the column 'name'"},
	{name: "loose column in order by", q: "SELECT parent, COUNT(*) FROM znodes GROUP BY parent ORDER BY version", errIn: "expression #1 of ORDER BY (version) contains the column 'version'"},
	{name: "grouped expression", q: "SELECT LENGTH(name), COUNT(*) FROM znodes WHERE parent = '/app/nodes' GROUP BY LENGTH(name)", want: []string{"2|3"}},
	{name: "grouped by the key", q: "SELECT path, data, COUNT(*) FROM znodes WHERE parent = '/app/nodes' GROUP BY path", want: []string{"/app/nodes/n1|alpha|1", "/app/nodes/n2|beta|1", "/app/nodes/n3|gamma|1"}},
	{name: "grouped column inside an expression", q: "SELECT CONCAT(parent, '!'), MAX(name) FROM znodes WHERE parent = '/app/nodes' GROUP BY parent", want: []string{"/app/nodes!|n3"}},
}

var jsonTags = []string{`INSERT INTO znodes (path, data) VALUES ('/j', ''), ('/j/odd', '{"tag":"odd","n":1}'), ('/j/even', '{"tag":"even","n":"1"}'), ('/j/bad', 'not json')`}

// TestExpressionColumnTypes: the new functions report their result types.
func TestExpressionColumnTypes(t *testing.T) {
	db := openDB(t, "mem:")
	rows, err := db.Query("SELECT HEX(data), UNHEX('41'), JSON_LENGTH(data), JSON_TYPE(data), NOW(), FROM_UNIXTIME(0) FROM znodes WHERE path = '/'")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cts, err := rows.ColumnTypes()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ct := range cts {
		got = append(got, ct.DatabaseTypeName()+" "+ct.ScanType().String())
	}
	want := []string{"TEXT string", "BLOB []uint8", "BIGINT int64", "TEXT string", "DATETIME time.Time", "DATETIME time.Time"}
	if !slices.Equal(got, want) {
		t.Errorf("column types %q, want %q", got, want)
	}
	for rows.Next() {
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

func runExprCases(t *testing.T, b backend) {
	for _, c := range exprCases {
		t.Run(c.name, func(t *testing.T) {
			plain, db := b.open(t, c.opts)
			for _, s := range append(slices.Clone(fixture), c.setup...) {
				mustExec(t, plain, s)
			}
			checkCase(t, db, c)
		})
	}
}

func TestExpressions(t *testing.T) { runExprCases(t, memBackend()) }

func TestExpressionsLive(t *testing.T) {
	if testing.Short() {
		t.Skip("live ZooKeeper test skipped in -short mode")
	}
	runExprCases(t, liveBackend(t))
}
