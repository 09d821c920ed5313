package main

import (
	"strings"
	"testing"
)

// TestMariaDBVersion: the server says what it is, in the handshake and in
// VERSION(), @@version and @@version_comment, and the version still reads
// as MySQL 8.0.
func TestMariaDBVersion(t *testing.T) {
	gw := startGateway(t, memStore(t), nil)
	stmt := "SELECT VERSION(), @@version, @@version_comment"
	wantOutput(t, stmt, mustMariadb(t, gw, stmt),
		"VERSION()\t@@version\t@@version_comment\n8.0.31-zkgw\t8.0.31-zkgw\tzksql gateway (ZooKeeper)")
	stmt = "SHOW VARIABLES LIKE 'version%'"
	out := mustMariadb(t, gw, stmt)
	for _, want := range []string{"version\t8.0.31-zkgw", "version_comment\tzksql gateway (ZooKeeper)"} {
		if !strings.Contains(out, want) {
			t.Errorf("%s: no %q in\n%s", stmt, want, out)
		}
	}
	if strings.Contains(out, "Dolt") {
		t.Errorf("%s still says Dolt:\n%s", stmt, out)
	}
	// The client's status reads the handshake's version and asks for
	// @@version_comment itself.
	out = mustMariadb(t, gw, "status")
	if !strings.Contains(out, "8.0.31-zkgw zksql gateway (ZooKeeper)") {
		t.Errorf("status:\n%s", out)
	}
}
