package livestore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/zksql/zksql/internal/testkit/zkserver"
	"github.com/zksql/zksql/zkstore"
)

// noLeaks checks, after the test's other cleanups, that it left no goroutine.
func noLeaks(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, ignore, zkserver.IgnoreShared()) })
}

func TestOpenNoServer(t *testing.T) {
	noLeaks(t)
	// A port nobody listens on.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	start := time.Now()
	_, err = Open(context.Background(), []string{addr}, ConnectTimeout(500*time.Millisecond))
	if err == nil {
		t.Fatal("Open succeeded with no server")
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Open took %v with ConnectTimeout 500ms", d)
	}
	if !errors.Is(err, zkstore.ErrConnectionLoss) || !strings.Contains(err.Error(), addr) || !strings.Contains(err.Error(), "refused") {
		t.Errorf("Open error = %v; want ErrConnectionLoss naming %s and the dial error", err, addr)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err = Open(ctx, []string{addr})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Open with a short ctx = %v, want DeadlineExceeded", err)
	}

	if _, err := Open(context.Background(), nil); err == nil {
		t.Error("Open with no servers succeeded")
	}
	if _, err := Open(context.Background(), []string{addr}, Chroot("bad")); !errors.Is(err, zkstore.ErrInvalidPath) {
		t.Errorf("Open with chroot \"bad\" = %v, want ErrInvalidPath", err)
	}
}

func TestCRUD(t *testing.T) {
	s := open(t)
	ctx := ctxT(t)
	b := base(t, s)

	p, err := s.Create(ctx, b+"/a", []byte("hello"), zkstore.CreateOptions{})
	if err != nil || p != b+"/a" {
		t.Fatalf("Create = %q, %v", p, err)
	}
	data, st, err := s.Get(ctx, b+"/a")
	if err != nil || string(data) != "hello" || st.DataLength != 5 || st.Version != 0 || st.Czxid == 0 || st.Czxid != st.Mzxid || st.Ctime == 0 {
		t.Fatalf("Get = %q, %+v, %v", data, st, err)
	}
	st2, err := s.Set(ctx, b+"/a", []byte("bye"), 0)
	if err != nil || st2.Version != 1 || st2.Mzxid <= st.Mzxid || st2.Czxid != st.Czxid || st2.DataLength != 3 {
		t.Fatalf("Set = %+v, %v", st2, err)
	}
	st3, ok, err := s.Exists(ctx, b+"/a")
	if err != nil || !ok || st3 != st2 {
		t.Fatalf("Exists = %+v, %v, %v; want %+v", st3, ok, err, st2)
	}
	if _, ok, err := s.Exists(ctx, b+"/nope"); err != nil || ok {
		t.Fatalf("Exists(absent) = %v, %v", ok, err)
	}

	// Children come back sorted, whatever order the server keeps them in.
	names := []string{"z", "b", "y", "c", "x", "d", "w", "e", "0", "_"}
	for _, n := range names {
		if _, err := s.Create(ctx, b+"/a/"+n, nil, zkstore.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	kids, pst, err := s.Children(ctx, b+"/a")
	want := slices.Sorted(slices.Values(names))
	if err != nil || !slices.Equal(kids, want) || pst.NumChildren != int32(len(names)) {
		t.Fatalf("Children = %v, %+v, %v; want %v", kids, pst, err, want)
	}
	kids, _, err = s.Children(ctx, b+"/a/z")
	if err != nil || kids == nil || len(kids) != 0 {
		t.Fatalf("Children(leaf) = %#v, %v; want empty, non-nil", kids, err)
	}

	// nil and empty data are told apart, as the server keeps them.
	d, _, err := s.Get(ctx, b+"/a/z")
	if err != nil || d != nil {
		t.Errorf("Get(nil data) = %#v, %v; want nil", d, err)
	}
	s.Create(ctx, b+"/empty", []byte{}, zkstore.CreateOptions{})
	d, _, err = s.Get(ctx, b+"/empty")
	if err != nil || d == nil || len(d) != 0 {
		t.Errorf("Get(empty data) = %#v, %v; want empty, non-nil", d, err)
	}

	acl, ast, err := s.GetACL(ctx, b+"/a")
	if err != nil || !slices.Equal(acl, zkstore.OpenACLUnsafe()) || ast.Aversion != 0 {
		t.Fatalf("GetACL = %v, %+v, %v", acl, ast, err)
	}
	ast2, err := s.SetACL(ctx, b+"/a", zkstore.WorldACL(zkstore.PermAll&^zkstore.PermAdmin), 0)
	if err != nil || ast2.Aversion != 1 {
		t.Fatalf("SetACL = %+v, %v", ast2, err)
	}
	if err := s.Sync(ctx, b+"/a"); err != nil {
		t.Fatalf("Sync: %v", err)
	}

	for _, n := range names {
		if err := s.Delete(ctx, b+"/a/"+n, zkstore.AnyVersion); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Delete(ctx, b+"/a", 1); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, _, err := s.Get(ctx, b+"/a"); !errors.Is(err, zkstore.ErrNoNode) {
		t.Fatalf("Get after Delete = %v", err)
	}
}

func TestCreateModes(t *testing.T) {
	s := open(t)
	ctx := ctxT(t)
	b := base(t, s)

	p, err := s.Create(ctx, b+"/e", nil, zkstore.CreateOptions{Mode: zkstore.ModeEphemeral})
	if err != nil {
		t.Fatal(err)
	}
	st, _, _ := s.Exists(ctx, p)
	if st.EphemeralOwner != s.SessionID() || st.Kind() != zkstore.KindEphemeral {
		t.Errorf("ephemeral owner %#x, session %#x", st.EphemeralOwner, s.SessionID())
	}

	for i, mode := range []zkstore.CreateMode{zkstore.ModePersistentSequential, zkstore.ModeEphemeralSequential} {
		p, err := s.Create(ctx, b+"/seq-", nil, zkstore.CreateOptions{Mode: mode})
		want := b + "/seq-" + zkstore.SequenceSuffix(int32(1+i))
		if err != nil || p != want {
			t.Errorf("Create(%v) = %q, %v; want %q", mode, p, err, want)
		}
	}
	// A sequential create may end in "/": the name is all digits.
	if p, err := s.Create(ctx, b+"/", nil, zkstore.CreateOptions{Mode: zkstore.ModePersistentSequential}); err != nil || p != b+"/"+zkstore.SequenceSuffix(3) {
		t.Errorf("Create(%q, sequential) = %q, %v", b+"/", p, err)
	}

	// go-zookeeper's own path check refuses these; ZooKeeper takes them
	// (it validates the path with the sequence number appended).
	for _, name := range []string{".", ".."} {
		p, err := s.Create(ctx, b+"/"+name, nil, zkstore.CreateOptions{Mode: zkstore.ModePersistentSequential})
		if err != nil || !strings.HasPrefix(p, b+"/"+name+"0") {
			t.Errorf("Create(%q, sequential) = %q, %v", b+"/"+name, p, err)
		}
	}

	// The server shows containers and TTL nodes with EphemeralOwner 0
	// (DataNode.copyStat hides the markers), so only their reaping tells.
	p, err = s.Create(ctx, b+"/c", nil, zkstore.CreateOptions{Mode: zkstore.ModeContainer})
	if err != nil {
		t.Fatal(err)
	}
	if st, _, _ := s.Exists(ctx, p); st.EphemeralOwner != 0 {
		t.Errorf("container owner %#x", st.EphemeralOwner)
	}
	assertContainer(t, s, p)

	p, err = s.Create(ctx, b+"/t", nil, zkstore.CreateOptions{Mode: zkstore.ModePersistentTTL, TTL: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if st, _, _ := s.Exists(ctx, p); st.EphemeralOwner != 0 {
		t.Errorf("TTL node owner %#x", st.EphemeralOwner)
	}
	waitGone(t, s, p)
	p, err = s.Create(ctx, b+"/tseq-", nil, zkstore.CreateOptions{Mode: zkstore.ModePersistentSequentialTTL, TTL: zkstore.MaxTTL})
	if err != nil || !strings.HasPrefix(p, b+"/tseq-") {
		t.Fatalf("Create(sequential TTL) = %q, %v", p, err)
	}

	// Bad TTLs: the server refuses the values, we refuse TTL on other modes.
	for _, tc := range []struct {
		mode zkstore.CreateMode
		ttl  time.Duration
	}{
		{zkstore.ModePersistentTTL, 0},
		{zkstore.ModePersistentTTL, -time.Second},
		{zkstore.ModePersistentTTL, zkstore.MaxTTL + time.Millisecond},
		{zkstore.ModePersistentTTL, time.Microsecond},
		{zkstore.ModePersistent, time.Second},
		{zkstore.ModeContainer, time.Second},
		{zkstore.CreateMode(7), 0},
		{zkstore.CreateMode(-1), 0},
	} {
		_, err := s.Create(ctx, b+"/bad", nil, zkstore.CreateOptions{Mode: tc.mode, TTL: tc.ttl})
		if !errors.Is(err, zkstore.ErrBadArguments) {
			t.Errorf("Create(%v, TTL %v) = %v, want ErrBadArguments", tc.mode, tc.ttl, err)
		}
	}
}

func TestErrors(t *testing.T) {
	s := open(t)
	ctx := ctxT(t)
	b := base(t, s)
	s.Create(ctx, b+"/a", nil, zkstore.CreateOptions{})
	s.Create(ctx, b+"/a/kid", nil, zkstore.CreateOptions{})
	s.Create(ctx, b+"/eph", nil, zkstore.CreateOptions{Mode: zkstore.ModeEphemeral})
	s.Create(ctx, b+"/locked", nil, zkstore.CreateOptions{ACL: zkstore.DigestACL(zkstore.PermAll, "u", "p")})

	check := func(name string, err, want error, op, path string) {
		t.Helper()
		var pe *zkstore.PathError
		if !errors.Is(err, want) || !errors.As(err, &pe) || pe.Op != op || pe.Path != path {
			t.Errorf("%s: %v (%#v); want %v from %s %s", name, err, err, want, op, path)
		}
	}
	_, _, err := s.Get(ctx, b+"/nope")
	check("get absent", err, zkstore.ErrNoNode, "get", b+"/nope")
	_, err = s.Create(ctx, b+"/a", nil, zkstore.CreateOptions{})
	check("create existing", err, zkstore.ErrNodeExists, "create", b+"/a")
	err = s.Delete(ctx, b+"/a", -1)
	check("delete parent", err, zkstore.ErrNotEmpty, "delete", b+"/a")
	_, err = s.Set(ctx, b+"/a", nil, 42)
	check("set bad version", err, zkstore.ErrBadVersion, "set", b+"/a")
	_, err = s.Create(ctx, b+"/eph/kid", nil, zkstore.CreateOptions{})
	check("child of ephemeral", err, zkstore.ErrNoChildrenForEphemerals, "create", b+"/eph/kid")
	_, err = s.Create(ctx, b+"/x", nil, zkstore.CreateOptions{ACL: []zkstore.ACL{}})
	check("empty ACL", err, zkstore.ErrInvalidACL, "create", b+"/x")
	_, err = s.SetACL(ctx, b+"/a", nil, -1)
	check("setacl nil", err, zkstore.ErrInvalidACL, "setACL", b+"/a")
	_, _, err = s.Get(ctx, b+"/locked")
	check("no auth", err, zkstore.ErrNoAuth, "get", b+"/locked")
	_, err = s.Create(ctx, b+"/big", make([]byte, DefaultMaxDataSize+1), zkstore.CreateOptions{})
	check("too large", err, zkstore.ErrDataTooLarge, "create", b+"/big")
	_, err = s.Set(ctx, b+"/a", make([]byte, DefaultMaxDataSize+1), -1)
	check("set too large", err, zkstore.ErrDataTooLarge, "set", b+"/a")
	err = s.Delete(ctx, "/", -1)
	check("delete root", err, zkstore.ErrBadArguments, "delete", "/")
	// Exactly MaxDataSize does not fit a default server's request limit
	// (jute.maxbuffer 1048575): the path, ACL and framing come on top.
	_, err = s.Create(ctx, b+"/max", make([]byte, DefaultMaxDataSize), zkstore.CreateOptions{})
	check("create of exactly MaxDataSize", err, zkstore.ErrRequestTooLarge, "create", b+"/max")
	// It goes through to the test server, whose jute.maxbuffer has room
	// for the framing, with the request limit raised to match.
	big := open(t, MaxRequestSize(zkserver.JuteMaxBuffer))
	if _, err := big.Create(ctx, b+"/max", make([]byte, DefaultMaxDataSize), zkstore.CreateOptions{}); err != nil {
		t.Errorf("create of exactly MaxDataSize with MaxRequestSize(%d): %v", zkserver.JuteMaxBuffer, err)
	}

	// Bad paths never reach the server, whichever call.
	for _, p := range []string{"", "a", "/a/", "//", "/a//b", "/.", "/a/..", "/a\x00", "/\u0001", "/\ud7ff\U0001F600"} {
		_, _, err := s.Get(ctx, p)
		if !errors.Is(err, zkstore.ErrInvalidPath) {
			t.Errorf("Get(%q) = %v, want ErrInvalidPath", p, err)
		}
		_, err = s.Create(ctx, p, nil, zkstore.CreateOptions{})
		if !errors.Is(err, zkstore.ErrInvalidPath) {
			t.Errorf("Create(%q) = %v, want ErrInvalidPath", p, err)
		}
	}
}

func TestMapError(t *testing.T) {
	for _, tc := range []struct {
		in   error
		end  endReason
		want error
	}{
		{fmt.Errorf("unknown error: -2"), endNone, zkstore.ErrRuntimeInconsistency},
		{fmt.Errorf("unknown error: -6"), endNone, zkstore.ErrUnimplemented},
		{fmt.Errorf("unknown error: -13"), endNone, zkstore.ErrSystemError},
		{fmt.Errorf("unknown error: -4"), endNone, zkstore.ErrConnectionLoss},
		{fmt.Errorf("unknown error: -122"), endNone, zkstore.ErrConnectionLoss},
		{errors.New("something else"), endNone, zkstore.ErrSystemError},
	} {
		if got := mapError(tc.in, tc.end); !errors.Is(got, tc.want) {
			t.Errorf("mapError(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
	if got := mapError(fmt.Errorf("unknown error: -13"), endNone); !strings.Contains(got.Error(), "NewConfigNoQuorum") {
		t.Errorf("mapError(-13) = %v; want it named", got)
	}
}

func TestChroot(t *testing.T) {
	root := open(t)
	ctx := ctxT(t)
	b := base(t, root)
	s := open(t, Chroot(b))

	if p, err := s.Create(ctx, "/a", []byte("x"), zkstore.CreateOptions{}); err != nil || p != "/a" {
		t.Fatalf("Create under chroot = %q, %v", p, err)
	}
	if d, _, err := root.Get(ctx, b+"/a"); err != nil || string(d) != "x" {
		t.Fatalf("the znode is not at %s/a: %q, %v", b, d, err)
	}
	if p, err := s.Create(ctx, "/a/s-", nil, zkstore.CreateOptions{Mode: zkstore.ModeEphemeralSequential}); err != nil || p != "/a/s-0000000000" {
		t.Errorf("sequential under chroot = %q, %v", p, err)
	}
	if p, err := s.Create(ctx, "/", nil, zkstore.CreateOptions{Mode: zkstore.ModePersistentSequential}); err != nil || p != "/"+zkstore.SequenceSuffix(1) {
		t.Errorf("sequential at the chroot itself = %q, %v", p, err)
	}
	kids, st, err := s.Children(ctx, "/")
	if err != nil || !slices.Equal(kids, []string{"0000000001", "a"}) {
		t.Errorf("Children(/) = %v, %v", kids, err)
	}
	rst, _, _ := root.Exists(ctx, b)
	if st != rst {
		t.Errorf("Stat of / under chroot %+v, of %s %+v", st, b, rst)
	}

	res, err := s.Multi(ctx, &zkstore.CreateOp{Path: "/m"}, &zkstore.CreateOp{Path: "/m/q-", Mode: zkstore.ModePersistentSequential})
	if err != nil || res[0].Path != "/m" || res[1].Path != "/m/q-0000000000" {
		t.Errorf("Multi under chroot = %+v, %v", res, err)
	}
	_, _, w, err := s.GetW(ctx, "/a")
	if err != nil {
		t.Fatal(err)
	}
	root.Set(ctx, b+"/a", nil, -1)
	if ev := recv(t, w, 5*time.Second); ev != (zkstore.Event{Type: zkstore.EventNodeDataChanged, Path: "/a"}) {
		t.Errorf("event under chroot %+v", ev)
	}
	_, err = s.Create(ctx, "/a/x", nil, zkstore.CreateOptions{Mode: zkstore.ModeContainer})
	if err != nil {
		t.Errorf("container under chroot: %v", err)
	}
	// A chroot that does not exist: NoNode until it does.
	s2 := open(t, Chroot(b+"/later"))
	if _, err := s2.Create(ctx, "/x", nil, zkstore.CreateOptions{}); !errors.Is(err, zkstore.ErrNoNode) {
		t.Errorf("create under a missing chroot = %v", err)
	}
	// Deleting "/" never deletes the chroot node, even an empty one: the
	// server is asked to delete its own root and refuses, as without a
	// chroot (and as ZooKeeper's Java client does).
	if _, err := root.Create(ctx, b+"/empty", nil, zkstore.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	s4 := open(t, Chroot(b+"/empty"))
	if err := s4.Delete(ctx, "/", -1); !errors.Is(err, zkstore.ErrBadArguments) {
		t.Errorf("Delete(/) under a chroot = %v, want ErrBadArguments", err)
	}
	if _, err := s4.Multi(ctx, &zkstore.DeleteOp{Path: "/", Version: -1}); !errors.Is(err, zkstore.ErrBadArguments) {
		t.Errorf("Multi delete / under a chroot = %v, want ErrBadArguments", err)
	}
	if _, ok, err := root.Exists(ctx, b+"/empty"); !ok || err != nil {
		t.Errorf("the chroot node is gone: %v %v", ok, err)
	}
	// Chroot "/" is no chroot.
	s3 := open(t, Chroot("/"))
	if _, ok, err := s3.Exists(ctx, b+"/a"); !ok || err != nil {
		t.Errorf("chroot /: %v %v", ok, err)
	}
}

func TestAuth(t *testing.T) {
	const user, secret = "alice", "s3cret-pw"
	s := open(t, Auth("digest", []byte(user+":"+secret)))
	other := open(t)
	ctx := ctxT(t)
	b := base(t, s)

	if _, err := s.Create(ctx, b+"/mine", []byte("x"), zkstore.CreateOptions{ACL: zkstore.CreatorAllACL()}); err != nil {
		t.Fatal(err)
	}
	acl, _, err := s.GetACL(ctx, b+"/mine")
	if err != nil || len(acl) != 1 || acl[0].ID != zkstore.DigestID(user, secret) {
		t.Fatalf("GetACL = %v, %v", acl, err)
	}
	if _, _, err := other.Get(ctx, b+"/mine"); !errors.Is(err, zkstore.ErrNoAuth) {
		t.Fatalf("other session read it: %v", err)
	}
	if err := other.AddAuth(ctx, "digest", []byte(user+":"+secret)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := other.Get(ctx, b+"/mine"); err != nil {
		t.Fatalf("after AddAuth: %v", err)
	}

	// An unknown scheme: ErrAuthFailed, StateAuthFailed, and the session
	// goes on (go-zookeeper reconnects to the same session).
	id := other.SessionID()
	events := other.SessionEvents(ctx)
	err = other.AddAuth(ctx, "nosuchscheme", []byte(secret))
	if !errors.Is(err, zkstore.ErrAuthFailed) {
		t.Fatalf("AddAuth(bad scheme) = %v", err)
	}
	if strings.Contains(err.Error(), secret) {
		t.Errorf("error shows the credentials: %v", err)
	}
	// SessionEvents keeps only the latest state for a slow reader, and the
	// reconnection follows the refusal at once, so StateAuthFailed itself
	// may be overtaken; the stream must at least move on.
	if ev := recv(t, events, 10*time.Second); ev.State == zkstore.StateClosed || ev.State == zkstore.StateExpired {
		t.Fatalf("after a refused AddAuth the session went %v", ev.State)
	}
	waitState(t, other, zkstore.StateConnected, 10*time.Second)
	if other.SessionID() != id {
		t.Errorf("session changed from %#x to %#x", id, other.SessionID())
	}
	if _, _, err := other.Get(ctx, b+"/mine"); err != nil {
		t.Errorf("after a failed AddAuth and reconnect, the good credentials are gone: %v", err)
	}

	// A refused Auth option fails Open without leaking the secret.
	_, err = Open(ctx, []string{serverAddr(t)}, Auth("nosuchscheme", []byte(secret)))
	if !errors.Is(err, zkstore.ErrAuthFailed) || strings.Contains(err.Error(), secret) {
		t.Errorf("Open with bad auth = %v", err)
	}
	if strings.Contains(s.String(), secret) {
		t.Errorf("String shows the credentials: %s", s)
	}
}

func TestWatches(t *testing.T) {
	s := open(t)
	other := open(t)
	ctx := ctxT(t)
	b := base(t, s)
	s.Create(ctx, b+"/n", nil, zkstore.CreateOptions{})
	const wait = 5 * time.Second

	_, _, dw, err := s.GetW(ctx, b+"/n")
	if err != nil {
		t.Fatal(err)
	}
	_, _, cw, err := s.ChildrenW(ctx, b+"/n")
	if err != nil {
		t.Fatal(err)
	}
	_, ok, ew, err := s.ExistsW(ctx, b+"/absent")
	if err != nil || ok {
		t.Fatal(ok, err)
	}
	_, ok, ew2, err := s.ExistsW(ctx, b+"/n")
	if err != nil || !ok {
		t.Fatal(ok, err)
	}

	// A data change fires the data and exists watches, not the child watch
	// on the same path: go-zookeeper v1.0.4 dispatches NodeDataChanged to
	// watchTypeExist and watchTypeData only.
	other.Set(ctx, b+"/n", []byte("v"), -1)
	if ev := recv(t, dw, wait); ev.Type != zkstore.EventNodeDataChanged || ev.Path != b+"/n" {
		t.Errorf("data watch: %+v", ev)
	}
	if ev := recv(t, ew2, wait); ev.Type != zkstore.EventNodeDataChanged {
		t.Errorf("exists watch on a present node: %+v", ev)
	}
	none(t, cw, 300*time.Millisecond)

	other.Create(ctx, b+"/n/kid", nil, zkstore.CreateOptions{})
	if ev := recv(t, cw, wait); ev.Type != zkstore.EventNodeChildrenChanged || ev.Path != b+"/n" {
		t.Errorf("child watch: %+v", ev)
	}
	if _, ok := <-cw; ok {
		t.Error("watch channel not closed after its event")
	}

	other.Create(ctx, b+"/absent", nil, zkstore.CreateOptions{})
	if ev := recv(t, ew, wait); ev.Type != zkstore.EventNodeCreated || ev.Path != b+"/absent" {
		t.Errorf("exists watch: %+v", ev)
	}

	// Deletion fires data and child watches; watches for the same path and
	// kind fire together.
	_, _, dw1, _ := s.GetW(ctx, b+"/n/kid")
	_, _, dw2, _ := s.GetW(ctx, b+"/n/kid")
	_, _, cw1, _ := s.ChildrenW(ctx, b+"/n/kid")
	other.Delete(ctx, b+"/n/kid", -1)
	for _, w := range []<-chan zkstore.Event{dw1, dw2, cw1} {
		if ev := recv(t, w, wait); ev.Type != zkstore.EventNodeDeleted {
			t.Errorf("delete: %+v", ev)
		}
	}

	// Close ends the remaining watches with ErrClosed.
	_, _, cw2, _ := s.ChildrenW(ctx, b+"/n")
	s.Close()
	if ev := recv(t, cw2, wait); ev.Type != zkstore.EventNotWatching || !errors.Is(ev.Err, zkstore.ErrClosed) {
		t.Errorf("after Close: %+v", ev)
	}
}

func TestMulti(t *testing.T) {
	s := open(t)
	ctx := ctxT(t)
	b := base(t, s)
	s.Create(ctx, b+"/x", []byte("1"), zkstore.CreateOptions{})

	res, err := s.Multi(ctx,
		&zkstore.CreateOp{Path: b + "/a", Data: []byte("a")},
		&zkstore.CreateOp{Path: b + "/a/s-", Mode: zkstore.ModePersistentSequential},
		&zkstore.CreateOp{Path: b + "/c", Mode: zkstore.ModeContainer},
		&zkstore.CreateOp{Path: b + "/t", Mode: zkstore.ModePersistentTTL, TTL: time.Hour},
		&zkstore.SetOp{Path: b + "/x", Data: []byte("2"), Version: 0},
		&zkstore.CheckOp{Path: b + "/x", Version: 1},
		&zkstore.CreateOp{Path: b + "/gone"},
		&zkstore.DeleteOp{Path: b + "/gone", Version: -1},
	)
	if err != nil {
		t.Fatalf("Multi: %v", err)
	}
	if len(res) != 8 || res[0].Path != b+"/a" || res[1].Path != b+"/a/s-0000000000" || res[2].Path != b+"/c" || res[3].Path != b+"/t" || res[4].Stat.Version != 1 {
		t.Errorf("results %+v", res)
	}
	for i, r := range res {
		if r.Err != nil {
			t.Errorf("result %d: %v", i, r.Err)
		}
	}
	// Containers and TTL nodes really are what they say (go-zookeeper's
	// own Multi would have made a persistent node of the container).
	assertContainer(t, s, b+"/c")
	if _, err := s.Multi(ctx, &zkstore.CreateOp{Path: b + "/t2", Mode: zkstore.ModePersistentSequentialTTL, TTL: 100 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	waitGone(t, s, b+"/t20000000000")

	// A failure: nil before it, its error, RuntimeInconsistency after;
	// the error names the op.
	res, err = s.Multi(ctx,
		&zkstore.CreateOp{Path: b + "/new"},
		&zkstore.CheckOp{Path: b + "/x", Version: 7},
		&zkstore.DeleteOp{Path: b + "/x", Version: -1},
	)
	if !errors.Is(err, zkstore.ErrBadVersion) || !strings.Contains(err.Error(), "op 1") || !strings.Contains(err.Error(), b+"/x") {
		t.Errorf("Multi error = %v", err)
	}
	if len(res) != 3 || res[0].Err != nil || res[0].Path != "" || !errors.Is(res[1].Err, zkstore.ErrBadVersion) || !errors.Is(res[2].Err, zkstore.ErrRuntimeInconsistency) {
		t.Errorf("failed multi results %+v", res)
	}
	if _, ok, _ := s.Exists(ctx, b+"/new"); ok {
		t.Error("a failed multi applied its first op")
	}

	// Refused before sending: the same shape.
	res, err = s.Multi(ctx,
		&zkstore.CreateOp{Path: b + "/ok"},
		&zkstore.CreateOp{Path: b + "/bad/"},
		&zkstore.SetOp{Path: b + "/x"},
	)
	if !errors.Is(err, zkstore.ErrInvalidPath) || len(res) != 3 || res[0].Err != nil || !errors.Is(res[1].Err, zkstore.ErrInvalidPath) || !errors.Is(res[2].Err, zkstore.ErrRuntimeInconsistency) {
		t.Errorf("invalid path multi: %+v, %v", res, err)
	}
	_, err = s.Multi(ctx, &zkstore.CreateOp{Path: b + "/ttl", Mode: zkstore.ModePersistentTTL, TTL: 0})
	if !errors.Is(err, zkstore.ErrBadArguments) {
		t.Errorf("multi TTL 0: %v", err)
	}
	_, err = s.Multi(ctx, &zkstore.SetOp{Path: b + "/x", Data: make([]byte, DefaultMaxDataSize/2+1)}, &zkstore.SetOp{Path: b + "/x", Data: make([]byte, DefaultMaxDataSize/2+1)})
	if !errors.Is(err, zkstore.ErrRequestTooLarge) {
		t.Errorf("multi over the request limit: %v", err)
	}
	res, err = s.Multi(ctx)
	if err != nil || len(res) != 0 {
		t.Errorf("empty multi: %v, %v", res, err)
	}
}

// TestContextWhileBlocked: with the network black-holed, a call returns as
// soon as its context ends; a write's error says the outcome is unknown.
func TestContextWhileBlocked(t *testing.T) {
	s, proxy := openProxied(t, SessionTimeout(10*time.Second))
	ctx := ctxT(t)
	b := base(t, s)

	proxy.Block()
	defer proxy.Unblock()
	for _, tc := range []struct {
		name  string
		write bool
		call  func(context.Context) error
	}{
		{"get", false, func(ctx context.Context) error { _, _, err := s.Get(ctx, b); return err }},
		{"childrenw", false, func(ctx context.Context) error { _, _, _, err := s.ChildrenW(ctx, b); return err }},
		{"set", true, func(ctx context.Context) error { _, err := s.Set(ctx, b, []byte("x"), -1); return err }},
		{"create", true, func(ctx context.Context) error {
			_, err := s.Create(ctx, b+"/c", nil, zkstore.CreateOptions{})
			return err
		}},
		{"multi", true, func(ctx context.Context) error {
			_, err := s.Multi(ctx, &zkstore.CheckOp{Path: b, Version: -1})
			return err
		}},
	} {
		cctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		start := time.Now()
		err := tc.call(cctx)
		cancel()
		if d := time.Since(start); d > time.Second {
			t.Errorf("%s took %v with a 200ms context", tc.name, d)
		}
		if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, zkstore.ErrConnectionLoss) != tc.write {
			t.Errorf("%s: %v; want DeadlineExceeded, and ErrConnectionLoss only for a write", tc.name, err)
		}
	}
	// A context already done: nothing is sent, so no ConnectionLoss.
	done, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.Set(done, b, nil, -1); !errors.Is(err, context.Canceled) || errors.Is(err, zkstore.ErrConnectionLoss) {
		t.Errorf("Set with a done context: %v", err)
	}
	proxy.Unblock()
	if _, _, err := s.Get(ctx, b); err != nil {
		t.Errorf("after Unblock: %v", err)
	}
	if _, ok, _ := s.Exists(ctx, b+"/c"); !ok {
		t.Error("the create whose context ended was not applied after all (it was sent)")
	}
}

// TestExpiry: the server expires the session while the network is down; the
// store must say so and never carry on with a new session, as go-zookeeper
// would by itself.
func TestExpiry(t *testing.T) {
	noLeaks(t)
	observer := open(t)
	s, proxy := openProxied(t, SessionTimeout(2*time.Second))
	ctx := ctxT(t)
	b := base(t, s)
	if _, err := s.Create(ctx, b+"/eph", nil, zkstore.CreateOptions{Mode: zkstore.ModeEphemeral}); err != nil {
		t.Fatal(err)
	}
	_, _, w, err := s.GetW(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	id := s.SessionID()
	events := s.SessionEvents(ctx)

	proxy.Block()
	// The server notices within the session timeout plus a tick.
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, ok, err := observer.Exists(ctx, b+"/eph")
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the blocked session's ephemeral is still there")
		}
		time.Sleep(50 * time.Millisecond)
	}
	start := time.Now()
	proxy.Unblock()
	waitState(t, s, zkstore.StateExpired, 15*time.Second)
	t.Logf("expired %v after Unblock", time.Since(start))

	if ev := recv(t, w, 5*time.Second); ev.Type != zkstore.EventNotWatching || !errors.Is(ev.Err, zkstore.ErrSessionExpired) || ev.Path != b {
		t.Errorf("watch after expiry: %+v", ev)
	}
	var last zkstore.SessionEvent
	for last.State != zkstore.StateExpired {
		last = recv(t, events, 5*time.Second)
	}
	if last.SessionID != id {
		t.Errorf("expired event for session %#x, want %#x", last.SessionID, id)
	}
	if _, _, err := s.Get(ctx, b); !errors.Is(err, zkstore.ErrSessionExpired) {
		t.Errorf("Get after expiry: %v", err)
	}
	if _, err := s.Create(ctx, b+"/again", nil, zkstore.CreateOptions{}); !errors.Is(err, zkstore.ErrSessionExpired) {
		t.Errorf("Create after expiry: %v", err)
	}
	// No new session, ever: the store stays expired and holds no connection.
	time.Sleep(1500 * time.Millisecond)
	if st := s.State(); st != zkstore.StateExpired || s.SessionID() != id {
		t.Errorf("after expiry: state %v, session %#x (was %#x)", st, s.SessionID(), id)
	}
	if n := proxy.NumConns(); n != 0 {
		t.Errorf("%d connections through the proxy after expiry", n)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// Closing an expired store keeps its answer (zkstore.Store.Close).
	if _, _, err := s.Get(ctx, b); !errors.Is(err, zkstore.ErrSessionExpired) {
		t.Errorf("Get after Close of an expired store: %v", err)
	}
	observer.Close()
}

// TestReconnect: a dropped connection is not an expired session.
func TestReconnect(t *testing.T) {
	s, proxy := openProxied(t, SessionTimeout(5*time.Second))
	ctx := ctxT(t)
	b := base(t, s)
	_, _, w, _ := s.GetW(ctx, b)
	// Every kind of watch, through the calls a cancellable context takes
	// (queued on go-zookeeper's send queue, which must add them to its own
	// watch table as its GetW does, or the reconnection would drop them)
	// and through the direct calls context.Background takes.
	type armed struct {
		what string
		ch   <-chan zkstore.Event
		want zkstore.EventType
	}
	var ws []armed
	for _, c := range []struct {
		name string
		ctx  context.Context
	}{{"cancellable", ctx}, {"background", context.Background()}} {
		kid := b + "/" + c.name
		if _, err := s.Create(ctx, kid, nil, zkstore.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		_, _, cw, err := s.ChildrenW(c.ctx, kid)
		if err != nil {
			t.Fatal(err)
		}
		_, ok, ew, err := s.ExistsW(c.ctx, kid+"/absent")
		if err != nil || ok {
			t.Fatal(ok, err)
		}
		_, ok, pw, err := s.ExistsW(c.ctx, kid)
		if err != nil || !ok {
			t.Fatal(ok, err)
		}
		ws = append(ws,
			armed{c.name + " ChildrenW", cw, zkstore.EventNodeChildrenChanged},
			armed{c.name + " ExistsW (absent)", ew, zkstore.EventNodeCreated},
			armed{c.name + " ExistsW (present)", pw, zkstore.EventNodeDataChanged})
	}
	id := s.SessionID()
	events := s.SessionEvents(ctx)
	slow := s.SessionEvents(ctx)
	proxy.DropConnections()
	// Disconnected, unless Connecting replaced it before we looked.
	if ev := recv(t, events, 5*time.Second); ev.State != zkstore.StateDisconnected && ev.State != zkstore.StateConnecting {
		t.Errorf("first event %+v", ev)
	}
	for {
		ev := recv(t, events, 10*time.Second)
		if ev.State == zkstore.StateConnected {
			if ev.SessionID != id {
				t.Errorf("reconnected with session %#x, want %#x", ev.SessionID, id)
			}
			break
		}
	}
	// A reader that did not keep up gets the latest state only (the
	// reconnection may have taken more than one round).
	waitState(t, s, zkstore.StateConnected, 10*time.Second)
	time.Sleep(200 * time.Millisecond)
	if ev := recv(t, slow, time.Second); ev.State != s.State() || ev.SessionID != id {
		t.Errorf("slow reader got %+v, want the latest: %v", ev, s.State())
	}
	// The watch survived the reconnection.
	s.Set(ctx, b, []byte("x"), -1)
	if ev := recv(t, w, 5*time.Second); ev.Type != zkstore.EventNodeDataChanged {
		t.Errorf("watch after reconnect: %+v", ev)
	}
	// The server tells of these changes only through the watches the
	// client registered again after the reconnection.
	for _, name := range []string{"cancellable", "background"} {
		kid := b + "/" + name
		if _, err := s.Create(ctx, kid+"/absent", nil, zkstore.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Set(ctx, kid, []byte("x"), -1); err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range ws {
		if ev := recv(t, a.ch, 5*time.Second); ev.Type != a.want {
			t.Errorf("%s after reconnect: %+v, want %v", a.what, ev, a.want)
		}
	}
}

func TestClose(t *testing.T) {
	noLeaks(t)
	s := open(t)
	other := open(t)
	ctx := ctxT(t)
	b := base(t, s)
	s.Create(ctx, b+"/eph", nil, zkstore.CreateOptions{Mode: zkstore.ModeEphemeral})
	_, _, w, _ := s.GetW(ctx, b)
	events := s.SessionEvents(ctx)
	ctxEvents, stop := context.WithCancel(ctx)
	events2 := s.SessionEvents(ctxEvents)
	stop()
	if _, ok := recvOrClosed(events2, 5*time.Second); ok {
		t.Error("SessionEvents not closed when its context ended")
	}

	// Close while calls are running, from several goroutines at once.
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				cctx, cancel := context.WithTimeout(ctx, time.Second)
				_, err := s.Create(cctx, fmt.Sprintf("%s/c%d-", b, i), nil, zkstore.CreateOptions{Mode: zkstore.ModeEphemeralSequential})
				cancel()
				if errors.Is(err, zkstore.ErrClosed) {
					return
				}
				if err != nil && !errors.Is(err, zkstore.ErrClosed) {
					t.Errorf("create during Close: %v", err)
					return
				}
			}
		}()
	}
	time.Sleep(20 * time.Millisecond)
	var cwg sync.WaitGroup
	for range 3 {
		cwg.Add(1)
		go func() { defer cwg.Done(); s.Close() }()
	}
	cwg.Wait()
	wg.Wait()
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if s.State() != zkstore.StateClosed {
		t.Errorf("state after Close: %v", s.State())
	}
	if ev := recv(t, w, time.Second); ev.Type != zkstore.EventNotWatching || !errors.Is(ev.Err, zkstore.ErrClosed) {
		t.Errorf("watch after Close: %+v", ev)
	}
	var last zkstore.SessionEvent
	for ev := range events {
		last = ev
	}
	if last.State != zkstore.StateClosed {
		t.Errorf("last session event %+v", last)
	}
	if _, ok := <-s.SessionEvents(ctx); ok {
		t.Error("SessionEvents after Close is not closed")
	}
	if _, err := s.Create(ctx, b+"/x", nil, zkstore.CreateOptions{}); !errors.Is(err, zkstore.ErrClosed) {
		t.Errorf("Create after Close: %v", err)
	}
	if _, _, _, err := s.ChildrenW(context.Background(), b); !errors.Is(err, zkstore.ErrClosed) {
		t.Errorf("ChildrenW after Close: %v", err)
	}
	// Closing the session deleted its ephemerals before Close returned.
	if _, ok, _ := other.Exists(ctx, b+"/eph"); ok {
		t.Error("ephemeral still there after Close")
	}
	kids, _, _ := other.Children(ctx, b)
	if len(kids) != 0 {
		t.Errorf("ephemerals left after Close: %v", kids)
	}
	other.Close()
}

// assertContainer checks that p is reaped once it has had a child and has
// none (the test server looks every 100ms).
func assertContainer(t *testing.T, s *Store, p string) {
	t.Helper()
	ctx := ctxT(t)
	if _, err := s.Create(ctx, p+"/kid", nil, zkstore.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	if _, ok, _ := s.Exists(ctx, p); !ok {
		t.Fatalf("%s reaped while it has a child", p)
	}
	if err := s.Delete(ctx, p+"/kid", -1); err != nil {
		t.Fatal(err)
	}
	waitGone(t, s, p)
}

func waitGone(t *testing.T, s *Store, p string) {
	t.Helper()
	ctx := ctxT(t)
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, ok, err := s.Exists(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not reaped", p)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func recvOrClosed[T any](ch <-chan T, d time.Duration) (T, bool) {
	select {
	case v, ok := <-ch:
		return v, ok
	case <-time.After(d):
		var zero T
		return zero, true
	}
}

func TestDataOwnership(t *testing.T) {
	// With a cancellable context the request may outlive the call: the
	// caller may reuse its buffer at once.
	s := open(t)
	ctx := ctxT(t)
	b := base(t, s)
	buf := bytes.Repeat([]byte("a"), 1000)
	if _, err := s.Set(ctx, b, buf, -1); err != nil {
		t.Fatal(err)
	}
	for i := range buf {
		buf[i] = 'b'
	}
	d, _, _ := s.Get(ctx, b)
	if !bytes.Equal(d, bytes.Repeat([]byte("a"), 1000)) {
		t.Error("data changed")
	}
}

func TestGoModPinsZK(t *testing.T) {
	mod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Skip(err)
	}
	if !regexp.MustCompile(`(?m)^\s*(require\s+)?` + regexp.QuoteMeta(zkModule) + `\s+` + regexp.QuoteMeta(zkVersion) + `\b`).Match(mod) {
		t.Fatalf("go.mod does not require %s %s: multi.go's linkname to (*Conn).request is written for that "+
			"version; check its signature in the new version, then update zkVersion", zkModule, zkVersion)
	}
	if !rawMulti {
		t.Fatalf("the go-zookeeper %s request linkname is disabled in this build", zkVersion)
	}
}

func TestSilentByDefault(t *testing.T) {
	// The Logger option gets go-zookeeper's messages; by default nothing
	// is printed. Here: a logger that records, and a bad server.
	var mu sync.Mutex
	var lines []string
	l := recorder(func(s string) { mu.Lock(); lines = append(lines, s); mu.Unlock() })
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	Open(context.Background(), []string{addr}, ConnectTimeout(300*time.Millisecond), Logger(l), Auth("digest", []byte("u:topsecret")))
	mu.Lock()
	defer mu.Unlock()
	if len(lines) == 0 {
		t.Error("nothing logged")
	}
	for _, l := range lines {
		if strings.Contains(l, "topsecret") {
			t.Errorf("logged credentials: %s", l)
		}
	}
}

type recorder func(string)

func (r recorder) Printf(format string, args ...any) { r(fmt.Sprintf(format, args...)) }

func TestOptions(t *testing.T) {
	addr := serverAddr(t)
	var mu sync.Mutex
	dials := 0
	dialer := func(network, address string, timeout time.Duration) (net.Conn, error) {
		mu.Lock()
		dials++
		mu.Unlock()
		return net.DialTimeout(network, address, timeout)
	}
	s := openStore(t, addr, Dialer(dialer), MaxDataSize(10), SessionTimeout(2*time.Second))
	ctx := ctxT(t)
	mu.Lock()
	if dials != 1 {
		t.Errorf("%d dials through the Dialer option", dials)
	}
	mu.Unlock()
	b := base(t, s)
	if _, err := s.Create(ctx, b+"/ok", make([]byte, 10), zkstore.CreateOptions{}); err != nil {
		t.Errorf("10 bytes with MaxDataSize(10): %v", err)
	}
	if _, err := s.Set(ctx, b+"/ok", make([]byte, 11), -1); !errors.Is(err, zkstore.ErrDataTooLarge) {
		t.Errorf("11 bytes with MaxDataSize(10): %v", err)
	}
	res, err := s.Multi(ctx, &zkstore.SetOp{Path: b + "/ok", Data: make([]byte, 6), Version: -1}, &zkstore.SetOp{Path: b + "/ok", Data: make([]byte, 11), Version: -1})
	if !errors.Is(err, zkstore.ErrDataTooLarge) || res[0].Err != nil || !errors.Is(res[1].Err, zkstore.ErrDataTooLarge) {
		t.Errorf("multi with 11 bytes in an op, MaxDataSize(10): %+v, %v", res, err)
	}
	// The data of a multi's ops add up against the request limit, not
	// MaxDataSize.
	if _, err := s.Multi(ctx, &zkstore.SetOp{Path: b + "/ok", Data: make([]byte, 6), Version: -1}, &zkstore.SetOp{Path: b + "/ok", Data: make([]byte, 6), Version: -1}); err != nil {
		t.Errorf("multi of 12 bytes in two ops, MaxDataSize(10): %v", err)
	}
	small := openStore(t, addr, MaxRequestSize(100))
	ops := []zkstore.Op{&zkstore.SetOp{Path: b + "/ok", Data: make([]byte, 40), Version: -1}, &zkstore.SetOp{Path: b + "/ok", Data: make([]byte, 40), Version: -1}}
	size := zkstore.MultiRequestSize(ops)
	if _, err := small.Multi(ctx, ops...); !errors.Is(err, zkstore.ErrRequestTooLarge) || !strings.Contains(err.Error(), fmt.Sprintf("%d bytes, the limit is 100", size)) {
		t.Errorf("multi of %d bytes with MaxRequestSize(100): %v", size, err)
	}
	if got := s.String(); !strings.Contains(got, addr) || !strings.Contains(got, "connected") {
		t.Errorf("String() = %q", got)
	}
}

// TestMultiFallback runs Multi through go-zookeeper's own Multi, as a build
// with another go-zookeeper version would.
func TestMultiFallback(t *testing.T) {
	s := open(t)
	ctx := ctxT(t)
	b := base(t, s)
	rawMulti = false
	defer func() { rawMulti = true }()

	res, err := s.Multi(ctx,
		&zkstore.CreateOp{Path: b + "/a", Data: []byte("a")},
		&zkstore.CreateOp{Path: b + "/a/s-", Mode: zkstore.ModeEphemeralSequential},
		&zkstore.SetOp{Path: b + "/a", Data: []byte("b"), Version: 0},
		&zkstore.CheckOp{Path: b + "/a", Version: 1},
	)
	if err != nil || res[0].Path != b+"/a" || res[1].Path != b+"/a/s-0000000000" || res[2].Stat.Version != 1 {
		t.Fatalf("Multi = %+v, %v", res, err)
	}
	res, err = s.Multi(ctx, &zkstore.CheckOp{Path: b + "/a", Version: 0}, &zkstore.DeleteOp{Path: b + "/a", Version: -1})
	if !errors.Is(err, zkstore.ErrBadVersion) || !errors.Is(res[0].Err, zkstore.ErrBadVersion) || !errors.Is(res[1].Err, zkstore.ErrRuntimeInconsistency) {
		t.Errorf("failed Multi = %+v, %v", res, err)
	}
	for _, mode := range []zkstore.CreateMode{zkstore.ModeContainer, zkstore.ModePersistentTTL} {
		ttl := time.Duration(0)
		if mode.IsTTL() {
			ttl = time.Hour
		}
		_, err = s.Multi(ctx, &zkstore.CreateOp{Path: b + "/k", Mode: mode, TTL: ttl})
		if !errors.Is(err, zkstore.ErrUnimplemented) {
			t.Errorf("fallback Multi with a %v create: %v, want ErrUnimplemented", mode, err)
		}
	}
}
