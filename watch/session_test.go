package watch_test

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"testing"
	"time"

	_ "github.com/zksql/zksql/driver"
	"github.com/zksql/zksql/internal/testkit/zkserver"
	"github.com/zksql/zksql/watch"
	"github.com/zksql/zksql/zkstore"
	"github.com/zksql/zksql/zkstore/livestore"
	"github.com/zksql/zksql/zkstore/memstore"
)

// With a plain Store, expiry is the stream's last event.
func TestExpiryEndsStoreSource(t *testing.T) {
	noLeaks(t)
	srv := memstore.NewServer()
	defer srv.Close()
	st := srv.Connect()
	defer st.Close()
	create(t, st, "/n", "v")
	for _, stream := range []func(context.Context, watch.Source, string, ...watch.Option) <-chan watch.Event{
		watch.Node, watch.Children, watch.Tree} {
		ch := stream(context.Background(), watch.StoreSource(st), "/n")
		recv(t, ch, time.Second)
		defer func() {
			evs := closed(t, ch, 5*time.Second)
			if len(evs) == 0 || evs[len(evs)-1].Type != watch.Expired || !errors.Is(evs[len(evs)-1].Err, zkstore.ErrSessionExpired) {
				t.Errorf("events before close: %v; want Expired last", evs)
			}
		}()
	}
	must(t, srv.Expire(st.SessionID()))
}

// A closed store ends its streams with an Error matching ErrClosed.
func TestClosedStoreEndsStream(t *testing.T) {
	noLeaks(t)
	srv := memstore.NewServer()
	defer srv.Close()
	st := srv.Connect()
	ch := watch.Node(context.Background(), watch.StoreSource(st), "/n")
	recv(t, ch, time.Second)
	st.Close()
	evs := closed(t, ch, 5*time.Second)
	if len(evs) != 1 || evs[0].Type != watch.Error || !errors.Is(evs[0].Err, zkstore.ErrClosed) {
		t.Fatalf("events %v; want one Error with ErrClosed", evs)
	}
}

// Ending the context closes the channel with no further event, at once,
// even when the consumer is not reading and events are pending.
func TestContextEndsStream(t *testing.T) {
	noLeaks(t)
	srv := memstore.NewServer()
	defer srv.Close()
	st := srv.Connect()
	defer st.Close()
	create(t, st, "/n", "v")
	ctx, cancel := context.WithCancel(context.Background())
	chs := []<-chan watch.Event{
		watch.Node(ctx, watch.StoreSource(st), "/n"),
		watch.Children(ctx, watch.StoreSource(st), "/n"),
		watch.Tree(ctx, watch.StoreSource(st), "/"),
	}
	time.Sleep(50 * time.Millisecond) // pending, unread
	cancel()
	for _, ch := range chs {
		select {
		case ev, ok := <-ch:
			// An event offered at the very moment of cancel may still come.
			if ok {
				closed(t, ch, time.Second)
				_ = ev
			}
		case <-time.After(time.Second):
			t.Fatal("stream not closed after cancel")
		}
	}
}

func TestInvalidPath(t *testing.T) {
	noLeaks(t)
	srv := memstore.NewServer()
	defer srv.Close()
	st := srv.Connect()
	defer st.Close()
	evs := closed(t, watch.Node(context.Background(), watch.StoreSource(st), "no/slash"), time.Second)
	if len(evs) != 1 || !errors.Is(evs[0].Err, zkstore.ErrInvalidPath) {
		t.Fatalf("events %v", evs)
	}
}

func TestWithInitialFalse(t *testing.T) {
	noLeaks(t)
	srv := memstore.NewServer()
	defer srv.Close()
	st := srv.Connect()
	defer st.Close()
	create(t, st, "/n", "v")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	node := watch.Node(ctx, watch.StoreSource(st), "/n", watch.WithInitial(false))
	tree := watch.Tree(ctx, watch.StoreSource(st), "/n", watch.WithInitial(false))
	time.Sleep(20 * time.Millisecond)
	create(t, st, "/n/c", "c")
	if ev := recv(t, tree, time.Second); ev.Type != watch.Created || ev.Path != "/n/c" {
		t.Fatalf("tree: %v", ev)
	}
	_, err := st.Set(ctx, "/n", []byte("w"), -1)
	must(t, err)
	if ev := recv(t, node, time.Second); ev.Type != watch.DataChanged || string(ev.Data) != "w" {
		t.Fatalf("node: %v", ev)
	}
}

// With Reopen, an expiry is reported, a new session opened, the state
// re-read (Resync) and the stream goes on, on the new session.
func TestExpiryResyncMem(t *testing.T) {
	noLeaks(t)
	srv := memstore.NewServer()
	defer srv.Close()
	w := srv.Connect()
	defer w.Close()
	create(t, w, "/n", "v1")
	create(t, w, "/n/a", "a")
	src := watch.Reopen(func(context.Context) (zkstore.Store, error) { return srv.Connect(), nil })
	defer src.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	node := watch.Node(ctx, src, "/n")
	kids := watch.Children(ctx, src, "/n")
	tree := watch.Tree(ctx, src, "/n")
	recv(t, node, time.Second)
	recv(t, kids, time.Second)
	recvType(t, tree, watch.Synced, time.Second)

	st, err := src.Store(ctx)
	must(t, err)
	old := st.SessionID()
	// Hold the streams' attention elsewhere: no reader while the session
	// expires and the data changes.
	must(t, srv.Expire(old))
	_, err = w.Set(ctx, "/n", []byte("v2"), -1)
	must(t, err)
	create(t, w, "/n/b", "b")

	for name, ch := range map[string]<-chan watch.Event{"node": node, "children": kids} {
		ev := recv(t, ch, 5*time.Second)
		if ev.Type != watch.Expired || !errors.Is(ev.Err, zkstore.ErrSessionExpired) {
			t.Fatalf("%s: got %v, want Expired", name, ev)
		}
		ev = recv(t, ch, 5*time.Second)
		if ev.Type != watch.Current || !ev.Resync {
			t.Fatalf("%s: got %v, want Current with Resync", name, ev)
		}
		if name == "node" && string(ev.Data) != "v2" || name == "children" && !slices.Equal(ev.Children, []string{"a", "b"}) {
			t.Fatalf("%s: resync gave %v", name, ev)
		}
	}
	if ev := recv(t, tree, 5*time.Second); ev.Type != watch.Expired {
		t.Fatalf("tree: %v", ev)
	}
	m := mirror{"/n": "v1", "/n/a": "a"}
	ev, evs := recvType(t, tree, watch.Synced, 5*time.Second)
	for _, e := range append(evs, ev) {
		if !e.Resync {
			t.Fatalf("tree resync event without Resync: %v", e)
		}
		m.apply(e)
	}
	if !equalMirror(m, snapshot(t, w, "/n")) || len(evs) != 2 {
		t.Fatalf("tree after resync %v (events %v), store %v", m, evs, snapshot(t, w, "/n"))
	}
	st, err = src.Store(ctx)
	must(t, err)
	if st.SessionID() == old {
		t.Fatal("no new session")
	}
	// Watching on the new session.
	_, err = w.Set(ctx, "/n", []byte("v3"), -1)
	must(t, err)
	if ev := recv(t, node, time.Second); ev.Type != watch.DataChanged || string(ev.Data) != "v3" || ev.Resync {
		t.Fatalf("after resync: %v", ev)
	}
	if ev := recv(t, tree, time.Second); ev.Type != watch.DataChanged || string(ev.Data) != "v3" {
		t.Fatalf("tree after resync: %v", ev)
	}
}

// FromDB streams through the session of a zksql database connection.
func TestFromDB(t *testing.T) {
	noLeaks(t)
	db, err := sql.Open("zookeeper", "mem:?create_parents=true")
	must(t, err)
	defer db.Close()
	src := watch.FromDB(db)
	defer src.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := watch.Node(ctx, src, "/cfg/x")
	if ev := recv(t, ch, 5*time.Second); ev.Type != watch.Current || ev.Exists {
		t.Fatalf("first %v", ev)
	}
	_, err = db.ExecContext(ctx, "INSERT INTO znodes (path, data) VALUES (?, ?)", "/cfg/x", "1")
	must(t, err)
	if ev := recv(t, ch, 5*time.Second); ev.Type != watch.Created || string(ev.Data) != "1" {
		t.Fatalf("got %v", ev)
	}
	_, err = db.ExecContext(ctx, "UPDATE znodes SET data = ? WHERE path = ?", "2", "/cfg/x")
	must(t, err)
	if ev := recv(t, ch, 5*time.Second); ev.Type != watch.DataChanged || string(ev.Data) != "2" {
		t.Fatalf("got %v", ev)
	}
	cancel()
	closed(t, ch, time.Second)
}

// Live: a partition longer than the session timeout (the proxy blocks)
// is reported as Disconnected, then Expired once the network heals; the
// stream reopens a session and resynchronises to what another client
// changed meanwhile.
func TestLiveExpiry(t *testing.T) {
	addr := liveAddr(t)
	p, err := zkserver.NewProxy(addr)
	must(t, err)
	defer p.Close()
	w := rawWriter{rawConn(t, addr)}
	root := "/exp-" + randHex(6)
	w.create(t, root, "v1")
	src := watch.Reopen(func(ctx context.Context) (zkstore.Store, error) {
		s, err := livestore.Open(ctx, []string{p.Addr()}, livestore.SessionTimeout(500*time.Millisecond),
			livestore.ConnectTimeout(5*time.Second))
		if err != nil {
			return nil, err
		}
		return s, nil
	})
	defer src.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	node := watch.Node(ctx, src, root)
	tree := watch.Tree(ctx, src, root)
	recv(t, node, 5*time.Second)
	recvType(t, tree, watch.Synced, 5*time.Second)

	start := time.Now()
	p.Block()
	if ev, _ := recvType(t, node, watch.Disconnected, 5*time.Second); !errors.Is(ev.Err, zkstore.ErrConnectionLoss) {
		t.Fatalf("Disconnected without ErrConnectionLoss: %v", ev)
	}
	w.set(t, root, "v2")
	w.create(t, root+"/new", "n")
	time.Sleep(1500 * time.Millisecond) // three session timeouts
	p.Unblock()
	ev, skipped := recvType(t, node, watch.Expired, 10*time.Second)
	if !errors.Is(ev.Err, zkstore.ErrSessionExpired) {
		t.Fatalf("Expired without ErrSessionExpired: %v (before: %v)", ev, skipped)
	}
	ev, skipped = recvType(t, node, watch.Current, 10*time.Second)
	if !ev.Resync || string(ev.Data) != "v2" {
		t.Fatalf("resync %v (before: %v)", ev, skipped)
	}
	m := mirror{root: "v1"}
	ev, evs := recvType(t, tree, watch.Synced, 10*time.Second)
	for _, e := range evs {
		if !e.Type.IsStatus() {
			m.apply(e)
		}
	}
	if !ev.Resync || !equalMirror(m, mirror{root: "v2", root + "/new": "n"}) {
		t.Fatalf("tree resync: %v, mirror %v, events %v", ev, m, evs)
	}
	w.set(t, root, "v3")
	if ev := recv(t, node, 5*time.Second); ev.Type != watch.DataChanged || string(ev.Data) != "v3" {
		t.Fatalf("after resync: %v", ev)
	}
	t.Logf("partition to resumed stream: %v", time.Since(start))
}

// Live: a server restart (data kept) is reported as Disconnected; the
// stream continues with the latest state, whether the session survived
// (Reconnected) or not (Expired, then a resync).
func TestLiveRestart(t *testing.T) {
	srv := zkserver.StartTB(t, zkserver.Options{TickTime: tick})
	w := rawWriter{rawConn(t, srv.Addr())}
	w.create(t, "/r", "v1")
	src := watch.Reopen(func(ctx context.Context) (zkstore.Store, error) {
		s, err := livestore.Open(ctx, []string{srv.Addr()}, livestore.SessionTimeout(4*time.Second),
			livestore.ConnectTimeout(10*time.Second))
		if err != nil {
			return nil, err
		}
		return s, nil
	})
	defer src.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	node := watch.Node(ctx, src, "/r")
	recv(t, node, 5*time.Second)

	start := time.Now()
	rctx, rcancel := context.WithTimeout(ctx, time.Minute)
	defer rcancel()
	must(t, srv.Restart(rctx))
	t.Logf("restart took %v", time.Since(start))
	recvType(t, node, watch.Disconnected, 10*time.Second)
	// The raw client reconnects too; write once it can.
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, err := w.c.Set("/r", []byte("v2"), -1)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	evs := until(t, node, 20*time.Second, func(ev watch.Event) bool { return string(ev.Data) == "v2" })
	t.Logf("after restart: %v", evs)
	w.set(t, "/r", "v3")
	evs = until(t, node, 10*time.Second, func(ev watch.Event) bool { return string(ev.Data) == "v3" })
	if last := evs[len(evs)-1]; last.Type != watch.DataChanged {
		t.Fatalf("got %v", evs)
	}
	t.Logf("restart to resumed stream: %v", time.Since(start))
}
