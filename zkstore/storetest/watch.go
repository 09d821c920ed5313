package storetest

import (
	"testing"

	"github.com/zksql/zksql/zkstore"
)

func (f *fixture) getW(s zkstore.Store, path string) <-chan zkstore.Event {
	f.t.Helper()
	_, _, ch, err := s.GetW(f.ctx, path)
	if err != nil {
		f.t.Fatalf("GetW(%q): %v", path, err)
	}
	return ch
}

func (f *fixture) existsW(s zkstore.Store, path string, want bool) <-chan zkstore.Event {
	f.t.Helper()
	_, ok, ch, err := s.ExistsW(f.ctx, path)
	if err != nil || ok != want {
		f.t.Fatalf("ExistsW(%q) = %v, %v; want %v", path, ok, err, want)
	}
	return ch
}

func (f *fixture) childrenW(s zkstore.Store, path string) <-chan zkstore.Event {
	f.t.Helper()
	_, _, ch, err := s.ChildrenW(f.ctx, path)
	if err != nil {
		f.t.Fatalf("ChildrenW(%q): %v", path, err)
	}
	return ch
}

func init() {
	register(
		testCase{"Watch/GetWReturnsDataAndStat", func(t *testing.T, f *fixture) {
			f.mk(f.p("a"), []byte("v"))
			data, st, ch, err := f.s.GetW(f.ctx, f.p("a"))
			if err != nil || ch == nil {
				t.Fatalf("GetW = %v, %v", ch, err)
			}
			wantData(t, "GetW", data, []byte("v"))
			wantStat(t, "GetW", st, f.stat(f.p("a")))
			names, cst, cch, err := f.s.ChildrenW(f.ctx, f.p("a"))
			if err != nil || cch == nil || len(names) != 0 {
				t.Fatalf("ChildrenW = %q, %v, %v", names, cch, err)
			}
			wantStat(t, "ChildrenW", cst, st)
			est, ok, ech, err := f.s.ExistsW(f.ctx, f.p("a"))
			if err != nil || !ok || ech == nil {
				t.Fatalf("ExistsW = %v, %v, %v", ok, ech, err)
			}
			wantStat(t, "ExistsW", est, st)
		}},
		testCase{"Watch/DataChanged", func(t *testing.T, f *fixture) {
			f.mk(f.p("a"), nil)
			ch := f.getW(f.s, f.p("a"))
			f.set(f.open(), f.p("a"), []byte("x"), -1)
			wantEvent(t, "GetW after Set", ch, zkstore.EventNodeDataChanged, f.p("a"))
		}},
		testCase{"Watch/DataDeleted", func(t *testing.T, f *fixture) {
			f.mk(f.p("a"), nil)
			ch := f.getW(f.s, f.p("a"))
			f.del(f.open(), f.p("a"), -1)
			wantEvent(t, "GetW after Delete", ch, zkstore.EventNodeDeleted, f.p("a"))
		}},
		testCase{"Watch/OwnChangeFires", func(t *testing.T, f *fixture) {
			f.mk(f.p("a"), nil)
			ch := f.getW(f.s, f.p("a"))
			f.set(f.s, f.p("a"), []byte("x"), -1)
			wantEvent(t, "GetW after own Set", ch, zkstore.EventNodeDataChanged, f.p("a"))
		}},
		testCase{"Watch/UnreadableChangeNotReported", func(t *testing.T, f *fixture) {
			// As servers do since the fix of CVE-2024-23944 (3.8.4, 3.9.2,
			// Debian's 3.8.0-11+deb12u2): no event of a znode the watching
			// session may not read; the watch is gone on the server, and
			// ends with the session.
			s := f.open()
			ch := f.existsW(s, f.p("a"), false)
			alice := f.open()
			if err := alice.AddAuth(f.ctx, "digest", []byte("alice:pw")); err != nil {
				t.Fatalf("AddAuth: %v", err)
			}
			f.create(alice, f.p("a"), nil, zkstore.CreateOptions{ACL: zkstore.CreatorAllACL()})
			f.set(alice, f.p("a"), []byte("x"), -1)
			f.quiet(s, "ExistsW of a znode created unreadable", ch)
			if err := s.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			wantNotWatching(t, "after Close", ch, f.p("a"), zkstore.ErrClosed)
		}},
		testCase{"Watch/ExistsCreated", func(t *testing.T, f *fixture) {
			ch := f.existsW(f.s, f.p("a"), false)
			f.mk(f.p("a"), nil)
			wantEvent(t, "ExistsW after Create", ch, zkstore.EventNodeCreated, f.p("a"))
		}},
		testCase{"Watch/ExistsCreatedSequentialNotFired", func(t *testing.T, f *fixture) {
			// A watch on "q-" is not fired by the creation of "q-0000000000".
			ch := f.existsW(f.s, f.p("q-"), false)
			f.create(f.s, f.p("q-"), nil, zkstore.CreateOptions{Mode: zkstore.ModePersistentSequential})
			f.quiet(f.s, "ExistsW on the prefix", ch)
		}},
		testCase{"Watch/ExistsDataChanged", func(t *testing.T, f *fixture) {
			f.mk(f.p("a"), nil)
			ch := f.existsW(f.s, f.p("a"), true)
			f.set(f.s, f.p("a"), []byte("x"), -1)
			wantEvent(t, "ExistsW after Set", ch, zkstore.EventNodeDataChanged, f.p("a"))
		}},
		testCase{"Watch/ExistsDeleted", func(t *testing.T, f *fixture) {
			f.mk(f.p("a"), nil)
			ch := f.existsW(f.s, f.p("a"), true)
			f.del(f.s, f.p("a"), -1)
			wantEvent(t, "ExistsW after Delete", ch, zkstore.EventNodeDeleted, f.p("a"))
		}},
		testCase{"Watch/ChildCreated", func(t *testing.T, f *fixture) {
			ch := f.childrenW(f.s, f.base)
			f.mk(f.p("a"), nil)
			wantEvent(t, "ChildrenW after child create", ch, zkstore.EventNodeChildrenChanged, f.base)
		}},
		testCase{"Watch/ChildDeleted", func(t *testing.T, f *fixture) {
			f.mk(f.p("a"), nil)
			ch := f.childrenW(f.s, f.base)
			f.del(f.open(), f.p("a"), -1)
			wantEvent(t, "ChildrenW after child delete", ch, zkstore.EventNodeChildrenChanged, f.base)
		}},
		testCase{"Watch/ChildrenNodeDeleted", func(t *testing.T, f *fixture) {
			f.mk(f.p("a"), nil)
			ch := f.childrenW(f.s, f.p("a"))
			f.del(f.s, f.p("a"), -1)
			wantEvent(t, "ChildrenW after the node's delete", ch, zkstore.EventNodeDeleted, f.p("a"))
		}},
		testCase{"Watch/ChildrenIgnoresData", func(t *testing.T, f *fixture) {
			f.mk(f.p("a"), nil)
			f.mk(f.p("a/b"), nil)
			ch := f.childrenW(f.s, f.p("a"))
			f.set(f.s, f.p("a"), []byte("x"), -1)
			f.set(f.s, f.p("a/b"), []byte("x"), -1)
			f.mk(f.p("a/b/c"), nil) // a grandchild is not a child
			f.quiet(f.s, "ChildrenW after data changes", ch)
			f.mk(f.p("a/d"), nil)
			wantEvent(t, "ChildrenW after child create", ch, zkstore.EventNodeChildrenChanged, f.p("a"))
		}},
		testCase{"Watch/DataIgnoresChildren", func(t *testing.T, f *fixture) {
			f.mk(f.p("a"), nil)
			ch := f.getW(f.s, f.p("a"))
			f.mk(f.p("a/b"), nil)
			f.del(f.s, f.p("a/b"), -1)
			if _, err := f.s.SetACL(f.ctx, f.p("a"), zkstore.OpenACLUnsafe(), -1); err != nil {
				t.Fatal(err)
			}
			f.quiet(f.s, "GetW after child changes and SetACL", ch)
		}},
		testCase{"Watch/OneShot", func(t *testing.T, f *fixture) {
			f.mk(f.p("a"), nil)
			ch := f.getW(f.s, f.p("a"))
			f.set(f.s, f.p("a"), []byte("1"), -1)
			f.set(f.s, f.p("a"), []byte("2"), -1)
			wantEvent(t, "first change", ch, zkstore.EventNodeDataChanged, f.p("a")) // also checks it closes
			// A new watch sees only what comes after it.
			ch = f.getW(f.s, f.p("a"))
			f.quiet(f.s, "fresh watch", ch)
			f.set(f.s, f.p("a"), []byte("3"), -1)
			wantEvent(t, "second watch", ch, zkstore.EventNodeDataChanged, f.p("a"))
		}},
		testCase{"Watch/SeveralWatchersSameSession", func(t *testing.T, f *fixture) {
			f.mk(f.p("a"), nil)
			c1 := f.getW(f.s, f.p("a"))
			c2 := f.getW(f.s, f.p("a"))
			c3 := f.existsW(f.s, f.p("a"), true)
			f.set(f.open(), f.p("a"), []byte("x"), -1)
			wantEvent(t, "GetW 1", c1, zkstore.EventNodeDataChanged, f.p("a"))
			wantEvent(t, "GetW 2", c2, zkstore.EventNodeDataChanged, f.p("a"))
			wantEvent(t, "ExistsW", c3, zkstore.EventNodeDataChanged, f.p("a"))
		}},
		testCase{"Watch/SeveralSessions", func(t *testing.T, f *fixture) {
			f.mk(f.p("a"), nil)
			o1, o2 := f.open(), f.open()
			chs := []<-chan zkstore.Event{f.getW(f.s, f.p("a")), f.getW(o1, f.p("a")), f.existsW(o2, f.p("a"), true), f.childrenW(o2, f.p("a"))}
			f.del(f.open(), f.p("a"), -1)
			for i, ch := range chs {
				wantEvent(t, "watcher "+string(rune('0'+i)), ch, zkstore.EventNodeDeleted, f.p("a"))
			}
		}},
		testCase{"Watch/DeleteOrder", func(t *testing.T, f *fixture) {
			// ZooKeeper triggers the child's NodeDeleted before the parent's
			// NodeChildrenChanged, and a session receives them in that order.
			f.mk(f.p("a"), nil)
			child := f.getW(f.s, f.p("a"))
			parent := f.childrenW(f.s, f.base)
			f.del(f.open(), f.p("a"), -1)
			ev := recv(t, "parent", parent)
			if ev.Type != zkstore.EventNodeChildrenChanged {
				t.Fatalf("parent event %v", ev.Type)
			}
			select {
			case ev, ok := <-child:
				if !ok || ev.Type != zkstore.EventNodeDeleted {
					t.Errorf("child event %+v, %v", ev, ok)
				}
			default:
				t.Error("the parent's NodeChildrenChanged arrived before the child's NodeDeleted")
			}
		}},
		testCase{"Watch/EphemeralCloseFires", func(t *testing.T, f *fixture) {
			o := f.open()
			f.create(o, f.p("e"), nil, zkstore.CreateOptions{Mode: zkstore.ModeEphemeral})
			data := f.getW(f.s, f.p("e"))
			ex := f.existsW(f.s, f.p("e"), true)
			kids := f.childrenW(f.s, f.base)
			if err := o.Close(); err != nil {
				t.Fatal(err)
			}
			wantEvent(t, "GetW", data, zkstore.EventNodeDeleted, f.p("e"))
			wantEvent(t, "ExistsW", ex, zkstore.EventNodeDeleted, f.p("e"))
			wantEvent(t, "ChildrenW", kids, zkstore.EventNodeChildrenChanged, f.base)
		}},
		testCase{"Watch/EphemeralExpireFires", func(t *testing.T, f *fixture) {
			o := f.open()
			f.create(o, f.p("e"), nil, zkstore.CreateOptions{Mode: zkstore.ModeEphemeral})
			ex := f.existsW(f.s, f.p("e"), true)
			f.c.Expire(t, o)
			wantEvent(t, "ExistsW", ex, zkstore.EventNodeDeleted, f.p("e"))
		}},
		testCase{"Watch/CloseEndsWatches", func(t *testing.T, f *fixture) {
			f.mk(f.p("a"), nil)
			o := f.open()
			c1 := f.getW(o, f.p("a"))
			c2 := f.existsW(o, f.p("missing"), false)
			c3 := f.childrenW(o, f.p("a"))
			if err := o.Close(); err != nil {
				t.Fatal(err)
			}
			wantNotWatching(t, "GetW", c1, f.p("a"), zkstore.ErrClosed)
			wantNotWatching(t, "ExistsW", c2, f.p("missing"), zkstore.ErrClosed)
			wantNotWatching(t, "ChildrenW", c3, f.p("a"), zkstore.ErrClosed)
		}},
		testCase{"Watch/ExpireEndsWatches", func(t *testing.T, f *fixture) {
			f.mk(f.p("a"), nil)
			o := f.open()
			c1 := f.getW(o, f.p("a"))
			c2 := f.existsW(o, f.p("missing"), false)
			c3 := f.childrenW(o, f.p("a"))
			f.c.Expire(t, o)
			wantNotWatching(t, "GetW", c1, f.p("a"), zkstore.ErrSessionExpired)
			wantNotWatching(t, "ExistsW", c2, f.p("missing"), zkstore.ErrSessionExpired)
			wantNotWatching(t, "ChildrenW", c3, f.p("a"), zkstore.ErrSessionExpired)
		}},
		testCase{"Watch/NoWatchOnError", func(t *testing.T, f *fixture) {
			_, _, _, err := f.s.GetW(f.ctx, f.p("missing"))
			wantErr(t, "GetW missing", err, zkstore.ErrNoNode)
			_, _, _, err = f.s.ChildrenW(f.ctx, f.p("missing"))
			wantErr(t, "ChildrenW missing", err, zkstore.ErrNoNode)
			// The session still works and a later watch is independent.
			ch := f.existsW(f.s, f.p("missing"), false)
			f.mk(f.p("missing"), nil)
			wantEvent(t, "ExistsW", ch, zkstore.EventNodeCreated, f.p("missing"))
		}},
		testCase{"Watch/MultiFires", func(t *testing.T, f *fixture) {
			f.mk(f.p("a"), nil)
			f.mk(f.p("b"), nil)
			ca := f.getW(f.s, f.p("a"))
			cb := f.existsW(f.s, f.p("b"), true)
			cc := f.existsW(f.s, f.p("c"), false)
			kids := f.childrenW(f.s, f.base)
			if _, err := f.open().Multi(f.ctx,
				&zkstore.SetOp{Path: f.p("a"), Version: -1},
				&zkstore.DeleteOp{Path: f.p("b"), Version: -1},
				&zkstore.CreateOp{Path: f.p("c")},
			); err != nil {
				t.Fatal(err)
			}
			wantEvent(t, "a", ca, zkstore.EventNodeDataChanged, f.p("a"))
			wantEvent(t, "b", cb, zkstore.EventNodeDeleted, f.p("b"))
			wantEvent(t, "c", cc, zkstore.EventNodeCreated, f.p("c"))
			wantEvent(t, "children", kids, zkstore.EventNodeChildrenChanged, f.base)
		}},
		testCase{"Watch/FailedMultiFiresNothing", func(t *testing.T, f *fixture) {
			f.mk(f.p("a"), nil)
			ca := f.getW(f.s, f.p("a"))
			kids := f.childrenW(f.s, f.base)
			_, err := f.s.Multi(f.ctx,
				&zkstore.SetOp{Path: f.p("a"), Version: -1},
				&zkstore.CreateOp{Path: f.p("b")},
				&zkstore.CheckOp{Path: f.p("missing"), Version: -1},
			)
			wantErr(t, "Multi", err, zkstore.ErrNoNode)
			f.quiet(f.s, "data watch", ca)
			noEvent(t, "children watch", kids)
		}},
	)
}
