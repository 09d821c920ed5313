package storetest

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/zksql/zksql/zkstore"
)

func wantACL(t *testing.T, what string, got, want []zkstore.ACL) {
	t.Helper()
	if aclString(got) != aclString(want) {
		t.Errorf("%s: ACL = %s, want %s", what, aclString(got), aclString(want))
	}
}

func aclString(acl []zkstore.ACL) string {
	if acl == nil {
		return "nil"
	}
	var parts []string
	for _, a := range acl {
		parts = append(parts, fmt.Sprintf("%s:%s:%s", a.Scheme, a.ID, zkstore.PermString(a.Perms)))
	}
	return "[" + strings.Join(parts, ",") + "]"
}

func init() {
	register(
		// ---- Get ----
		testCase{"Get/DataAndStat", func(t *testing.T, f *fixture) {
			f.mk(f.p("a"), []byte("value"))
			data, st := f.get(f.s, f.p("a"))
			wantData(t, "Get", data, []byte("value"))
			wantStat(t, "Get stat vs Exists stat", st, f.stat(f.p("a")))
			wantStat(t, "Get stat", st, newStat(st.Czxid, st.Ctime, 5, 0))
		}},
		testCase{"Get/NoNode", func(t *testing.T, f *fixture) {
			_, st, err := f.s.Get(f.ctx, f.p("missing"))
			wantErr(t, "Get missing", err, zkstore.ErrNoNode)
			wantStat(t, "Get missing stat", st, zkstore.Stat{})
			_, _, err = f.s.Get(f.ctx, f.p("missing/deeper"))
			wantErr(t, "Get under missing", err, zkstore.ErrNoNode)
		}},
		testCase{"Get/Root", func(t *testing.T, f *fixture) {
			_, st, err := f.s.Get(f.ctx, "/")
			if err != nil {
				t.Fatalf("Get(/): %v", err)
			}
			if st.Czxid != 0 || st.Ctime != 0 || st.NumChildren < 2 {
				t.Errorf("Get(/) stat = %+v; want Czxid 0, Ctime 0, at least 2 children", st)
			}
		}},
		testCase{"Get/ZookeeperNode", func(t *testing.T, f *fixture) {
			_, st, err := f.s.Get(f.ctx, "/zookeeper")
			if err != nil {
				t.Fatalf("Get(/zookeeper): %v", err)
			}
			if st.Czxid != 0 || st.Ctime != 0 || st.EphemeralOwner != 0 {
				t.Errorf("Get(/zookeeper) stat = %+v; want Czxid 0, Ctime 0, EphemeralOwner 0", st)
			}
			names, _ := f.children(f.s, "/zookeeper")
			for _, want := range []string{"config", "quota"} {
				if !slices.Contains(names, want) {
					t.Errorf("Children(/zookeeper) = %q, missing %q", names, want)
				}
			}
		}},
		testCase{"Get/OtherSessionSees", func(t *testing.T, f *fixture) {
			f.mk(f.p("a"), []byte("v"))
			o := f.open()
			f.sync(o)
			data, st := f.get(o, f.p("a"))
			wantData(t, "Get from another session", data, []byte("v"))
			wantStat(t, "stat from another session", st, f.stat(f.p("a")))
		}},

		// ---- Set ----
		testCase{"Set/AnyVersion", func(t *testing.T, f *fixture) {
			f.mk(f.p("a"), []byte("one"))
			old := f.stat(f.p("a"))
			st := f.set(f.s, f.p("a"), []byte("second"), zkstore.AnyVersion)
			checkSet(f, "Set -1", old, st, 6)
			wantStat(t, "Set result vs Exists", st, f.stat(f.p("a")))
			data, _ := f.get(f.s, f.p("a"))
			wantData(t, "Get after Set", data, []byte("second"))
		}},
		testCase{"Set/MatchingVersions", func(t *testing.T, f *fixture) {
			f.mk(f.p("a"), nil)
			st := f.stat(f.p("a"))
			for v := int32(0); v < 5; v++ {
				next := f.set(f.s, f.p("a"), []byte{byte(v)}, v)
				checkSet(f, fmt.Sprintf("Set version %d", v), st, next, 1)
				st = next
			}
			if st.Version != 5 {
				t.Errorf("Version = %d after 5 sets", st.Version)
			}
		}},
		testCase{"Set/BadVersion", func(t *testing.T, f *fixture) {
			f.mk(f.p("a"), []byte("one"))
			f.set(f.s, f.p("a"), []byte("two"), 0)
			st := f.stat(f.p("a"))
			for _, v := range []int32{0, 2, 100, -2} {
				_, err := f.s.Set(f.ctx, f.p("a"), []byte("three"), v)
				wantErr(t, fmt.Sprintf("Set version %d of version 1", v), err, zkstore.ErrBadVersion)
			}
			data, got := f.get(f.s, f.p("a"))
			wantData(t, "data after failed sets", data, []byte("two"))
			wantStat(t, "stat after failed sets", got, st)
		}},
		testCase{"Set/NoNode", func(t *testing.T, f *fixture) {
			_, err := f.s.Set(f.ctx, f.p("missing"), nil, zkstore.AnyVersion)
			wantErr(t, "Set missing", err, zkstore.ErrNoNode)
			_, err = f.s.Set(f.ctx, f.p("missing"), nil, 3)
			wantErr(t, "Set missing with a version", err, zkstore.ErrNoNode)
			f.mustNotExist(f.s, f.p("missing"))
		}},
		testCase{"Set/SameDataStillVersions", func(t *testing.T, f *fixture) {
			f.mk(f.p("a"), []byte("same"))
			old := f.stat(f.p("a"))
			st := f.set(f.s, f.p("a"), []byte("same"), 0)
			checkSet(f, "Set same data", old, st, 4)
		}},
		testCase{"Set/DoesNotTouchParent", func(t *testing.T, f *fixture) {
			f.mk(f.p("a"), nil)
			parent := f.stat(f.base)
			f.set(f.s, f.p("a"), []byte("x"), -1)
			wantStat(t, "parent after child Set", f.stat(f.base), parent)
		}},
		testCase{"Set/ParentWithChildren", func(t *testing.T, f *fixture) {
			f.mk(f.p("a"), nil)
			f.mk(f.p("a/b"), nil)
			old := f.stat(f.p("a"))
			st := f.set(f.s, f.p("a"), []byte("xy"), 0)
			checkSet(f, "Set parent", old, st, 2)
			if st.Pzxid != old.Pzxid || st.Cversion != 1 || st.NumChildren != 1 {
				t.Errorf("Set changed child accounting: %+v", st)
			}
		}},
		testCase{"Set/Ephemeral", func(t *testing.T, f *fixture) {
			f.create(f.s, f.p("e"), nil, zkstore.CreateOptions{Mode: zkstore.ModeEphemeral})
			old := f.stat(f.p("e"))
			o := f.open()
			st := f.set(o, f.p("e"), []byte("by other"), 0)
			checkSet(f, "Set another session's ephemeral", old, st, 8)
		}},

		// ---- Delete ----
		testCase{"Delete/AnyVersion", func(t *testing.T, f *fixture) {
			f.mk(f.p("a"), []byte("x"))
			f.set(f.s, f.p("a"), []byte("y"), 0)
			parent := f.stat(f.base)
			f.del(f.s, f.p("a"), zkstore.AnyVersion)
			f.mustNotExist(f.s, f.p("a"))
			checkDeleted(f, parent, f.stat(f.base))
		}},
		testCase{"Delete/MatchingVersion", func(t *testing.T, f *fixture) {
			f.mk(f.p("a"), nil)
			f.set(f.s, f.p("a"), nil, 0)
			f.set(f.s, f.p("a"), nil, 1)
			parent := f.stat(f.base)
			f.del(f.s, f.p("a"), 2)
			f.mustNotExist(f.s, f.p("a"))
			checkDeleted(f, parent, f.stat(f.base))
		}},
		testCase{"Delete/BadVersion", func(t *testing.T, f *fixture) {
			f.mk(f.p("a"), nil)
			st := f.stat(f.p("a"))
			parent := f.stat(f.base)
			for _, v := range []int32{1, 7, -2} {
				wantErr(t, fmt.Sprintf("Delete version %d of version 0", v), f.s.Delete(f.ctx, f.p("a"), v), zkstore.ErrBadVersion)
			}
			wantStat(t, "stat after failed deletes", f.stat(f.p("a")), st)
			wantStat(t, "parent after failed deletes", f.stat(f.base), parent)
		}},
		testCase{"Delete/NoNode", func(t *testing.T, f *fixture) {
			wantErr(t, "Delete missing", f.s.Delete(f.ctx, f.p("missing"), -1), zkstore.ErrNoNode)
			wantErr(t, "Delete missing with a version", f.s.Delete(f.ctx, f.p("missing"), 5), zkstore.ErrNoNode)
			wantErr(t, "Delete under missing", f.s.Delete(f.ctx, f.p("missing/x"), -1), zkstore.ErrNoNode)
		}},
		testCase{"Delete/NotEmpty", func(t *testing.T, f *fixture) {
			f.mk(f.p("a"), nil)
			f.mk(f.p("a/b"), nil)
			st := f.stat(f.p("a"))
			wantErr(t, "Delete with a child", f.s.Delete(f.ctx, f.p("a"), -1), zkstore.ErrNotEmpty)
			wantErr(t, "Delete with a child, matching version", f.s.Delete(f.ctx, f.p("a"), 0), zkstore.ErrNotEmpty)
			// The version is checked before the children.
			wantErr(t, "Delete with a child, stale version", f.s.Delete(f.ctx, f.p("a"), 3), zkstore.ErrBadVersion)
			wantStat(t, "after failed deletes", f.stat(f.p("a")), st)
			f.del(f.s, f.p("a/b"), -1)
			f.del(f.s, f.p("a"), 0)
		}},
		testCase{"Delete/Root", func(t *testing.T, f *fixture) {
			// The server refuses: "/" has no parent to delete it from.
			wantErr(t, `Delete "/"`, f.s.Delete(f.ctx, "/", -1), zkstore.ErrBadArguments)
			if !f.exists(f.s, "/") {
				t.Error(`"/" is gone`)
			}
		}},
		testCase{"Delete/Zookeeper", func(t *testing.T, f *fixture) {
			// ZooKeeper 3.8 refuses to delete its own subtree's root.
			wantErr(t, `Delete "/zookeeper"`, f.s.Delete(f.ctx, "/zookeeper", -1), zkstore.ErrBadArguments)
			if !f.exists(f.s, "/zookeeper") {
				t.Error(`"/zookeeper" is gone`)
			}
		}},
		testCase{"Delete/Ephemeral", func(t *testing.T, f *fixture) {
			f.create(f.s, f.p("e"), nil, zkstore.CreateOptions{Mode: zkstore.ModeEphemeral})
			parent := f.stat(f.base)
			o := f.open()
			f.del(o, f.p("e"), 0)
			f.mustNotExist(f.s, f.p("e"))
			checkDeleted(f, parent, f.stat(f.base))
		}},
		testCase{"Delete/Recreate", func(t *testing.T, f *fixture) {
			f.mk(f.p("a"), []byte("old"))
			f.set(f.s, f.p("a"), []byte("older"), 0)
			first := f.stat(f.p("a"))
			f.del(f.s, f.p("a"), -1)
			before := f.stat(f.base)
			f.mk(f.p("a"), []byte("new"))
			st := f.checkCreated(f.p("a"), 3, 0, before)
			if st.Czxid <= first.Mzxid {
				t.Errorf("recreated Czxid %d not after the first incarnation's Mzxid %d", st.Czxid, first.Mzxid)
			}
		}},

		// ---- Exists ----
		testCase{"Exists/Missing", func(t *testing.T, f *fixture) {
			st, ok, err := f.s.Exists(f.ctx, f.p("missing"))
			if err != nil || ok {
				t.Errorf("Exists(missing) = %v, %v; want false, nil", ok, err)
			}
			wantStat(t, "Exists missing stat", st, zkstore.Stat{})
			_, ok, err = f.s.Exists(f.ctx, f.p("missing/deeper"))
			if err != nil || ok {
				t.Errorf("Exists(under missing) = %v, %v; want false, nil", ok, err)
			}
		}},
		testCase{"Exists/Present", func(t *testing.T, f *fixture) {
			f.mk(f.p("a"), []byte("abc"))
			st, ok, err := f.s.Exists(f.ctx, f.p("a"))
			if err != nil || !ok {
				t.Fatalf("Exists = %v, %v", ok, err)
			}
			_, gst := f.get(f.s, f.p("a"))
			wantStat(t, "Exists vs Get", st, gst)
			wantStat(t, "Exists stat", st, newStat(st.Czxid, st.Ctime, 3, 0))
		}},
		testCase{"Exists/RootAndZookeeper", func(t *testing.T, f *fixture) {
			for _, p := range []string{"/", "/zookeeper", "/zookeeper/quota", f.base} {
				if !f.exists(f.s, p) {
					t.Errorf("Exists(%q) = false", p)
				}
			}
		}},
		testCase{"Exists/AfterDelete", func(t *testing.T, f *fixture) {
			f.mk(f.p("a"), nil)
			f.del(f.s, f.p("a"), 0)
			st, ok, err := f.s.Exists(f.ctx, f.p("a"))
			if err != nil || ok {
				t.Errorf("Exists after delete = %v, %v", ok, err)
			}
			wantStat(t, "Exists after delete stat", st, zkstore.Stat{})
		}},

		// ---- Children ----
		testCase{"Children/Sorted", func(t *testing.T, f *fixture) {
			names := []string{"b", "a", "c10", "c2", "Z", "_", "z-1", "0", "ü"}
			rand.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
			for _, n := range names {
				f.mk(f.p(n), nil)
			}
			got, st := f.children(f.s, f.base)
			want := slices.Clone(names)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("Children = %q, want %q", got, want)
			}
			wantStat(t, "Children stat vs Exists", st, f.stat(f.base))
			if st.NumChildren != int32(len(names)) || st.Cversion != int32(len(names)) {
				t.Errorf("NumChildren %d, Cversion %d; want %d", st.NumChildren, st.Cversion, len(names))
			}
		}},
		testCase{"Children/Empty", func(t *testing.T, f *fixture) {
			f.mk(f.p("leaf"), nil)
			got, st := f.children(f.s, f.p("leaf"))
			if len(got) != 0 {
				t.Errorf("Children(leaf) = %q", got)
			}
			wantStat(t, "leaf stat", st, f.stat(f.p("leaf")))
		}},
		testCase{"Children/NoNode", func(t *testing.T, f *fixture) {
			_, _, err := f.s.Children(f.ctx, f.p("missing"))
			wantErr(t, "Children missing", err, zkstore.ErrNoNode)
		}},
		testCase{"Children/Root", func(t *testing.T, f *fixture) {
			got, st := f.children(f.s, "/")
			if !slices.Contains(got, "zookeeper") || !slices.Contains(got, zkstore.Base(f.base)) {
				t.Errorf("Children(/) = %d names without zookeeper or %s", len(got), zkstore.Base(f.base))
			}
			if !slices.IsSorted(got) {
				t.Errorf("Children(/) not sorted")
			}
			if st.Czxid != 0 {
				t.Errorf("root Czxid = %d", st.Czxid)
			}
		}},
		testCase{"Children/OnlyDirect", func(t *testing.T, f *fixture) {
			f.mk(f.p("a"), nil)
			f.mk(f.p("a/b"), nil)
			f.mk(f.p("a/b/c"), nil)
			f.mk(f.p("ab"), nil)
			got, _ := f.children(f.s, f.base)
			if !slices.Equal(got, []string{"a", "ab"}) {
				t.Errorf("Children(base) = %q", got)
			}
			got, st := f.children(f.s, f.p("a"))
			if !slices.Equal(got, []string{"b"}) || st.NumChildren != 1 {
				t.Errorf("Children(a) = %q, NumChildren %d", got, st.NumChildren)
			}
		}},
		testCase{"Children/AfterDeletes", func(t *testing.T, f *fixture) {
			for i := range 5 {
				f.mk(f.p(fmt.Sprint(i)), nil)
			}
			f.del(f.s, f.p("1"), -1)
			f.del(f.s, f.p("3"), -1)
			got, st := f.children(f.s, f.base)
			if !slices.Equal(got, []string{"0", "2", "4"}) {
				t.Errorf("Children = %q", got)
			}
			if st.NumChildren != 3 || st.Cversion != 7 {
				t.Errorf("NumChildren %d, Cversion %d; want 3, 7 (deletes count too)", st.NumChildren, st.Cversion)
			}
		}},

		// ---- Data ----
		testCase{"Data/NilAndEmpty", func(t *testing.T, f *fixture) {
			f.mk(f.p("nil"), nil)
			f.mk(f.p("empty"), []byte{})
			for _, p := range []string{f.p("nil"), f.p("empty")} {
				data, st := f.get(f.s, p)
				if len(data) != 0 || st.DataLength != 0 {
					t.Errorf("%s: data %q, DataLength %d", p, data, st.DataLength)
				}
			}
			f.mk(f.p("x"), []byte("x"))
			st := f.set(f.s, f.p("x"), nil, 0)
			data, _ := f.get(f.s, f.p("x"))
			if len(data) != 0 || st.DataLength != 0 {
				t.Errorf("after Set nil: data %q, DataLength %d", data, st.DataLength)
			}
		}},
		testCase{"Data/Binary", func(t *testing.T, f *fixture) {
			var all []byte
			for i := range 256 {
				all = append(all, byte(i))
			}
			all = append(all, 0, 0, 0xff, 0xfe)
			f.mk(f.p("b"), all)
			data, st := f.get(f.s, f.p("b"))
			wantData(t, "binary", data, all)
			if st.DataLength != int32(len(all)) {
				t.Errorf("DataLength = %d, want %d", st.DataLength, len(all))
			}
			inv := bytes.Repeat([]byte{0xc3, 0x28, 0x00}, 100)
			f.set(f.s, f.p("b"), inv, 0)
			data, _ = f.get(f.s, f.p("b"))
			wantData(t, "invalid UTF-8", data, inv)
		}},
		testCase{"Data/MaxSize", func(t *testing.T, f *fixture) {
			big := bytes.Repeat([]byte("0123456789abcdef"), 1<<20/16)
			big[0], big[len(big)-1] = 'A', 'Z'
			f.mk(f.p("big"), big)
			data, st := f.get(f.s, f.p("big"))
			if !bytes.Equal(data, big) || st.DataLength != 1<<20 {
				t.Errorf("1 MiB round trip: %d bytes, DataLength %d, equal %v", len(data), st.DataLength, bytes.Equal(data, big))
			}
			f.set(f.s, f.p("big"), big[1:], 0)
			f.set(f.s, f.p("big"), big, 1)
		}},
		testCase{"Data/TooLarge", func(t *testing.T, f *fixture) {
			big := make([]byte, 1<<20+1)
			_, err := f.s.Create(f.ctx, f.p("big"), big, zkstore.CreateOptions{})
			wantErr(t, "Create 1 MiB + 1", err, zkstore.ErrDataTooLarge)
			f.mustNotExist(f.s, f.p("big"))
			f.mk(f.p("a"), []byte("small"))
			st := f.stat(f.p("a"))
			_, err = f.s.Set(f.ctx, f.p("a"), big, -1)
			wantErr(t, "Set 1 MiB + 1", err, zkstore.ErrDataTooLarge)
			_, err = f.s.Set(f.ctx, f.p("a"), make([]byte, 4<<20), -1)
			wantErr(t, "Set 4 MiB", err, zkstore.ErrDataTooLarge)
			_, err = f.s.Multi(f.ctx, &zkstore.CreateOp{Path: f.p("m"), Data: big})
			wantErr(t, "Multi create 1 MiB + 1", err, zkstore.ErrDataTooLarge)
			f.mustNotExist(f.s, f.p("m"))
			// The session survives.
			data, got := f.get(f.s, f.p("a"))
			wantData(t, "after refused sets", data, []byte("small"))
			wantStat(t, "after refused sets", got, st)
		}},
		testCase{"Data/CopiedIn", func(t *testing.T, f *fixture) {
			buf := []byte("original")
			f.mk(f.p("a"), buf)
			copy(buf, "XXXXXXXX")
			data, _ := f.get(f.s, f.p("a"))
			wantData(t, "after mutating the Create buffer", data, []byte("original"))
			buf = []byte("second")
			f.set(f.s, f.p("a"), buf, 0)
			copy(buf, "YYYYYY")
			data, _ = f.get(f.s, f.p("a"))
			wantData(t, "after mutating the Set buffer", data, []byte("second"))
		}},
		testCase{"Data/CopiedOut", func(t *testing.T, f *fixture) {
			f.mk(f.p("a"), []byte("original"))
			data, _ := f.get(f.s, f.p("a"))
			copy(data, "XXXXXXXX")
			data, _ = f.get(f.s, f.p("a"))
			wantData(t, "after mutating a Get result", data, []byte("original"))
		}},
		testCase{"Data/Unicode", func(t *testing.T, f *fixture) {
			s := "日本語 ünïcödé 😀"
			f.mk(f.p("ünï"), []byte(s))
			data, _ := f.get(f.s, f.p("ünï"))
			wantData(t, "unicode", data, []byte(s))
		}},
	)
}

// checkSet checks the Stat after a Set of dataLen bytes on a znode that had
// old: Version+1, a newer Mzxid, Mtime not before, the rest unchanged.
func checkSet(f *fixture, what string, old, st zkstore.Stat, dataLen int) {
	f.t.Helper()
	if st.Mzxid <= old.Mzxid || st.Mzxid <= old.Pzxid {
		f.t.Errorf("%s: Mzxid %d not after the old Mzxid %d / Pzxid %d", what, st.Mzxid, old.Mzxid, old.Pzxid)
	}
	if st.Mtime < old.Mtime {
		f.t.Errorf("%s: Mtime %d before the old %d", what, st.Mtime, old.Mtime)
	}
	f.wantTime(what+" Mtime", st.Mtime)
	want := old
	want.Version++
	want.Mzxid = st.Mzxid
	want.Mtime = st.Mtime
	want.DataLength = int32(dataLen)
	wantStat(f.t, what, st, want)
}

// checkDeleted checks the parent's Stat after one child was deleted.
func checkDeleted(f *fixture, before, after zkstore.Stat) {
	f.t.Helper()
	if after.Pzxid <= before.Pzxid {
		f.t.Errorf("parent Pzxid %d not after %d", after.Pzxid, before.Pzxid)
	}
	want := before
	want.Cversion++
	want.NumChildren--
	want.Pzxid = after.Pzxid
	wantStat(f.t, "parent after delete", after, want)
}
