package memstore_test

import (
	"testing"

	"github.com/zksql/zksql/zkstore"
)

// Observed on a live 3.8.0 server: every write request takes a zxid, failed
// ones too; sessions take one to open and one to close; reads take none.
func TestZxidAccounting(t *testing.T) {
	srv := newServer(t)
	if z := srv.Zxid(); z != 0 {
		t.Fatalf("fresh zxid %d", z)
	}
	s := connect(t, srv)
	if z := srv.Zxid(); z != 1 {
		t.Fatalf("zxid after connect %d, want 1", z)
	}
	steps := []struct {
		name  string
		delta int64
		fn    func() error
	}{
		{"create", 1, func() error { _, err := s.Create(ctx, "/a", nil, zkstore.CreateOptions{}); return err }},
		{"create exists", 1, func() error { _, err := s.Create(ctx, "/a", nil, zkstore.CreateOptions{}); return err }},
		{"create no parent", 1, func() error { _, err := s.Create(ctx, "/x/y", nil, zkstore.CreateOptions{}); return err }},
		{"set bad version", 1, func() error { _, err := s.Set(ctx, "/a", nil, 7); return err }},
		{"delete not empty", 1, func() error { return s.Delete(ctx, "/zookeeper", -1) }},
		{"setACL", 1, func() error { _, err := s.SetACL(ctx, "/a", zkstore.OpenACLUnsafe(), -1); return err }},
		{"failed multi", 1, func() error {
			_, err := s.Multi(ctx, &zkstore.CreateOp{Path: "/m"}, &zkstore.CreateOp{Path: "/a"})
			return err
		}},
		{"empty multi", 1, func() error { _, err := s.Multi(ctx); return err }},
		{"ttl 0 (server refuses)", 1, func() error {
			_, err := s.Create(ctx, "/t", nil, zkstore.CreateOptions{Mode: zkstore.ModePersistentTTL})
			return err
		}},
		{"get", 0, func() error { _, _, err := s.Get(ctx, "/a"); return err }},
		{"exists", 0, func() error { _, _, err := s.Exists(ctx, "/nope"); return err }},
		{"children", 0, func() error { _, _, err := s.Children(ctx, "/"); return err }},
		{"getACL", 0, func() error { _, _, err := s.GetACL(ctx, "/a"); return err }},
		{"sync", 0, func() error { return s.Sync(ctx, "/a") }},
		{"addAuth", 0, func() error { return s.AddAuth(ctx, "digest", []byte("u:p")) }},
		{"bad path (client side)", 0, func() error { _, err := s.Create(ctx, "a", nil, zkstore.CreateOptions{}); return err }},
		{"ttl with persistent (client side)", 0, func() error {
			_, err := s.Create(ctx, "/t", nil, zkstore.CreateOptions{TTL: 1})
			return err
		}},
		{"connect", 1, func() error { srv.Connect(); return nil }},
	}
	for _, st := range steps {
		before := srv.Zxid()
		_ = st.fn()
		if d := srv.Zxid() - before; d != st.delta {
			t.Errorf("%s took %d zxids, want %d", st.name, d, st.delta)
		}
	}
	s2 := srv.Connect()
	before := srv.Zxid()
	s2.Close()
	s2.Close()
	if d := srv.Zxid() - before; d != 1 {
		t.Errorf("close took %d zxids, want 1", d)
	}
	// A create's czxid shows it: the failed create in between took one.
	p1 := mustStat(t, s, "/a").Czxid
	_, _ = s.Create(ctx, "/a", nil, zkstore.CreateOptions{})
	mustCreate(t, s, "/b", nil, zkstore.CreateOptions{})
	if got := mustStat(t, s, "/b").Czxid; got <= p1 || got != srv.Zxid() {
		t.Errorf("czxid of /b %d, server zxid %d", got, srv.Zxid())
	}
}

func TestSetACLKeepsMzxid(t *testing.T) {
	srv := newServer(t)
	s := connect(t, srv)
	mustCreate(t, s, "/a", nil, zkstore.CreateOptions{})
	before := mustStat(t, s, "/a")
	st, err := s.SetACL(ctx, "/a", zkstore.WorldACL(zkstore.PermAll), 0)
	if err != nil {
		t.Fatal(err)
	}
	if st.Aversion != 1 || st.Mzxid != before.Mzxid || st.Mtime != before.Mtime || st.Version != 0 {
		t.Errorf("after setACL %+v, before %+v", st, before)
	}
	_, err = s.SetACL(ctx, "/a", zkstore.OpenACLUnsafe(), 0)
	wantErr(t, "setACL stale aversion", err, zkstore.ErrBadVersion)
}
