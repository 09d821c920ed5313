package driver_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/zksql/zksql/driver"
	"github.com/zksql/zksql/internal/testkit/zkserver"
)

// rootCase is a DSN to test the root's protection on, and the name its
// errors give the root.
type rootCase struct {
	name, dsn, rootName string
	// check reads the session root's existence through another handle.
	rootExists func(t *testing.T) bool
}

func rootCases(t *testing.T) []rootCase {
	mem := "root-" + strings.ReplaceAll(t.Name(), "/", "_")
	t.Cleanup(func() { driver.DropMemServer(mem) })
	cs := []rootCase{{name: "mem", dsn: "mem:" + mem, rootName: `"/"`, rootExists: func(*testing.T) bool { return true }}}
	if !testing.Short() {
		addr := zkserver.SharedAddr(t)
		chroot := fmt.Sprintf("/rootcase-%d", time.Now().UnixNano())
		admin := openDB(t, "zk://"+addr)
		mustExec(t, admin, "INSERT INTO znodes (path) VALUES (?)", chroot)
		cs = append(cs, rootCase{name: "live", dsn: "zk://" + addr + chroot, rootName: `"/" (the chroot ` + chroot + `)`,
			rootExists: func(t *testing.T) bool {
				return queryRows(t, admin, "SELECT COUNT(*) FROM znodes WHERE path = ?", chroot)[0] == "1"
			}})
	}
	return cs
}

// Issue 11: on a chrooted DSN, DELETE ... WHERE path = '/' removed the
// chroot node and DELETE without WHERE removed it with everything under
// it. Both are refused now, on either store, with the same error, and the
// statement the error suggests empties the root and keeps it.
func TestRootNeverDeleted(t *testing.T) {
	for _, c := range rootCases(t) {
		t.Run(c.name, func(t *testing.T) {
			db := openDB(t, c.dsn)
			mustExec(t, db, "INSERT INTO znodes (path) VALUES ('/a'), ('/a/b'), ('/c')")
			for _, q := range []string{
				"DELETE FROM znodes WHERE path = '/'",
				"DELETE FROM znodes",
				"DELETE FROM znodes WHERE path LIKE '/%'",
			} {
				_, err := db.Exec(q)
				if !errors.Is(err, driver.ErrProtected) {
					t.Fatalf("%s: %v, want ErrProtected", q, err)
				}
				if !strings.Contains(err.Error(), "would delete "+c.rootName) || !strings.Contains(err.Error(), "never deleted") {
					t.Errorf("%s: message %q does not name the root %s", q, err, c.rootName)
				}
				if got := queryRows(t, db, "SELECT COUNT(*) FROM znodes WHERE path IN ('/a', '/a/b', '/c')"); got[0] != "3" {
					t.Fatalf("%s: tree changed: %v of 3 znodes left", q, got)
				}
				if !c.rootExists(t) {
					t.Fatalf("%s: the root is gone", q)
				}
			}
			// The hint the error gives empties the root, which stays.
			hint := "DELETE FROM znodes WHERE path <> '/'"
			if c.name == "mem" {
				hint = "DELETE FROM znodes WHERE path <> '/' AND path <> '/zookeeper' AND path NOT LIKE '/zookeeper/%'"
			}
			res, err := db.Exec(hint)
			if err != nil {
				t.Fatalf("%s: %v", hint, err)
			}
			if n, _ := res.RowsAffected(); n != 3 {
				t.Errorf("%s: %d rows affected, want 3", hint, n)
			}
			if !c.rootExists(t) {
				t.Fatal("the root is gone after emptying it")
			}
			if got := queryRows(t, db, "SELECT COUNT(*) FROM znodes WHERE path = '/'"); got[0] != "1" {
				t.Errorf("root row: %v", got)
			}
		})
	}
}

// /zookeeper is ZooKeeper's own: no statement writes it, on the memory
// store and on a live server without a chroot alike (the server itself
// lets a client create below /zookeeper/quota).
func TestSystemSubtreeNeverWritten(t *testing.T) {
	mem := "system-" + t.Name()
	t.Cleanup(func() { driver.DropMemServer(mem) })
	dsns := map[string]string{"mem": "mem:" + mem}
	if !testing.Short() {
		dsns["live"] = "zk://" + zkserver.SharedAddr(t)
	}
	for name, dsn := range dsns {
		t.Run(name, func(t *testing.T) {
			db := openDB(t, dsn)
			before := queryRows(t, db, "SELECT path, version, cversion, aversion FROM znodes WHERE path LIKE '/zookeeper%' ORDER BY path")
			for _, q := range []string{
				"INSERT INTO znodes (path) VALUES ('/zookeeper/quota/mine')",
				"UPDATE znodes SET data = 'x' WHERE path = '/zookeeper/quota'",
				"DELETE FROM znodes WHERE path = '/zookeeper/quota'",
				"INSERT INTO acls (path, scheme, id, perms) VALUES ('/zookeeper/quota', 'world', 'anyone', 'r')",
				"UPDATE acls SET perms = 'r' WHERE path = '/zookeeper'",
			} {
				_, err := db.Exec(q)
				if !errors.Is(err, driver.ErrProtected) || !strings.Contains(err.Error(), "/zookeeper") {
					t.Errorf("%s: %v, want ErrProtected naming /zookeeper", q, err)
				}
			}
			after := queryRows(t, db, "SELECT path, version, cversion, aversion FROM znodes WHERE path LIKE '/zookeeper%' ORDER BY path")
			if strings.Join(before, "|") != strings.Join(after, "|") {
				t.Errorf("/zookeeper changed:\n%v\n%v", before, after)
			}
		})
	}
}

// Under a chroot, /zookeeper is an ordinary name, unless the chroot
// itself is /zookeeper or below it; then every write is refused.
func TestSystemUnderChroot(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	addr := zkserver.SharedAddr(t)
	chroot := fmt.Sprintf("/syschroot-%d", time.Now().UnixNano())
	mustExec(t, openDB(t, "zk://"+addr), "INSERT INTO znodes (path) VALUES (?)", chroot)
	db := openDB(t, "zk://"+addr+chroot)
	mustExec(t, db, "INSERT INTO znodes (path) VALUES ('/zookeeper'), ('/zookeeper/x')")
	mustExec(t, db, "DELETE FROM znodes WHERE path LIKE '/zookeeper%'")
	quota := openDB(t, "zk://"+addr+"/zookeeper/quota")
	_, err := quota.Exec("INSERT INTO znodes (path) VALUES ('/mine')")
	if !errors.Is(err, driver.ErrProtected) || !strings.Contains(err.Error(), "server path /zookeeper/quota/mine") {
		t.Fatalf("insert under the chroot /zookeeper/quota: %v", err)
	}
	if got := queryRows(t, quota, "SELECT COUNT(*) FROM znodes"); got[0] != "1" {
		t.Fatalf("/zookeeper/quota now holds %v znodes", got)
	}
}
