package cachestore_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zksql/zksql/zkstore"
	"github.com/zksql/zksql/zkstore/cachestore"
	"github.com/zksql/zksql/zkstore/storetest"
)

// openCache opens a session of c and a cache of roots over it.
func openCache(t testing.TB, c innerCluster, roots []string, opts ...cachestore.Option) (*cachestore.Store, zkstore.Store) {
	t.Helper()
	in := c.Open(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cs, err := cachestore.New(ctx, in, roots, opts...)
	if err != nil {
		t.Fatalf("cachestore.New(%v): %v", roots, err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs, in
}

func testBase(t testing.TB, s zkstore.Store) string {
	t.Helper()
	p := fmt.Sprintf("/cachestore-%s-%d", storetest.SafeName(t.Name()), rand.Int63())
	if _, err := s.Create(context.Background(), p, nil, zkstore.CreateOptions{}); err != nil {
		t.Fatalf("create %s: %v", p, err)
	}
	return p
}

// monotone remembers, per path, the newest state any read has returned,
// to check that a read begun after another returned is never older.
type monotone struct {
	mu  sync.Mutex
	max map[string]zkstore.Stat
}

func (m *monotone) before(path string) zkstore.Stat {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.max[path]
}

func (m *monotone) after(path string, st zkstore.Stat) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if old := m.max[path]; st.Mzxid > old.Mzxid || st.Pzxid > old.Pzxid {
		if st.Mzxid < old.Mzxid {
			st.Mzxid = old.Mzxid
		}
		if st.Pzxid < old.Pzxid {
			st.Pzxid = old.Pzxid
		}
		m.max[path] = st
	}
}

// TestConsistency interleaves writes through the cache's session and
// through another session with reads through the cache, and checks every
// read against the contract: never backwards (by mzxid and pzxid, across
// goroutines: a read begun after another returned is at least as new),
// own writes visible at once, another session's writes visible after a
// Sync and, without one, once their events arrive.
func TestConsistency(t *testing.T) {
	ops := 300
	if long() {
		ops = 5000
	}
	for _, kind := range []string{"mem", "live"} {
		t.Run(kind, func(t *testing.T) {
			var c innerCluster
			if kind == "mem" {
				c = memCluster(t)
			} else {
				c = liveCluster(t)
			}
			consistency(t, c, ops)
		})
	}
}

func consistency(t *testing.T, c innerCluster, ops int) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	other := c.Open(t)
	base := testBase(t, other)
	const keys = 6
	key := func(i int) string { return fmt.Sprintf("%s/k%d", base, i) }
	for i := 0; i < keys; i++ {
		if _, err := other.Create(ctx, key(i), []byte("0"), zkstore.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	dir := base + "/dir"
	if _, err := other.Create(ctx, dir, nil, zkstore.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	cs, _ := openCache(t, c, []string{base})
	mono := &monotone{max: make(map[string]zkstore.Stat)}

	var (
		readers  sync.WaitGroup
		wg       sync.WaitGroup // the writers
		stop     atomic.Bool
		failures atomic.Int64
		reads    atomic.Int64
	)
	fail := func(format string, args ...any) {
		if failures.Add(1) <= 20 {
			t.Errorf(format, args...)
		}
		stop.Store(true)
	}
	readKey := func(p string) (zkstore.Stat, bool) {
		floor := mono.before(p)
		_, st, err := cs.Get(ctx, p)
		if err != nil {
			fail("Get(%s): %v", p, err)
			return st, false
		}
		reads.Add(1)
		if st.Mzxid < floor.Mzxid {
			fail("Get(%s) went backwards: mzxid %d after %d was read", p, st.Mzxid, floor.Mzxid)
		}
		mono.after(p, st)
		return st, true
	}

	// Readers: every key, over and over, checking monotonicity.
	for r := 0; r < 2; r++ {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for !stop.Load() {
				for i := 0; i < keys && !stop.Load(); i++ {
					readKey(key(i))
				}
				floor := mono.before(dir)
				_, st, err := cs.Children(ctx, dir)
				if err != nil {
					fail("Children(%s): %v", dir, err)
					return
				}
				if st.Pzxid < floor.Pzxid {
					fail("Children(%s) went backwards: pzxid %d after %d", dir, st.Pzxid, floor.Pzxid)
				}
				mono.after(dir, st)
				time.Sleep(100 * time.Microsecond) // leave the machine's cores to the writers
			}
		}()
	}

	// Writer through the cache: sets keys and creates and deletes the
	// children of dir (nobody else touches those), checking after every
	// write that the cache shows it.
	wg.Add(1)
	go func() {
		defer wg.Done()
		rng := rand.New(rand.NewSource(1))
		var children []string
		for n := 0; n < ops/2 && !stop.Load(); n++ {
			switch rng.Intn(3) {
			case 0, 1:
				p := key(rng.Intn(keys))
				st, err := cs.Set(ctx, p, []byte(fmt.Sprint(n)), -1)
				if err != nil {
					fail("Set(%s) through the cache: %v", p, err)
					return
				}
				if got, ok := readKey(p); ok && got.Mzxid < st.Mzxid {
					fail("own Set(%s) at mzxid %d not visible: read mzxid %d", p, st.Mzxid, got.Mzxid)
				}
			case 2:
				if len(children) > 0 && rng.Intn(2) == 0 {
					i := rng.Intn(len(children))
					if err := cs.Delete(ctx, dir+"/"+children[i], -1); err != nil {
						fail("Delete: %v", err)
						return
					}
					children = slices.Delete(children, i, i+1)
				} else {
					name := fmt.Sprintf("c%d", n)
					if _, err := cs.Create(ctx, dir+"/"+name, nil, zkstore.CreateOptions{}); err != nil {
						fail("Create: %v", err)
						return
					}
					children = append(children, name)
					slices.Sort(children)
				}
				got, _, err := cs.Children(ctx, dir)
				if err != nil {
					fail("Children: %v", err)
					return
				}
				if !slices.Equal(got, children) && !(len(got) == 0 && len(children) == 0) {
					fail("own creates and deletes not visible: Children = %v, want %v", got, children)
				}
			}
		}
	}()

	// Writer through the other session: each set is visible through the
	// cache after a Sync, and, every few, without one once its event
	// has arrived (polled).
	wg.Add(1)
	go func() {
		defer wg.Done()
		rng := rand.New(rand.NewSource(2))
		for n := 0; n < ops/2 && !stop.Load(); n++ {
			p := key(rng.Intn(keys))
			st, err := other.Set(ctx, p, []byte(fmt.Sprint(n)), -1)
			if err != nil {
				fail("Set(%s) through the other session: %v", p, err)
				return
			}
			if n%5 == 0 {
				deadline := time.Now().Add(20 * time.Second)
				for {
					got, ok := readKey(p)
					if !ok || got.Mzxid >= st.Mzxid {
						break
					}
					if time.Now().After(deadline) {
						fail("another session's Set(%s) at mzxid %d never became visible (at %d)", p, st.Mzxid, got.Mzxid)
						return
					}
					time.Sleep(time.Millisecond)
				}
				continue
			}
			if err := cs.Sync(ctx, p); err != nil {
				fail("Sync: %v", err)
				return
			}
			if got, ok := readKey(p); ok && got.Mzxid < st.Mzxid {
				fail("another session's Set(%s) at mzxid %d not visible after Sync: read mzxid %d", p, st.Mzxid, got.Mzxid)
			}
		}
	}()

	// The writers end the run; then the readers.
	wg.Wait()
	stop.Store(true)
	readers.Wait()
	st := cs.Stats()
	t.Logf("%d ops, %d checked reads; cache: %+v", ops, reads.Load(), st)
	if st.Hits == 0 {
		t.Error("no read was answered from memory")
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Error("the run did not end in time")
	}
}

// TestConsistencyDisconnects cuts the cache's connection again and again
// while readers read through it and another session writes: a read
// either fails with ErrConnectionLoss or answers a state no older than
// any read before it; after each reconnection a Sync makes the writes
// made meanwhile (which raised no event on a live server) visible.
func TestConsistencyDisconnects(t *testing.T) {
	rounds := 4
	if long() {
		rounds = 40
	}
	bothClusters(t, func(t *testing.T, c innerCluster) {
		ctx := ctxT(t)
		other := c.Open(t)
		base := testBase(t, other)
		const keys = 4
		key := func(i int) string { return fmt.Sprintf("%s/k%d", base, i) }
		for i := 0; i < keys; i++ {
			if _, err := other.Create(ctx, key(i), nil, zkstore.CreateOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		cs, in := openCache(t, c, []string{base})
		mono := &monotone{max: make(map[string]zkstore.Stat)}
		var (
			stop     atomic.Bool
			readers  sync.WaitGroup
			lost, ok atomic.Int64
		)
		for r := 0; r < 2; r++ {
			readers.Add(1)
			go func() {
				defer readers.Done()
				for !stop.Load() {
					for i := 0; i < keys; i++ {
						p := key(i)
						floor := mono.before(p)
						_, st, err := cs.Get(ctx, p)
						switch {
						case errors.Is(err, zkstore.ErrConnectionLoss):
							lost.Add(1)
						case err != nil:
							t.Errorf("Get(%s): %v", p, err)
							return
						default:
							ok.Add(1)
							if st.Mzxid < floor.Mzxid {
								t.Errorf("Get(%s) went backwards: mzxid %d after %d", p, st.Mzxid, floor.Mzxid)
							}
							mono.after(p, st)
						}
					}
					time.Sleep(200 * time.Microsecond)
				}
			}()
		}
		for round := 0; round < rounds && !t.Failed(); round++ {
			resume := c.Suspend(t, in)
			var last [keys]zkstore.Stat
			for i := 0; i < keys; i++ {
				st, err := other.Set(ctx, key(i), []byte(fmt.Sprint(round)), -1)
				if err != nil {
					t.Fatal(err)
				}
				last[i] = st
			}
			if _, _, err := cs.Get(ctx, key(0)); !errors.Is(err, zkstore.ErrConnectionLoss) {
				t.Errorf("round %d: Get while disconnected: %v, want ErrConnectionLoss", round, err)
			}
			waitCount(t, &lost, "a reader's connection loss")
			resume()
			waitCount(t, &ok, "a reader's answer")
			if err := cs.Sync(ctx, base); err != nil {
				t.Fatalf("round %d: Sync after reconnecting: %v", round, err)
			}
			for i := 0; i < keys; i++ {
				data, st, err := cs.Get(ctx, key(i))
				if err != nil {
					t.Fatalf("round %d: Get after Sync: %v", round, err)
				}
				if st.Mzxid < last[i].Mzxid || string(data) != fmt.Sprint(round) {
					t.Errorf("round %d: %s = %q at mzxid %d after Sync, want %q at %d", round, key(i), data, st.Mzxid, fmt.Sprint(round), last[i].Mzxid)
				}
			}
		}
		stop.Store(true)
		readers.Wait()
		t.Logf("%d rounds: %d reads answered, %d failed with the connection loss; cache %+v", rounds, ok.Load(), lost.Load(), cs.Stats())
		if lost.Load() == 0 || ok.Load() == 0 {
			t.Error("the readers never saw a disconnection or never got an answer")
		}
	})
}

// waitCount waits until n grows.
func waitCount(t *testing.T, n *atomic.Int64, what string) {
	t.Helper()
	start := n.Load()
	deadline := time.Now().Add(30 * time.Second)
	for n.Load() == start {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within 30s", what)
		}
		time.Sleep(time.Millisecond)
	}
}
