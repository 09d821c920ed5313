package memstore_test

import (
	"testing"

	"github.com/zksql/zksql/zkstore"
)

func TestMultiResults(t *testing.T) {
	srv := newServer(t)
	s := connect(t, srv)
	mustCreate(t, s, "/q", nil, zkstore.CreateOptions{})
	seq := zkstore.ModePersistentSequential
	res, err := s.Multi(ctx,
		&zkstore.CreateOp{Path: "/q/m-", Mode: seq},
		&zkstore.CreateOp{Path: "/q/m-", Mode: zkstore.ModeEphemeralSequential},
		&zkstore.CreateOp{Path: "/q/p"},
		&zkstore.CreateOp{Path: "/q/p/c", Data: []byte("x")},
		&zkstore.SetOp{Path: "/q/p", Data: []byte("1"), Version: 0},
		&zkstore.CreateOp{Path: "/q/p/d"},
		&zkstore.CheckOp{Path: "/q/p", Version: 1},
		&zkstore.DeleteOp{Path: "/q/p/c", Version: 0},
	)
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Path != "/q/m-0000000000" || res[1].Path != "/q/m-0000000001" || res[2].Path != "/q/p" || res[3].Path != "/q/p/c" {
		t.Errorf("paths %+v", res)
	}
	// The set's Stat is the znode's at that op (verified live), before the
	// later create of /q/p/d.
	if st := res[4].Stat; st.Version != 1 || st.NumChildren != 1 || st.Cversion != 1 {
		t.Errorf("set result %+v", st)
	}
	z := srv.Zxid()
	for _, p := range []string{"/q/m-0000000000", "/q/p", "/q/p/d"} {
		if st := mustStat(t, s, p); st.Czxid != z {
			t.Errorf("%s czxid %d, want %d", p, st.Czxid, z)
		}
	}
	if st := mustStat(t, s, "/q/p"); st.Cversion != 3 || st.NumChildren != 1 || st.Mzxid != z || st.Pzxid != z {
		t.Errorf("/q/p %+v", st)
	}

	before := mustStat(t, s, "/q")
	res, err = s.Multi(ctx,
		&zkstore.CreateOp{Path: "/q/n1"},
		&zkstore.SetOp{Path: "/q/zz", Version: -1},
		&zkstore.CreateOp{Path: "/q/n2"},
		&zkstore.CheckOp{Path: "/q", Version: 99},
	)
	wantErr(t, "failed multi", err, zkstore.ErrNoNode)
	var pe *zkstore.PathError
	if !errorsAs(err, &pe) || pe.Path != "/q/zz" {
		t.Errorf("error %v does not name the failing op", err)
	}
	if len(res) != 4 || res[0].Err != nil || res[1].Err != zkstore.ErrNoNode ||
		res[2].Err != zkstore.ErrRuntimeInconsistency || res[3].Err != zkstore.ErrRuntimeInconsistency || res[0].Path != "" {
		t.Errorf("results %+v", res)
	}
	if after := mustStat(t, s, "/q"); after != before {
		t.Errorf("failed multi changed /q: %+v -> %+v", before, after)
	}
	if got := mustCreate(t, s, "/q/m-", nil, zkstore.CreateOptions{Mode: seq}); got != "/q/m-0000000003" {
		t.Errorf("sequence after failed multi = %q", got)
	}
	// Client-side refusals name their op and take no zxid.
	z = srv.Zxid()
	res, err = s.Multi(ctx, &zkstore.CheckOp{Path: "/q"}, &zkstore.DeleteOp{Path: "bad"})
	wantErr(t, "bad path in multi", err, zkstore.ErrInvalidPath)
	if len(res) != 2 || res[1].Err == nil || srv.Zxid() != z {
		t.Errorf("results %+v, zxid %d -> %d", res, z, srv.Zxid())
	}
	_, err = s.Multi(ctx, nil)
	wantErr(t, "nil op", err, zkstore.ErrBadArguments)
}

func TestMultiWatchOrder(t *testing.T) {
	srv := newServer(t)
	a, b := connect(t, srv), connect(t, srv)
	mustCreate(t, a, "/w", nil, zkstore.CreateOptions{})
	mustCreate(t, a, "/w/b", nil, zkstore.CreateOptions{})
	_, _, created, _ := b.ExistsW(ctx, "/w/a")
	_, _, kids, _ := b.ChildrenW(ctx, "/w")
	_, _, data, _ := b.GetW(ctx, "/w")
	_, _, gone, _ := b.GetW(ctx, "/w/b")
	_, _, goneKids, _ := b.ChildrenW(ctx, "/w/b")
	_, err := a.Multi(ctx,
		&zkstore.CreateOp{Path: "/w/a"},
		&zkstore.SetOp{Path: "/w", Data: []byte("x"), Version: -1},
		&zkstore.DeleteOp{Path: "/w/b", Version: -1},
	)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []struct {
		ch   <-chan zkstore.Event
		typ  zkstore.EventType
		path string
	}{
		{created, zkstore.EventNodeCreated, "/w/a"},
		{kids, zkstore.EventNodeChildrenChanged, "/w"},
		{data, zkstore.EventNodeDataChanged, "/w"},
		{gone, zkstore.EventNodeDeleted, "/w/b"},
		{goneKids, zkstore.EventNodeDeleted, "/w/b"},
	} {
		if ev := recv(t, w.ch); ev.Type != w.typ || ev.Path != w.path || ev.Err != nil {
			t.Errorf("event %+v, want %v %s", ev, w.typ, w.path)
		}
	}
	// A failed multi fires nothing.
	_, _, ch, _ := b.ExistsW(ctx, "/w/z")
	_, _ = a.Multi(ctx, &zkstore.CreateOp{Path: "/w/z"}, &zkstore.CheckOp{Path: "/nope"})
	quiet(t, ch)
}
