package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/zksql/zksql/driver"
	"github.com/zksql/zksql/internal/testkit/zkserver"
	"github.com/zksql/zksql/zkstore"
)

// Helpers shared by the bad-input, fuzz, security and load tests: a tree
// with protected znodes, opened on mem: or on the shared live server, and
// byte-for-byte snapshots of it.

// adminUser owns the protected znodes of the hostile-input fixture.
const (
	adminUser = "admin"
	adminPass = "adm1n-Pa55"
)

// hostileFixture creates, through the admin session st, a tree with
// ordinary znodes, a znode everyone may read but only admin may change
// (/locked), and one only admin may even read (/private).
func hostileFixture(t testing.TB, st zkstore.Store) {
	t.Helper()
	ctx := context.Background()
	admin := zkstore.DigestACL(zkstore.PermAll, adminUser, adminPass)
	readOnly := append(zkstore.WorldACL(zkstore.PermRead), admin...)
	for _, n := range []struct {
		path string
		data string
		acl  []zkstore.ACL
	}{
		{"/app", "root", nil},
		{"/app/config", `{"port":8080,"tags":["a","b"]}`, nil},
		{"/app/nodes", "", nil},
		{"/app/nodes/n1", "alpha", nil},
		{"/app/nodes/n2", "beta", nil},
		{"/app/nodes/n3", "gamma", nil},
		{"/other", "o", nil},
		{"/locked", "keep out", readOnly},
		{"/locked/child", "keep out too", readOnly},
		{"/private", "top secret", admin},
		{"/private/child", "hidden", admin},
	} {
		if _, err := st.Create(ctx, n.path, []byte(n.data), zkstore.CreateOptions{ACL: n.acl}); err != nil {
			t.Fatalf("fixture %s: %v", n.path, err)
		}
	}
}

// treeNode is everything a client can observe of one znode.
type treeNode struct {
	Data []byte
	Stat zkstore.Stat
	ACL  []zkstore.ACL
}

// snapshot reads the whole tree below "/" (except /zookeeper) through st,
// which must be allowed to read every znode.
func snapshot(t testing.TB, st zkstore.Store) map[string]treeNode {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out := map[string]treeNode{}
	var walk func(p string)
	walk = func(p string) {
		data, stat, err := st.Get(ctx, p)
		if err != nil {
			t.Fatalf("snapshot: get %s: %v", p, err)
		}
		acl, _, err := st.GetACL(ctx, p)
		if err != nil {
			t.Fatalf("snapshot: getACL %s: %v", p, err)
		}
		if data == nil {
			data = []byte{}
		}
		out[p] = treeNode{Data: data, Stat: stat, ACL: acl}
		names, _, err := st.Children(ctx, p)
		if err != nil {
			t.Fatalf("snapshot: children %s: %v", p, err)
		}
		for _, n := range names {
			if p == "/" && n == "zookeeper" {
				continue
			}
			walk(zkstore.Join(p, n))
		}
	}
	walk("/")
	return out
}

// sameTree fails t if the tree differs from before.
func sameTree(t testing.TB, what string, before, after map[string]treeNode) {
	t.Helper()
	if d := cmp.Diff(before, after); d != "" {
		t.Fatalf("%s changed the tree (-before +after):\n%s", what, d)
	}
}

// storeOf returns the session behind db (never closed by the caller).
func storeOf(t testing.TB, db *sql.DB) zkstore.Store {
	t.Helper()
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var st zkstore.Store
	if err := conn.Raw(func(c any) error {
		st = c.(interface{ Store() zkstore.Store }).Store()
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return st
}

// hostileTree is a fixture tree and the handles on it.
type hostileTree struct {
	name string
	// admin has the admin credentials: it may read everything.
	admin *sql.DB
	// open opens another handle on the same tree with DSN options.
	open func(t testing.TB, opts string) *sql.DB
	// dsn is the DSN open uses, without options.
	dsn string
}

var treeSeq atomic.Int64

func adminAuth() string { return "auth=digest:" + adminUser + ":" + adminPass }

// memHostileTree makes a fixture tree on a named in-memory server of its
// own.
func memHostileTree(t testing.TB) *hostileTree {
	name := fmt.Sprintf("hostile-%d", treeSeq.Add(1))
	t.Cleanup(func() { driver.DropMemServer(name) })
	return newHostileTree(t, "mem", "mem:"+name)
}

// liveHostileTree makes a fixture tree under a chroot of its own on the
// shared live server.
func liveHostileTree(t testing.TB) *hostileTree {
	addr := zkserver.SharedAddr(t)
	chroot := fmt.Sprintf("/hostile-%d-%d", time.Now().UnixNano(), treeSeq.Add(1))
	root := openDB(t, "zk://"+addr)
	mustExec(t, root, "INSERT INTO znodes (path) VALUES (?)", chroot)
	return newHostileTree(t, "live", "zk://"+addr+chroot)
}

func newHostileTree(t testing.TB, name, dsn string) *hostileTree {
	h := &hostileTree{name: name, dsn: dsn}
	h.open = func(t testing.TB, opts string) *sql.DB {
		if opts == "" {
			return openDB(t, dsn)
		}
		return openDB(t, dsn+"?"+opts)
	}
	h.admin = h.open(t, adminAuth())
	hostileFixture(t, storeOf(t, h.admin))
	return h
}

func (h *hostileTree) snapshot(t testing.TB) map[string]treeNode {
	return snapshot(t, storeOf(t, h.admin))
}
