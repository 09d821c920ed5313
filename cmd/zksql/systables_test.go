package main

import (
	"strings"
	"testing"
)

// The shell's sessions (wrapped to count requests) answer the system
// tables.
func TestSystemTablesInShell(t *testing.T) {
	out, errOut, code := runZK(t, "", "-o", "csv", "-e", "SELECT host, role, reachable, error FROM servers")
	if code != 0 || errOut != "" {
		t.Fatalf("exit code %d, stderr:\n%s", code, errOut)
	}
	if !strings.Contains(out, "memstore,standalone,1,") {
		t.Errorf("servers in the shell:\n%s", out)
	}
	out, errOut, code = runZK(t, "", "-o", "csv", "-e", "SELECT state, session_id > 0 FROM session")
	if code != 0 || errOut != "" || !strings.Contains(out, "connected,1") {
		t.Errorf("session in the shell (exit %d):\n%s\n%s", code, out, errOut)
	}
}
