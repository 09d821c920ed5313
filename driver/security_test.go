package driver_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/zksql/zksql/driver"
	"github.com/zksql/zksql/internal/testkit/zkserver"
	"github.com/zksql/zksql/zkstore"
)

// leakSecret is the password the leak tests look for everywhere.
const leakSecret = "Lk-7q!ZsecretPW"

// backendsFor runs f on a fixture tree on mem: and on the shared live
// server.
func backendsFor(t *testing.T, f func(t *testing.T, h *hostileTree)) {
	t.Run("mem", func(t *testing.T) { f(t, memHostileTree(t)) })
	t.Run("live", func(t *testing.T) {
		if testing.Short() {
			t.Skip("-short")
		}
		f(t, liveHostileTree(t))
	})
}

// TestACLEnforced: digest credentials from the DSN open what the ACL
// grants them and nothing else; every refusal is ErrNoAuth naming the
// znode.
func TestACLEnforced(t *testing.T) {
	backendsFor(t, func(t *testing.T, h *hostileTree) {
		ctx := context.Background()
		anon := h.open(t, "")
		wrong := h.open(t, "auth=digest:"+adminUser+":wrong-"+leakSecret)
		for _, db := range []*sql.DB{h.admin} {
			if got := queryRows(t, db, "SELECT data FROM znodes WHERE path = '/private/child'"); !cmp.Equal(got, []string{"hidden"}) {
				t.Fatalf("admin reads %q", got)
			}
		}
		before := h.snapshot(t)
		for _, db := range []*sql.DB{anon, wrong} {
			for _, c := range []struct{ sql, path string }{
				{"SELECT data FROM znodes WHERE path = '/private'", "/private"},
				{"SELECT path FROM znodes WHERE parent = '/private'", "/private"},
				{"SELECT * FROM acls WHERE path = '/private/child'", "/private/child"},
				{"UPDATE znodes SET data = 'x' WHERE path = '/locked'", "/locked"},
				{"DELETE FROM znodes WHERE path = '/locked/child'", "/locked/child"},
				{"INSERT INTO znodes (path) VALUES ('/locked/new')", "/locked/new"},
				{"UPDATE acls SET perms = 'cdrwa' WHERE path = '/locked' AND scheme = 'world'", "/locked"},
			} {
				err := execOrQuery(ctx, db, c.sql)
				if !errors.Is(err, zkstore.ErrNoAuth) || !strings.Contains(err.Error(), c.path) {
					t.Errorf("%s: error %v, want ErrNoAuth naming %s", c.sql, err, c.path)
				}
				if err != nil && strings.Contains(err.Error(), leakSecret) {
					t.Errorf("%s: error shows the password: %v", c.sql, err)
				}
			}
			// /locked is world-readable.
			if got := queryRows(t, db, "SELECT data FROM znodes WHERE path = '/locked'"); !cmp.Equal(got, []string{"keep out"}) {
				t.Errorf("/locked reads %q", got)
			}
		}
		sameTree(t, "refused statements", before, h.snapshot(t))
		// The admin may change /locked.
		mustExec(t, h.admin, "UPDATE znodes SET data = 'changed' WHERE path = '/locked'")
	})
}

// TestScanUnreadable: a scan that meets a znode it may not read fails
// naming it by default; with skip_unreadable=true it returns every row it
// could read and then an *UnreadableError naming what it left out.
func TestScanUnreadable(t *testing.T) {
	backendsFor(t, func(t *testing.T, h *hostileTree) {
		ctx := context.Background()
		strict := h.open(t, "")
		skip := h.open(t, "skip_unreadable=true")
		readable := []string{"/", "/app", "/app/config", "/app/nodes", "/app/nodes/n1", "/app/nodes/n2", "/app/nodes/n3", "/locked", "/locked/child", "/other"}

		for _, q := range []string{
			"SELECT path FROM znodes",
			"SELECT path, data FROM znodes",
			"SELECT path FROM znodes ORDER BY path",
			"SELECT COUNT(*) FROM znodes",
			"SELECT path, data FROM znodes WHERE path = '/private'",
			"SELECT * FROM acls",
		} {
			_, err := tryQuery(strict, q)
			if !errors.Is(err, zkstore.ErrNoAuth) || !strings.Contains(err.Error(), "/private") {
				t.Errorf("default, %s: error %v, want ErrNoAuth naming /private", q, err)
			}
		}

		all, err := scanAll(ctx, skip, "SELECT path FROM znodes")
		checkUnreadable(t, err, []string{"/private"})
		var got []string
		for _, p := range all {
			if !strings.HasPrefix(p, "/zookeeper") { // mem: has no chroot
				got = append(got, p)
			}
		}
		if !cmp.Equal(got, readable) {
			t.Errorf("skip_unreadable rows %q, want %q", got, readable)
		}
		got, err = scanAll(ctx, skip, "SELECT path FROM znodes WHERE data <> '' ORDER BY path DESC")
		checkUnreadable(t, err, []string{"/private"})
		if len(got) != 8 || got[0] != "/other" {
			t.Errorf("sorted skip_unreadable rows %q", got)
		}
		got, err = scanAll(ctx, skip, "SELECT COUNT(*) FROM znodes")
		checkUnreadable(t, err, []string{"/private"})
		if !cmp.Equal(got, []string{fmt.Sprint(len(all))}) {
			t.Errorf("COUNT(*) with skip_unreadable = %q", got)
		}
		got, err = scanAll(ctx, skip, "SELECT path FROM znodes WHERE path IN ('/other', '/private/child') AND data IS NOT NULL")
		checkUnreadable(t, err, []string{"/private/child"})
		if !cmp.Equal(got, []string{"/other"}) {
			t.Errorf("point reads with skip_unreadable = %q", got)
		}
		// Nothing unreadable: no error.
		if _, err := scanAll(ctx, skip, "SELECT path FROM znodes WHERE path LIKE '/app/%'"); err != nil {
			t.Errorf("readable subtree: %v", err)
		}
		// Writes never skip.
		before := h.snapshot(t)
		if _, err := skip.ExecContext(ctx, "UPDATE znodes SET data = 'x' WHERE data = 'nothing'"); !errors.Is(err, zkstore.ErrNoAuth) {
			t.Errorf("write with skip_unreadable: %v, want ErrNoAuth", err)
		}
		sameTree(t, "refused write", before, h.snapshot(t))
	})
}

func scanAll(ctx context.Context, db *sql.DB, q string) ([]string, error) {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return out, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func checkUnreadable(t *testing.T, err error, want []string) {
	t.Helper()
	var ue *driver.UnreadableError
	if !errors.As(err, &ue) || !errors.Is(err, zkstore.ErrNoAuth) {
		t.Fatalf("error %v, want *driver.UnreadableError", err)
	}
	if !cmp.Equal(ue.Paths, want) || ue.Total != len(want) {
		t.Errorf("unreadable %q (total %d), want %q", ue.Paths, ue.Total, want)
	}
	for _, p := range want {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not name %s", err, p)
		}
	}
}

// TestCredentialsNeverShown puts a distinctive password through every
// path that can show a DSN or a session's state: Config's formatting,
// slog, DSN errors, statement errors, EXPLAIN, connection errors and the
// standard logger.
func TestCredentialsNeverShown(t *testing.T) {
	var logged bytes.Buffer
	prevOut, prevFlags := log.Writer(), log.Flags()
	log.SetOutput(&logged)
	t.Cleanup(func() { log.SetOutput(prevOut); log.SetFlags(prevFlags) })

	var shown []string
	show := func(what string, v ...any) {
		for _, x := range v {
			shown = append(shown, what+": "+fmt.Sprint(x))
		}
	}

	// Config, in every printed form and in logs.
	dsns := []string{
		"mem:sec?auth=digest:alice:" + leakSecret,
		"zk://127.0.0.1:1/app?connect_timeout=300ms&auth=digest:alice:" + leakSecret,
	}
	for _, dsn := range dsns {
		cfg, err := driver.ParseDSN(dsn)
		if err != nil {
			t.Fatal(err)
		}
		show("config", cfg.String(), cfg.Redacted(), cfg.GoString(), fmt.Sprintf("%v %+v %#v %s %q", cfg, cfg, cfg, cfg, cfg), cfg.Auth)
		var buf bytes.Buffer
		slog.New(slog.NewJSONHandler(&buf, nil)).Info("open", "cfg", cfg, "auth", cfg.Auth[0])
		slog.New(slog.NewTextHandler(&buf, nil)).Info("open", "cfg", *cfg)
		show("slog", buf.String())
		if !strings.Contains(cfg.FormatDSN(), leakSecret) {
			t.Errorf("FormatDSN must keep the password to re-open the database")
		}
	}
	// Bad DSNs carrying the password.
	for _, dsn := range []string{
		"zk://alice:" + leakSecret + "@h", "mem:?auth=digest:alice:" + leakSecret + "&nope=1",
		"zk://h?auth=digest::" + leakSecret, "zk://h?auth=sasl:alice:" + leakSecret, "mem:" + leakSecret,
		"zk://h?auth=digest:alice:" + leakSecret + "&auth", "zk://h/" + leakSecret + "@x",
	} {
		_, err := driver.ParseDSN(dsn)
		show("ParseDSN", err)
		db, err := sql.Open("zookeeper", dsn)
		show("sql.Open", err)
		if err == nil {
			show("Ping", db.Ping())
			db.Close()
		}
	}

	// Statement errors and EXPLAIN in a session holding the password, on
	// mem: and (unless -short) live; the password also goes in as an
	// argument, which EXPLAIN must not show.
	dbs := map[string]*sql.DB{"mem": openDB(t, "mem:?auth=digest:alice:"+leakSecret)}
	if !testing.Short() {
		addr := zkserver.SharedAddr(t)
		dbs["live"] = openDB(t, "zk://"+addr+"?auth=digest:alice:"+leakSecret)
		// A server that is not there.
		dead := openDB(t, "zk://127.0.0.1:1?connect_timeout=300ms&auth=digest:alice:"+leakSecret)
		show("dead server", dead.Ping(), execOrQuery(context.Background(), dead, "SELECT 1 FROM znodes"))
	}
	for name, db := range dbs {
		for _, c := range badCorpus() {
			if len(c.sql) > 10000 || c.valid {
				continue
			}
			show(name+" "+c.name, execOrQuery(context.Background(), db, c.sql, c.args...))
		}
		rows, err := tryQuery(db, "EXPLAIN UPDATE znodes SET data = ? WHERE path = ?", leakSecret, "/"+leakSecret)
		if err != nil {
			t.Fatal(err)
		}
		show(name+" EXPLAIN", strings.Join(rows, "\n"))
		conn, err := db.Conn(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		conn.Raw(func(c any) error {
			show(name+" conn config", c.(interface{ Config() *driver.Config }).Config())
			return nil
		})
		conn.Close()
	}
	show("log", logged.String())

	n := 0
	for _, s := range shown {
		n++
		if strings.Contains(s, leakSecret) {
			t.Errorf("password shown in %.300s", s)
		}
	}
	t.Logf("%d outputs checked for the password", n)
}

// TestInjectionStoredVerbatim: hostile values passed as arguments are
// stored and read back byte for byte, and change nothing else.
func TestInjectionStoredVerbatim(t *testing.T) {
	hostile := []string{
		"'; DELETE FROM znodes; --", "') OR ('1'='1", "\"; DROP TABLE znodes; --", "\\'; DELETE FROM znodes WHERE '1'='1",
		"*/ DELETE FROM znodes /*", "?", ":p", "%", "_", "\x00'; DELETE FROM znodes; --\x00", "' UNION SELECT path FROM acls --",
		"\u2019; DELETE FROM znodes; --", "\r\n DELETE FROM znodes", "$1", "@p", "`path`", "1; UPDATE znodes SET data='pwned'",
	}
	backendsFor(t, func(t *testing.T, h *hostileTree) {
		ctx := context.Background()
		db := h.open(t, "")
		mustExec(t, db, "INSERT INTO znodes (path) VALUES ('/inj')")
		before := h.snapshot(t)
		want := map[string]string{}
		for i, v := range hostile {
			p := fmt.Sprintf("/inj/n%02d", i)
			mustExec(t, db, "INSERT INTO znodes (path, data) VALUES (?, ?)", p, v)
			want[p] = v
			if !strings.ContainsRune(v, 0) && !strings.ContainsAny(v, "\r\n") {
				// The value as a znode name, too.
				name := "/inj/" + strings.ReplaceAll(v, "/", "|")
				if zkstore.ValidatePath(name, false) == nil {
					mustExec(t, db, "INSERT INTO znodes (path, data) VALUES (?, ?)", name, v)
					want[name] = v
				}
			}
		}
		// A hostile value in UPDATE and WHERE matches exactly its own znode.
		res := mustExec(t, db, "UPDATE znodes SET data = CONCAT(data, ?) WHERE path LIKE '/inj/%' AND data = ?", hostile[0], hostile[0])
		if n, _ := res.RowsAffected(); n != 2 {
			t.Errorf("UPDATE matched %d znodes, want the 2 holding %q", n, hostile[0])
		}
		for p, v := range want {
			if v == hostile[0] {
				want[p] = v + v
			}
		}
		for p, v := range want {
			var got []byte
			if err := db.QueryRowContext(ctx, "SELECT data FROM znodes WHERE path = ?", p).Scan(&got); err != nil {
				t.Fatalf("%q: %v", p, err)
			}
			if string(got) != v {
				t.Errorf("%q holds %q, want %q", p, got, v)
			}
		}
		// Nothing but /inj's subtree changed.
		after := h.snapshot(t)
		for p, n := range before {
			if p == "/inj" || p == "/" {
				continue
			}
			if !cmp.Equal(n, after[p]) {
				t.Errorf("%s changed: %s", p, cmp.Diff(n, after[p]))
			}
		}
		for p := range after {
			if _, ok := before[p]; !ok && !strings.HasPrefix(p, "/inj/") {
				t.Errorf("unexpected znode %q", p)
			}
			if _, ok := want[p]; !ok && strings.HasPrefix(p, "/inj/") {
				t.Errorf("unexpected znode %q", p)
			}
		}
		if len(after) != len(before)+len(want) {
			t.Errorf("%d znodes after, want %d", len(after), len(before)+len(want))
		}
	})
}
