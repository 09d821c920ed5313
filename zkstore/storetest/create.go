package storetest

import (
	"testing"
	"time"

	"github.com/zksql/zksql/zkstore"
)

func init() {
	register(
		testCase{"Create/Persistent", func(t *testing.T, f *fixture) {
			before := f.stat(f.base)
			got, err := f.s.Create(f.ctx, f.p("a"), []byte("hello"), zkstore.CreateOptions{})
			if err != nil || got != f.p("a") {
				t.Fatalf("Create = %q, %v; want %q", got, err, f.p("a"))
			}
			f.checkCreated(f.p("a"), 5, 0, before)
			data, _ := f.get(f.s, f.p("a"))
			wantData(t, "Get", data, []byte("hello"))
		}},
		testCase{"Create/Ephemeral", func(t *testing.T, f *fixture) {
			before := f.stat(f.base)
			got := f.create(f.s, f.p("e"), []byte("x"), zkstore.CreateOptions{Mode: zkstore.ModeEphemeral})
			if got != f.p("e") {
				t.Fatalf("Create = %q", got)
			}
			if f.s.SessionID() == 0 {
				t.Fatal("SessionID() = 0 on an open session")
			}
			f.checkCreated(got, 1, f.s.SessionID(), before)
		}},
		testCase{"Create/PersistentSequential", func(t *testing.T, f *fixture) {
			before := f.stat(f.base)
			got := f.create(f.s, f.p("q-"), []byte("x"), zkstore.CreateOptions{Mode: zkstore.ModePersistentSequential})
			if got != f.p("q-0000000000") {
				t.Fatalf("Create = %q, want %q", got, f.p("q-0000000000"))
			}
			f.checkCreated(got, 1, 0, before)
		}},
		testCase{"Create/EphemeralSequential", func(t *testing.T, f *fixture) {
			f.mk(f.p("x"), nil)
			before := f.stat(f.base)
			got := f.create(f.s, f.p("q-"), nil, zkstore.CreateOptions{Mode: zkstore.ModeEphemeralSequential})
			if got != f.p("q-0000000001") {
				t.Fatalf("Create = %q, want %q", got, f.p("q-0000000001"))
			}
			f.checkCreated(got, 0, f.s.SessionID(), before)
		}},
		testCase{"Create/Container", func(t *testing.T, f *fixture) {
			before := f.stat(f.base)
			got := f.create(f.s, f.p("c"), []byte("c"), zkstore.CreateOptions{Mode: zkstore.ModeContainer})
			if got != f.p("c") {
				t.Fatalf("Create = %q", got)
			}
			// ZooKeeper 3.8 hides the container marker from clients
			// (DataNode.copyStat → DataTree.getClientEphemeralOwner): the
			// Stat says EphemeralOwner 0, as for a persistent znode.
			f.checkCreated(got, 1, 0, before)
		}},
		testCase{"Create/TTL", func(t *testing.T, f *fixture) {
			before := f.stat(f.base)
			got := f.create(f.s, f.p("t"), []byte("tt"), zkstore.CreateOptions{Mode: zkstore.ModePersistentTTL, TTL: time.Hour})
			if got != f.p("t") {
				t.Fatalf("Create = %q", got)
			}
			// As for containers, the TTL marker is hidden: EphemeralOwner 0.
			f.checkCreated(got, 2, 0, before)
		}},
		testCase{"Create/SequentialTTL", func(t *testing.T, f *fixture) {
			f.mk(f.p("a"), nil)
			f.mk(f.p("b"), nil)
			before := f.stat(f.base)
			got := f.create(f.s, f.p("t-"), nil, zkstore.CreateOptions{Mode: zkstore.ModePersistentSequentialTTL, TTL: time.Hour})
			if got != f.p("t-0000000002") {
				t.Fatalf("Create = %q, want %q", got, f.p("t-0000000002"))
			}
			f.checkCreated(got, 0, 0, before)
		}},
		testCase{"Create/MaxTTL", func(t *testing.T, f *fixture) {
			f.create(f.s, f.p("t"), nil, zkstore.CreateOptions{Mode: zkstore.ModePersistentTTL, TTL: zkstore.MaxTTL})
			if st := f.stat(f.p("t")); st.EphemeralOwner != 0 {
				t.Errorf("EphemeralOwner = %#x, want 0", st.EphemeralOwner)
			}
		}},
		testCase{"Create/NilACLIsOpen", func(t *testing.T, f *fixture) {
			f.mk(f.p("a"), nil)
			acl, st, err := f.s.GetACL(f.ctx, f.p("a"))
			if err != nil {
				t.Fatal(err)
			}
			wantACL(t, "GetACL", acl, zkstore.OpenACLUnsafe())
			wantStat(t, "GetACL stat", st, f.stat(f.p("a")))
		}},
		testCase{"Create/ExplicitACL", func(t *testing.T, f *fixture) {
			acl := append(zkstore.WorldACL(zkstore.PermRead|zkstore.PermCreate), zkstore.DigestACL(zkstore.PermAll, "user", "pw")...)
			f.create(f.s, f.p("a"), nil, zkstore.CreateOptions{ACL: acl})
			got, _, err := f.s.GetACL(f.ctx, f.p("a"))
			if err != nil {
				t.Fatal(err)
			}
			// Without ADMIN, ZooKeeper redacts the digest to "user:x".
			wantACL(t, "GetACL", got, []zkstore.ACL{acl[0], {Perms: zkstore.PermAll, Scheme: "digest", ID: "user:x"}})
		}},
		testCase{"Create/NodeExists", func(t *testing.T, f *fixture) {
			f.mk(f.p("a"), []byte("one"))
			st := f.stat(f.p("a"))
			before := f.stat(f.base)
			for _, mode := range []zkstore.CreateMode{zkstore.ModePersistent, zkstore.ModeEphemeral, zkstore.ModeContainer} {
				_, err := f.s.Create(f.ctx, f.p("a"), []byte("two"), zkstore.CreateOptions{Mode: mode})
				wantErr(t, "Create existing as "+mode.String(), err, zkstore.ErrNodeExists)
			}
			_, err := f.s.Create(f.ctx, f.p("a"), nil, zkstore.CreateOptions{Mode: zkstore.ModePersistentTTL, TTL: time.Minute})
			wantErr(t, "Create existing as TTL", err, zkstore.ErrNodeExists)
			data, got := f.get(f.s, f.p("a"))
			wantData(t, "data", data, []byte("one"))
			wantStat(t, "existing", got, st)
			wantStat(t, "parent", f.stat(f.base), before)
		}},
		testCase{"Create/RootAndZookeeperExist", func(t *testing.T, f *fixture) {
			_, err := f.s.Create(f.ctx, "/", nil, zkstore.CreateOptions{})
			wantErr(t, `Create "/"`, err, zkstore.ErrNodeExists)
			_, err = f.s.Create(f.ctx, "/zookeeper", nil, zkstore.CreateOptions{})
			wantErr(t, `Create "/zookeeper"`, err, zkstore.ErrNodeExists)
		}},
		testCase{"Create/NoParent", func(t *testing.T, f *fixture) {
			for _, mode := range []zkstore.CreateMode{zkstore.ModePersistent, zkstore.ModeEphemeral, zkstore.ModePersistentSequential, zkstore.ModeEphemeralSequential, zkstore.ModeContainer} {
				_, err := f.s.Create(f.ctx, f.p("missing/a"), nil, zkstore.CreateOptions{Mode: mode})
				wantErr(t, "Create under a missing parent as "+mode.String(), err, zkstore.ErrNoNode)
			}
			_, err := f.s.Create(f.ctx, f.p("missing/a"), nil, zkstore.CreateOptions{Mode: zkstore.ModePersistentSequentialTTL, TTL: time.Minute})
			wantErr(t, "Create TTL under a missing parent", err, zkstore.ErrNoNode)
			_, err = f.s.Create(f.ctx, f.p("missing/deeper/a"), nil, zkstore.CreateOptions{})
			wantErr(t, "Create two levels under a missing parent", err, zkstore.ErrNoNode)
			f.mustNotExist(f.s, f.p("missing"))
		}},
		testCase{"Create/UnderEphemeral", func(t *testing.T, f *fixture) {
			f.create(f.s, f.p("e"), nil, zkstore.CreateOptions{Mode: zkstore.ModeEphemeral})
			st := f.stat(f.p("e"))
			for _, mode := range []zkstore.CreateMode{zkstore.ModePersistent, zkstore.ModeEphemeral, zkstore.ModePersistentSequential, zkstore.ModeEphemeralSequential, zkstore.ModeContainer} {
				_, err := f.s.Create(f.ctx, f.p("e/c"), nil, zkstore.CreateOptions{Mode: mode})
				wantErr(t, "Create under an ephemeral as "+mode.String(), err, zkstore.ErrNoChildrenForEphemerals)
			}
			// Another session gets the same.
			_, err := f.open().Create(f.ctx, f.p("e/c"), nil, zkstore.CreateOptions{})
			wantErr(t, "Create under another session's ephemeral", err, zkstore.ErrNoChildrenForEphemerals)
			wantStat(t, "ephemeral after failed creates", f.stat(f.p("e")), st)
		}},
		testCase{"Create/EmptyACL", func(t *testing.T, f *fixture) {
			_, err := f.s.Create(f.ctx, f.p("a"), nil, zkstore.CreateOptions{ACL: []zkstore.ACL{}})
			wantErr(t, "Create with an empty ACL", err, zkstore.ErrInvalidACL)
			f.mustNotExist(f.s, f.p("a"))
			// The ACL is checked before the parent: an empty ACL under a
			// missing parent is ErrInvalidACL, not ErrNoNode.
			_, err = f.s.Create(f.ctx, f.p("missing/a"), nil, zkstore.CreateOptions{ACL: []zkstore.ACL{}})
			wantErr(t, "Create with an empty ACL under a missing parent", err, zkstore.ErrInvalidACL)
		}},
		testCase{"Create/InvalidACLs", func(t *testing.T, f *fixture) {
			for _, acl := range [][]zkstore.ACL{
				{{Perms: zkstore.PermAll, Scheme: "nosuchscheme", ID: "x"}},
				{{Perms: zkstore.PermAll, Scheme: "world", ID: "someone"}},
				{{Perms: zkstore.PermAll, Scheme: "digest", ID: "nocolon"}},
				{{Perms: zkstore.PermAll, Scheme: "ip", ID: "not-an-ip"}},
				{{Perms: zkstore.PermAll, Scheme: "auth", ID: ""}}, // no credentials added
				{{Perms: zkstore.PermRead, Scheme: "world", ID: "anyone"}, {Perms: zkstore.PermAll, Scheme: "bogus", ID: "x"}},
			} {
				_, err := f.s.Create(f.ctx, f.p("a"), nil, zkstore.CreateOptions{ACL: acl})
				wantErr(t, "Create with ACL "+aclString(acl), err, zkstore.ErrInvalidACL)
			}
			f.mustNotExist(f.s, f.p("a"))
		}},
		testCase{"Create/ValidACLSchemes", func(t *testing.T, f *fixture) {
			for i, acl := range [][]zkstore.ACL{
				{{Perms: zkstore.PermAll, Scheme: "ip", ID: "127.0.0.1"}},
				{{Perms: zkstore.PermAll, Scheme: "ip", ID: "10.0.0.0/8"}},
				zkstore.WorldACL(0),
				zkstore.DigestACL(zkstore.PermRead, "u", "p"),
			} {
				p := f.p("n" + string(rune('a'+i)))
				f.create(f.s, p, nil, zkstore.CreateOptions{ACL: acl})
				if !f.exists(f.s, p) {
					t.Errorf("%s with ACL %s missing", p, aclString(acl))
				}
			}
		}},
		testCase{"Create/InvalidTTL", func(t *testing.T, f *fixture) {
			for _, ttl := range []time.Duration{0, -time.Second, zkstore.MaxTTL + time.Millisecond, -zkstore.MaxTTL} {
				for _, mode := range []zkstore.CreateMode{zkstore.ModePersistentTTL, zkstore.ModePersistentSequentialTTL} {
					_, err := f.s.Create(f.ctx, f.p("t"), nil, zkstore.CreateOptions{Mode: mode, TTL: ttl})
					wantErr(t, "Create "+mode.String()+" with TTL "+ttl.String(), err, zkstore.ErrBadArguments)
				}
			}
			names, _ := f.children(f.s, f.base)
			if len(names) != 0 {
				t.Errorf("children after failed creates: %q", names)
			}
		}},
		testCase{"Create/TTLNotWholeMilliseconds", func(t *testing.T, f *fixture) {
			// zkstore.CreateOptions: the TTL is in whole milliseconds, as
			// ZooKeeper keeps it; a finer one is refused, not truncated.
			for _, ttl := range []time.Duration{1500 * time.Microsecond, time.Second + 1} {
				_, err := f.s.Create(f.ctx, f.p("t"), nil, zkstore.CreateOptions{Mode: zkstore.ModePersistentTTL, TTL: ttl})
				wantErr(t, "Create with TTL "+ttl.String(), err, zkstore.ErrBadArguments)
			}
			f.mustNotExist(f.s, f.p("t"))
		}},
		testCase{"Create/TTLWithNonTTLMode", func(t *testing.T, f *fixture) {
			for _, mode := range []zkstore.CreateMode{zkstore.ModePersistent, zkstore.ModeEphemeral, zkstore.ModePersistentSequential, zkstore.ModeEphemeralSequential, zkstore.ModeContainer} {
				_, err := f.s.Create(f.ctx, f.p("t"), nil, zkstore.CreateOptions{Mode: mode, TTL: time.Minute})
				wantErr(t, "Create "+mode.String()+" with a TTL", err, zkstore.ErrBadArguments)
			}
			names, _ := f.children(f.s, f.base)
			if len(names) != 0 {
				t.Errorf("children after failed creates: %q", names)
			}
		}},
		testCase{"Create/InvalidMode", func(t *testing.T, f *fixture) {
			for _, mode := range []zkstore.CreateMode{-1, 7, 42} {
				_, err := f.s.Create(f.ctx, f.p("m"), nil, zkstore.CreateOptions{Mode: mode})
				wantErr(t, "Create with mode "+mode.String(), err, zkstore.ErrBadArguments)
			}
			f.mustNotExist(f.s, f.p("m"))
		}},
		testCase{"Create/NoAuthBeforeNodeExists", func(t *testing.T, f *fixture) {
			f.mk(f.p("a"), nil)
			f.mk(f.p("a/b"), nil)
			if _, err := f.s.SetACL(f.ctx, f.p("a"), zkstore.WorldACL(zkstore.PermRead), -1); err != nil {
				t.Fatal(err)
			}
			// CREATE permission on the parent is checked before existence.
			_, err := f.s.Create(f.ctx, f.p("a/b"), nil, zkstore.CreateOptions{})
			wantErr(t, "Create existing without CREATE permission", err, zkstore.ErrNoAuth)
		}},
		testCase{"Create/ReturnsPathWithEveryMode", func(t *testing.T, f *fixture) {
			for i, m := range []zkstore.CreateMode{zkstore.ModePersistent, zkstore.ModeEphemeral, zkstore.ModePersistentSequential, zkstore.ModeEphemeralSequential, zkstore.ModeContainer, zkstore.ModePersistentTTL, zkstore.ModePersistentSequentialTTL} {
				opts := zkstore.CreateOptions{Mode: m}
				if m.IsTTL() {
					opts.TTL = time.Hour
				}
				want := f.p(m.String())
				if m.IsSequential() {
					want += zkstore.SequenceSuffix(int32(i))
				}
				if got := f.create(f.s, f.p(m.String()), nil, opts); got != want {
					t.Errorf("Create as %v = %q, want %q", m, got, want)
				}
			}
			names, st := f.children(f.s, f.base)
			if len(names) != 7 || st.Cversion != 7 || st.NumChildren != 7 {
				t.Errorf("children = %q, Cversion %d, NumChildren %d; want 7, 7, 7", names, st.Cversion, st.NumChildren)
			}
		}},
	)
}
