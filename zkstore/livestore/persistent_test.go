package livestore

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/zksql/zksql/zkstore"
)

// nextNode receives events until one that is not a resync.
func wantNode(t *testing.T, what string, ch <-chan zkstore.Event, typ zkstore.EventType, path string) {
	t.Helper()
	ev := recv(t, ch, 10*time.Second)
	if ev.Type != typ || ev.Path != path || ev.Err != nil {
		t.Fatalf("%s: event %+v, want {%v %q}", what, ev, typ, path)
	}
}

// TestPersistentWatchReconnect: after the connection is lost and the
// session comes back on a new one, the store sets its persistent watches
// again and tells each reader to resynchronise; the watches go on
// reporting (the server knows them only because the store sent them
// again: go-zookeeper's setWatches carries none).
func TestPersistentWatchReconnect(t *testing.T) {
	s, proxy := openProxied(t, SessionTimeout(5*time.Second))
	other := open(t)
	ctx := ctxT(t)
	b := base(t, s)
	rec, err := s.AddWatch(ctx, b, zkstore.WatchPersistentRecursive)
	if err != nil {
		t.Fatal(err)
	}
	one, err := s.AddWatch(context.Background(), b+"/one", zkstore.WatchPersistent)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Create(ctx, b+"/one", nil, zkstore.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	wantNode(t, "recursive before the reconnect", rec, zkstore.EventNodeCreated, b+"/one")
	wantNode(t, "persistent before the reconnect", one, zkstore.EventNodeCreated, b+"/one")

	id := s.SessionID()
	proxy.DropConnections()
	// A change while the connection is down may or may not be reported.
	if _, err := other.Create(ctx, b+"/meanwhile", nil, zkstore.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	for name, ch := range map[string]<-chan zkstore.Event{"recursive": rec, "persistent": one} {
		for {
			ev := recv(t, ch, 20*time.Second)
			if ev.Type == zkstore.EventWatchResync {
				want := b
				if name == "persistent" {
					want = b + "/one"
				}
				if ev.Path != want || ev.Err != nil {
					t.Errorf("%s: resync %+v, want path %q", name, ev, want)
				}
				break
			}
			if ev.Type != zkstore.EventNodeCreated || ev.Path != b+"/meanwhile" || name != "recursive" {
				t.Fatalf("%s: before the resync: %+v", name, ev)
			}
		}
	}
	if s.SessionID() != id || s.State() != zkstore.StateConnected {
		t.Fatalf("after the reconnect: session %#x %v, want %#x connected", s.SessionID(), s.State(), id)
	}
	if _, err := other.Set(ctx, b+"/one", []byte("x"), -1); err != nil {
		t.Fatal(err)
	}
	wantNode(t, "recursive after the resync", rec, zkstore.EventNodeDataChanged, b+"/one")
	wantNode(t, "persistent after the resync", one, zkstore.EventNodeDataChanged, b+"/one")
}

// TestPersistentWatchUnimplemented: a server that does not know addWatch
// (ZooKeeper 3.5) answers UNIMPLEMENTED; AddWatch reports
// ErrNoPersistentWatches and the session goes on (the server drops the
// connection with that answer; go-zookeeper reconnects). A 3.8 server
// answers an opcode it does not know the same way, which stands in for the
// old server here. The store asks only once.
func TestPersistentWatchUnimplemented(t *testing.T) {
	s := open(t)
	ctx := ctxT(t)
	b := base(t, s)
	addWatchOpcode = 999
	defer func() { addWatchOpcode = opAddWatch }()
	ch, err := s.AddWatch(ctx, b, zkstore.WatchPersistentRecursive)
	if !errors.Is(err, zkstore.ErrNoPersistentWatches) || !errors.Is(err, zkstore.ErrUnimplemented) || ch != nil {
		t.Fatalf("AddWatch on a server without addWatch = %v, %v; want ErrNoPersistentWatches", ch, err)
	}
	var pe *zkstore.PathError
	if !errors.As(err, &pe) || pe.Path != b || pe.Op != "addWatch" {
		t.Errorf("error %v does not name the op and path", err)
	}
	waitState(t, s, zkstore.StateConnected, 20*time.Second)
	id := s.SessionID()
	if !eventually(20*time.Second, func() bool { _, _, err := s.Get(ctx, b); return err == nil }) {
		t.Fatalf("the session is unusable after the refused addWatch")
	}
	s.mu.Lock()
	reconnects := s.reconnects
	s.mu.Unlock()
	_, err = s.AddWatch(ctx, b, zkstore.WatchPersistent)
	if !errors.Is(err, zkstore.ErrNoPersistentWatches) {
		t.Errorf("second AddWatch = %v, want ErrNoPersistentWatches", err)
	}
	if _, _, err := s.Get(ctx, b); err != nil {
		t.Errorf("Get after the second AddWatch: %v", err)
	}
	s.mu.Lock()
	if s.reconnects != reconnects || s.sessionID != id {
		t.Errorf("the second AddWatch was sent: reconnects %d -> %d", reconnects, s.reconnects)
	}
	s.mu.Unlock()
	if n := len(s.pwatches.watchers); n != 0 {
		t.Errorf("%d keys left registered after the refusal", n)
	}
}

// TestPersistentWatchFallback: built with another go-zookeeper (no access
// to its request queue), AddWatch says so with ErrNoPersistentWatches.
func TestPersistentWatchFallback(t *testing.T) {
	s := open(t)
	rawMulti = false
	defer func() { rawMulti = true }()
	_, err := s.AddWatch(ctxT(t), "/", zkstore.WatchPersistent)
	if !errors.Is(err, zkstore.ErrNoPersistentWatches) {
		t.Fatalf("AddWatch without the raw request = %v, want ErrNoPersistentWatches", err)
	}
}

// TestPersistentWatchChroot: paths are the caller's, under the chroot,
// for the watched path and for the descendants a recursive watch reports;
// the chroot node itself is "/".
func TestPersistentWatchChroot(t *testing.T) {
	root := open(t)
	ctx := ctxT(t)
	b := base(t, root)
	s := open(t, Chroot(b))
	rec, err := s.AddWatch(ctx, "/", zkstore.WatchPersistentRecursive)
	if err != nil {
		t.Fatal(err)
	}
	other := open(t, Chroot(b))
	rec2, err := other.AddWatch(ctx, "/a", zkstore.WatchPersistentRecursive)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := root.Create(ctx, b+"/a", nil, zkstore.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.Create(ctx, b+"/a/b", nil, zkstore.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.Set(ctx, b, []byte("x"), -1); err != nil {
		t.Fatal(err)
	}
	wantNode(t, "recursive on the chroot", rec, zkstore.EventNodeCreated, "/a")
	wantNode(t, "recursive on the chroot", rec, zkstore.EventNodeCreated, "/a/b")
	wantNode(t, "recursive on the chroot", rec, zkstore.EventNodeDataChanged, "/")
	wantNode(t, "recursive under the chroot", rec2, zkstore.EventNodeCreated, "/a")
	wantNode(t, "recursive under the chroot", rec2, zkstore.EventNodeCreated, "/a/b")
}

func eventually(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
	return true
}

// TestPersistentWatchServerCount: a recursive watch over a subtree counts
// at most two watches on the server, however many znodes it covers (3.8
// keeps it in its data and its child watch tables, 3.9 in the data table
// only), where one-shot data and child watches count two per znode (issue
// 15's watch.Tree target). The server's own count (ServerInfo.WatchCount)
// says so.
func TestPersistentWatchServerCount(t *testing.T) {
	const znodes = 200
	s := open(t)
	ctx := ctxT(t)
	b := base(t, s)
	for i := range znodes {
		if _, err := s.Create(ctx, fmt.Sprintf("%s/n%03d", b, i), nil, zkstore.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	count := func(st *Store) int64 {
		t.Helper()
		infos, err := st.Servers(ctx)
		if err != nil || len(infos) != 1 || infos[0].WatchCount == nil {
			t.Fatalf("Servers = %+v, %v", infos, err)
		}
		return *infos[0].WatchCount
	}
	// Counted from a session of its own, before and after: the shared
	// server may hold other tests' watches, but none run meanwhile here.
	probe := open(t)
	before := count(probe)
	w := open(t)
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if _, err := w.AddWatch(wctx, b, zkstore.WatchPersistentRecursive); err != nil {
		t.Fatal(err)
	}
	recursive := count(probe) - before
	oneShot := open(t)
	for i := range znodes {
		p := fmt.Sprintf("%s/n%03d", b, i)
		if _, _, _, err := oneShot.GetW(ctx, p); err != nil {
			t.Fatal(err)
		}
		if _, _, _, err := oneShot.ChildrenW(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	perZnode := count(probe) - before - recursive
	t.Logf("server-side watches over %d znodes: recursive persistent %d, one-shot data+child %d", znodes, recursive, perZnode)
	if recursive < 1 || recursive > 2 {
		t.Errorf("a recursive watch counts %d watches on the server, want 1 or 2", recursive)
	}
	if perZnode != 2*znodes {
		t.Errorf("one-shot watches count %d, want %d", perZnode, 2*znodes)
	}
}
