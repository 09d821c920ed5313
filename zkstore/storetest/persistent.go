package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/zksql/zksql/zkstore"
)

// addWatch sets a persistent watch through s, living as long as ctx. A
// store without persistent watches skips the case.
func (f *fixture) addWatch(ctx context.Context, s zkstore.Store, path string, mode zkstore.WatchMode) <-chan zkstore.Event {
	f.t.Helper()
	ch, err := zkstore.AddWatch(ctx, s, path, mode)
	if errors.Is(err, zkstore.ErrNoPersistentWatches) {
		f.t.Skipf("AddWatch(%q, %v): %v", path, mode, err)
	}
	if err != nil {
		f.t.Fatalf("AddWatch(%q, %v): %v", path, mode, err)
	}
	return ch
}

// next receives the next event of a persistent watch.
func next(t *testing.T, what string, ch <-chan zkstore.Event) zkstore.Event {
	t.Helper()
	select {
	case ev, ok := <-ch:
		if !ok {
			t.Fatalf("%s: persistent watch channel closed", what)
		}
		return ev
	case <-time.After(eventTimeout):
		t.Fatalf("%s: no event within %v", what, eventTimeout)
	}
	return zkstore.Event{}
}

// wantStream receives len(want) events from a persistent watch and checks
// them in order: type and path, no error.
func wantStream(t *testing.T, what string, ch <-chan zkstore.Event, want ...zkstore.Event) {
	t.Helper()
	for i, w := range want {
		ev := next(t, fmt.Sprintf("%s: event %d", what, i), ch)
		if ev.Type != w.Type || ev.Path != w.Path || ev.Err != nil {
			t.Fatalf("%s: event %d = {%v %q %v}, want {%v %q <nil>}", what, i, ev.Type, ev.Path, ev.Err, w.Type, w.Path)
		}
	}
}

// wantClosed drains ch until it is closed, checking that nothing but the
// allowed events come first.
func wantClosed(t *testing.T, what string, ch <-chan zkstore.Event) {
	t.Helper()
	deadline := time.After(eventTimeout)
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				return
			}
			t.Errorf("%s: event {%v %q %v} after the watch was removed", what, ev.Type, ev.Path, ev.Err)
		case <-deadline:
			t.Fatalf("%s: channel not closed within %v", what, eventTimeout)
		}
	}
}

func ev(typ zkstore.EventType, path string) zkstore.Event {
	return zkstore.Event{Type: typ, Path: path}
}

func init() {
	const (
		created  = zkstore.EventNodeCreated
		changed  = zkstore.EventNodeDataChanged
		deleted  = zkstore.EventNodeDeleted
		children = zkstore.EventNodeChildrenChanged
	)
	register(
		testCase{"PersistentWatch/PersistentEveryTypeNotRemovedOnFiring", func(t *testing.T, f *fixture) {
			a := f.p("a")
			ch := f.addWatch(f.ctx, f.s, a, zkstore.WatchPersistent) // a does not exist yet
			o := f.open()
			f.create(o, a, nil, zkstore.CreateOptions{})
			f.set(o, a, []byte("1"), -1)
			f.set(o, a, []byte("2"), -1)
			f.create(o, a+"/b", nil, zkstore.CreateOptions{})
			f.set(o, a+"/b", []byte("x"), -1) // a child's data: not a's event
			f.del(o, a+"/b", -1)
			f.del(o, a, -1)
			f.create(o, a, nil, zkstore.CreateOptions{}) // still set after NodeDeleted
			wantStream(t, "persistent watch on "+a, ch,
				ev(created, a), ev(changed, a), ev(changed, a), ev(children, a),
				ev(children, a), ev(deleted, a), ev(created, a))
			f.quiet(f.s, "persistent watch after the last change", ch)
		}},
		testCase{"PersistentWatch/PersistentOwnChangesFire", func(t *testing.T, f *fixture) {
			a := f.mk(f.p("a"), nil)
			ch := f.addWatch(f.ctx, f.s, a, zkstore.WatchPersistent)
			f.set(f.s, a, []byte("1"), -1)
			f.mk(a+"/b", nil)
			wantStream(t, "own changes", ch, ev(changed, a), ev(children, a))
		}},
		testCase{"PersistentWatch/RecursiveCoversDescendants", func(t *testing.T, f *fixture) {
			a := f.p("a")
			ch := f.addWatch(f.ctx, f.s, a, zkstore.WatchPersistentRecursive)
			o := f.open()
			f.create(o, a, nil, zkstore.CreateOptions{})
			f.create(o, a+"/b", nil, zkstore.CreateOptions{})
			f.create(o, a+"/b/c", []byte("v"), zkstore.CreateOptions{})
			f.set(o, a+"/b/c", []byte("w"), -1)
			f.create(o, f.p("a2"), nil, zkstore.CreateOptions{}) // a sibling sharing the prefix
			f.create(o, f.p("x"), nil, zkstore.CreateOptions{})  // outside
			f.set(o, f.base, []byte("parent"), -1)               // the parent: outside
			f.del(o, a+"/b/c", -1)
			f.set(o, a, []byte("1"), -1)
			f.del(o, a+"/b", -1)
			f.del(o, a, -1)
			f.create(o, a, nil, zkstore.CreateOptions{})
			wantStream(t, "recursive watch on "+a, ch,
				ev(created, a), ev(created, a+"/b"), ev(created, a+"/b/c"), ev(changed, a+"/b/c"),
				ev(deleted, a+"/b/c"), ev(changed, a), ev(deleted, a+"/b"), ev(deleted, a), ev(created, a))
			f.quiet(f.s, "recursive watch after the last change", ch)
		}},
		testCase{"PersistentWatch/MultiEventsInOpOrder", func(t *testing.T, f *fixture) {
			a := f.mk(f.p("a"), nil)
			rec := f.addWatch(f.ctx, f.s, a, zkstore.WatchPersistentRecursive)
			one := f.addWatch(f.ctx, f.open(), a, zkstore.WatchPersistent)
			_, err := f.open().Multi(f.ctx,
				&zkstore.CreateOp{Path: a + "/x"},
				&zkstore.SetOp{Path: a, Data: []byte("1"), Version: -1},
				&zkstore.CreateOp{Path: a + "/x/y"},
				&zkstore.DeleteOp{Path: a + "/x/y", Version: -1},
			)
			if err != nil {
				t.Fatalf("Multi: %v", err)
			}
			wantStream(t, "recursive", rec, ev(created, a+"/x"), ev(changed, a), ev(created, a+"/x/y"), ev(deleted, a+"/x/y"))
			wantStream(t, "persistent", one, ev(children, a), ev(changed, a))
		}},
		testCase{"PersistentWatch/EndingContextRemovesOnlyThatWatch", func(t *testing.T, f *fixture) {
			// The recursive watches are another session's: ZooKeeper 3.6
			// to 3.8 keep one mode per session and path (ZOOKEEPER-4466).
			a := f.mk(f.p("a"), nil)
			o := f.open()
			wctx, cancel := context.WithCancel(f.ctx)
			gone := f.addWatch(wctx, f.s, a, zkstore.WatchPersistent)
			stays := f.addWatch(f.ctx, f.s, a, zkstore.WatchPersistent)
			goneRec := f.addWatch(wctx, o, a, zkstore.WatchPersistentRecursive)
			f.set(f.admin, a, []byte("1"), -1)
			wantStream(t, "before removal", gone, ev(changed, a))
			wantStream(t, "recursive before removal", goneRec, ev(changed, a))
			wantStream(t, "other watch before removal", stays, ev(changed, a))
			cancel()
			wantClosed(t, "removed watch", gone)
			wantClosed(t, "removed recursive watch", goneRec)
			f.set(f.admin, a, []byte("2"), -1)
			f.mk(a+"/b", nil)
			wantStream(t, "the watch left on the same path", stays, ev(changed, a), ev(children, a))
			// A watch set again after its path's last one was removed works.
			// First a round trip of o, after which every event the server
			// sent o before has arrived: on a server before 3.9 the removed
			// watch is still set there, and an event of the Create above
			// still on its way would be taken by the new watch, which
			// listens from before its request is sent.
			f.get(o, a)
			again := f.addWatch(f.ctx, o, a, zkstore.WatchPersistentRecursive)
			f.set(f.admin, a+"/b", []byte("x"), -1)
			wantStream(t, "recursive watch set again", again, ev(changed, a+"/b"))
		}},
		testCase{"PersistentWatch/CloseEndsAfterOwnEphemerals", func(t *testing.T, f *fixture) {
			a := f.mk(f.p("a"), nil)
			s := f.open()
			ch := f.addWatch(f.ctx, s, a, zkstore.WatchPersistentRecursive)
			f.create(s, a+"/e", nil, zkstore.CreateOptions{Mode: zkstore.ModeEphemeral})
			wantStream(t, "ephemeral created", ch, ev(created, a+"/e"))
			if err := s.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			wantStream(t, "own ephemeral deleted by Close", ch, ev(deleted, a+"/e"))
			end := next(t, "after Close", ch)
			if end.Type != zkstore.EventNotWatching || end.Path != a || !errors.Is(end.Err, zkstore.ErrClosed) {
				t.Errorf("after Close: event {%v %q %v}, want {NotWatching %q ErrClosed}", end.Type, end.Path, end.Err, a)
			}
			wantClosed(t, "after NotWatching", ch)
		}},
		testCase{"PersistentWatch/ExpiryEnds", func(t *testing.T, f *fixture) {
			a := f.mk(f.p("a"), nil)
			s := f.open()
			one := f.addWatch(f.ctx, s, a, zkstore.WatchPersistent)
			rec := f.addWatch(f.ctx, s, f.base, zkstore.WatchPersistentRecursive)
			f.c.Expire(t, s)
			for ch, path := range map[<-chan zkstore.Event]string{one: a, rec: f.base} {
				end := next(t, "after expiry", ch)
				if end.Type != zkstore.EventNotWatching || end.Path != path || !errors.Is(end.Err, zkstore.ErrSessionExpired) {
					t.Errorf("after expiry: event {%v %q %v}, want {NotWatching %q ErrSessionExpired}", end.Type, end.Path, end.Err, path)
				}
				wantClosed(t, "after NotWatching", ch)
			}
			_, err := zkstore.AddWatch(f.ctx, s, a, zkstore.WatchPersistent)
			wantErr(t, "AddWatch after expiry", err, zkstore.ErrSessionExpired)
		}},
		testCase{"PersistentWatch/OnlyReadableZnodesReported", func(t *testing.T, f *fixture) {
			// As servers do since the fix of CVE-2024-23944 (3.8.4, 3.9.2,
			// Debian's 3.8.0-11+deb12u2): an event goes only to a session
			// that may read the znode (for NodeChildrenChanged, its parent).
			a := f.mk(f.p("a"), nil)
			rec := f.addWatch(f.ctx, f.s, a, zkstore.WatchPersistentRecursive)
			o := f.open()
			one := f.addWatch(f.ctx, o, a+"/secret", zkstore.WatchPersistent)
			alice := f.open()
			if err := alice.AddAuth(f.ctx, "digest", []byte("alice:pw")); err != nil {
				t.Fatalf("AddAuth: %v", err)
			}
			f.create(alice, a+"/secret", nil, zkstore.CreateOptions{ACL: zkstore.CreatorAllACL()})
			f.set(alice, a+"/secret", []byte("x"), -1)
			f.create(alice, a+"/secret/kid", nil, zkstore.CreateOptions{}) // open ACL under a secret parent
			f.create(alice, a+"/open", nil, zkstore.CreateOptions{})
			f.del(alice, a+"/secret/kid", -1)
			f.del(alice, a+"/secret", -1)
			wantStream(t, "recursive watch without READ on secret", rec,
				ev(created, a+"/secret/kid"), ev(created, a+"/open"), ev(deleted, a+"/secret/kid"))
			f.quiet(f.s, "recursive watch after the last change", rec)
			f.quiet(o, "persistent watch on the unreadable znode", one)
		}},
		testCase{"PersistentWatch/BadArguments", func(t *testing.T, f *fixture) {
			if _, ok := zkstore.PersistentWatcherOf(f.s); !ok {
				t.Skip("no persistent watches")
			}
			_, err := zkstore.AddWatch(f.ctx, f.s, f.p("a"), zkstore.WatchMode(7))
			wantErr(t, "AddWatch with mode 7", err, zkstore.ErrBadArguments)
			_, err = zkstore.AddWatch(f.ctx, f.s, f.p("a")+"/", zkstore.WatchPersistent)
			wantErr(t, "AddWatch on a path ending in /", err, zkstore.ErrInvalidPath)
		}},
	)
}
