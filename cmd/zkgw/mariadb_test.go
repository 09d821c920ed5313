package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/zksql/zksql/zkstore"
)

// mariadb runs the mariadb client in batch mode (tab-separated output with a
// header line). The password goes in MYSQL_PWD, not on the command line.
func mariadb(t *testing.T, gw *testGateway, password, stmts string) (string, error) {
	t.Helper()
	bin := requireTool(t, "mariadb", "mariadb", "mysql")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--batch", "--protocol=TCP", "-h", gw.host, "-P", gw.port,
		"-u", testUser, "zookeeper", "-e", stmts)
	cmd.Env = append(os.Environ(), "MYSQL_PWD="+password)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return out.String(), &clientError{err: err, stderr: stderr.String()}
	}
	return out.String(), nil
}

type clientError struct {
	err    error
	stderr string
}

func (e *clientError) Error() string { return e.err.Error() + ": " + strings.TrimSpace(e.stderr) }

func mustMariadb(t *testing.T, gw *testGateway, stmts string) string {
	t.Helper()
	out, err := mariadb(t, gw, gw.password, stmts)
	if err != nil {
		t.Fatalf("%s\n%v", stmts, err)
	}
	return out
}

func wantOutput(t *testing.T, stmt, got, want string) {
	t.Helper()
	if strings.TrimSpace(got) != strings.TrimSpace(want) {
		t.Errorf("%s:\ngot:\n%s\nwant:\n%s", stmt, got, want)
	}
}

func TestMariaDBReads(t *testing.T) {
	stores(t, func(t *testing.T, st zkstore.Store) {
		gw := startGateway(t, st, nil)
		cases := []struct{ stmt, want string }{
			{"SHOW TABLES", "Tables_in_zookeeper\nacls\nconnections\nensemble_config\nephemerals\nservers\nsession\nwatches\nznodes"},
			{"SELECT path, data_text FROM znodes WHERE parent = '/app/services/api' ORDER BY path",
				"path\tdata_text\n/app/services/api/host-1\t{\"host\":\"10.0.0.1\",\"port\":8080}\n/app/services/api/host-2\t{\"host\":\"10.0.0.2\",\"port\":8080}"},
			{"SELECT parent, COUNT(*) AS n FROM znodes WHERE path LIKE '/app/%' GROUP BY parent ORDER BY n DESC, parent LIMIT 3",
				"parent\tn\n/app\t4\n/app/config\t3\n/app/services\t2"},
			// Characters above U+00FF after the prefix: go-mysql-server's own
			// LIKE rewrite would lose 日本語 and Ωmega.
			{"SELECT name, data_text FROM znodes WHERE path LIKE '/i18n/%' ORDER BY path",
				"name\tdata_text\ncafé\tcrème brûlée\nΩmega\tΩ\n日本語\tこんにちは"},
			{"SELECT path, data_length FROM znodes WHERE path = '/i18n/日本語'", "path\tdata_length\n/i18n/日本語\t15"},
			{"SELECT path, data_text IS NULL, HEX(data) FROM znodes WHERE path = '/app/binary'",
				"path\tdata_text IS NULL\tHEX(data)\n/app/binary\t1\t0001FEFF"},
			{"SELECT COUNT(*) FROM znodes WHERE ctime > '2000-01-01' AND mtime >= ctime AND path LIKE '/app%'", "COUNT(*)\n13"},
			{"SELECT scheme, id, perms FROM acls WHERE path = '/app'", "scheme\tid\tperms\nworld\tanyone\tcdrwa"},
			{"SELECT path FROM znodes WHERE parent = '/i18n' AND name NOT LIKE 'caf%' ORDER BY path LIMIT 1 OFFSET 1", "path\n/i18n/日本語"},
		}
		for _, c := range cases {
			wantOutput(t, c.stmt, mustMariadb(t, gw, c.stmt), c.want)
		}
		desc := mustMariadb(t, gw, "DESCRIBE znodes")
		for _, want := range []string{"path\tvarchar(4096)\tNO\tPRI", "parent\tvarchar(4096)\tYES\tMUL",
			"data\tlongblob", "data_text\tlongtext", "ctime\tdatetime(3)", "mtime\tdatetime(3)"} {
			if !strings.Contains(desc, want) {
				t.Errorf("DESCRIBE znodes lacks %q:\n%s", want, desc)
			}
		}
		// Equality and prefix predicates reach the store as index lookups
		// (path = 'x': TestMariaDBExplainPointLookup).
		for stmt, want := range map[string]string{
			"EXPLAIN SELECT * FROM znodes WHERE parent = '/app'":     "index: [znodes.parent]",
			"EXPLAIN SELECT * FROM znodes WHERE path LIKE '/i18n/%'": "index: [znodes.path]",
		} {
			if out := mustMariadb(t, gw, stmt); !strings.Contains(out, "IndexedTableAccess(znodes)") || !strings.Contains(out, want) {
				t.Errorf("%s: no index lookup on %s:\n%s", stmt, want, out)
			}
		}
	})
}

func TestMariaDBWrites(t *testing.T) {
	stores(t, func(t *testing.T, st zkstore.Store) {
		ctx := context.Background()
		ro := startGateway(t, st, nil)
		if _, err := mariadb(t, ro, ro.password, "INSERT INTO znodes (path, data) VALUES ('/x', 'y')"); err == nil {
			t.Fatal("INSERT on a read-only gateway succeeded")
		}
		if _, ok, _ := st.Exists(ctx, "/x"); ok {
			t.Fatal("read-only gateway created /x")
		}

		gw := startGateway(t, st, func(c *Config) { c.Writable = true })
		mustMariadb(t, gw, "INSERT INTO znodes (path, data_text) VALUES ('/new', 'héllo'), ('/new/kid', 'k')")
		data, stat, err := st.Get(ctx, "/new")
		if err != nil || string(data) != "héllo" {
			t.Fatalf("after INSERT: %q, %v", data, err)
		}
		mustMariadb(t, gw, "UPDATE znodes SET data_text = 'v2' WHERE path = '/new'")
		data, stat2, err := st.Get(ctx, "/new")
		if err != nil || string(data) != "v2" || stat2.Version != stat.Version+1 {
			t.Fatalf("after UPDATE: %q version %d (was %d), %v", data, stat2.Version, stat.Version, err)
		}
		// All or nothing: the second row exists, so neither is created.
		if _, err := mariadb(t, gw, gw.password, "INSERT INTO znodes (path, data) VALUES ('/new2', ''), ('/new/kid', '')"); err == nil {
			t.Fatal("INSERT of an existing znode succeeded")
		}
		if _, ok, _ := st.Exists(ctx, "/new2"); ok {
			t.Fatal("a failed INSERT created /new2")
		}
		if _, err := mariadb(t, gw, gw.password, "UPDATE znodes SET mode = 'ephemeral' WHERE path = '/new'"); err == nil {
			t.Fatal("UPDATE of mode succeeded")
		}
		mustMariadb(t, gw, "DELETE FROM znodes WHERE path LIKE '/new%'")
		if _, ok, err := st.Exists(ctx, "/new"); ok || err != nil {
			t.Fatalf("after DELETE /new exists=%v, %v", ok, err)
		}
	})
}

func TestMariaDBSecurity(t *testing.T) {
	gw := startGateway(t, memStore(t), nil)
	if _, err := mariadb(t, gw, "wrong-"+gw.password, "SELECT 1"); err == nil || !strings.Contains(err.Error(), "Access denied") {
		t.Fatalf("wrong password: %v", err)
	}
	if _, err := mariadb(t, gw, "", "SELECT 1"); err == nil {
		t.Fatal("no password was let in")
	}
	// secure_file_priv is an empty private directory: LOAD_FILE reads nothing.
	for _, f := range []string{"/etc/passwd", "/etc/hostname"} {
		wantOutput(t, f, mustMariadb(t, gw, "SELECT LOAD_FILE('"+f+"') IS NULL AS blocked"), "blocked\n1")
	}
	out := mustMariadb(t, gw, "SELECT @@secure_file_priv <> '' AS set_")
	wantOutput(t, "secure_file_priv", out, "set_\n1")
	if _, err := mariadb(t, gw, gw.password, "CREATE VIEW v AS SELECT 1"); err == nil {
		t.Fatal("CREATE VIEW succeeded on a read-only gateway")
	}
}

func TestMaxScan(t *testing.T) {
	gw := startGateway(t, memStore(t), func(c *Config) { c.MaxScan = 5 })
	if _, err := mariadb(t, gw, gw.password, "SELECT COUNT(*) FROM znodes"); err == nil || !strings.Contains(err.Error(), "max_scan=5") {
		t.Fatalf("full scan with max_scan=5: %v", err)
	}
	// A lookup by parent visits only the children.
	wantOutput(t, "parent lookup", mustMariadb(t, gw, "SELECT COUNT(*) FROM znodes WHERE parent = '/app/config'"), "COUNT(*)\n3")
}

func TestQueryTimeout(t *testing.T) {
	requireTool(t, "mariadb", "mariadb", "mysql")
	proxy := newProxy(t)
	st := liveStore(t, proxy.Addr())
	gw := startGateway(t, st, func(c *Config) { c.QueryTimeout = 500 * time.Millisecond })
	proxy.Block()
	defer proxy.Unblock()
	start := time.Now()
	_, err := mariadb(t, gw, gw.password, "SELECT COUNT(*) FROM znodes")
	if err == nil || !strings.Contains(err.Error(), "query timeout") {
		t.Fatalf("blocked ZooKeeper: %v", err)
	}
	if d := time.Since(start); d > 15*time.Second {
		t.Fatalf("query took %s with a 500ms timeout", d)
	}
}
