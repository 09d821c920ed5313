package difftest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zksql/zksql/internal/zkserver"
	"github.com/zksql/zksql/zkstore"
	"github.com/zksql/zksql/zkstore/livestore"
	"github.com/zksql/zksql/zkstore/memstore"
	"github.com/zksql/zksql/zkstore/storetest"
)

// liveSessionTimeout is short so that Expire (a partition outlasting it)
// is quick.
const liveSessionTimeout = 2 * time.Second

// liveCluster gives sessions on one real server, each through a proxy of its
// own so that Expire can partition exactly that session.
type liveCluster struct {
	addr string
	mu   sync.Mutex
	prox map[zkstore.Store]*zkserver.Proxy
}

func newLiveCluster(addr string) *liveCluster {
	return &liveCluster{addr: addr, prox: map[zkstore.Store]*zkserver.Proxy{}}
}

func (c *liveCluster) Open(t testing.TB) zkstore.Store {
	t.Helper()
	p, err := zkserver.NewProxy(c.addr)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := livestore.Open(ctx, []string{p.Addr()}, livestore.SessionTimeout(liveSessionTimeout))
	if err != nil {
		p.Close()
		t.Fatalf("livestore.Open: %v", err)
	}
	c.mu.Lock()
	c.prox[s] = p
	c.mu.Unlock()
	t.Cleanup(func() {
		s.Close()
		p.Close()
		c.mu.Lock()
		delete(c.prox, s)
		c.mu.Unlock()
	})
	return s
}

// Expire partitions the session until the server has expired it (its
// connection is gone from "cons"), then heals the partition so that the
// client learns of the expiry.
func (c *liveCluster) Expire(t testing.TB, s zkstore.Store) {
	t.Helper()
	c.mu.Lock()
	p := c.prox[s]
	c.mu.Unlock()
	if p == nil {
		t.Fatal("Expire: not a session of this cluster")
	}
	sid := fmt.Sprintf("sid=0x%x", s.SessionID())
	p.Block()
	deadline := time.Now().Add(liveSessionTimeout + 20*time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		out, err := zkserver.FourLetterWord(ctx, c.addr, "cons")
		cancel()
		if err == nil && !strings.Contains(out, sid) {
			break
		}
		if time.Now().After(deadline) {
			p.Unblock()
			t.Fatalf("Expire: session %s still on the server: %v", sid, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	p.Unblock()
	deadline = time.Now().Add(20 * time.Second)
	for s.State() != zkstore.StateExpired {
		if time.Now().After(deadline) {
			t.Fatalf("Expire: state %v, want expired", s.State())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// memCluster is one in-memory server.
type memCluster struct{ srv *memstore.Server }

func newMemCluster(t testing.TB, opts ...memstore.ServerOption) memCluster {
	srv := memstore.NewServer(opts...)
	t.Cleanup(srv.Close)
	return memCluster{srv}
}

func (c memCluster) Open(t testing.TB) zkstore.Store {
	s := c.srv.Connect()
	t.Cleanup(func() { s.Close() })
	return s
}

func (c memCluster) Expire(t testing.TB, s zkstore.Store) {
	t.Helper()
	if err := c.srv.Expire(s.SessionID()); err != nil {
		t.Fatalf("expire session %#x: %v", s.SessionID(), err)
	}
}

var (
	_ storetest.Cluster = (*liveCluster)(nil)
	_ storetest.Cluster = memCluster{}
)
