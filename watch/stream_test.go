package watch_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/zksql/zksql/internal/testkit/zkserver"
	"github.com/zksql/zksql/watch"
	"github.com/zksql/zksql/zkstore"
)

// Each shared test runs on the in-memory store and on a live ZooKeeper.
func both(t *testing.T, f func(t *testing.T, e env)) {
	t.Run("mem", func(t *testing.T) {
		noLeaks(t)
		f(t, memEnv(t))
	})
	t.Run("live", func(t *testing.T) { f(t, liveEnv(t)) })
}

// bothTree runs a Tree test on both stores, with the Tree following its
// subtree with a persistent recursive watch and with one-shot watches
// (the fallback, on a store that hides its AddWatch).
func bothTree(t *testing.T, f func(t *testing.T, e env)) {
	for _, m := range treeModes {
		inMode := func(e env) env {
			open := e.open
			e.open = func(t testing.TB) zkstore.Store { return m.store(open(t)) }
			return e
		}
		t.Run("mem/"+m.name, func(t *testing.T) {
			noLeaks(t)
			f(t, inMode(memEnv(t)))
		})
		t.Run("live/"+m.name, func(t *testing.T) { f(t, inMode(liveEnv(t))) })
	}
}

// One path's events come in order, each one what changed, with the data
// and revisions of the store, when the change comes from another session.
func TestNodeOrder(t *testing.T) {
	both(t, func(t *testing.T, e env) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		st, w, p := e.open(t), e.writer(t), e.root(t)
		ch := watch.Node(ctx, watch.StoreSource(st), p)
		const d = 5 * time.Second

		ev := recv(t, ch, d)
		if ev.Type != watch.Current || ev.Exists {
			t.Fatalf("first event %v, want Current of an absent znode", ev)
		}
		var all []watch.Event
		step := func(want watch.EventType, data string) watch.Event {
			t.Helper()
			ev := recv(t, ch, d)
			all = append(all, ev)
			if ev.Type != want || ev.Path != p || (want != watch.Deleted && string(ev.Data) != data) || ev.Err != nil || ev.Resync {
				t.Fatalf("got %v, want %v %q", ev, want, data)
			}
			if want != watch.Deleted && ev.Revision != ev.Stat.Mzxid {
				t.Fatalf("revision %d, Mzxid %d", ev.Revision, ev.Stat.Mzxid)
			}
			return ev
		}
		w.create(t, p, "v0")
		step(watch.Created, "v0")
		for i := 1; i <= 5; i++ {
			w.set(t, p, "v"+strconv.Itoa(i))
			ev := step(watch.DataChanged, "v"+strconv.Itoa(i))
			if ev.Stat.Version != int32(i) {
				t.Fatalf("version %d, want %d", ev.Stat.Version, i)
			}
		}
		w.del(t, p)
		step(watch.Deleted, "")
		w.create(t, p, "again")
		step(watch.Created, "again")
		checkRevisions(t, all)

		// Rapid changes: coalesced maybe, but in order, ending on the last.
		for i := range 50 {
			w.set(t, p, "r"+strconv.Itoa(i))
		}
		got := until(t, ch, d, func(ev watch.Event) bool { return string(ev.Data) == "r49" })
		checkRevisions(t, append(all, got...))
		lastN := -1
		for _, ev := range got {
			n, err := strconv.Atoi(string(ev.Data[1:]))
			if ev.Type != watch.DataChanged || err != nil || n <= lastN {
				t.Fatalf("event %v out of order after r%d", ev, lastN)
			}
			lastN = n
		}
		quiet(t, ch, 200*time.Millisecond)
	})
}

// A consumer that falls behind 1,000 changes still ends on the final state,
// sees nothing stale after it, and never sees states out of order.
func TestNodeSlowConsumer(t *testing.T) {
	both(t, func(t *testing.T, e env) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		st, w, p := e.open(t), e.writer(t), e.root(t)
		w.create(t, p, "-1")
		ch := watch.Node(ctx, watch.StoreSource(st), p)
		// A second, fast stream on the same session must not be held up.
		fast := watch.Node(ctx, watch.StoreSource(st), p)
		recv(t, ch, 5*time.Second)
		recv(t, fast, 5*time.Second)

		const n = 1000
		var wg sync.WaitGroup
		wg.Go(func() {
			for i := range n {
				w.set(t, p, strconv.Itoa(i))
			}
		})
		final := strconv.Itoa(n - 1)
		fastGot := until(t, fast, 30*time.Second, func(ev watch.Event) bool { return string(ev.Data) == final })
		wg.Wait()

		var got []watch.Event
		last := -1
		for {
			time.Sleep(time.Millisecond) // slow
			ev := recv(t, ch, 10*time.Second)
			got = append(got, ev)
			v, err := strconv.Atoi(string(ev.Data))
			if ev.Type != watch.DataChanged || err != nil || v <= last {
				t.Fatalf("event %v after value %d", ev, last)
			}
			last = v
			if string(ev.Data) == final {
				break
			}
		}
		checkRevisions(t, got)
		quiet(t, ch, 200*time.Millisecond)
		data, stat, err := st.Get(ctx, p)
		must(t, err)
		if ev := got[len(got)-1]; string(data) != string(ev.Data) || stat != ev.Stat {
			t.Fatalf("last event %v, store has %q %+v", ev, data, stat)
		}
		t.Logf("%d changes: slow consumer got %d events, fast one %d", n, len(got), len(fastGot))
	})
}

func TestChildrenStream(t *testing.T) {
	both(t, func(t *testing.T, e env) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		st, w, p := e.open(t), e.writer(t), e.root(t)
		ch := watch.Children(ctx, watch.StoreSource(st), p)
		const d = 5 * time.Second
		if ev := recv(t, ch, d); ev.Type != watch.Current || ev.Exists {
			t.Fatalf("first %v", ev)
		}
		w.create(t, p, "")
		if ev := recv(t, ch, d); ev.Type != watch.Created || len(ev.Children) != 0 || ev.Children == nil {
			t.Fatalf("got %v, want Created with no children", ev)
		}
		w.create(t, p+"/b", "")
		if ev := recv(t, ch, d); ev.Type != watch.ChildrenChanged || !slices.Equal(ev.Children, []string{"b"}) || ev.Revision != ev.Stat.Pzxid {
			t.Fatalf("got %v", ev)
		}
		w.set(t, p, "data changes are not child changes")
		for _, c := range []string{"a", "c", "d"} {
			w.create(t, p+"/"+c, "")
		}
		w.del(t, p+"/c")
		got := until(t, ch, d, func(ev watch.Event) bool { return slices.Equal(ev.Children, []string{"a", "b", "d"}) })
		checkRevisions(t, got)
		quiet(t, ch, 200*time.Millisecond)
		for _, c := range []string{"a", "b", "d"} {
			w.del(t, p+"/"+c)
		}
		w.del(t, p)
		until(t, ch, d, func(ev watch.Event) bool { return ev.Type == watch.Deleted })
		quiet(t, ch, 200*time.Millisecond)
	})
}

// A Tree's events, applied in order, rebuild the subtree the store holds.
func TestTreeStream(t *testing.T) {
	bothTree(t, func(t *testing.T, e env) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		st, w, root := e.open(t), e.writer(t), e.root(t)
		w.create(t, root, "root")
		w.create(t, root+"/a", "a")
		w.create(t, root+"/a/x", "ax")
		ch := watch.Tree(ctx, watch.StoreSource(st), root)
		const d = 5 * time.Second
		m := mirror{}
		ev, evs := recvType(t, ch, watch.Synced, d)
		for i, ev := range evs {
			if ev.Type != watch.Created {
				t.Fatalf("initial event %v", ev)
			}
			if i > 0 && evs[i-1].Path > ev.Path {
				t.Fatalf("initial events not parents first: %v", evs)
			}
			m.apply(ev)
		}
		if ev.Path != root || !equalMirror(m, snapshot(t, st, root)) {
			t.Fatalf("initial state %v, store %v", m, snapshot(t, st, root))
		}

		w.create(t, root+"/b", "b")
		ev = recv(t, ch, d)
		if ev.Type != watch.Created || ev.Path != root+"/b" || string(ev.Data) != "b" {
			t.Fatalf("got %v", ev)
		}
		m.apply(ev)
		w.set(t, root+"/a/x", "ax2")
		ev = recv(t, ch, d)
		if ev.Type != watch.DataChanged || ev.Path != root+"/a/x" || string(ev.Data) != "ax2" {
			t.Fatalf("got %v", ev)
		}
		m.apply(ev)

		// A burst all over the tree, including a subtree's removal.
		for i := range 20 {
			w.create(t, fmt.Sprintf("%s/b/n%02d", root, i), strconv.Itoa(i))
		}
		w.create(t, root+"/b/n00/deep", "deep")
		w.set(t, root, "root2")
		w.del(t, root+"/a/x")
		w.del(t, root+"/a")
		for i := range 10 {
			w.set(t, fmt.Sprintf("%s/b/n%02d", root, i), "changed")
		}
		w.del(t, root+"/b/n19")
		want := snapshot(t, st, root)
		seen := map[string]int64{}
		until(t, ch, 10*time.Second, func(ev watch.Event) bool {
			if ev.Type.IsStatus() {
				t.Fatalf("status event %v", ev)
			}
			if ev.Revision < seen[ev.Path] {
				t.Fatalf("revision of %s went back: %v", ev.Path, ev)
			}
			seen[ev.Path] = ev.Revision
			if ev.Type == watch.Created && ev.Path != root {
				if _, ok := m[zkstoreParent(ev.Path)]; !ok {
					t.Fatalf("%v before its parent", ev)
				}
			}
			m.apply(ev)
			return equalMirror(m, want)
		})
		quiet(t, ch, 200*time.Millisecond)

		// The root itself goes and comes back.
		w.del(t, root+"/b/n00/deep")
		for i := range 19 {
			w.del(t, fmt.Sprintf("%s/b/n%02d", root, i))
		}
		w.del(t, root+"/b")
		w.del(t, root)
		until(t, ch, d, func(ev watch.Event) bool { m.apply(ev); return len(m) == 0 })
		w.create(t, root, "back")
		ev = recv(t, ch, d)
		if ev.Type != watch.Created || ev.Path != root || string(ev.Data) != "back" {
			t.Fatalf("got %v", ev)
		}
		quiet(t, ch, 200*time.Millisecond)
	})
}

// noLeaks checks, after the test's cleanups, that it left no goroutine.
func noLeaks(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, ignore, zkserver.IgnoreShared()) })
}

func zkstoreParent(p string) string {
	for i := len(p) - 1; i > 0; i-- {
		if p[i] == '/' {
			return p[:i]
		}
	}
	return "/"
}

func TestTreeMaxDepth(t *testing.T) {
	bothTree(t, func(t *testing.T, e env) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		st, w, root := e.open(t), e.writer(t), e.root(t)
		w.create(t, root, "")
		w.create(t, root+"/a", "")
		w.create(t, root+"/a/b", "")
		ch := watch.Tree(ctx, watch.StoreSource(st), root, watch.WithMaxDepth(1))
		_, evs := recvType(t, ch, watch.Synced, 5*time.Second)
		if len(evs) != 2 {
			t.Fatalf("initial events %v, want the root and /a", evs)
		}
		w.create(t, root+"/a/c", "")
		w.create(t, root+"/z", "")
		if ev := recv(t, ch, 5*time.Second); ev.Path != root+"/z" {
			t.Fatalf("got %v, want %s/z only", ev, root)
		}
		quiet(t, ch, 200*time.Millisecond)
	})
}
