package main

import (
	"context"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/zksql/zksql/internal/testkit/exampletest"
	"github.com/zksql/zksql/internal/testkit/zkserver"
	"github.com/zksql/zksql/zkstore"
	"github.com/zksql/zksql/zkstore/livestore"
)

func TestMem(t *testing.T) {
	open, srv := exampletest.Mem(t)
	expire := func(st zkstore.Store) error { return srv.Expire(st.SessionID()) }
	exampletest.Run(t, func(ctx context.Context, w io.Writer) error { return run(ctx, w, open, expire) })
}

// Live, each session goes through a proxy of its own; expiry is a
// partition longer than the session timeout.
func TestLive(t *testing.T) {
	srv := exampletest.LiveServer(t)
	var (
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
	exampletest.Run(t, func(ctx context.Context, w io.Writer) error { return run(ctx, w, open, expire) })
}
