package main

import (
	"strings"
	"testing"
)

const fiveZnodes = "INSERT INTO znodes (path) VALUES ('/t'), ('/t/a'), ('/t/b'), ('/t/c'), ('/t/d'), ('/t/e');\n"

// TestSafeUpdatesPiped: without a terminal, UPDATE and DELETE without
// WHERE are refused unless safe updates are turned off, and a DELETE
// matching more than -confirm-delete znodes is refused at once (nobody to
// ask, nothing waits); the tree is left as it was.
func TestSafeUpdatesPiped(t *testing.T) {
	count := "SELECT COUNT(*) AS n FROM znodes WHERE path LIKE '/t/%' AND data = '';\n"
	for _, c := range []struct {
		name   string
		args   []string
		script string
		code   int
		errs   []string // in stderr, in order
		count  string   // the last COUNT(*)
	}{
		{"update without where", []string{"-force"}, "UPDATE znodes SET data = 'x';\n", 1,
			[]string{"ERROR: refused: UPDATE without a WHERE clause would change every row of znodes (safe updates are on)"}, "5"},
		{"delete without where", []string{"-force"}, "DELETE FROM znodes;\n", 1,
			[]string{"ERROR: refused: DELETE without a WHERE clause would change every row of znodes"}, "5"},
		{"acls without where", []string{"-force"}, "UPDATE acls SET perms = 'r';\n", 1,
			[]string{"ERROR: refused: UPDATE without a WHERE clause would change every row of acls"}, "5"},
		{"where is enough", nil, "UPDATE znodes SET data = 'x' WHERE path = '/t/a';\n", 0, nil, "4"},
		{"flag off", []string{"-safe-updates=false"}, "UPDATE znodes SET data = 'x';\n", 1,
			[]string{"ERROR: zksql: "}, "5"}, // reaches the driver (which refuses /zookeeper), not the shell's check
		{"U off", []string{"-U=false", "-force"}, "UPDATE znodes SET data = 'x';\n", 1, []string{"ERROR: zksql: "}, "5"},
		{"command off", []string{"-force"}, "\\safe off\nUPDATE acls SET perms = 'cdrwa';\n\\safe on\nUPDATE acls SET perms = 'r';\n", 1,
			[]string{"ERROR: refused: UPDATE without a WHERE clause"}, "5"},
		{"big delete", []string{"-confirm-delete", "3", "-force"}, "DELETE FROM znodes WHERE path LIKE '/t/%';\n", 1,
			[]string{"ERROR: refused: the DELETE matches 5 znodes, more than -confirm-delete=3, and there is no terminal to confirm it"}, "5"},
		{"big delete counted in the transaction", []string{"-confirm-delete", "3", "-force"},
			"BEGIN;\nDELETE FROM znodes WHERE path IN ('/t/a', '/t/b');\nDELETE FROM znodes WHERE path LIKE '/t/%';\nCOMMIT;\n", 0, nil, "0"},
		{"small delete", []string{"-confirm-delete", "5"}, "DELETE FROM znodes WHERE path LIKE '/t/%';\n", 0, nil, "0"},
		{"never ask", []string{"-confirm-delete", "0"}, "DELETE FROM znodes WHERE path LIKE '/t/%';\n", 0, nil, "0"},
	} {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"mem:", "-o", "csv"}, c.args...)
			out, errOut, code := runZK(t, fiveZnodes+c.script+count, append(args, "-force")...)
			if code != c.code {
				t.Errorf("exit code %d, want %d; stderr:\n%s", code, c.code, errOut)
			}
			rest := errOut
			for _, e := range c.errs {
				i := strings.Index(rest, e)
				if i < 0 {
					t.Errorf("stderr lacks %q:\n%s", e, errOut)
					break
				}
				rest = rest[i+len(e):]
			}
			if c.errs == nil && errOut != "" {
				t.Errorf("stderr:\n%s", errOut)
			}
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if got := lines[len(lines)-1]; got != c.count {
				t.Errorf("count after the script = %s, want %s; stdout:\n%s", got, c.count, out)
			}
		})
	}
	// -e is no terminal either.
	_, errOut, code := runZK(t, "", "mem:", "-e", "DELETE FROM znodes")
	if code != exitStatement || !strings.Contains(errOut, "refused: DELETE without a WHERE clause") {
		t.Errorf("-e DELETE without WHERE: exit %d, stderr %q", code, errOut)
	}
	if _, errOut, code := runZK(t, "", "mem:", "-confirm-delete", "-1"); code != exitUsage || !strings.Contains(errOut, "-confirm-delete must be 0 or more") {
		t.Errorf("-confirm-delete -1: exit %d, stderr %q", code, errOut)
	}
}

// TestTerminalConfirmDelete: at a terminal a DELETE matching more than
// -confirm-delete znodes asks first; anything but yes keeps the znodes.
// UPDATE without WHERE is refused until \safe off.
func TestTerminalConfirmDelete(t *testing.T) {
	tm := startTerm(t, testEnv(t), "mem:", "-confirm-delete", "3")
	tm.waitFor(`zksql>$`)
	tm.typeText(strings.TrimSpace(fiveZnodes))
	tm.keys("Enter")
	tm.waitFor(`6 rows affected`)

	tm.typeText("DELETE FROM znodes WHERE path LIKE '/t/%';")
	tm.keys("Enter")
	tm.waitFor(`The DELETE matches 5 znodes \(more than 3\)\. Type yes to delete them:$`)
	tm.typeText("no")
	tm.keys("Enter")
	tm.waitFor(`ERROR: refused: the DELETE was not confirmed; nothing was deleted\n+zksql>$`)
	tm.typeText("SELECT COUNT(*) AS left_after_no FROM znodes WHERE parent = '/t';")
	tm.keys("Enter")
	s := tm.waitFor(`left_after_no[\s\S]*1 row`)
	if rows := cellsOf(tableBlocks(s)[len(tableBlocks(s))-1]); len(rows) != 1 || rows[0][0] != "5" {
		t.Errorf("after answering no: %q", rows)
	}

	tm.typeText("DELETE FROM znodes WHERE path LIKE '/t/%';")
	tm.keys("Enter")
	tm.waitFor(`Type yes to delete them:$`)
	tm.typeText("yes")
	tm.keys("Enter")
	tm.waitFor(`5 rows affected`)

	tm.typeText("UPDATE znodes SET data = 'x';")
	tm.keys("Enter")
	tm.waitFor(`ERROR: refused: UPDATE without a WHERE clause[\s\S]*-safe-updates=false\n+zksql>$`)
	tm.typeText(`\safe off`)
	tm.keys("Enter")
	tm.waitFor(`safe updates are off\n+zksql>$`)
	tm.typeText("UPDATE acls SET perms = 'cdrwa';")
	tm.keys("Enter")
	tm.waitFor(`rows? affected`)
	tm.typeText(`\q`)
	tm.keys("Enter")
	tm.waitExit()
}
