package livestore_test

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
	"github.com/zksql/zksql/zkstore/storetest"
)

// conformanceSessionTimeout is what each store asks for. Expire costs about
// this much; much shorter (1s) and a loaded machine running the suite under
// -race sees spurious connection losses and expiries (go-zookeeper reads
// with a deadline of 2/3 of it and pings every 1/3).
const conformanceSessionTimeout = 3 * time.Second

// cluster adapts the package's shared live server to storetest.Cluster.
// Every store it opens has a proxy of its own, so Expire can cut that one
// session off for longer than its timeout.
type cluster struct {
	addr string

	mu      sync.Mutex
	proxies map[zkstore.Store]*zkserver.Proxy
}

func (c *cluster) Open(t testing.TB) zkstore.Store {
	t.Helper()
	p, err := zkserver.NewProxy(c.addr)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := livestore.Open(ctx, []string{p.Addr()}, livestore.SessionTimeout(conformanceSessionTimeout))
	if err != nil {
		p.Close()
		t.Fatalf("livestore.Open: %v", err)
	}
	t.Cleanup(func() {
		s.Close()
		p.Close()
	})
	c.mu.Lock()
	c.proxies[s] = p
	c.mu.Unlock()
	return s
}

// Expire black-holes the store's connection until the server has expired
// the session (its connection is gone from the server's "cons" list), then
// lets it through: the client's reconnection learns of the expiry.
func (c *cluster) Expire(t testing.TB, s zkstore.Store) {
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
	deadline := time.Now().Add(4*conformanceSessionTimeout + 10*time.Second)
	for {
		cons, err := zkserver.FourLetterWord(context.Background(), c.addr, "cons")
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

func TestConformance(t *testing.T) {
	addr := livestore.SharedServerAddr(t)
	c := &cluster{addr: addr, proxies: make(map[zkstore.Store]*zkserver.Proxy)}
	storetest.Run(t, func(t *testing.T) storetest.Cluster { return c })
}
