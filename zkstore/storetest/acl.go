package storetest

import (
	"testing"

	"github.com/zksql/zksql/zkstore"
)

// restricted creates f.p(name) with acl through the fixture's session (and a
// child "c" first, with an open ACL, so reads of children have something).
func (f *fixture) restricted(name string, acl []zkstore.ACL) string {
	f.t.Helper()
	p := f.p(name)
	f.mk(p, []byte("secret"))
	f.mk(p+"/c", nil)
	if _, err := f.s.SetACL(f.ctx, p, acl, 0); err != nil {
		f.t.Fatalf("SetACL(%q): %v", p, err)
	}
	return p
}

func init() {
	register(
		testCase{"ACL/GetACLStat", func(t *testing.T, f *fixture) {
			f.mk(f.p("a"), []byte("x"))
			acl, st, err := f.s.GetACL(f.ctx, f.p("a"))
			if err != nil {
				t.Fatal(err)
			}
			wantACL(t, "GetACL", acl, zkstore.OpenACLUnsafe())
			wantStat(t, "GetACL stat", st, f.stat(f.p("a")))
		}},
		testCase{"ACL/SetACLVersions", func(t *testing.T, f *fixture) {
			f.mk(f.p("a"), []byte("x"))
			old := f.stat(f.p("a"))
			st, err := f.s.SetACL(f.ctx, f.p("a"), zkstore.WorldACL(zkstore.PermRead|zkstore.PermAdmin), 0)
			if err != nil {
				t.Fatal(err)
			}
			// Only Aversion changes: no zxid, no time.
			want := old
			want.Aversion = 1
			wantStat(t, "SetACL result", st, want)
			wantStat(t, "Exists after SetACL", f.stat(f.p("a")), want)
			_, err = f.s.SetACL(f.ctx, f.p("a"), zkstore.OpenACLUnsafe(), 0)
			wantErr(t, "SetACL stale aversion", err, zkstore.ErrBadVersion)
			_, err = f.s.SetACL(f.ctx, f.p("a"), zkstore.OpenACLUnsafe(), 5)
			wantErr(t, "SetACL future aversion", err, zkstore.ErrBadVersion)
			st, err = f.s.SetACL(f.ctx, f.p("a"), zkstore.OpenACLUnsafe(), -1)
			if err != nil {
				t.Fatal(err)
			}
			want.Aversion = 2
			wantStat(t, "SetACL -1", st, want)
			acl, _, _ := f.s.GetACL(f.ctx, f.p("a"))
			wantACL(t, "ACL after SetACL", acl, zkstore.OpenACLUnsafe())
		}},
		testCase{"ACL/SetACLDoesNotTouchData", func(t *testing.T, f *fixture) {
			f.mk(f.p("a"), []byte("x"))
			parent := f.stat(f.base)
			f.set(f.s, f.p("a"), []byte("y"), 0)
			if _, err := f.s.SetACL(f.ctx, f.p("a"), zkstore.WorldACL(zkstore.PermAll), 0); err != nil {
				t.Fatal(err)
			}
			data, st := f.get(f.s, f.p("a"))
			wantData(t, "data", data, []byte("y"))
			if st.Version != 1 || st.Aversion != 1 {
				t.Errorf("Version %d, Aversion %d; want 1, 1", st.Version, st.Aversion)
			}
			wantStat(t, "parent", f.stat(f.base), parent)
		}},
		testCase{"ACL/SetACLNoNode", func(t *testing.T, f *fixture) {
			_, err := f.s.SetACL(f.ctx, f.p("missing"), zkstore.OpenACLUnsafe(), -1)
			wantErr(t, "SetACL missing", err, zkstore.ErrNoNode)
			_, _, err = f.s.GetACL(f.ctx, f.p("missing"))
			wantErr(t, "GetACL missing", err, zkstore.ErrNoNode)
		}},
		testCase{"ACL/SetACLInvalid", func(t *testing.T, f *fixture) {
			f.mk(f.p("a"), nil)
			for _, acl := range [][]zkstore.ACL{
				{},
				{{Perms: zkstore.PermAll, Scheme: "nosuchscheme", ID: "x"}},
				{{Perms: zkstore.PermAll, Scheme: "auth", ID: ""}},
			} {
				_, err := f.s.SetACL(f.ctx, f.p("a"), acl, -1)
				wantErr(t, "SetACL "+aclString(acl), err, zkstore.ErrInvalidACL)
			}
			acl, st, _ := f.s.GetACL(f.ctx, f.p("a"))
			wantACL(t, "ACL after refused SetACLs", acl, zkstore.OpenACLUnsafe())
			if st.Aversion != 0 {
				t.Errorf("Aversion = %d", st.Aversion)
			}
		}},
		testCase{"ACL/NoReadPermission", func(t *testing.T, f *fixture) {
			p := f.restricted("r", zkstore.WorldACL(zkstore.PermAll&^zkstore.PermRead))
			_, _, err := f.s.Get(f.ctx, p)
			wantErr(t, "Get without READ", err, zkstore.ErrNoAuth)
			_, _, _, err = f.s.GetW(f.ctx, p)
			wantErr(t, "GetW without READ", err, zkstore.ErrNoAuth)
			_, _, err = f.s.Children(f.ctx, p)
			wantErr(t, "Children without READ", err, zkstore.ErrNoAuth)
			_, _, _, err = f.s.ChildrenW(f.ctx, p)
			wantErr(t, "ChildrenW without READ", err, zkstore.ErrNoAuth)
			// exists needs no permission at all.
			if !f.exists(f.s, p) {
				t.Error("Exists = false")
			}
			// getACL needs READ or ADMIN; ADMIN is there.
			acl, _, err := f.s.GetACL(f.ctx, p)
			if err != nil {
				t.Errorf("GetACL with ADMIN: %v", err)
			}
			wantACL(t, "GetACL", acl, zkstore.WorldACL(zkstore.PermAll&^zkstore.PermRead))
			// Writes still work.
			f.set(f.s, p, []byte("w"), 0)
		}},
		testCase{"ACL/NoWritePermission", func(t *testing.T, f *fixture) {
			p := f.restricted("w", zkstore.WorldACL(zkstore.PermAll&^zkstore.PermWrite))
			st := f.stat(p)
			_, err := f.s.Set(f.ctx, p, []byte("x"), -1)
			wantErr(t, "Set without WRITE", err, zkstore.ErrNoAuth)
			_, err = f.s.Set(f.ctx, p, []byte("x"), 99)
			wantErr(t, "Set without WRITE, bad version (auth first)", err, zkstore.ErrNoAuth)
			wantStat(t, "after refused Set", f.stat(p), st)
			data, _ := f.get(f.s, p)
			wantData(t, "data", data, []byte("secret"))
		}},
		testCase{"ACL/NoCreatePermission", func(t *testing.T, f *fixture) {
			p := f.restricted("c", zkstore.WorldACL(zkstore.PermAll&^zkstore.PermCreate))
			for _, m := range []zkstore.CreateMode{zkstore.ModePersistent, zkstore.ModeEphemeral, zkstore.ModePersistentSequential} {
				_, err := f.s.Create(f.ctx, p+"/x", nil, zkstore.CreateOptions{Mode: m})
				wantErr(t, "Create "+m.String()+" without CREATE", err, zkstore.ErrNoAuth)
			}
			// Deleting needs DELETE, which is there.
			f.del(f.s, p+"/c", -1)
		}},
		testCase{"ACL/NoDeletePermission", func(t *testing.T, f *fixture) {
			p := f.restricted("d", zkstore.WorldACL(zkstore.PermAll&^zkstore.PermDelete))
			wantErr(t, "Delete child without DELETE on the parent", f.s.Delete(f.ctx, p+"/c", -1), zkstore.ErrNoAuth)
			wantErr(t, "Delete child without DELETE, bad version (auth first)", f.s.Delete(f.ctx, p+"/c", 42), zkstore.ErrNoAuth)
			if !f.exists(f.s, p+"/c") {
				t.Error("child deleted")
			}
			if _, err := f.s.SetACL(f.ctx, p, zkstore.OpenACLUnsafe(), -1); err != nil {
				t.Fatal(err)
			}
			f.del(f.s, p+"/c", -1)
		}},
		testCase{"ACL/NoAdminPermission", func(t *testing.T, f *fixture) {
			p := f.restricted("a", zkstore.WorldACL(zkstore.PermAll&^zkstore.PermAdmin))
			_, err := f.s.SetACL(f.ctx, p, zkstore.OpenACLUnsafe(), -1)
			wantErr(t, "SetACL without ADMIN", err, zkstore.ErrNoAuth)
			// READ suffices for getACL.
			acl, st, err := f.s.GetACL(f.ctx, p)
			if err != nil {
				t.Fatalf("GetACL with READ: %v", err)
			}
			wantACL(t, "GetACL", acl, zkstore.WorldACL(zkstore.PermAll&^zkstore.PermAdmin))
			if st.Aversion != 1 {
				t.Errorf("Aversion = %d", st.Aversion)
			}
		}},
		testCase{"ACL/NoPermissionsAtAll", func(t *testing.T, f *fixture) {
			p := f.restricted("n", zkstore.WorldACL(0))
			_, _, err := f.s.Get(f.ctx, p)
			wantErr(t, "Get", err, zkstore.ErrNoAuth)
			_, _, err = f.s.GetACL(f.ctx, p)
			wantErr(t, "GetACL without READ or ADMIN", err, zkstore.ErrNoAuth)
			_, err = f.s.SetACL(f.ctx, p, zkstore.OpenACLUnsafe(), -1)
			wantErr(t, "SetACL", err, zkstore.ErrNoAuth)
			_, err = f.s.Set(f.ctx, p, nil, -1)
			wantErr(t, "Set", err, zkstore.ErrNoAuth)
			_, err = f.s.Create(f.ctx, p+"/x", nil, zkstore.CreateOptions{})
			wantErr(t, "Create", err, zkstore.ErrNoAuth)
			wantErr(t, "Delete child", f.s.Delete(f.ctx, p+"/c", -1), zkstore.ErrNoAuth)
			st, ok, err := f.s.Exists(f.ctx, p)
			if err != nil || !ok || st.NumChildren != 1 || st.Aversion != 1 {
				t.Errorf("Exists = %+v, %v, %v", st, ok, err)
			}
			// The node itself can go: DELETE is checked on the parent.
			wantErr(t, "Delete with a child", f.s.Delete(f.ctx, p, -1), zkstore.ErrNotEmpty)
		}},
		testCase{"ACL/DigestAuth", func(t *testing.T, f *fixture) {
			f.create(f.s, f.p("d"), []byte("secret"), zkstore.CreateOptions{ACL: zkstore.DigestACL(zkstore.PermAll, "alice", "pw")})
			o := f.open()
			_, _, err := o.Get(f.ctx, f.p("d"))
			wantErr(t, "Get without credentials", err, zkstore.ErrNoAuth)
			if err := o.AddAuth(f.ctx, "digest", []byte("alice:wrong")); err != nil {
				t.Fatalf("AddAuth wrong password: %v", err)
			}
			_, _, err = o.Get(f.ctx, f.p("d"))
			wantErr(t, "Get with a wrong password", err, zkstore.ErrNoAuth)
			if err := o.AddAuth(f.ctx, "digest", []byte("alice:pw")); err != nil {
				t.Fatalf("AddAuth: %v", err)
			}
			data, _ := f.get(o, f.p("d"))
			wantData(t, "Get with credentials", data, []byte("secret"))
			f.set(o, f.p("d"), []byte("new"), 0)
			acl, _, err := o.GetACL(f.ctx, f.p("d"))
			if err != nil {
				t.Fatal(err)
			}
			wantACL(t, "GetACL with ADMIN", acl, zkstore.DigestACL(zkstore.PermAll, "alice", "pw"))
			f.create(o, f.p("d/child"), nil, zkstore.CreateOptions{})
			f.del(o, f.p("d/child"), -1)
			if _, err := o.SetACL(f.ctx, f.p("d"), zkstore.OpenACLUnsafe(), 0); err != nil {
				t.Fatal(err)
			}
			data, _ = f.get(f.s, f.p("d"))
			wantData(t, "Get after opening the ACL", data, []byte("new"))
		}},
		testCase{"ACL/GetACLRedactsDigestWithoutAdmin", func(t *testing.T, f *fixture) {
			acl := append(zkstore.WorldACL(zkstore.PermRead), zkstore.DigestACL(zkstore.PermAll, "bob", "pw")...)
			f.create(f.s, f.p("a"), nil, zkstore.CreateOptions{ACL: acl})
			got, _, err := f.s.GetACL(f.ctx, f.p("a"))
			if err != nil {
				t.Fatal(err)
			}
			wantACL(t, "GetACL with only READ", got, []zkstore.ACL{acl[0], {Perms: zkstore.PermAll, Scheme: "digest", ID: "bob:x"}})
			o := f.open()
			if err := o.AddAuth(f.ctx, "digest", []byte("bob:pw")); err != nil {
				t.Fatal(err)
			}
			got, _, err = o.GetACL(f.ctx, f.p("a"))
			if err != nil {
				t.Fatal(err)
			}
			wantACL(t, "GetACL with ADMIN", got, acl)
		}},
		testCase{"ACL/AuthScheme", func(t *testing.T, f *fixture) {
			if err := f.s.AddAuth(f.ctx, "digest", []byte("carol:pw")); err != nil {
				t.Fatal(err)
			}
			f.create(f.s, f.p("a"), nil, zkstore.CreateOptions{ACL: zkstore.CreatorAllACL()})
			acl, _, err := f.s.GetACL(f.ctx, f.p("a"))
			if err != nil {
				t.Fatal(err)
			}
			// "auth" becomes the session's digest identity.
			wantACL(t, "GetACL", acl, zkstore.DigestACL(zkstore.PermAll, "carol", "pw"))
			o := f.open()
			_, _, err = o.Get(f.ctx, f.p("a"))
			wantErr(t, "Get by another session", err, zkstore.ErrNoAuth)
			// With two identities, "auth" expands to both.
			if err := f.s.AddAuth(f.ctx, "digest", []byte("dave:pw")); err != nil {
				t.Fatal(err)
			}
			f.create(f.s, f.p("b"), nil, zkstore.CreateOptions{ACL: []zkstore.ACL{{Perms: zkstore.PermRead, Scheme: "auth", ID: ""}}})
			acl, _, _ = f.s.GetACL(f.ctx, f.p("b"))
			if len(acl) != 2 {
				t.Errorf("auth ACL with two identities = %s", aclString(acl))
			}
		}},
		testCase{"ACL/AddAuthUnknownScheme", func(t *testing.T, f *fixture) {
			o := f.open()
			err := o.AddAuth(f.ctx, "nosuchscheme", []byte("x"))
			wantErr(t, "AddAuth with an unknown scheme", err, zkstore.ErrAuthFailed)
		}},
		testCase{"ACL/ReadOnlyWorld", func(t *testing.T, f *fixture) {
			f.create(f.s, f.p("ro"), []byte("r"), zkstore.CreateOptions{ACL: zkstore.ReadACLUnsafe()})
			data, _ := f.get(f.s, f.p("ro"))
			wantData(t, "Get", data, []byte("r"))
			_, err := f.s.Set(f.ctx, f.p("ro"), nil, -1)
			wantErr(t, "Set", err, zkstore.ErrNoAuth)
			_, err = f.s.Create(f.ctx, f.p("ro/x"), nil, zkstore.CreateOptions{})
			wantErr(t, "Create child", err, zkstore.ErrNoAuth)
			// Delete of the node itself is governed by the parent's ACL.
			f.del(f.s, f.p("ro"), -1)
		}},
		testCase{"ACL/IPScheme", func(t *testing.T, f *fixture) {
			f.create(f.s, f.p("ip"), []byte("x"), zkstore.CreateOptions{ACL: []zkstore.ACL{{Perms: zkstore.PermAll, Scheme: "ip", ID: "192.0.2.1"}}})
			// The suite's sessions are not at 192.0.2.1.
			_, _, err := f.s.Get(f.ctx, f.p("ip"))
			wantErr(t, "Get from another address", err, zkstore.ErrNoAuth)
		}},
	)
}
