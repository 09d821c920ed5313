package memstore_test

import (
	"testing"

	"github.com/zksql/zksql/zkstore"
)

func TestWatchKinds(t *testing.T) {
	srv := newServer(t)
	a, b := connect(t, srv), connect(t, srv)

	// exists on an absent znode: NodeCreated; get and children refuse it.
	st, ok, created, err := b.ExistsW(ctx, "/x")
	if err != nil || ok || st != (zkstore.Stat{}) || created == nil {
		t.Fatalf("ExistsW absent = %+v %v %v %v", st, ok, created, err)
	}
	_, _, ch, err := b.GetW(ctx, "/x")
	wantErr(t, "GetW absent", err, zkstore.ErrNoNode)
	if ch != nil {
		t.Error("GetW on an absent znode returned a watch")
	}
	// Two watches of one session on one path both fire.
	_, _, created2, _ := b.ExistsW(ctx, "/x")
	_, _, rootKids, _ := b.ChildrenW(ctx, "/")
	mustCreate(t, a, "/x", nil, zkstore.CreateOptions{})
	for _, c := range []<-chan zkstore.Event{created, created2} {
		if ev := recv(t, c); ev.Type != zkstore.EventNodeCreated || ev.Path != "/x" {
			t.Errorf("created %+v", ev)
		}
	}
	if ev := recv(t, rootKids); ev.Type != zkstore.EventNodeChildrenChanged || ev.Path != "/" {
		t.Errorf("root children %+v", ev)
	}

	// setData fires data watches only; setACL fires nothing.
	_, _, data, _ := b.GetW(ctx, "/x")
	_, _, exists, _ := b.ExistsW(ctx, "/x")
	_, _, kids, _ := b.ChildrenW(ctx, "/x")
	if _, err := a.SetACL(ctx, "/x", zkstore.OpenACLUnsafe(), -1); err != nil {
		t.Fatal(err)
	}
	quiet(t, data)
	if _, err := a.Set(ctx, "/x", []byte("1"), -1); err != nil {
		t.Fatal(err)
	}
	for _, c := range []<-chan zkstore.Event{data, exists} {
		if ev := recv(t, c); ev.Type != zkstore.EventNodeDataChanged {
			t.Errorf("data %+v", ev)
		}
	}
	quiet(t, kids)
	// A child's create fires the child watch.
	mustCreate(t, a, "/x/c", nil, zkstore.CreateOptions{})
	if ev := recv(t, kids); ev.Type != zkstore.EventNodeChildrenChanged || ev.Path != "/x" {
		t.Errorf("kids %+v", ev)
	}
	// Delete fires NodeDeleted on data and child watches of the znode.
	_, _, data, _ = b.GetW(ctx, "/x/c")
	_, _, kids, _ = b.ChildrenW(ctx, "/x/c")
	_, _, parentKids, _ := b.ChildrenW(ctx, "/x")
	if err := a.Delete(ctx, "/x/c", -1); err != nil {
		t.Fatal(err)
	}
	for _, c := range []<-chan zkstore.Event{data, kids} {
		if ev := recv(t, c); ev.Type != zkstore.EventNodeDeleted || ev.Path != "/x/c" {
			t.Errorf("deleted %+v", ev)
		}
	}
	if ev := recv(t, parentKids); ev.Type != zkstore.EventNodeChildrenChanged {
		t.Errorf("parent %+v", ev)
	}
	// The writer's own watches fire before its write returns.
	_, _, own, _ := a.GetW(ctx, "/x")
	if _, err := a.Set(ctx, "/x", nil, -1); err != nil {
		t.Fatal(err)
	}
	select {
	case ev := <-own:
		if ev.Type != zkstore.EventNodeDataChanged {
			t.Errorf("own %+v", ev)
		}
	default:
		t.Error("own watch had not fired when Set returned")
	}
}

// Events reach each session in zxid order, and a read after an event sees
// at least that event's state.
func TestWatchOrderAndConsistency(t *testing.T) {
	srv := newServer(t)
	a, b := connect(t, srv), connect(t, srv)
	mustCreate(t, a, "/c", nil, zkstore.CreateOptions{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 200; i++ {
			if _, err := a.Set(ctx, "/c", []byte{byte(i)}, -1); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	last := int32(-1)
	for {
		_, st, ch, err := b.GetW(ctx, "/c")
		if err != nil {
			t.Fatal(err)
		}
		if st.Version < last {
			t.Fatalf("version went back: %d after %d", st.Version, last)
		}
		last = st.Version
		if last == 200 {
			break
		}
		recv(t, ch)
		if _, st2, _ := b.Get(ctx, "/c"); st2.Version <= st.Version {
			t.Fatalf("read after event saw version %d, watch set at %d", st2.Version, st.Version)
		}
	}
	<-done
}
