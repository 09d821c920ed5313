package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/zksql/zksql/internal/testkit/zkserver"
)

// TestLiveZooKeeper runs the shell on a real ZooKeeper with a zk:// DSN
// carrying a chroot and a password: writes, reads, EXPLAIN, an ACL made
// with the session's credentials, and no password in any output.
func TestLiveZooKeeper(t *testing.T) {
	addr := zkserver.SharedAddr(t)
	const secret = "live-s3cret"
	root := fmt.Sprintf("/zksql-shell-%d", time.Now().UnixNano())
	base := "zk://" + addr
	dsn := base + root + "?auth=digest:alice:" + secret + "&create_parents=true"

	if _, errOut, code := runZK(t, "", "-e", fmt.Sprintf("INSERT INTO znodes (path) VALUES ('%s')", root), base); code != 0 {
		t.Fatalf("creating the chroot: exit code %d: %s", code, errOut)
	}
	t.Cleanup(func() {
		_, errOut, code := runZK(t, "", "-e", fmt.Sprintf("DELETE FROM znodes WHERE path LIKE '%s/%%' OR path = '%s'", root, root), base+"?auth=digest:alice:"+secret)
		if code != 0 {
			t.Errorf("cleaning up %s: %s", root, errOut)
		}
	})

	script := `INSERT INTO znodes (path, data) VALUES ('/svc/a', '{"port":1}'), ('/svc/b', 'two');
UPDATE znodes SET data = 'TWO' WHERE path = '/svc/b';
INSERT INTO acls (path, scheme, id, perms) VALUES ('/svc/a', 'auth', '', 'cdrwa');
DELETE FROM acls WHERE path = '/svc/a' AND scheme = 'world';
\o json
SELECT path, data, version FROM znodes WHERE path LIKE '/svc/%' ORDER BY path;
SELECT path, scheme, perms FROM acls WHERE path = '/svc/a';
\c
`
	out, errOut, code := runZK(t, script, dsn)
	if code != 0 {
		t.Fatalf("exit code %d, stderr:\n%s\nstdout:\n%s", code, errOut, out)
	}
	if strings.Contains(out+errOut, secret) {
		t.Fatalf("password printed:\n%s%s", out, errOut)
	}
	if !strings.Contains(out, "connected to "+base+root+"?") || !strings.Contains(out, "alice:xxxxx") {
		t.Errorf(`\c does not show the redacted DSN:\n%s`, out)
	}
	dec := json.NewDecoder(strings.NewReader(out[strings.Index(out, "output format is json\n")+len("output format is json\n"):]))
	var znodes []struct {
		Path, Data string
		Version    int
	}
	if err := dec.Decode(&znodes); err != nil {
		t.Fatalf("znodes JSON: %v\n%s", err, out)
	}
	if len(znodes) != 2 || znodes[0].Path != "/svc/a" || znodes[0].Data != `{"port":1}` || znodes[1].Data != "TWO" || znodes[1].Version != 1 {
		t.Errorf("znodes under the chroot = %+v", znodes)
	}
	var acls []struct{ Path, Scheme, Perms string }
	if err := dec.Decode(&acls); err != nil {
		t.Fatalf("acls JSON: %v\n%s", err, out)
	}
	if len(acls) != 1 || acls[0].Scheme != "digest" || acls[0].Perms != "cdrwa" {
		t.Errorf("acls of /svc/a = %+v, want one digest entry", acls)
	}

	// Without the credentials the znode is unreadable: the shell shows
	// ZooKeeper's error and exits 1.
	_, errOut, code = runZK(t, "", "-e", "SELECT data FROM znodes WHERE path = '/svc/a'", base+root)
	if code != 1 || !strings.Contains(strings.ToLower(errOut), "auth") {
		t.Errorf("read without credentials: exit code %d, stderr %q", code, errOut)
	}

	// The chroot is real: seen from the root the znodes are under it.
	out, errOut, code = runZK(t, "", "-o", "csv", "-e", fmt.Sprintf("SELECT path FROM znodes WHERE parent = '%s/svc' ORDER BY path", root), base)
	if code != 0 || out != fmt.Sprintf("path\n%s/svc/a\n%s/svc/b\n", root, root) {
		t.Errorf("from the root: exit code %d, output %q, stderr %q", code, out, errOut)
	}
}

// TestSessionExpiry: after the session expires (a partition longer than
// the session timeout), the shell takes a new connection, on a new
// session, and the next statement runs.
func TestSessionExpiry(t *testing.T) {
	proxy, err := zkserver.NewProxy(zkserver.SharedAddr(t))
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	cmd := exec.Command(binary, "-o", "csv", "zk://"+proxy.Addr()+"?session_timeout=1s")
	cmd.Env = testEnv(t)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var errOut lockedBuffer // written while the test reads it
	cmd.Stderr = &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer stdin.Close()
	lines := bufio.NewScanner(stdout)
	readLine := func() string {
		t.Helper()
		if !lines.Scan() {
			t.Fatalf("zksql ended early: %v; stderr:\n%s", lines.Err(), errOut.String())
		}
		return lines.Text()
	}
	fmt.Fprintln(stdin, "SELECT 'before' AS x;")
	if h, v := readLine(), readLine(); h != "x" || v != "before" {
		t.Fatalf("got %q %q", h, v)
	}
	proxy.Block()
	time.Sleep(2500 * time.Millisecond) // well past the 1s session timeout
	proxy.Unblock()
	fmt.Fprintln(stdin, "SELECT COUNT(*) AS n FROM znodes WHERE path = '/';")
	if h, v := readLine(), readLine(); h != "n" || v != "1" {
		t.Fatalf("after the expiry: got %q %q; stderr:\n%s", h, v, errOut.String())
	}
}
