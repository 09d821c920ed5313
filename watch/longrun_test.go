package watch_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/zksql/zksql/internal/testkit/zkserver"
	"github.com/zksql/zksql/watch"
	"github.com/zksql/zksql/zkstore"
	"github.com/zksql/zksql/zkstore/livestore"
)

// watched is a stream read in a goroutine of its own into its checker,
// which also checks that a resync comes only after the session was lost.
type watched struct {
	name string
	mu   sync.Mutex
	chk  checker
	// lost: an Expired or Error event came and no resync since; a Resync
	// event without one is a resync the stream had no reason for.
	lost     bool
	resyncs  int
	expired  int
	needless []watch.Event
	done     chan struct{}
}

func follow(name string, ch <-chan watch.Event, chk checker) *watched {
	w := &watched{name: name, chk: chk, done: make(chan struct{})}
	go func() {
		defer close(w.done)
		for ev := range ch {
			w.mu.Lock()
			switch {
			case ev.Type == watch.Expired || ev.Type == watch.Error:
				w.lost = true
				if ev.Type == watch.Expired {
					w.expired++
				}
			case ev.Resync && !w.lost:
				w.needless = append(w.needless, ev)
			case ev.Resync && (ev.Type == watch.Synced || ev.Type == watch.Current):
				w.lost = false
				w.resyncs++
			}
			w.chk.apply(ev)
			w.mu.Unlock()
		}
	}()
	return w
}

// Thousands of random writes from a raw go-zookeeper client, with server
// restarts (the session survives) and expiries (the proxy blocks the
// stream's connection beyond its session timeout) in between; after each
// round a Tree, a Node and a Children stream equal the store, and none
// of them resynced without having lost its session. Short in CI; long
// (-zksql.watch.long) runs many rounds.
func TestLiveRandomWithFaults(t *testing.T) {
	rounds, opsPerRound := 2, 150
	if *longRun {
		rounds, opsPerRound = 12, 600
	}
	srv := zkserver.StartTB(t, zkserver.Options{TickTime: tick})
	proxy, err := zkserver.NewProxy(srv.Addr())
	must(t, err)
	defer proxy.Close()
	// Long enough for a restart to keep the session, which then must not
	// cause a resync.
	const sessionTimeout = 5 * time.Second
	src := watch.Reopen(func(ctx context.Context) (zkstore.Store, error) {
		return livestore.Open(ctx, []string{proxy.Addr()}, livestore.SessionTimeout(sessionTimeout),
			livestore.ConnectTimeout(20*time.Second))
	})
	defer src.Close()
	srcB := watch.Reopen(func(ctx context.Context) (zkstore.Store, error) {
		return livestore.Open(ctx, []string{proxy.Addr()}, livestore.SessionTimeout(sessionTimeout),
			livestore.ConnectTimeout(20*time.Second))
	})
	defer srcB.Close()
	raw := rawConn(t, srv.Addr())
	w := rawHWriter{raw}
	const root = "/rnd"
	_, err = raw.Create(root, nil, 0, zk.WorldACL(zk.PermAll))
	must(t, err)
	_, err = raw.Create(root+"/a", nil, 0, zk.WorldACL(zk.PermAll))
	must(t, err)

	ctx, cancel := context.WithCancel(context.Background())
	streams := []*watched{
		follow("Tree", watch.Tree(ctx, src, root), newTreeChecker(root)),
		follow("Node", watch.Node(ctx, src, root+"/a"), &nodeChecker{path: root + "/a"}),
		follow("Children", watch.Children(ctx, src, root), &nodeChecker{path: root, children: true}),
		// On a session of its own, this Tree keeps its persistent
		// recursive watch (the one above falls back to one-shot watches,
		// sharing its root with the Children stream, and so would one
		// under it on the same session).
		follow("Tree/b", watch.Tree(ctx, srcB, root+"/b"), newTreeChecker(root+"/b")),
	}
	defer func() {
		cancel()
		for _, s := range streams {
			<-s.done
		}
	}()

	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 13))
	names := []string{"a", "b", "c"}
	randPath := func() string {
		p := root
		for d := 1 + r.IntN(3); d > 0; d-- {
			p = zkstore.Join(p, names[r.IntN(len(names))])
		}
		return p
	}
	in := &injector{w: w, root: root, maxDepth: 3}
	ops, failedOps, restarts, expiries := 0, 0, 0, 0
	for round := range rounds {
		for range opsPerRound {
			p := randPath()
			c := []change{chCreate, chCreate, chSet, chSet, chDelete, chRecreate, chChildCreate, chChildDelete, chMulti}[r.IntN(9)]
			if _, err := in.apply(c, p); err != nil {
				// The server is coming back from a restart: this write may
				// or may not have been applied, which the end state shows.
				failedOps++
				time.Sleep(20 * time.Millisecond)
				continue
			}
			ops++
		}
		switch round % 2 {
		case 0:
			// Writes go on while the server restarts, so that the
			// streams' reads fail with the connection.
			rctx, rcancel := context.WithTimeout(ctx, time.Minute)
			start := time.Now()
			restarted := make(chan error, 1)
			go func() { restarted <- srv.Restart(rctx) }()
			for waiting := true; waiting; {
				select {
				case err := <-restarted:
					must(t, err)
					waiting = false
				default:
					if _, err := in.apply([]change{chCreate, chSet, chRecreate}[r.IntN(3)], randPath()); err != nil {
						failedOps++
						time.Sleep(20 * time.Millisecond)
					} else {
						ops++
					}
				}
			}
			rcancel()
			restarts++
			t.Logf("round %d: restart took %v", round, time.Since(start))
		case 1:
			proxy.Block()
			time.Sleep(sessionTimeout * 3 / 2)
			proxy.Unblock()
			expiries++
		}
		for range opsPerRound / 5 { // more writes while the streams come back
			if _, err := in.apply([]change{chCreate, chSet, chDelete, chRecreate}[r.IntN(4)], randPath()); err != nil {
				failedOps++
				time.Sleep(20 * time.Millisecond)
				continue
			}
			ops++
		}
		for _, s := range streams {
			settleWatched(t, s, w, fmt.Sprintf("round %d", round))
		}
	}
	for _, s := range streams {
		s.mu.Lock()
		t.Logf("%s: %d events, %d Expired, %d resyncs", s.name, len(s.chk.history()), s.expired, s.resyncs)
		s.mu.Unlock()
	}
	t.Logf("%d writes (%d more failed during restarts), %d restarts, %d expiries", ops, failedOps, restarts, expiries)
}

// settleWatched waits until s equals the store, then checks its contract.
func settleWatched(t *testing.T, s *watched, w hWriter, when string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		s.mu.Lock()
		ok, why, err := s.chk.matches(w)
		s.mu.Unlock()
		if err != nil && !errors.Is(err, zk.ErrConnectionClosed) && !errors.Is(err, zk.ErrNoServer) {
			t.Fatalf("%s: reading the store: %v", when, err)
		}
		if ok && err == nil {
			break
		}
		if time.Now().After(deadline) {
			s.mu.Lock()
			defer s.mu.Unlock()
			t.Fatalf("%s, %s: the stream never matched the store: %s; events %v", when, s.name, why, tail(s.chk.history(), 20))
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.chk.problems(); len(p) > 0 {
		t.Fatalf("%s, %s: contract broken: %v; events %v", when, s.name, p, tail(s.chk.history(), 30))
	}
	if len(s.needless) > 0 {
		t.Fatalf("%s, %s: resync without a lost session: %v", when, s.name, s.needless[:min(5, len(s.needless))])
	}
}
