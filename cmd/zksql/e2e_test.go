package main

import (
	"bytes"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tableBlocks returns the aligned tables in out: runs of lines starting
// with '+' or '|'.
func tableBlocks(out string) [][]string {
	var blocks [][]string
	var cur []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "+") || strings.HasPrefix(l, "|") {
			cur = append(cur, l)
			continue
		}
		if cur != nil {
			blocks = append(blocks, cur)
			cur = nil
		}
	}
	if cur != nil {
		blocks = append(blocks, cur)
	}
	return blocks
}

// checkAligned fails unless every line of the table has the same display
// width and its column separators sit at the same columns.
func checkAligned(t *testing.T, table []string) {
	t.Helper()
	seps := func(l string) []int {
		var at []int
		col := 0
		for _, r := range l {
			if r == '|' || r == '+' {
				at = append(at, col)
			}
			col += displayWidth(string(r))
		}
		return at
	}
	want := seps(table[0])
	for _, l := range table[1:] {
		if got := seps(l); !equalInts(got, want) {
			t.Errorf("table not aligned:\n%s\nline %q has separators at %v, the border at %v", strings.Join(table, "\n"), l, got, want)
			return
		}
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// cellsOf returns the trimmed cells of a table's data rows.
func cellsOf(table []string) [][]string {
	var rows [][]string
	for i, l := range table {
		if !strings.HasPrefix(l, "|") || i < 3 { // border, header, border
			continue
		}
		parts := strings.Split(strings.Trim(l, "|"), " | ")
		for j := range parts {
			parts[j] = strings.TrimSpace(parts[j])
		}
		rows = append(rows, parts)
	}
	return rows
}

func TestPipedScript(t *testing.T) {
	env := testEnv(t)
	script := `-- a comment between statements
SELECT path, data
  FROM znodes
  WHERE parent = '/app/config'
  ORDER BY path;
\d
INSERT INTO znodes (path, data) VALUES ('/notes', 'ends with;
and spans; lines');
SELECT data FROM znodes WHERE path = '/notes';
\o csv
SELECT path FROM znodes WHERE parent = '/jobs/queue' ORDER BY path;
`
	out, errOut, code := runEnv(t, env, script)
	if code != 0 || errOut != "" {
		t.Fatalf("exit code %d, stderr (no progress line off a terminal):\n%s", code, errOut)
	}
	blocks := tableBlocks(out)
	if len(blocks) != 3 {
		t.Fatalf("want 3 tables, got %d in:\n%s", len(blocks), out)
	}
	for _, b := range blocks {
		checkAligned(t, b)
	}
	rows := cellsOf(blocks[0])
	got := map[string]string{}
	for _, r := range rows {
		got[r[0]] = r[1]
	}
	want := map[string]string{
		"/app/config/greeting":        "héllo, 世界",
		"/app/config/log_level":       "info",
		"/app/config/motd":            `line one\nline two\ttabbed`,       // control characters escaped
		"/app/config/tls_fingerprint": "0x3082010a0282010100c39f1eff007f", // not UTF-8: hex
	}
	for p, w := range want {
		if got[p] != w {
			t.Errorf("%s shown as %q, want %q", p, got[p], w)
		}
	}
	if len(rows) != 7 {
		t.Errorf("want the 7 children of /app/config, got %d rows", len(rows))
	}
	if !strings.Contains(out, "7 rows\n") {
		t.Errorf("no row count in:\n%s", out)
	}
	var tables []string
	for _, r := range cellsOf(blocks[1]) {
		tables = append(tables, r[0])
	}
	if got, want := strings.Join(tables, " "), "acls connections ensemble_config ephemerals servers session watches znodes"; got != want {
		t.Errorf(`\d listed %q, want %q`, got, want)
	}
	if !strings.Contains(out, "1 row affected") {
		t.Errorf("no affected count for the INSERT in:\n%s", out)
	}
	if note := cellsOf(blocks[2]); len(note) != 1 || note[0][0] != `ends with;\nand spans; lines` {
		t.Errorf("the quoted ';' at a line end split the statement: got %q", note)
	}
	csvPart := out[strings.Index(out, "output format is csv\n")+len("output format is csv\n"):]
	recs, err := csv.NewReader(strings.NewReader(csvPart)).ReadAll()
	if err != nil {
		t.Fatalf("CSV after \\o csv does not parse: %v\n%s", err, csvPart)
	}
	wantRecs := [][]string{{"path"}, {"/jobs/queue/job-0000000000"}, {"/jobs/queue/job-0000000001"}, {"/jobs/queue/job-0000000002"}}
	if len(recs) != len(wantRecs) {
		t.Fatalf("CSV records %q, want %q", recs, wantRecs)
	}
	for i := range recs {
		if recs[i][0] != wantRecs[i][0] {
			t.Errorf("CSV record %d is %q, want %q", i, recs[i], wantRecs[i])
		}
	}
	// Input from a pipe is not a terminal: no history is written.
	if _, err := os.Stat(filepath.Join(envValue(env, "XDG_CONFIG_HOME"), "zksql", "history")); !os.IsNotExist(err) {
		t.Errorf("a history file was written for piped input (stat: %v)", err)
	}
}

func TestExecJSON(t *testing.T) {
	out, errOut, code := runZK(t, "", "-o", "json", "-e",
		"SELECT path, data, mode, ephemeral_owner, ttl FROM znodes WHERE parent = '/app/config' OR parent = '/services/worker/instances' ORDER BY path")
	if code != 0 {
		t.Fatalf("exit code %d, stderr:\n%s", code, errOut)
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	if len(rows) != 9 {
		t.Fatalf("want 9 rows, got %d: %s", len(rows), out)
	}
	byPath := map[string]map[string]any{}
	for _, r := range rows {
		byPath[r["path"].(string)] = r
	}
	// Text data is a string, as is, control characters included.
	if got := byPath["/app/config/motd"]["data"]; got != "line one\nline two\ttabbed" {
		t.Errorf("motd data = %#v", got)
	}
	// JSON stored in a znode comes back as a string holding it.
	var db struct{ Port int }
	if err := json.Unmarshal([]byte(byPath["/app/config/database.json"]["data"].(string)), &db); err != nil || db.Port != 5432 {
		t.Errorf("database.json data did not round-trip: %v %+v", err, db)
	}
	// Binary data is {"base64": ...} and decodes to the bytes stored.
	bin, ok := byPath["/app/config/tls_fingerprint"]["data"].(map[string]any)
	if !ok {
		t.Fatalf("binary data not an object: %#v", byPath["/app/config/tls_fingerprint"]["data"])
	}
	raw, err := base64.StdEncoding.DecodeString(bin["base64"].(string))
	if err != nil || !bytes.Equal(raw, []byte(demoData("/app/config/tls_fingerprint"))) {
		t.Errorf("binary data decodes to %x (%v)", raw, err)
	}
	w := byPath["/services/worker/instances/worker-1"]
	if w["mode"] != "ephemeral" || w["ephemeral_owner"].(float64) == 0 {
		t.Errorf("worker-1 = %v, want an ephemeral with an owner", w)
	}
	if w["ttl"] != nil {
		t.Errorf("ttl = %#v, want null", w["ttl"])
	}
	// Writes report their counts as JSON too.
	out, errOut, code = runZK(t, "", "-o", "json", "-e", "INSERT INTO znodes (path, data, mode) VALUES ('/jobs/queue/job-', 'x', 'persistent_sequential')")
	if code != 0 {
		t.Fatalf("exit code %d, stderr:\n%s", code, errOut)
	}
	var counts struct {
		RowsAffected int64 `json:"rows_affected"`
		LastInsertID int64 `json:"last_insert_id"`
	}
	if err := json.Unmarshal([]byte(out), &counts); err != nil || counts.RowsAffected != 1 || counts.LastInsertID != 3 {
		t.Errorf("insert result %q: %+v %v, want 1 row, sequence 3", out, counts, err)
	}
}

func demoData(path string) string {
	for _, n := range demoTree {
		if n.path == path {
			return n.data
		}
	}
	return ""
}

func TestExecCSV(t *testing.T) {
	out, errOut, code := runZK(t, "", "-o", "csv", "-e", "SELECT path, data, version FROM znodes WHERE parent = '/app/config' ORDER BY path;")
	if code != 0 {
		t.Fatalf("exit code %d, stderr:\n%s", code, errOut)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("output is not CSV: %v\n%s", err, out)
	}
	if len(recs) != 8 || strings.Join(recs[0], ",") != "path,data,version" {
		t.Fatalf("want a header and 7 records, got %q", recs)
	}
	for _, r := range recs[1:] {
		want := demoData(r[0])
		if r[0] == "/app/config/tls_fingerprint" {
			want = "0x3082010a0282010100c39f1eff007f"
		}
		if r[1] != want {
			t.Errorf("%s: data %q, want %q", r[0], r[1], want)
		}
		if r[2] != "0" {
			t.Errorf("%s: version %q, want 0", r[0], r[2])
		}
	}
}

func TestFileStopsAtFirstError(t *testing.T) {
	file := filepath.Join(t.TempDir(), "script.sql")
	script := "INSERT INTO znodes (path, data) VALUES ('/a', '1');\n" +
		"UPDATE znodes SET data = '2' WHERE path = '/a';\n" +
		"SELECT path, data, version FROM znodes WHERE path = '/a';\n" +
		"INSERT INTO znodes (path) VALUES ('/a');\n" + // exists
		"SELECT 'not reached' AS x;\n"
	if err := os.WriteFile(file, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runZK(t, "", "-f", file)
	if code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	if !strings.Contains(errOut, "ERROR:") || !strings.Contains(strings.ToLower(errOut), "exists") {
		t.Errorf("stderr does not report the duplicate:\n%s", errOut)
	}
	if strings.Contains(out, "not reached") {
		t.Errorf("ran past the failed statement:\n%s", out)
	}
	blocks := tableBlocks(out)
	if len(blocks) != 1 {
		t.Fatalf("want 1 table, got:\n%s", out)
	}
	if rows := cellsOf(blocks[0]); len(rows) != 1 || rows[0][1] != "2" || rows[0][2] != "1" {
		t.Errorf("/a after update = %q, want data 2 version 1", rows)
	}

	// -force goes on, and still exits 1.
	out, _, code = runZK(t, "", "-force", "-f", file)
	if code != 1 || !strings.Contains(out, "not reached") {
		t.Errorf("-force: exit code %d, output:\n%s", code, out)
	}
	// A clean script exits 0; a missing file is a usage error.
	if _, errOut, code := runZK(t, "", "-e", "SELECT 1"); code != 0 {
		t.Errorf("SELECT 1: exit code %d: %s", code, errOut)
	}
	if _, _, code := runZK(t, "", "-f", filepath.Join(t.TempDir(), "missing.sql")); code != 2 {
		t.Errorf("missing file: exit code %d, want 2", code)
	}
}

func TestErrorCaret(t *testing.T) {
	stmt := "SELECT path,\n\tdata FROM znodes\n  WHERE data = 'é世' JOIN acls"
	_, errOut, code := runZK(t, "", "-e", stmt)
	if code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	lines := strings.Split(strings.TrimRight(errOut, "\n"), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "ERROR: zksql: syntax error") {
		t.Fatalf("want the driver's error then the line and a caret, got:\n%s", errOut)
	}
	// The caret sits under JOIN, counted in display columns: é is two
	// bytes but one column, 世 three bytes and two columns.
	src, caret := lines[1], lines[2]
	if src != "    WHERE data = 'é世' JOIN acls" {
		t.Errorf("statement line %q", src)
	}
	col := displayWidth(strings.TrimSuffix(caret, "^"))
	if !strings.HasSuffix(caret, "^") || col != displayWidth("    WHERE data = 'é世' ") {
		t.Errorf("caret %q at column %d, want under JOIN in %q", caret, col, src)
	}
	// A tab before the position is kept, so the caret lines up whatever
	// the tab width.
	_, errOut, _ = runZK(t, "", "-e", "SELECT\tpath FROM znodes\tWHERE")
	lines = strings.Split(strings.TrimRight(errOut, "\n"), "\n")
	if len(lines) != 3 || lines[2] != "  "+strings.Repeat(" ", len("SELECT"))+"\t"+strings.Repeat(" ", len("path FROM znodes"))+"\t"+strings.Repeat(" ", len("WHERE"))+"^" {
		t.Errorf("tabbed caret line %q in:\n%s", lines[len(lines)-1], errOut)
	}
}

func TestRedactedDSN(t *testing.T) {
	const secret = "s3cr3t-pw"
	out, errOut, code := runZK(t, `\c`+"\n", "mem:?auth=digest:bob:"+secret)
	if code != 0 || !strings.Contains(out, "auth=digest:bob:xxxxx") {
		t.Errorf(`\c: exit code %d, output %q, stderr %q`, code, out, errOut)
	}
	// A server that is not there: the error names the DSN, redacted.
	out, errOut, code = runZK(t, "", "-e", "SELECT 1", "zk://127.0.0.1:1/x?connect_timeout=300ms&auth=digest:bob:"+secret)
	if code != 2 || !strings.Contains(errOut, "digest:bob:xxxxx") {
		t.Errorf("unreachable server: exit code %d, stderr %q", code, errOut)
	}
	if strings.Contains(out+errOut, secret) {
		t.Errorf("password printed:\n%s%s", out, errOut)
	}
	_, errOut, code = runZK(t, "", "zk://bob:"+secret+"@127.0.0.1:2181")
	if code != 2 || strings.Contains(errOut, secret) || !strings.Contains(errOut, "invalid DSN") {
		t.Errorf("userinfo DSN: exit code %d, stderr %q", code, errOut)
	}
}

func TestTransaction(t *testing.T) {
	script := `BEGIN;
UPDATE znodes SET data = 'debug' WHERE path = '/app/config/log_level';
SELECT data FROM znodes WHERE path = '/app/config/log_level';
COMMIT;
BEGIN;
INSERT INTO znodes (path) VALUES ('/t');
ROLLBACK;
\o csv
SELECT path, data, version FROM znodes WHERE path IN ('/app/config/log_level', '/t');
COMMIT;
`
	out, errOut, code := runZK(t, script)
	if code != 1 || strings.TrimSpace(errOut) != "ERROR: no transaction is open" {
		t.Errorf("COMMIT outside a transaction: exit code %d, stderr %q", code, errOut)
	}
	for _, want := range []string{"transaction started", "committed", "rolled back", "| debug |"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	csvPart := out[strings.Index(out, "output format is csv\n")+len("output format is csv\n"):]
	recs, err := csv.NewReader(strings.NewReader(csvPart)).ReadAll()
	if err != nil || len(recs) != 2 || strings.Join(recs[1], ",") != "/app/config/log_level,debug,1" {
		t.Errorf("after COMMIT and ROLLBACK: %q (%v), want only log_level at version 1", recs, err)
	}
}
