package memstore_test

import (
	"slices"
	"testing"
	"time"

	"github.com/zksql/zksql/zkstore"
	"github.com/zksql/zksql/zkstore/memstore"
)

func TestReaper(t *testing.T) {
	clock := &fakeClock{now: time.UnixMilli(5_000_000)}
	srv := newServer(t, memstore.Clock(clock.Now), memstore.ContainerCheckInterval(-1))
	s := connect(t, srv)
	mustCreate(t, s, "/never", nil, zkstore.CreateOptions{Mode: zkstore.ModeContainer})
	mustCreate(t, s, "/ctr", nil, zkstore.CreateOptions{Mode: zkstore.ModeContainer})
	mustCreate(t, s, "/ctr/sub", nil, zkstore.CreateOptions{Mode: zkstore.ModeContainer})
	mustCreate(t, s, "/ctr/sub/x", nil, zkstore.CreateOptions{})
	mustCreate(t, s, "/t1", nil, zkstore.CreateOptions{Mode: zkstore.ModePersistentTTL, TTL: time.Second})
	mustCreate(t, s, "/t2", nil, zkstore.CreateOptions{Mode: zkstore.ModePersistentTTL, TTL: time.Second})
	mustCreate(t, s, "/t2/kid", nil, zkstore.CreateOptions{})
	if got := srv.CheckContainers(); len(got) != 0 {
		t.Fatalf("reaped early: %v", got)
	}
	_, _, w, _ := s.ExistsW(ctx, "/ctr/sub")
	_, _, kids, _ := s.ChildrenW(ctx, "/ctr")
	if err := s.Delete(ctx, "/ctr/sub/x", -1); err != nil {
		t.Fatal(err)
	}
	clock.Add(time.Second) // not more than the TTL yet
	z := srv.Zxid()
	if got := srv.CheckContainers(); !slices.Equal(got, []string{"/ctr/sub"}) {
		t.Fatalf("first pass %v", got)
	}
	if srv.Zxid() != z+1 {
		t.Error("a reaped znode is not one transaction")
	}
	if ev := recv(t, w); ev.Type != zkstore.EventNodeDeleted {
		t.Errorf("watch %+v", ev)
	}
	if ev := recv(t, kids); ev.Type != zkstore.EventNodeChildrenChanged {
		t.Errorf("watch %+v", ev)
	}
	clock.Add(time.Millisecond)
	if got := srv.CheckContainers(); !slices.Equal(got, []string{"/ctr", "/t1"}) {
		t.Fatalf("second pass %v", got)
	}
	if err := s.Delete(ctx, "/t2/kid", -1); err != nil {
		t.Fatal(err)
	}
	if got := srv.CheckContainers(); !slices.Equal(got, []string{"/t2"}) {
		t.Fatalf("third pass %v", got)
	}
	if _, ok, _ := s.Exists(ctx, "/never"); !ok {
		t.Error("a never-used container was reaped")
	}
	// Setting data renews a TTL znode.
	mustCreate(t, s, "/t3", nil, zkstore.CreateOptions{Mode: zkstore.ModePersistentTTL, TTL: time.Second})
	clock.Add(900 * time.Millisecond)
	_, _ = s.Set(ctx, "/t3", nil, -1)
	clock.Add(900 * time.Millisecond)
	if got := srv.CheckContainers(); len(got) != 0 {
		t.Errorf("renewed TTL reaped: %v", got)
	}
}

func TestReaperBackground(t *testing.T) {
	srv := newServer(t, memstore.ContainerCheckInterval(10*time.Millisecond), memstore.ContainerMaxNeverUsed(time.Millisecond))
	s := connect(t, srv)
	mustCreate(t, s, "/c", nil, zkstore.CreateOptions{Mode: zkstore.ModeContainer})
	_, _, w, _ := s.ExistsW(ctx, "/c")
	if ev := recv(t, w); ev.Type != zkstore.EventNodeDeleted {
		t.Errorf("watch %+v", ev)
	}
}
