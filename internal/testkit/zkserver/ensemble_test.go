package zkserver

import (
	"errors"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
)

func TestEnsemble(t *testing.T) {
	t.Parallel()
	e := StartEnsembleTB(t, 3)
	if got := len(e.Servers()); got != 3 {
		t.Fatalf("%d servers", got)
	}
	leader, err := e.Leader(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	followers := 0
	for i, s := range e.Servers() {
		mode, err := s.Mode(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if (i == leader) != (mode == ModeLeader) || mode != ModeLeader && mode != ModeFollower {
			t.Errorf("server %d: mode %q, leader is %d", i, mode, leader)
		}
		if mode == ModeFollower {
			followers++
		}
	}
	if followers != 2 {
		t.Fatalf("%d followers", followers)
	}
	t.Logf("leader %d; connect string %s", leader, e.ConnectString())

	conn, _ := connect(t, e.Addrs(), 4*time.Second)
	if _, err := conn.Create("/before", []byte("1"), 0, acl); err != nil {
		t.Fatal(err)
	}
	// TTL nodes need extended types on every member; they are.
	if _, err := conn.CreateTTL("/ttl", nil, zk.FlagTTL, acl, time.Hour); err != nil {
		t.Fatal(err)
	}

	// Losing the leader: the other two elect a new one and keep serving.
	killedPID := e.Server(leader).PID()
	start := time.Now()
	if err := e.Kill(leader); err != nil {
		t.Fatal(err)
	}
	if !processGone(killedPID) {
		t.Fatalf("leader's java %d survived Kill", killedPID)
	}
	newLeader, err := e.Leader(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("new leader %d elected %v after the kill", newLeader, time.Since(start))
	if newLeader == leader {
		t.Fatalf("killed server %d is still leader", leader)
	}
	eventually(t, 15*time.Second, func() error {
		_, err := conn.Create("/after", []byte("2"), 0, acl)
		if errors.Is(err, zk.ErrNodeExists) {
			return nil
		}
		return err
	})

	// The old leader comes back with its data, on the same address, and
	// catches up with what it missed.
	addr := e.Server(leader).Addr()
	if err := e.Restart(t.Context(), leader); err != nil {
		t.Fatal(err)
	}
	if e.Server(leader).Addr() != addr {
		t.Fatal("address changed on restart")
	}
	if mode, err := e.Server(leader).Mode(t.Context()); err != nil || mode != ModeFollower {
		t.Fatalf("restarted server: mode %q, %v; want follower", mode, err)
	}
	direct, _ := connect(t, []string{addr}, 4*time.Second)
	for _, p := range []string{"/before", "/after", "/ttl"} {
		if ok, _, err := direct.Exists(p); err != nil || !ok {
			t.Errorf("restarted server: Exists(%s) = %v, %v", p, ok, err)
		}
	}

	// A graceful stop of a follower leaves a working quorum of two.
	follower := (newLeader + 1) % 3
	if err := e.Stop(follower); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Create("/two", nil, 0, acl); err != nil {
		t.Fatal(err)
	}
}
