// Package clustertest adapts the in-memory store and a live ZooKeeper to
// storetest.Cluster, for the conformance and differential tests of every
// package that runs them.
package clustertest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zksql/zksql/internal/testkit/zkserver"
	"github.com/zksql/zksql/zkstore"
	"github.com/zksql/zksql/zkstore/livestore"
	"github.com/zksql/zksql/zkstore/memstore"
	"github.com/zksql/zksql/zkstore/storetest"
)

var (
	_ storetest.Cluster = (*Live)(nil)
	_ storetest.Cluster = Mem{}

	_ storetest.RequestLimiter = (*Live)(nil)
	_ storetest.RequestLimiter = Mem{}
)

// Live gives sessions on one real server, each through a proxy of its own,
// so that Expire can cut off exactly that session.
type Live struct {
	addr           string
	sessionTimeout time.Duration

	mu      sync.Mutex
	proxies map[zkstore.Store]*zkserver.Proxy
}

// NewLive adapts the server at addr. Every session asks for sessionTimeout,
// which is also about what Expire costs; much below 2–3 s, a loaded
// machine running under -race sees spurious connection losses (go-zookeeper
// reads with a deadline of 2/3 of it and pings every 1/3).
func NewLive(addr string, sessionTimeout time.Duration) *Live {
	return &Live{addr: addr, sessionTimeout: sessionTimeout, proxies: make(map[zkstore.Store]*zkserver.Proxy)}
}

// Open starts a session through a new proxy; both end with the test.
func (c *Live) Open(t testing.TB) zkstore.Store {
	t.Helper()
	p, err := zkserver.NewProxy(c.addr)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := livestore.Open(ctx, []string{p.Addr()}, livestore.SessionTimeout(c.sessionTimeout),
		livestore.MaxRequestSize(zkserver.JuteMaxBuffer),
		livestore.AdminPort(0)) // the shared server has no AdminServer: the four-letter words
	if err != nil {
		p.Close()
		t.Fatalf("livestore.Open: %v", err)
	}
	c.mu.Lock()
	c.proxies[s] = p
	c.mu.Unlock()
	t.Cleanup(func() {
		s.Close()
		p.Close()
		c.mu.Lock()
		delete(c.proxies, s)
		c.mu.Unlock()
	})
	return s
}

// MaxRequestSize is the harness servers' jute.maxbuffer, which the
// sessions are opened with (storetest.RequestLimiter).
func (c *Live) MaxRequestSize() int { return zkserver.JuteMaxBuffer }

// Expire black-holes the session's connection until the server has expired
// it (its connection is gone from the server's "cons" list), then lets it
// through, so that the client's reconnection learns of the expiry.
func (c *Live) Expire(t testing.TB, s zkstore.Store) {
	t.Helper()
	c.mu.Lock()
	p := c.proxies[s]
	c.mu.Unlock()
	if p == nil {
		t.Fatalf("Expire: store %v was not opened by this cluster", s)
	}
	sid := fmt.Sprintf("sid=0x%x,", s.SessionID())
	p.Block()
	defer p.Unblock()
	deadline := time.Now().Add(4*c.sessionTimeout + 10*time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		cons, err := zkserver.FourLetterWord(ctx, c.addr, "cons")
		cancel()
		if err == nil && !strings.Contains(cons, sid) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Expire: the server still lists %s (cons: %v)", sid, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	p.Unblock()
	deadline = time.Now().Add(20 * time.Second)
	for s.State() != zkstore.StateExpired {
		if time.Now().After(deadline) {
			t.Fatalf("Expire: session %#x is %v, not expired, 20s after the block", s.SessionID(), s.State())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Mem is one in-memory server.
type Mem struct{ Server *memstore.Server }

// NewMem starts an in-memory server that ends with the test. Its request
// limit is the live harness servers' (zkserver.JuteMaxBuffer) unless opts
// set another, so that the two kinds of cluster agree.
func NewMem(t testing.TB, opts ...memstore.ServerOption) Mem {
	opts = append([]memstore.ServerOption{memstore.MaxRequestSize(zkserver.JuteMaxBuffer)}, opts...)
	srv := memstore.NewServer(opts...)
	t.Cleanup(srv.Close)
	return Mem{srv}
}

// Open connects a new session, closed at the end of the test.
func (c Mem) Open(t testing.TB) zkstore.Store {
	s := c.Server.Connect()
	t.Cleanup(func() { s.Close() })
	return s
}

// MaxRequestSize is the server's request limit (storetest.RequestLimiter).
func (c Mem) MaxRequestSize() int { return c.Server.MaxRequestSize() }

// Expire expires the session as the server would.
func (c Mem) Expire(t testing.TB, s zkstore.Store) {
	t.Helper()
	if err := c.Server.Expire(s.SessionID()); err != nil {
		t.Fatalf("expire session %#x: %v", s.SessionID(), err)
	}
	if got := s.State(); got != zkstore.StateExpired {
		t.Fatalf("after Expire the session is %v, want expired", got)
	}
}

// Suspend cuts s's connection without ending its session: the proxy resets
// it and holds every new one, so the client is disconnected while the
// server keeps the session. It returns once s reports the disconnection,
// with a function that lets the client reconnect and returns once s is
// connected again, on the same session. Call it well within the session
// timeout, or the session expires meanwhile.
func (c *Live) Suspend(t testing.TB, s zkstore.Store) (resume func()) {
	t.Helper()
	c.mu.Lock()
	p := c.proxies[s]
	c.mu.Unlock()
	if p == nil {
		t.Fatalf("Suspend: store %v was not opened by this cluster", s)
	}
	p.Block()
	p.DropConnections()
	waitState(t, s, "disconnected", func(st zkstore.State) bool { return st != zkstore.StateConnected })
	return func() {
		t.Helper()
		p.Unblock()
		waitState(t, s, "connected again", func(st zkstore.State) bool { return st == zkstore.StateConnected })
	}
}

func waitState(t testing.TB, s zkstore.Store, what string, ok func(zkstore.State) bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !ok(s.State()) {
		if time.Now().After(deadline) {
			t.Fatalf("session %#x is %v, not %s, after 20s", s.SessionID(), s.State(), what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Suspend disconnects s (memstore.Server.Disconnect) and returns a
// function that reconnects it.
func (c Mem) Suspend(t testing.TB, s zkstore.Store) (resume func()) {
	t.Helper()
	if err := c.Server.Disconnect(s.SessionID()); err != nil {
		t.Fatalf("disconnect session %#x: %v", s.SessionID(), err)
	}
	return func() {
		t.Helper()
		if err := c.Server.Reconnect(s.SessionID()); err != nil {
			t.Fatalf("reconnect session %#x: %v", s.SessionID(), err)
		}
	}
}
