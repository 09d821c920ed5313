package memstore_test

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/zksql/zksql/zkstore"
	"github.com/zksql/zksql/zkstore/memstore"
)

// What `stat` shows on a fresh live 3.8.0 server.
func TestFreshTree(t *testing.T) {
	s := connect(t, newServer(t))
	for _, tc := range []struct {
		path     string
		cversion int32
		aversion int32
		children []string
		acl      []zkstore.ACL
	}{
		{"/", -1, 0, []string{"zookeeper"}, zkstore.OpenACLUnsafe()},
		{"/zookeeper", -2, 0, []string{"config", "quota"}, zkstore.OpenACLUnsafe()},
		{"/zookeeper/config", 0, -1, []string{}, zkstore.ReadACLUnsafe()},
		{"/zookeeper/quota", 0, 0, []string{}, zkstore.OpenACLUnsafe()},
	} {
		data, st, err := s.Get(ctx, tc.path)
		if err != nil {
			t.Fatal(err)
		}
		if data == nil || len(data) != 0 {
			t.Errorf("%s data %q", tc.path, data)
		}
		want := zkstore.Stat{Cversion: tc.cversion, Aversion: tc.aversion, NumChildren: int32(len(tc.children))}
		if st != want {
			t.Errorf("%s stat %+v, want %+v", tc.path, st, want)
		}
		names, _, _ := s.Children(ctx, tc.path)
		if !slices.Equal(names, tc.children) {
			t.Errorf("%s children %q", tc.path, names)
		}
		acl, _, _ := s.GetACL(ctx, tc.path)
		if !slices.Equal(acl, tc.acl) {
			t.Errorf("%s acl %v", tc.path, acl)
		}
	}
	for _, p := range []string{"/", "/zookeeper", "/zookeeper/quota", "/zookeeper/config"} {
		wantErr(t, "delete "+p, s.Delete(ctx, p, -1), zkstore.ErrBadArguments)
	}
	_, err := s.Create(ctx, "/", nil, zkstore.CreateOptions{})
	wantErr(t, "create /", err, zkstore.ErrNodeExists)
	_, err = s.Create(ctx, "/zookeeper/config/x", nil, zkstore.CreateOptions{})
	wantErr(t, "create under config", err, zkstore.ErrNoAuth)
	// The root's stored cversion is 0 although it shows -1.
	if p := mustCreate(t, s, "/s-", nil, zkstore.CreateOptions{Mode: zkstore.ModePersistentSequential}); p != "/s-0000000000" {
		t.Errorf("first sequential under / = %q", p)
	}
	if st := mustStat(t, s, "/"); st.Cversion != 0 || st.NumChildren != 2 {
		t.Errorf("/ after create %+v", st)
	}
}

// ZooKeeper numbers sequential znodes by the count of child creations; the
// reported Cversion counts deletions too. Verified live: create a-, b-,
// delete a-, then "p/" gets 0000000002 while Cversion says 3.
func TestSequentialNaming(t *testing.T) {
	s := connect(t, newServer(t))
	mustCreate(t, s, "/p", nil, zkstore.CreateOptions{})
	seq := zkstore.CreateOptions{Mode: zkstore.ModePersistentSequential}
	a := mustCreate(t, s, "/p/a-", nil, seq)
	b := mustCreate(t, s, "/p/b-", nil, seq)
	if a != "/p/a-0000000000" || b != "/p/b-0000000001" {
		t.Fatalf("got %q %q", a, b)
	}
	if err := s.Delete(ctx, a, -1); err != nil {
		t.Fatal(err)
	}
	if st := mustStat(t, s, "/p"); st.Cversion != 3 || st.NumChildren != 1 {
		t.Errorf("/p %+v", st)
	}
	if got := mustCreate(t, s, "/p/", nil, seq); got != "/p/0000000002" {
		t.Errorf("trailing slash = %q", got)
	}
	if st := mustStat(t, s, "/p"); st.Cversion != 4 {
		t.Errorf("/p Cversion %d", st.Cversion)
	}
	// A failed create does not advance the counter.
	mustCreate(t, s, "/p/c-0000000004", nil, zkstore.CreateOptions{}) // counter now 4
	_, err := s.Create(ctx, "/p/c-", nil, seq)
	wantErr(t, "colliding sequential", err, zkstore.ErrNodeExists)
	if got := mustCreate(t, s, "/p/d-", nil, seq); got != "/p/d-0000000004" {
		t.Errorf("after failed create = %q", got)
	}
}

func TestStatAndData(t *testing.T) {
	clock := &fakeClock{now: time.UnixMilli(1_000_000)}
	srv := newServer(t, memstore.Clock(clock.Now))
	s := connect(t, srv)
	mustCreate(t, s, "/p", nil, zkstore.CreateOptions{})
	mustCreate(t, s, "/p/e", []byte{}, zkstore.CreateOptions{Mode: zkstore.ModeEphemeral})
	clock.Add(time.Second)
	in := []byte("abc")
	mustCreate(t, s, "/p/c", in, zkstore.CreateOptions{Mode: zkstore.ModeContainer})
	in[0] = 'X'
	data, st, _ := s.Get(ctx, "/p/c")
	if string(data) != "abc" || st.Ctime != 1_001_000 || st.EphemeralOwner != 0 || st.Czxid != st.Pzxid || st.DataLength != 3 {
		t.Errorf("container %q %+v", data, st)
	}
	data[0] = 'Y'
	if d, _, _ := s.Get(ctx, "/p/c"); string(d) != "abc" {
		t.Errorf("Get shares its slice: %q", d)
	}
	if st := mustStat(t, s, "/p/e"); st.EphemeralOwner != s.SessionID() {
		t.Errorf("ephemeral owner %#x, session %#x", st.EphemeralOwner, s.SessionID())
	}
	mustCreate(t, s, "/p/t", nil, zkstore.CreateOptions{Mode: zkstore.ModePersistentTTL, TTL: time.Hour})
	if st := mustStat(t, s, "/p/t"); st.EphemeralOwner != 0 {
		t.Errorf("TTL owner shown: %#x", st.EphemeralOwner)
	}
	// nil stays nil, empty stays empty, as go-zookeeper shows them.
	if d, _, _ := s.Get(ctx, "/p"); d != nil {
		t.Errorf("nil data came back as %#v", d)
	}
	if d, _, _ := s.Get(ctx, "/p/e"); d == nil {
		t.Error("empty data came back nil")
	}
	clock.Add(time.Second)
	st, err := s.Set(ctx, "/p/c", []byte("de"), 0)
	if err != nil || st.Version != 1 || st.Mtime != 1_002_000 || st.Mzxid != srv.Zxid() || st.Czxid == st.Mzxid {
		t.Errorf("Set = %+v, %v", st, err)
	}
	if _, err := s.Set(ctx, "/p/c", nil, -1); err != nil {
		t.Fatal(err)
	}
	if d, _, _ := s.Get(ctx, "/p/c"); d != nil {
		t.Errorf("set nil came back %#v", d)
	}
	_, err = s.Create(ctx, "/p/e/x", nil, zkstore.CreateOptions{})
	wantErr(t, "child of ephemeral", err, zkstore.ErrNoChildrenForEphemerals)
	_, err = s.Create(ctx, "/p/e", nil, zkstore.CreateOptions{})
	wantErr(t, "existing ephemeral", err, zkstore.ErrNodeExists)
	mustCreate(t, s, "/p/t/kid", nil, zkstore.CreateOptions{}) // TTL and container parents are fine
	wantErr(t, "delete non-empty", s.Delete(ctx, "/p/t", -1), zkstore.ErrNotEmpty)
	wantErr(t, "delete bad version", s.Delete(ctx, "/p/t", 3), zkstore.ErrBadVersion)
	parent := mustStat(t, s, "/p")
	if err := s.Delete(ctx, "/p/e", -1); err != nil {
		t.Fatal(err)
	}
	after := mustStat(t, s, "/p")
	if after.Pzxid != srv.Zxid() || after.Cversion != parent.Cversion+1 || after.NumChildren != parent.NumChildren-1 {
		t.Errorf("parent after delete %+v, before %+v", after, parent)
	}
	big := bytes.Repeat([]byte{1}, memstore.DefaultMaxDataSize+1)
	before := srv.Zxid()
	_, err = s.Create(ctx, "/big", big, zkstore.CreateOptions{})
	wantErr(t, "too large", err, zkstore.ErrDataTooLarge)
	_, err = s.Set(ctx, "/p", big, -1)
	wantErr(t, "set too large", err, zkstore.ErrDataTooLarge)
	if srv.Zxid() != before {
		t.Error("a refused request took a zxid")
	}
	for _, ttl := range []time.Duration{0, -time.Millisecond, zkstore.MaxTTL + time.Millisecond, 1500 * time.Microsecond} {
		_, err = s.Create(ctx, "/t", nil, zkstore.CreateOptions{Mode: zkstore.ModePersistentTTL, TTL: ttl})
		wantErr(t, "ttl "+ttl.String(), err, zkstore.ErrBadArguments)
	}
	_, err = s.Create(ctx, "/t", nil, zkstore.CreateOptions{Mode: zkstore.ModeEphemeral, TTL: time.Second})
	wantErr(t, "ttl with ephemeral", err, zkstore.ErrBadArguments)
	_, err = s.Create(ctx, "/t", nil, zkstore.CreateOptions{Mode: 9})
	wantErr(t, "bad mode", err, zkstore.ErrBadArguments)
	mustCreate(t, s, "/t", nil, zkstore.CreateOptions{Mode: zkstore.ModePersistentTTL, TTL: zkstore.MaxTTL})
	_, err = s.Create(ctx, "/a//b", nil, zkstore.CreateOptions{})
	wantErr(t, "bad path", err, zkstore.ErrInvalidPath)
	var pe *zkstore.PathError
	if _, err := s.Create(ctx, "/p/e/x", nil, zkstore.CreateOptions{}); !errorsAs(err, &pe) || pe.Op != "create" || pe.Path != "/p/e/x" {
		t.Errorf("error %#v is not a PathError", err)
	}
}
