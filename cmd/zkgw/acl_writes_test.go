package main

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/zksql/zksql/zkstore"
)

func getACL(t *testing.T, st zkstore.Store, path string) ([]zkstore.ACL, int32) {
	t.Helper()
	acl, stat, err := st.GetACL(context.Background(), path)
	if err != nil {
		t.Fatalf("GetACL %s: %v", path, err)
	}
	return acl, stat.Aversion
}

func TestMariaDBACLWrites(t *testing.T) {
	stores(t, func(t *testing.T, st zkstore.Store) {
		ctx := context.Background()
		digest := zkstore.DigestID("ops", "secret")
		const path = "/app/config"

		ro := startGateway(t, st, nil)
		if _, err := mariadb(t, ro, ro.password, "UPDATE acls SET perms = 'r' WHERE path = '/app/config'"); err == nil {
			t.Fatal("UPDATE of acls on a read-only gateway succeeded")
		}
		if acl, v := getACL(t, st, path); v != 0 || !reflect.DeepEqual(acl, zkstore.OpenACLUnsafe()) {
			t.Fatalf("read-only gateway changed the ACL: %v aversion %d", acl, v)
		}

		gw := startGateway(t, st, func(c *Config) { c.Writable = true })
		wantOutput(t, "aversion", mustMariadb(t, gw, "SELECT scheme, id, perms, aversion FROM acls WHERE path = '/app/config'"),
			"scheme\tid\tperms\taversion\nworld\tanyone\tcdrwa\t0")

		// INSERT adds an entry: one setACL with the aversion read.
		mustMariadb(t, gw, "INSERT INTO acls (path, scheme, id, perms) VALUES ('/app/config', 'digest', '"+digest+"', 'ra')")
		acl, v := getACL(t, st, path)
		want := []zkstore.ACL{{Perms: zkstore.PermAll, Scheme: "world", ID: "anyone"}, {Perms: zkstore.PermRead | zkstore.PermAdmin, Scheme: "digest", ID: digest}}
		if v != 1 || !reflect.DeepEqual(acl, want) {
			t.Fatalf("after INSERT: %v aversion %d", acl, v)
		}

		// UPDATE changes perms in place.
		// (The gateway keeps ADMIN through world: without it, ZooKeeper
		// would refuse setACL and hide digest hashes from getACL.)
		mustMariadb(t, gw, "UPDATE acls SET perms = 'rwa' WHERE path = '/app/config' AND scheme = 'world'")
		acl, v = getACL(t, st, path)
		want[0].Perms = zkstore.PermRead | zkstore.PermWrite | zkstore.PermAdmin
		if v != 2 || !reflect.DeepEqual(acl, want) {
			t.Fatalf("after UPDATE: %#v aversion %d, want %#v", acl, v, want)
		}

		// DELETE removes one entry.
		mustMariadb(t, gw, "DELETE FROM acls WHERE path = '/app/config' AND scheme = 'digest'")
		acl, v = getACL(t, st, path)
		rwa := zkstore.WorldACL(zkstore.PermRead | zkstore.PermWrite | zkstore.PermAdmin)
		if v != 3 || !reflect.DeepEqual(acl, rwa) {
			t.Fatalf("after DELETE: %v aversion %d", acl, v)
		}

		// Refused, nothing written: bad perms, the last entry, two znodes
		// in one statement, a duplicate entry, changing aversion.
		for stmt, msg := range map[string]string{
			"INSERT INTO acls (path, scheme, id, perms) VALUES ('/app/config', 'ip', '10.0.0.1', 'rx')":                                 "cdrwa",
			"DELETE FROM acls WHERE path = '/app/config'":                                                                               "cannot be empty",
			"INSERT INTO acls (path, scheme, id, perms) VALUES ('/app/config', 'ip', '10.0.0.1', 'r'), ('/app', 'ip', '10.0.0.1', 'r')": "one znode",
			"INSERT INTO acls (path, scheme, id, perms) VALUES ('/app/config', 'world', 'anyone', 'a')":                                 "already has an entry",
			"INSERT INTO acls (path, scheme, id, perms, aversion) VALUES ('/app/config', 'ip', '10.0.0.1', 'r', 1)":                     "changed since it was read",
			"UPDATE acls SET aversion = 7 WHERE path = '/app/config'":                                                                   "aversion cannot be set",
			"UPDATE acls SET path = '/app' WHERE path = '/app/config'":                                                                  "path cannot be updated",
		} {
			_, err := mariadb(t, gw, gw.password, stmt)
			if err == nil || !strings.Contains(err.Error(), msg) {
				t.Errorf("%s: %v, want an error saying %q", stmt, err, msg)
			}
		}
		if acl, v := getACL(t, st, path); v != 3 || !reflect.DeepEqual(acl, rwa) {
			t.Fatalf("a refused statement changed the ACL: %v aversion %d", acl, v)
		}
		if _, v := getACL(t, st, "/app"); v != 0 {
			t.Fatalf("a refused statement changed /app's ACL: aversion %d", v)
		}

		// An ACL changed between the read and the write: the statement
		// fails, nothing is applied, and it is not retried. SLEEP in the
		// WHERE clause holds the UPDATE after it read the row (aversion 3);
		// the ACL is changed once the statement is seen running.
		done := make(chan error, 1)
		go func() {
			_, err := mariadb(t, gw, gw.password, "UPDATE acls SET perms = 'rwca' WHERE path = '/app/config' AND SLEEP(3) = 0")
			done <- err
		}()
		deadline := time.Now().Add(20 * time.Second)
		for !strings.Contains(mustMariadb(t, gw, "SELECT info FROM information_schema.processlist"), "SLEEP(3)") {
			if time.Now().After(deadline) {
				t.Fatal("the UPDATE never showed in the process list")
			}
			time.Sleep(20 * time.Millisecond)
		}
		time.Sleep(500 * time.Millisecond)
		if _, err := st.SetACL(ctx, path, zkstore.WorldACL(zkstore.PermRead|zkstore.PermCreate), 3); err != nil {
			t.Fatal(err)
		}
		if err := <-done; err == nil || !strings.Contains(err.Error(), "changed since it was read") {
			t.Fatalf("UPDATE of an ACL changed since it was read: %v", err)
		}
		if acl, v := getACL(t, st, path); v != 4 || !reflect.DeepEqual(acl, zkstore.WorldACL(zkstore.PermRead|zkstore.PermCreate)) {
			t.Fatalf("after the conflict: %v aversion %d", acl, v)
		}
	})
}
