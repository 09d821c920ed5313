package parser

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestTables(t *testing.T) {
	want := map[string]map[string]Type{
		"znodes": {
			"path": TypeText, "name": TypeText, "parent": TypeText, "data": TypeBlob,
			"version": TypeInt32, "cversion": TypeInt32, "aversion": TypeInt32,
			"czxid": TypeBigInt, "mzxid": TypeBigInt, "pzxid": TypeBigInt,
			"ctime": TypeTimestamp, "mtime": TypeTimestamp, "ephemeral_owner": TypeBigInt,
			"data_length": TypeInt32, "num_children": TypeInt32, "mode": TypeText, "ttl": TypeBigInt,
		},
		"acls": {"path": TypeText, "scheme": TypeText, "id": TypeText, "perms": TypeText},
	}
	got := map[string]map[string]Type{}
	for _, tb := range Tables() {
		if IsSystemTable(tb.Name) {
			continue // systables_test.go
		}
		got[tb.Name] = map[string]Type{}
		for _, c := range tb.Columns {
			got[tb.Name][c.Name] = c.Type
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("schema mismatch (-want +got):\n%s", diff)
	}
	zn, ok := LookupTable("ZNodes")
	if !ok || zn.ColumnNames()[0] != "path" {
		t.Fatalf("LookupTable(ZNodes) = %v, %v", zn, ok)
	}
	if c, ok := zn.Column("DATA"); !ok || !c.Updatable || !c.Insertable {
		t.Errorf("Column(DATA) = %+v, %v", c, ok)
	}
	// Callers get copies.
	Tables()[0].Columns[0].Name = "mutated"
	if zn, _ := LookupTable("znodes"); zn.Columns[0].Name != "path" {
		t.Error("Tables() exposes the schema for mutation")
	}
	if _, ok := LookupTable("nope"); ok {
		t.Error("LookupTable(nope) succeeded")
	}
}

func TestString(t *testing.T) {
	cases := []struct{ in, want string }{
		{"select PATH as `select`, `Name` from ZNODES", "SELECT path AS `select`, name FROM znodes"},
		{"select 1 from znodes where not (version = 1 or version = 2)", "SELECT 1 FROM znodes WHERE NOT (version = 1 OR version = 2)"},
		{"select (version + 1) * 2, version - (1 - 2), -(version + 1), - -version from znodes",
			"SELECT (version + 1) * 2, version - (1 - 2), -(version + 1), -(-version) FROM znodes"},
		{"select 'a''b\\\\c\\nd', X'', 0.5, 1e20 from znodes", `SELECT 'a\'b\\c\nd', X'', 0.5, 1e+20 FROM znodes`},
		{"select (version = 1) = (version = 2) from znodes", "SELECT (version = 1) = (version = 2) FROM znodes"},
		{"select data -> '$.a' = 'x', json_extract(lower(data), '$') from znodes",
			"SELECT (data -> '$.a') = 'x', JSON_EXTRACT(LOWER(data), '$') FROM znodes"},
		{"select 5 from znodes order by 1", "SELECT 5 FROM znodes ORDER BY (5)"},
		{"select 5 from znodes group by 1", "SELECT 5 FROM znodes GROUP BY (5)"},
		{"select data as path, path as data from znodes group by data having path > 'a' order by path, znodes.path",
			"SELECT data AS path, path AS data FROM znodes GROUP BY (path) HAVING path > 'a' ORDER BY (data), (path)"},
		{"select * from znodes limit 3, 4", "SELECT * FROM znodes LIMIT 4 OFFSET 3"},
		{"update znodes set data = 'x' where path = '/a'", "UPDATE znodes SET data = 'x' WHERE path = '/a'"},
		{"explain delete from znodes", "EXPLAIN DELETE FROM znodes"},
		{"show columns from acls", "DESCRIBE acls"},
		{"start transaction", "BEGIN"},
	}
	for _, tc := range cases {
		st, err := Parse(tc.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.in, err)
			continue
		}
		if got := st.String(); got != tc.want {
			t.Errorf("Parse(%q).String() = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSelectItemName(t *testing.T) {
	st, err := Parse("SELECT path, data AS d, LENGTH(data), * FROM znodes")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, it := range st.(*Select).Items {
		got = append(got, it.Name())
	}
	if diff := cmp.Diff([]string{"path", "d", "LENGTH(data)", "*"}, got); diff != "" {
		t.Error(diff)
	}
}

func TestErrorFormat(t *testing.T) {
	_, err := Parse("SELECT path\nFROM znodes\nWHERE bogus = 1 AND path = '" + strings.Repeat("x", 300) + "'")
	msg := err.Error()
	for _, want := range []string{
		"zksql: syntax error at position 30 (line 3, column 7) near 'bogus': unknown column 'bogus' in table znodes",
		"(statement: SELECT path FROM znodes WHERE bogus = 1",
		"…)",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("Error() = %q, missing %q", msg, want)
		}
	}
	if len(msg) > 300 {
		t.Errorf("message is %d bytes; the statement should be truncated", len(msg))
	}

	_, err = Parse("SELECT * FROM znodes WHERE")
	if want := "zksql: syntax error at position 26 at end of statement: unexpected end of statement (statement: SELECT * FROM znodes WHERE)"; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err, want)
	}
}

func TestErrorKindString(t *testing.T) {
	for k, want := range map[ErrorKind]string{KindSyntax: "syntax", KindUnsupported: "unsupported", KindUnknown: "unknown name", KindLimit: "limit exceeded"} {
		if k.String() != want {
			t.Errorf("%d.String() = %q, want %q", k, k.String(), want)
		}
	}
}

// The LIKE escapes \% and \_ must keep their backslash (MySQL semantics),
// which sqlparser's tokenizer would drop; error positions after such a
// string must still point into the original statement.
func TestLikeEscapes(t *testing.T) {
	st, err := Parse(`SELECT path FROM znodes WHERE name LIKE 'a\_b\%c\\d\'e' OR name = "x\_"`)
	if err != nil {
		t.Fatal(err)
	}
	w := st.(*Select).Where.(*Binary)
	if got := w.L.(*Like).Pattern.(*Literal).Value; got != `a\_b\%c\d'e` {
		t.Errorf("LIKE pattern = %q", got)
	}
	if got := w.R.(*Binary).R.(*Literal).Value; got != `x\_` {
		t.Errorf("string = %q", got)
	}
	sql := `SELECT path FROM znodes WHERE name LIKE 'a\_\_' AND AND`
	_, err = Parse(sql)
	e := err.(*Error)
	if want := strings.LastIndex(sql, "AND"); e.Offset != want || e.Near != "AND" {
		t.Errorf("offset %d near %q, want %d near AND: %v", e.Offset, e.Near, want, err)
	}
}

func TestParamsOf(t *testing.T) {
	st, err := Parse("SELECT path FROM znodes WHERE path = :a OR parent = :b OR name = :a LIMIT :n")
	if err != nil {
		t.Fatal(err)
	}
	p := ParamsOf(st)
	if diff := cmp.Diff(Params{Named: []string{"a", "b", "n"}}, p); diff != "" {
		t.Error(diff)
	}
	if p.NumInput() != 3 {
		t.Errorf("NumInput = %d", p.NumInput())
	}
	st, _ = Parse("SHOW TABLES")
	if p := ParamsOf(st); p.NumInput() != 0 {
		t.Errorf("SHOW TABLES params = %+v", p)
	}
}
