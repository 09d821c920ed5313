package storetest

import (
	"testing"
	"time"

	"github.com/zksql/zksql/zkstore"
)

func (f *fixture) seq(s zkstore.Store, path string, mode zkstore.CreateMode) string {
	f.t.Helper()
	opts := zkstore.CreateOptions{Mode: mode}
	if mode.IsTTL() {
		opts.TTL = time.Hour
	}
	return f.create(s, path, nil, opts)
}

// waitGone polls until path is gone, failing after reapTimeout.
func (f *fixture) waitGone(path string) {
	f.t.Helper()
	if !eventually(reapTimeout, func() bool { return !f.exists(f.s, path) }) {
		f.t.Fatalf("%s still exists after %v", path, reapTimeout)
	}
}

func init() {
	register(
		// ---- Sequential ----
		testCase{"Sequential/CountsCreates", func(t *testing.T, f *fixture) {
			f.mk(f.p("p"), nil)
			for i, want := range []string{"a-0000000000", "b-0000000001", "a-0000000002"} {
				prefix := want[:2]
				if got := f.seq(f.s, f.p("p/"+prefix), zkstore.ModePersistentSequential); got != f.p("p/"+want) {
					t.Errorf("create %d = %q, want %q", i, got, f.p("p/"+want))
				}
			}
			// A plain create bumps the counter too.
			f.mk(f.p("p/plain"), nil)
			if got := f.seq(f.s, f.p("p/a-"), zkstore.ModePersistentSequential); got != f.p("p/a-0000000004") {
				t.Errorf("after a plain create = %q", got)
			}
		}},
		testCase{"Sequential/NotResetByDeletes", func(t *testing.T, f *fixture) {
			// The sequence number is the parent's count of child creates
			// (ZooKeeper's persisted cversion), which deletes neither reset
			// nor advance. The Stat's Cversion is another number: DataNode.
			// copyStat reports 2*creates - NumChildren, i.e. creates plus
			// deletes. So after 2 creates and 1 delete the visible Cversion
			// is 3 but the next name ends in 2.
			f.mk(f.p("p"), nil)
			a := f.seq(f.s, f.p("p/a-"), zkstore.ModePersistentSequential)
			f.seq(f.s, f.p("p/b-"), zkstore.ModePersistentSequential)
			f.del(f.s, a, -1)
			if st := f.stat(f.p("p")); st.Cversion != 3 || st.NumChildren != 1 {
				t.Errorf("after 2 creates and 1 delete: Cversion %d, NumChildren %d; want 3, 1", st.Cversion, st.NumChildren)
			}
			if got := f.seq(f.s, f.p("p/"), zkstore.ModePersistentSequential); got != f.p("p/0000000002") {
				t.Errorf("trailing-slash sequential = %q, want %q", got, f.p("p/0000000002"))
			}
			names, st := f.children(f.s, f.p("p"))
			if !equalStrings(names, []string{"0000000002", "b-0000000001"}) || st.Cversion != 4 {
				t.Errorf("children %q, Cversion %d; want 4", names, st.Cversion)
			}
		}},
		testCase{"Sequential/AfterDeletingAll", func(t *testing.T, f *fixture) {
			f.mk(f.p("p"), nil)
			for range 3 {
				f.del(f.s, f.seq(f.s, f.p("p/x-"), zkstore.ModePersistentSequential), -1)
			}
			if st := f.stat(f.p("p")); st.Cversion != 6 || st.NumChildren != 0 {
				t.Errorf("after 3 creates and 3 deletes: Cversion %d, NumChildren %d; want 6, 0", st.Cversion, st.NumChildren)
			}
			if got := f.seq(f.s, f.p("p/x-"), zkstore.ModePersistentSequential); got != f.p("p/x-0000000003") {
				t.Errorf("after deleting every child = %q, want x-0000000003", got)
			}
			// Ephemerals removed by a closed session count the same way.
			o := f.open()
			f.seq(o, f.p("p/e-"), zkstore.ModeEphemeralSequential)
			f.seq(o, f.p("p/e-"), zkstore.ModeEphemeralSequential)
			if err := o.Close(); err != nil {
				t.Fatal(err)
			}
			if got := f.seq(f.s, f.p("p/x-"), zkstore.ModePersistentSequential); got != f.p("p/x-0000000006") {
				t.Errorf("after a session's ephemerals went = %q, want x-0000000006", got)
			}
			if st := f.stat(f.p("p")); st.Cversion != 12 || st.NumChildren != 2 { // 7 creates, 5 deletes
				t.Errorf("Cversion %d, NumChildren %d; want 12, 2", st.Cversion, st.NumChildren)
			}
		}},
		testCase{"Sequential/TenDigits", func(t *testing.T, f *fixture) {
			f.mk(f.p("p"), nil)
			for i := range 12 {
				got := f.seq(f.s, f.p("p/x"), zkstore.ModePersistentSequential)
				if want := f.p("p/x" + zkstore.SequenceSuffix(int32(i))); got != want {
					t.Fatalf("create %d = %q, want %q", i, got, want)
				}
				n, ok := zkstore.ParseSequence(got)
				if !ok || n != int32(i) {
					t.Fatalf("ParseSequence(%q) = %d, %v", got, n, ok)
				}
			}
		}},
		testCase{"Sequential/AllModesShareCounter", func(t *testing.T, f *fixture) {
			f.mk(f.p("p"), nil)
			for i, m := range []zkstore.CreateMode{zkstore.ModePersistentSequential, zkstore.ModeEphemeralSequential, zkstore.ModePersistentSequentialTTL, zkstore.ModePersistentSequential} {
				got := f.seq(f.s, f.p("p/n"), m)
				if want := f.p("p/n" + zkstore.SequenceSuffix(int32(i))); got != want {
					t.Errorf("%v = %q, want %q", m, got, want)
				}
			}
		}},
		testCase{"Sequential/EphemeralOwner", func(t *testing.T, f *fixture) {
			before := f.stat(f.base)
			got := f.seq(f.s, f.p("e-"), zkstore.ModeEphemeralSequential)
			f.checkCreated(got, 0, f.s.SessionID(), before)
		}},
		testCase{"Sequential/ExistingNameCollides", func(t *testing.T, f *fixture) {
			f.mk(f.p("p"), nil)
			// The next sequential name under p is x0000000001; take it first.
			f.mk(f.p("p/x0000000001"), nil)
			_, err := f.s.Create(f.ctx, f.p("p/x"), nil, zkstore.CreateOptions{Mode: zkstore.ModePersistentSequential})
			wantErr(t, "sequential create onto an existing name", err, zkstore.ErrNodeExists)
			// The failed create did not bump the counter.
			if st := f.stat(f.p("p")); st.Cversion != 1 {
				t.Errorf("Cversion = %d, want 1", st.Cversion)
			}
		}},
		testCase{"Sequential/UnderRoot", func(t *testing.T, f *fixture) {
			// Sequential under "/" works (the counter is the root's).
			got := f.seq(f.s, f.base+"-seq-", zkstore.ModeEphemeralSequential)
			if _, ok := zkstore.ParseSequence(got); !ok || len(got) != len(f.base+"-seq-")+10 {
				t.Errorf("sequential under / = %q", got)
			}
		}},
		testCase{"Sequential/Concurrent", func(t *testing.T, f *fixture) {
			f.mk(f.p("p"), nil)
			sessions := []zkstore.Store{f.s, f.open(), f.open()}
			got := make(chan string, 60)
			done := make(chan struct{})
			for _, s := range sessions {
				go func() {
					defer func() { done <- struct{}{} }()
					for range 20 {
						p, err := s.Create(f.ctx, f.p("p/c-"), nil, zkstore.CreateOptions{Mode: zkstore.ModeEphemeralSequential})
						if err != nil {
							t.Error(err)
							return
						}
						got <- p
					}
				}()
			}
			for range sessions {
				<-done
			}
			close(got)
			seen := map[string]bool{}
			for p := range got {
				if seen[p] {
					t.Errorf("duplicate sequential name %q", p)
				}
				seen[p] = true
			}
			names, st := f.children(f.s, f.p("p"))
			if len(names) != 60 || st.Cversion != 60 || names[59] != "c-0000000059" {
				t.Errorf("%d names, Cversion %d", len(names), st.Cversion)
			}
		}},

		// ---- Container ----
		testCase{"Container/ReapedAfterLastChild", func(t *testing.T, f *fixture) {
			f.create(f.s, f.p("c"), nil, zkstore.CreateOptions{Mode: zkstore.ModeContainer})
			f.mk(f.p("c/a"), nil)
			f.mk(f.p("c/b"), nil)
			ch := f.existsW(f.s, f.p("c"), true)
			f.del(f.s, f.p("c/a"), -1)
			// Still a child: not reaped. Prove it against a container that is.
			f.create(f.s, f.p("d"), nil, zkstore.CreateOptions{Mode: zkstore.ModeContainer})
			f.mk(f.p("d/x"), nil)
			f.del(f.s, f.p("d/x"), -1)
			f.waitGone(f.p("d"))
			if !f.exists(f.s, f.p("c")) {
				t.Fatal("container with a child was reaped")
			}
			f.del(f.s, f.p("c/b"), -1)
			f.waitGone(f.p("c"))
			// The reaping is a delete like any other.
			wantEvent(t, "ExistsW on the container", ch, zkstore.EventNodeDeleted, f.p("c"))
		}},
		testCase{"Container/NotReapedBeforeFirstChild", func(t *testing.T, f *fixture) {
			f.create(f.s, f.p("never"), nil, zkstore.CreateOptions{Mode: zkstore.ModeContainer})
			f.create(f.s, f.p("used"), nil, zkstore.CreateOptions{Mode: zkstore.ModeContainer})
			f.mk(f.p("used/x"), nil)
			f.del(f.s, f.p("used/x"), -1)
			f.waitGone(f.p("used"))
			// The server's reaper has run since "never" was created.
			if !f.exists(f.s, f.p("never")) {
				t.Error("a container that never had a child was reaped")
			}
		}},
		testCase{"Container/ReapingUpdatesParent", func(t *testing.T, f *fixture) {
			f.mk(f.p("p"), nil)
			f.create(f.s, f.p("p/c"), nil, zkstore.CreateOptions{Mode: zkstore.ModeContainer})
			f.mk(f.p("p/c/x"), nil)
			f.del(f.s, f.p("p/c/x"), -1)
			before := f.stat(f.p("p"))
			f.waitGone(f.p("p/c"))
			checkDeleted(f, before, f.stat(f.p("p")))
		}},
		testCase{"Container/EphemeralChild", func(t *testing.T, f *fixture) {
			o := f.open()
			f.create(f.s, f.p("c"), nil, zkstore.CreateOptions{Mode: zkstore.ModeContainer})
			f.create(o, f.p("c/e"), nil, zkstore.CreateOptions{Mode: zkstore.ModeEphemeral})
			f.create(f.s, f.p("d"), nil, zkstore.CreateOptions{Mode: zkstore.ModeContainer})
			f.mk(f.p("d/x"), nil)
			f.del(f.s, f.p("d/x"), -1)
			f.waitGone(f.p("d"))
			if !f.exists(f.s, f.p("c")) {
				t.Fatal("container with an ephemeral child was reaped")
			}
			if err := o.Close(); err != nil {
				t.Fatal(err)
			}
			f.waitGone(f.p("c"))
		}},
		testCase{"Container/DataAndSet", func(t *testing.T, f *fixture) {
			f.create(f.s, f.p("c"), []byte("data"), zkstore.CreateOptions{Mode: zkstore.ModeContainer})
			old := f.stat(f.p("c"))
			st := f.set(f.s, f.p("c"), []byte("more"), 0)
			checkSet(f, "Set container", old, st, 4)
			data, _ := f.get(f.s, f.p("c"))
			wantData(t, "container data", data, []byte("more"))
			f.del(f.s, f.p("c"), 1) // deletable by hand too
		}},

		// ---- TTL ----
		testCase{"TTL/Reaped", func(t *testing.T, f *fixture) {
			f.create(f.s, f.p("t"), []byte("x"), zkstore.CreateOptions{Mode: zkstore.ModePersistentTTL, TTL: 300 * time.Millisecond})
			created := time.Now()
			f.waitGone(f.p("t"))
			if d := time.Since(created); d < 250*time.Millisecond {
				t.Errorf("TTL node reaped after %v, before its TTL of 300ms", d)
			}
		}},
		testCase{"TTL/SequentialReaped", func(t *testing.T, f *fixture) {
			p := f.create(f.s, f.p("t-"), nil, zkstore.CreateOptions{Mode: zkstore.ModePersistentSequentialTTL, TTL: 200 * time.Millisecond})
			if p != f.p("t-0000000000") {
				t.Errorf("path %q", p)
			}
			f.waitGone(p)
		}},
		testCase{"TTL/NotReapedWithChildren", func(t *testing.T, f *fixture) {
			f.create(f.s, f.p("t"), nil, zkstore.CreateOptions{Mode: zkstore.ModePersistentTTL, TTL: 200 * time.Millisecond})
			f.mk(f.p("t/kid"), nil)
			f.create(f.s, f.p("u"), nil, zkstore.CreateOptions{Mode: zkstore.ModePersistentTTL, TTL: 200 * time.Millisecond})
			f.waitGone(f.p("u"))
			time.Sleep(300 * time.Millisecond)
			if !f.exists(f.s, f.p("t")) {
				t.Fatal("TTL node with a child was reaped")
			}
			f.del(f.s, f.p("t/kid"), -1)
			f.waitGone(f.p("t"))
		}},
		testCase{"TTL/LongTTLStays", func(t *testing.T, f *fixture) {
			f.create(f.s, f.p("long"), nil, zkstore.CreateOptions{Mode: zkstore.ModePersistentTTL, TTL: time.Hour})
			f.create(f.s, f.p("short"), nil, zkstore.CreateOptions{Mode: zkstore.ModePersistentTTL, TTL: 100 * time.Millisecond})
			f.waitGone(f.p("short"))
			if !f.exists(f.s, f.p("long")) {
				t.Error("TTL node with an hour to live was reaped")
			}
		}},
		testCase{"TTL/ReapedFiresWatch", func(t *testing.T, f *fixture) {
			f.create(f.s, f.p("t"), nil, zkstore.CreateOptions{Mode: zkstore.ModePersistentTTL, TTL: 200 * time.Millisecond})
			ch := f.getW(f.s, f.p("t"))
			kids := f.childrenW(f.s, f.base)
			wantEvent(t, "GetW on a TTL node", ch, zkstore.EventNodeDeleted, f.p("t"))
			wantEvent(t, "ChildrenW on its parent", kids, zkstore.EventNodeChildrenChanged, f.base)
		}},
	)
}
