package driver_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/zksql/zksql/driver"
	"github.com/zksql/zksql/internal/testkit/zkserver"
)

// Issue 11: a DSN whose chroot does not exist gave empty results and no
// error, and with create_parents=true an error naming the child path. Now
// the session's opening checks the chroot: Ping and the first statement
// fail with ErrNoChroot naming it, and nothing is created.
func TestMissingChroot(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	addr := zkserver.SharedAddr(t)
	chroot := fmt.Sprintf("/nochroot-%d/app", time.Now().UnixNano())
	root := openDB(t, "zk://"+addr)
	for _, c := range []struct {
		name, opts string
		run        func(db *sql.DB) error
	}{
		{"ping", "", func(db *sql.DB) error { return db.PingContext(context.Background()) }},
		{"select", "", func(db *sql.DB) error { _, err := tryQuery(db, "SELECT path FROM znodes"); return err }},
		{"insert", "", func(db *sql.DB) error { _, err := db.Exec("INSERT INTO znodes (path) VALUES ('/a')"); return err }},
		{"create_parents", "?create_parents=true", func(db *sql.DB) error {
			_, err := db.Exec("INSERT INTO znodes (path) VALUES ('/a/b/c')")
			return err
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			db := openDB(t, "zk://"+addr+chroot+c.opts)
			err := c.run(db)
			if !errors.Is(err, driver.ErrNoChroot) {
				t.Fatalf("%v, want ErrNoChroot", err)
			}
			msg := err.Error()
			t.Log(msg)
			if !strings.Contains(msg, chroot+" is not on the servers") || !strings.Contains(msg, "create_chroot=true") {
				t.Errorf("message %q does not name the chroot and the option", msg)
			}
			if strings.Contains(msg, "/a/b") {
				t.Errorf("message %q names the child path", msg)
			}
		})
	}
	if got := queryRows(t, root, "SELECT COUNT(*) FROM znodes WHERE path = ?", chroot[:strings.LastIndex(chroot, "/")]); got[0] != "0" {
		t.Fatalf("something was created: %v", got)
	}

	// create_chroot=true creates it and its missing ancestor, once.
	db := openDB(t, "zk://"+addr+chroot+"?create_chroot=true")
	if err := db.Ping(); err != nil {
		t.Fatal(err)
	}
	mustExec(t, db, "INSERT INTO znodes (path, data) VALUES ('/a', 'x')")
	if got := queryRows(t, root, "SELECT data FROM znodes WHERE path = ?", chroot+"/a"); len(got) != 1 || got[0] != "x" {
		t.Fatalf("znode under the created chroot: %v", got)
	}
	// A second handle finds it there.
	if err := openDB(t, "zk://"+addr+chroot+"?create_chroot=true").Ping(); err != nil {
		t.Fatal(err)
	}
	if err := openDB(t, "zk://"+addr+chroot).Ping(); err != nil {
		t.Fatal(err)
	}
}

// Issue 11: session_timeout=15 was read as 15ms without a word. A bare
// number is refused where the DSN is parsed, before any server is
// contacted, with the fix in the message; so is a session timeout no
// server would grant. The memory store takes no session timeout at all.
func TestDurationsNeedAUnit(t *testing.T) {
	for _, c := range []struct{ dsn, want string }{
		{"zk://127.0.0.1:1?session_timeout=15", "write session_timeout=15s"},
		{"zk://127.0.0.1:1?connect_timeout=500", "write connect_timeout=500s for seconds (or 500ms"},
		{"zk://127.0.0.1:1?session_timeout=15ms", "outside what a ZooKeeper server grants"},
		{"mem:?session_timeout=15s", "does not apply to mem:"},
	} {
		db, err := sql.Open("zookeeper", c.dsn)
		if err == nil {
			err = db.Ping()
			db.Close()
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error saying %q", c.dsn, err, c.want)
		}
	}
	if testing.Short() {
		return
	}
	// The smallest timeout accepted opens a session on a live server.
	db := openDB(t, "zk://"+zkserver.SharedAddr(t)+"?session_timeout=1s")
	if err := db.Ping(); err != nil {
		t.Fatal(err)
	}
}
