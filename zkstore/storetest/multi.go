package storetest

import (
	"errors"
	"testing"

	"github.com/zksql/zksql/zkstore"
)

// wantResultErrs checks the per-op errors of a failed Multi: nil before
// index failed, target at it, ErrRuntimeInconsistency after.
func wantResultErrs(t *testing.T, res []zkstore.OpResult, n, failed int, target error) {
	t.Helper()
	if len(res) != n {
		t.Fatalf("Multi returned %d results, want %d", len(res), n)
	}
	for i, r := range res {
		var want error
		switch {
		case i == failed:
			want = target
		case i > failed:
			want = zkstore.ErrRuntimeInconsistency
		}
		if want == nil && r.Err != nil || want != nil && !errors.Is(r.Err, want) {
			t.Errorf("result %d: Err = %v, want %v", i, r.Err, want)
		}
	}
}

func init() {
	register(
		testCase{"Multi/Success", func(t *testing.T, f *fixture) {
			f.mk(f.p("old"), []byte("o"))
			parent := f.stat(f.base)
			res, err := f.s.Multi(f.ctx,
				&zkstore.CreateOp{Path: f.p("a"), Data: []byte("a")},
				&zkstore.CreateOp{Path: f.p("a/b"), Data: []byte("bb")},
				&zkstore.SetOp{Path: f.p("old"), Data: []byte("new!"), Version: 0},
				&zkstore.CheckOp{Path: f.p("a"), Version: 0},
				&zkstore.DeleteOp{Path: f.p("a/b"), Version: 0},
				&zkstore.CreateOp{Path: f.p("e"), Mode: zkstore.ModeEphemeral},
			)
			if err != nil {
				t.Fatalf("Multi: %v", err)
			}
			if len(res) != 6 {
				t.Fatalf("%d results", len(res))
			}
			for i, r := range res {
				if r.Err != nil {
					t.Errorf("result %d: Err %v", i, r.Err)
				}
			}
			if res[0].Path != f.p("a") || res[1].Path != f.p("a/b") || res[5].Path != f.p("e") {
				t.Errorf("created paths %q %q %q", res[0].Path, res[1].Path, res[5].Path)
			}
			for _, i := range []int{2, 3, 4} {
				if res[i].Path != "" {
					t.Errorf("result %d: Path %q, want empty", i, res[i].Path)
				}
			}
			for _, i := range []int{0, 1, 3, 4, 5} {
				if res[i].Stat != (zkstore.Stat{}) {
					t.Errorf("result %d: Stat %+v, want zero", i, res[i].Stat)
				}
			}
			old := f.stat(f.p("old"))
			wantStat(t, "Set result", res[2].Stat, old)
			z := old.Mzxid
			if z <= parent.Pzxid {
				t.Errorf("multi zxid %d not after %d", z, parent.Pzxid)
			}
			a := f.stat(f.p("a"))
			// One transaction, one zxid: the create of a/b and its delete
			// both stamp a's Pzxid with it.
			want := newStat(z, a.Ctime, 1, 0)
			want.Cversion = 2
			wantStat(t, "a", a, want)
			wantStat(t, "e", f.stat(f.p("e")), newStat(z, a.Ctime, 0, f.s.SessionID()))
			f.mustNotExist(f.s, f.p("a/b"))
			wantP := parent
			wantP.Cversion += 2
			wantP.NumChildren += 2
			wantP.Pzxid = z
			wantStat(t, "parent", f.stat(f.base), wantP)
			if old.Mtime != a.Ctime {
				t.Errorf("one multi, two times: Mtime %d, Ctime %d", old.Mtime, a.Ctime)
			}
		}},
		testCase{"Multi/FailureAppliesNothing", func(t *testing.T, f *fixture) {
			f.mk(f.p("x"), []byte("x"))
			parent := f.stat(f.base)
			x := f.stat(f.p("x"))
			res, err := f.s.Multi(f.ctx,
				&zkstore.CreateOp{Path: f.p("a")},
				&zkstore.SetOp{Path: f.p("x"), Data: []byte("changed"), Version: -1},
				&zkstore.SetOp{Path: f.p("missing"), Data: nil, Version: -1},
				&zkstore.CreateOp{Path: f.p("b")},
				&zkstore.DeleteOp{Path: f.p("x"), Version: -1},
			)
			fatalErr(t, "Multi", err, zkstore.ErrNoNode)
			wantResultErrs(t, res, 5, 2, zkstore.ErrNoNode)
			for i, r := range res {
				if r.Path != "" || r.Stat != (zkstore.Stat{}) {
					t.Errorf("result %d of a failed multi: Path %q Stat %+v", i, r.Path, r.Stat)
				}
			}
			f.mustNotExist(f.s, f.p("a"))
			f.mustNotExist(f.s, f.p("b"))
			data, st := f.get(f.s, f.p("x"))
			wantData(t, "x", data, []byte("x"))
			wantStat(t, "x", st, x)
			wantStat(t, "parent", f.stat(f.base), parent)
		}},
		testCase{"Multi/FirstOpFails", func(t *testing.T, f *fixture) {
			f.mk(f.p("a"), nil)
			res, err := f.s.Multi(f.ctx,
				&zkstore.CreateOp{Path: f.p("a")},
				&zkstore.CreateOp{Path: f.p("b")},
			)
			fatalErr(t, "Multi", err, zkstore.ErrNodeExists)
			wantResultErrs(t, res, 2, 0, zkstore.ErrNodeExists)
			f.mustNotExist(f.s, f.p("b"))
		}},
		testCase{"Multi/LastOpFails", func(t *testing.T, f *fixture) {
			f.mk(f.p("a"), nil)
			f.mk(f.p("a/c"), nil)
			res, err := f.s.Multi(f.ctx,
				&zkstore.CreateOp{Path: f.p("b")},
				&zkstore.SetOp{Path: f.p("a"), Version: 0},
				&zkstore.DeleteOp{Path: f.p("a"), Version: -1},
			)
			fatalErr(t, "Multi", err, zkstore.ErrNotEmpty)
			wantResultErrs(t, res, 3, 2, zkstore.ErrNotEmpty)
			f.mustNotExist(f.s, f.p("b"))
			if st := f.stat(f.p("a")); st.Version != 0 {
				t.Errorf("a Version = %d", st.Version)
			}
		}},
		testCase{"Multi/ErrorKinds", func(t *testing.T, f *fixture) {
			f.mk(f.p("a"), nil)
			f.create(f.s, f.p("e"), nil, zkstore.CreateOptions{Mode: zkstore.ModeEphemeral})
			for _, tc := range []struct {
				name string
				op   zkstore.Op
				err  error
			}{
				{"create exists", &zkstore.CreateOp{Path: f.p("a")}, zkstore.ErrNodeExists},
				{"create no parent", &zkstore.CreateOp{Path: f.p("m/x")}, zkstore.ErrNoNode},
				{"create under ephemeral", &zkstore.CreateOp{Path: f.p("e/x")}, zkstore.ErrNoChildrenForEphemerals},
				{"create empty ACL", &zkstore.CreateOp{Path: f.p("n"), ACL: []zkstore.ACL{}}, zkstore.ErrInvalidACL},
				{"set bad version", &zkstore.SetOp{Path: f.p("a"), Version: 3}, zkstore.ErrBadVersion},
				{"delete bad version", &zkstore.DeleteOp{Path: f.p("a"), Version: 3}, zkstore.ErrBadVersion},
				{"delete missing", &zkstore.DeleteOp{Path: f.p("m"), Version: -1}, zkstore.ErrNoNode},
				{"check bad version", &zkstore.CheckOp{Path: f.p("a"), Version: 1}, zkstore.ErrBadVersion},
				{"check missing", &zkstore.CheckOp{Path: f.p("m"), Version: -1}, zkstore.ErrNoNode},
			} {
				parent := f.stat(f.base)
				res, err := f.s.Multi(f.ctx, &zkstore.CreateOp{Path: f.p("first")}, tc.op, &zkstore.SetOp{Path: f.p("a"), Version: -1})
				wantErr(t, tc.name, err, tc.err)
				if len(res) == 3 {
					wantResultErrs(t, res, 3, 1, tc.err)
				} else {
					t.Errorf("%s: %d results", tc.name, len(res))
				}
				wantStat(t, tc.name+": parent", f.stat(f.base), parent)
			}
		}},
		testCase{"Multi/CheckSuccess", func(t *testing.T, f *fixture) {
			f.mk(f.p("a"), nil)
			f.set(f.s, f.p("a"), nil, 0)
			res, err := f.s.Multi(f.ctx,
				&zkstore.CheckOp{Path: f.p("a"), Version: 1},
				&zkstore.CheckOp{Path: f.p("a"), Version: -1},
				&zkstore.CheckOp{Path: f.base, Version: 0},
			)
			if err != nil || len(res) != 3 {
				t.Fatalf("Multi = %d results, %v", len(res), err)
			}
			for i, r := range res {
				if r.Err != nil || r.Path != "" || r.Stat != (zkstore.Stat{}) {
					t.Errorf("result %d = %+v", i, r)
				}
			}
		}},
		testCase{"Multi/SeesEarlierOps", func(t *testing.T, f *fixture) {
			res, err := f.s.Multi(f.ctx,
				&zkstore.CreateOp{Path: f.p("a"), Data: []byte("0")},
				&zkstore.CheckOp{Path: f.p("a"), Version: 0},
				&zkstore.SetOp{Path: f.p("a"), Data: []byte("1"), Version: 0},
				&zkstore.SetOp{Path: f.p("a"), Data: []byte("22"), Version: 1},
				&zkstore.CheckOp{Path: f.p("a"), Version: 2},
				&zkstore.CreateOp{Path: f.p("a/b")},
				&zkstore.DeleteOp{Path: f.p("a/b"), Version: 0},
				&zkstore.CreateOp{Path: f.p("c")},
			)
			if err != nil {
				t.Fatalf("Multi: %v", err)
			}
			if res[2].Stat.Version != 1 || res[3].Stat.Version != 2 || res[3].Stat.DataLength != 2 {
				t.Errorf("set results %+v %+v", res[2].Stat, res[3].Stat)
			}
			data, st := f.get(f.s, f.p("a"))
			wantData(t, "a", data, []byte("22"))
			// A SetOp's result is the Stat as of that op, not of the end of
			// the multi: a's children came later.
			atSet := st
			atSet.Cversion = 0
			wantStat(t, "last set result", res[3].Stat, atSet)
			if st.Czxid != st.Mzxid || st.Pzxid != st.Czxid || st.Cversion != 2 || st.Version != 2 {
				t.Errorf("a = %+v", st)
			}
			// A later op fails on what an earlier one did.
			res, err = f.s.Multi(f.ctx,
				&zkstore.DeleteOp{Path: f.p("c"), Version: -1},
				&zkstore.SetOp{Path: f.p("c"), Version: -1},
			)
			fatalErr(t, "Multi set after delete", err, zkstore.ErrNoNode)
			wantResultErrs(t, res, 2, 1, zkstore.ErrNoNode)
			if !f.exists(f.s, f.p("c")) {
				t.Error("c deleted by a failed multi")
			}
		}},
		testCase{"Multi/Empty", func(t *testing.T, f *fixture) {
			parent := f.stat(f.base)
			res, err := f.s.Multi(f.ctx)
			if err != nil || len(res) != 0 {
				t.Errorf("empty Multi = %v, %v", res, err)
			}
			wantStat(t, "parent", f.stat(f.base), parent)
		}},
		testCase{"Multi/Sequential", func(t *testing.T, f *fixture) {
			f.mk(f.p("x"), nil)
			res, err := f.s.Multi(f.ctx,
				&zkstore.CreateOp{Path: f.p("s-"), Mode: zkstore.ModePersistentSequential},
				&zkstore.CreateOp{Path: f.p("s-"), Mode: zkstore.ModeEphemeralSequential},
				&zkstore.CreateOp{Path: f.p("t-"), Mode: zkstore.ModePersistentSequential},
				&zkstore.SetOp{Path: f.p("s-0000000001"), Data: []byte("x"), Version: 0},
			)
			if err != nil {
				t.Fatalf("Multi: %v", err)
			}
			for i, want := range []string{f.p("s-0000000001"), f.p("s-0000000002"), f.p("t-0000000003")} {
				if res[i].Path != want {
					t.Errorf("result %d Path = %q, want %q", i, res[i].Path, want)
				}
			}
			if st := f.stat(f.p("s-0000000002")); st.EphemeralOwner != f.s.SessionID() {
				t.Errorf("EphemeralOwner = %#x", st.EphemeralOwner)
			}
		}},
		testCase{"Multi/ContainerAndTTL", func(t *testing.T, f *fixture) {
			res, err := f.s.Multi(f.ctx,
				&zkstore.CreateOp{Path: f.p("c"), Mode: zkstore.ModeContainer},
				&zkstore.CreateOp{Path: f.p("c/k")},
				&zkstore.CreateOp{Path: f.p("t"), Mode: zkstore.ModePersistentTTL, TTL: 3600e9},
				&zkstore.CreateOp{Path: f.p("u-"), Mode: zkstore.ModePersistentSequentialTTL, TTL: 3600e9},
			)
			if err != nil {
				t.Fatalf("Multi: %v", err)
			}
			if res[3].Path != f.p("u-0000000002") {
				t.Errorf("sequential TTL path %q", res[3].Path)
			}
			_, err = f.s.Multi(f.ctx, &zkstore.CreateOp{Path: f.p("bad"), Mode: zkstore.ModePersistentTTL})
			wantErr(t, "Multi TTL create without a TTL", err, zkstore.ErrBadArguments)
			_, err = f.s.Multi(f.ctx, &zkstore.CreateOp{Path: f.p("bad"), TTL: 3600e9})
			wantErr(t, "Multi persistent create with a TTL", err, zkstore.ErrBadArguments)
			f.mustNotExist(f.s, f.p("bad"))
		}},
		testCase{"Multi/InvalidPath", func(t *testing.T, f *fixture) {
			parent := f.stat(f.base)
			for _, op := range []zkstore.Op{
				&zkstore.CreateOp{Path: f.p("a/")},
				&zkstore.SetOp{Path: "rel", Version: -1},
				&zkstore.DeleteOp{Path: f.p("a/../b"), Version: -1},
				&zkstore.CheckOp{Path: "", Version: -1},
			} {
				_, err := f.s.Multi(f.ctx, &zkstore.CreateOp{Path: f.p("ok")}, op)
				wantErr(t, "Multi with "+op.OpPath(), err, zkstore.ErrInvalidPath)
			}
			f.mustNotExist(f.s, f.p("ok"))
			wantStat(t, "parent", f.stat(f.base), parent)
		}},
		testCase{"Multi/NoAuth", func(t *testing.T, f *fixture) {
			f.create(f.s, f.p("ro"), nil, zkstore.CreateOptions{ACL: zkstore.ReadACLUnsafe()})
			res, err := f.s.Multi(f.ctx,
				&zkstore.CreateOp{Path: f.p("a")},
				&zkstore.SetOp{Path: f.p("ro"), Data: []byte("x"), Version: -1},
			)
			fatalErr(t, "Multi", err, zkstore.ErrNoAuth)
			wantResultErrs(t, res, 2, 1, zkstore.ErrNoAuth)
			f.mustNotExist(f.s, f.p("a"))
		}},
		testCase{"Multi/OtherSessionSeesAll", func(t *testing.T, f *fixture) {
			o := f.open()
			_, ch, err := childrenW(f, o, f.base)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.s.Multi(f.ctx,
				&zkstore.CreateOp{Path: f.p("a")},
				&zkstore.CreateOp{Path: f.p("b")},
			); err != nil {
				t.Fatal(err)
			}
			wantEvent(t, "children watch", ch, zkstore.EventNodeChildrenChanged, f.base)
			names, _ := f.children(o, f.base)
			if len(names) != 2 {
				t.Errorf("after the event, Children = %q; want both", names)
			}
		}},
	)
}

func childrenW(f *fixture, s zkstore.Store, path string) ([]string, <-chan zkstore.Event, error) {
	names, _, ch, err := s.ChildrenW(f.ctx, path)
	return names, ch, err
}
