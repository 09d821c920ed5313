package memstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/zksql/zksql/zkstore"
	"github.com/zksql/zksql/zkstore/memstore"
)

func TestCloseDeletesEphemerals(t *testing.T) {
	srv := newServer(t)
	a, b := connect(t, srv), connect(t, srv)
	mustCreate(t, b, "/eph", nil, zkstore.CreateOptions{})
	mustCreate(t, b, "/eph/sub", nil, zkstore.CreateOptions{})
	for _, p := range []string{"/eph/x1", "/eph/x2", "/eph/sub/x3"} {
		mustCreate(t, a, p, nil, zkstore.CreateOptions{Mode: zkstore.ModeEphemeral})
	}
	mustCreate(t, a, "/keep", nil, zkstore.CreateOptions{})
	_, _, bx1, _ := b.ExistsW(ctx, "/eph/x1")
	_, _, bkids, _ := b.ChildrenW(ctx, "/eph")
	_, _, ax1, _ := a.GetW(ctx, "/eph/x1")
	_, _, akeep, _ := a.GetW(ctx, "/keep")
	events := a.SessionEvents(ctx)
	if ev := <-events; ev.State != zkstore.StateConnected || ev.SessionID != a.SessionID() {
		t.Errorf("first session event %+v", ev)
	}
	before := srv.Zxid()
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	z := srv.Zxid()
	if z != before+1 {
		t.Errorf("close took %d zxids", z-before)
	}
	for _, p := range []string{"/eph", "/eph/sub"} {
		if st := mustStat(t, b, p); st.Pzxid != z {
			t.Errorf("%s pzxid %d, want %d", p, st.Pzxid, z)
		}
	}
	if st := mustStat(t, b, "/eph"); st.NumChildren != 1 || st.Cversion != 5 {
		t.Errorf("/eph %+v", st)
	}
	if _, ok, _ := b.Exists(ctx, "/keep"); !ok {
		t.Error("persistent znode of the closed session is gone")
	}
	if ev := recv(t, bx1); ev.Type != zkstore.EventNodeDeleted {
		t.Errorf("b x1 %+v", ev)
	}
	if ev := recv(t, bkids); ev.Type != zkstore.EventNodeChildrenChanged {
		t.Errorf("b kids %+v", ev)
	}
	// Verified live: the closing session still hears its own deletions...
	if ev := recv(t, ax1); ev.Type != zkstore.EventNodeDeleted {
		t.Errorf("a x1 %+v", ev)
	}
	// ...and its other watches end.
	if ev := recv(t, akeep); ev.Type != zkstore.EventNotWatching || !errors.Is(ev.Err, zkstore.ErrClosed) {
		t.Errorf("a keep %+v", ev)
	}
	if ev, ok := <-events; !ok || ev.State != zkstore.StateClosed {
		t.Errorf("session event %+v %v", ev, ok)
	}
	if _, ok := <-events; ok {
		t.Error("session events not closed")
	}
	if a.State() != zkstore.StateClosed {
		t.Errorf("state %v", a.State())
	}
	_, _, err := a.Get(ctx, "/keep")
	wantErr(t, "get after close", err, zkstore.ErrClosed)
	if err := a.Close(); err != nil {
		t.Errorf("second close: %v", err)
	}
	if ev, ok := <-a.SessionEvents(ctx); !ok || ev.State != zkstore.StateClosed {
		t.Errorf("SessionEvents after close: %+v %v", ev, ok)
	}
}

func TestExpire(t *testing.T) {
	srv := newServer(t)
	a, b := connect(t, srv), connect(t, srv)
	mustCreate(t, a, "/e", nil, zkstore.CreateOptions{Mode: zkstore.ModeEphemeral})
	_, _, own, _ := a.ExistsW(ctx, "/e")
	_, _, other, _ := b.ExistsW(ctx, "/e")
	events := a.SessionEvents(ctx)
	<-events
	before := srv.Zxid()
	if err := srv.Expire(a.SessionID()); err != nil {
		t.Fatal(err)
	}
	if srv.Zxid() != before+1 {
		t.Error("expire is not one transaction")
	}
	if ev := recv(t, own); ev.Type != zkstore.EventNotWatching || !errors.Is(ev.Err, zkstore.ErrSessionExpired) {
		t.Errorf("own watch %+v", ev)
	}
	if ev := recv(t, other); ev.Type != zkstore.EventNodeDeleted {
		t.Errorf("other watch %+v", ev)
	}
	if ev := <-events; ev.State != zkstore.StateExpired {
		t.Errorf("event %+v", ev)
	}
	if a.State() != zkstore.StateExpired {
		t.Errorf("state %v", a.State())
	}
	_, err := a.Create(ctx, "/f", nil, zkstore.CreateOptions{})
	wantErr(t, "create after expiry", err, zkstore.ErrSessionExpired)
	wantErr(t, "expire twice", srv.Expire(a.SessionID()), memstore.ErrNoSession)
	if err := a.Close(); err != nil {
		t.Error(err)
	}
	if a.State() != zkstore.StateExpired {
		t.Errorf("close changed an expired session to %v", a.State())
	}
}

func TestSessionEventsContext(t *testing.T) {
	srv := newServer(t)
	s := connect(t, srv)
	c, cancel := context.WithCancel(ctx)
	ch := s.SessionEvents(c)
	<-ch
	cancel()
	select {
	case _, ok := <-ch:
		if ok {
			t.Error("event after cancel")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("channel not closed after cancel")
	}
}

func TestServerClose(t *testing.T) {
	srv := memstore.NewServer(memstore.ContainerCheckInterval(time.Millisecond))
	s := srv.Connect()
	mustCreate(t, s, "/a", nil, zkstore.CreateOptions{})
	_, _, w, _ := s.GetW(ctx, "/a")
	srv.Close()
	srv.Close()
	if ev := recv(t, w); ev.Type != zkstore.EventNotWatching || !errors.Is(ev.Err, zkstore.ErrClosed) {
		t.Errorf("watch %+v", ev)
	}
	_, _, err := s.Get(ctx, "/a")
	wantErr(t, "get after server close", err, zkstore.ErrClosed)
	late := srv.Connect()
	if late.State() != zkstore.StateClosed {
		t.Errorf("session on a closed server is %v", late.State())
	}
}

func TestContextAndFaults(t *testing.T) {
	srv := newServer(t)
	s := connect(t, srv)
	c, cancel := context.WithCancel(ctx)
	cancel()
	z := srv.Zxid()
	_, err := s.Create(c, "/a", nil, zkstore.CreateOptions{})
	wantErr(t, "cancelled create", err, context.Canceled)
	if srv.Zxid() != z {
		t.Error("cancelled create applied")
	}

	srv.InjectFault(memstore.FailOnce("create", "/a", zkstore.ErrConnectionLoss))
	_, err = s.Create(ctx, "/a", nil, zkstore.CreateOptions{})
	wantErr(t, "fault before", err, zkstore.ErrConnectionLoss)
	if _, ok, _ := s.Exists(ctx, "/a"); ok {
		t.Error("fault before applying applied")
	}
	srv.InjectFault(memstore.FailOnce("create", "", memstore.FailAfter(zkstore.ErrConnectionLoss)))
	_, err = s.Create(ctx, "/a", nil, zkstore.CreateOptions{})
	wantErr(t, "fault after", err, zkstore.ErrConnectionLoss)
	if _, ok, _ := s.Exists(ctx, "/a"); !ok {
		t.Error("fault after applying did not apply")
	}
	mustCreate(t, s, "/b", nil, zkstore.CreateOptions{}) // FailOnce is spent
	srv.InjectFault(func(op, path string) error {
		if op == "multi" {
			return memstore.FailAfter(zkstore.ErrConnectionLoss)
		}
		return nil
	})
	res, err := s.Multi(ctx, &zkstore.DeleteOp{Path: "/b", Version: -1})
	wantErr(t, "multi fault", err, zkstore.ErrConnectionLoss)
	if res != nil {
		t.Errorf("results of an unknown outcome: %+v", res)
	}
	srv.InjectFault(nil)
	if _, ok, _ := s.Exists(ctx, "/b"); ok {
		t.Error("multi not applied")
	}
}

func TestSessionIDsAndTimeout(t *testing.T) {
	srv := newServer(t)
	a := connect(t, srv)
	b := srv.Connect(memstore.SessionTimeout(time.Hour))
	defer b.Close()
	if a.SessionID()>>56 != 1 || b.SessionID() != a.SessionID()+1 {
		t.Errorf("session ids %#x %#x", a.SessionID(), b.SessionID())
	}
	if a.Timeout() != memstore.DefaultSessionTimeout || b.Timeout() != 40*time.Second {
		t.Errorf("timeouts %v %v", a.Timeout(), b.Timeout())
	}
	if ids := srv.Sessions(); len(ids) != 2 {
		t.Errorf("sessions %v", ids)
	}
}
