package main

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/zksql/zksql/internal/zkserver"
	"github.com/zksql/zksql/zkstore"
	"github.com/zksql/zksql/zkstore/livestore"
	"github.com/zksql/zksql/zkstore/memstore"
)

func TestMem(t *testing.T) {
	srv := memstore.NewServer()
	defer srv.Close()
	var out bytes.Buffer
	open := func(context.Context) (zkstore.Store, error) { return srv.Connect(), nil }
	expire := func(st zkstore.Store) error { return srv.Expire(st.SessionID()) }
	if err := run(context.Background(), &out, open, expire); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
}

// Live, each session goes through a proxy of its own; expiry is a
// partition longer than the session timeout.
func TestLive(t *testing.T) {
	srv := zkserver.StartTB(t, zkserver.Options{TickTime: 100 * time.Millisecond})
	var (
		out     bytes.Buffer
		mu      sync.Mutex
		proxies = map[zkstore.Store]*zkserver.Proxy{}
	)
	open := func(ctx context.Context) (zkstore.Store, error) {
		p, err := zkserver.NewProxy(srv.Addr())
		if err != nil {
			return nil, err
		}
		t.Cleanup(func() { p.Close() })
		st, err := livestore.Open(ctx, []string{p.Addr()}, livestore.SessionTimeout(500*time.Millisecond))
		if err != nil {
			return nil, err
		}
		mu.Lock()
		proxies[st] = p
		mu.Unlock()
		return st, nil
	}
	expire := func(st zkstore.Store) error {
		mu.Lock()
		p := proxies[st]
		mu.Unlock()
		p.Block()
		time.Sleep(1500 * time.Millisecond)
		p.Unblock()
		return nil
	}
	if err := run(context.Background(), &out, open, expire); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	t.Log(out.String())
}
