package recipe_test

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zksql/zksql/driver"
	"github.com/zksql/zksql/internal/testkit/zkserver"
	"github.com/zksql/zksql/recipe"
	"github.com/zksql/zksql/watch"
	"github.com/zksql/zksql/zkstore"
)

// 20 goroutines over 4 sessions contend for one lock: the critical section
// is never entered twice at once, and everybody gets it.
func TestMutexExclusion(t *testing.T) {
	both(t, func(t *testing.T, e env) {
		stores := make([]zkstore.Store, 4)
		for i := range stores {
			stores[i] = e.Open(t)
		}
		contend(t, stores)
	})
}

// The same through the SQL driver: 20 goroutines over 4 sql.DBs, each
// with its own ZooKeeper session, reached through watch.FromDB.
func TestMutexExclusionOverSQLDBs(t *testing.T) {
	dsns := map[string]func(t *testing.T) string{
		"mem": func(t *testing.T) string {
			name := fmt.Sprintf("lock-%d", time.Now().UnixNano())
			t.Cleanup(func() { driver.DropMemServer(name) })
			return "mem:" + name
		},
		"live": func(t *testing.T) string { return "zk://" + zkserver.SharedAddr(t) },
	}
	for _, name := range []string{"mem", "live"} {
		t.Run(name, func(t *testing.T) {
			dsn := dsns[name](t)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			stores := make([]zkstore.Store, 4)
			for i := range stores {
				db, err := sql.Open("zookeeper", dsn)
				if err != nil {
					t.Fatal(err)
				}
				src := watch.FromDB(db)
				t.Cleanup(func() {
					src.Close()
					db.Close()
				})
				if stores[i], err = src.Store(ctx); err != nil {
					t.Fatal(err)
				}
			}
			for i := 1; i < len(stores); i++ {
				if stores[i].SessionID() == stores[0].SessionID() {
					t.Fatalf("sql.DBs %d and 0 share session %#x", i, stores[0].SessionID())
				}
			}
			contend(t, stores)
		})
	}
}

// contend has 20 goroutines, spread over stores, take one lock 3 times
// each, and checks that no two ever hold it at once.
func contend(t *testing.T, stores []zkstore.Store) {
	t.Helper()
	const workers, rounds = 20, 3
	dir := fmt.Sprintf("/locks/excl-%d", time.Now().UnixNano())
	var inside, max, entered atomic.Int32
	var wg sync.WaitGroup
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for w := range workers {
		st := stores[w%len(stores)]
		wg.Go(func() {
			for range rounds {
				m := recipe.NewMutex(st, dir, nil)
				if err := m.Lock(ctx); err != nil {
					t.Error(err)
					return
				}
				n := inside.Add(1)
				for {
					old := max.Load()
					if n <= old || max.CompareAndSwap(old, n) {
						break
					}
				}
				entered.Add(1)
				time.Sleep(time.Millisecond)
				inside.Add(-1)
				if err := m.Unlock(ctx); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if max.Load() != 1 || entered.Load() != workers*rounds {
		t.Fatalf("max inside %d (want 1), entered %d (want %d)", max.Load(), entered.Load(), workers*rounds)
	}
}

// A holder whose session expires is told through Lost, and the next
// contender gets the lock.
func TestMutexLostOnExpiry(t *testing.T) {
	both(t, func(t *testing.T, e env) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		dir := fmt.Sprintf("/locks/lost-%d", time.Now().UnixNano())
		a, b := e.Open(t), e.Open(t)
		ma, mb := recipe.NewMutex(a, dir, nil), recipe.NewMutex(b, dir, nil)
		if err := ma.Lock(ctx); err != nil {
			t.Fatal(err)
		}
		got := make(chan error, 1)
		go func() { got <- mb.Lock(ctx) }()
		select {
		case err := <-got:
			t.Fatalf("second Lock returned while held: %v", err)
		case <-time.After(100 * time.Millisecond):
		}
		e.Expire(t, a)
		select {
		case <-ma.Lost():
		case <-time.After(10 * time.Second):
			t.Fatal("Lost not closed after expiry")
		}
		if err := <-got; err != nil {
			t.Fatal(err)
		}
		if err := ma.Unlock(ctx); err != nil {
			t.Fatalf("Unlock of a lost lock: %v", err)
		}
		if err := mb.Unlock(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

func TestElection(t *testing.T) {
	both(t, func(t *testing.T, e env) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		dir := fmt.Sprintf("/election/e-%d", time.Now().UnixNano())
		obs := e.Open(t)
		leaders := recipe.Observe(ctx, watch.StoreSource(obs), dir)
		next := func(want string) {
			t.Helper()
			for {
				select {
				case l := <-leaders:
					if l == want {
						return
					}
				case <-time.After(10 * time.Second):
					t.Fatalf("leader never became %q", want)
				}
			}
		}
		next("")
		c1 := recipe.NewElection(e.Open(t), dir, "c1")
		c2 := recipe.NewElection(e.Open(t), dir, "c2")
		if err := c1.Campaign(ctx); err != nil {
			t.Fatal(err)
		}
		next("c1")
		done := make(chan error, 1)
		go func() { done <- c2.Campaign(ctx) }()
		if l, err := recipe.Leader(ctx, obs, dir); err != nil || l != "c1" {
			t.Fatalf("Leader = %q, %v", l, err)
		}
		if err := c1.Resign(ctx); err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		next("c2")
		if err := c2.Resign(ctx); err != nil {
			t.Fatal(err)
		}
		next("")
	})
}

// Registrations show in the live list and vanish with their session.
func TestDiscovery(t *testing.T) {
	both(t, func(t *testing.T, e env) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		svc := fmt.Sprintf("api-%d", time.Now().UnixNano())
		list := recipe.Discover(ctx, watch.StoreSource(e.Open(t)), svc)
		wait := func(want map[string]string) {
			t.Helper()
			var got map[string]string
			for {
				select {
				case got = <-list:
					if maps.Equal(got, want) {
						return
					}
				case <-time.After(10 * time.Second):
					t.Fatalf("instances %v, want %v", got, want)
				}
			}
		}
		wait(map[string]string{})
		s1, s2 := e.Open(t), e.Open(t)
		if _, err := recipe.Register(ctx, s1, svc, "i1", []byte("10.0.0.1:80")); err != nil {
			t.Fatal(err)
		}
		if _, err := recipe.Register(ctx, s2, svc, "i2", []byte("10.0.0.2:80")); err != nil {
			t.Fatal(err)
		}
		wait(map[string]string{"i1": "10.0.0.1:80", "i2": "10.0.0.2:80"})
		s1.Close()
		wait(map[string]string{"i2": "10.0.0.2:80"})
		if err := recipe.Deregister(ctx, s2, svc, "i2"); err != nil {
			t.Fatal(err)
		}
		wait(map[string]string{})
	})
}

// Discover says nothing when the set is unchanged: the service's own
// znode being created is not a change of its instances.
func TestDiscoverReportsOnlyChanges(t *testing.T) {
	both(t, func(t *testing.T, e env) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		svc := fmt.Sprintf("quiet-%d", time.Now().UnixNano())
		list := recipe.Discover(ctx, watch.StoreSource(e.Open(t)), svc)
		next := func() map[string]string {
			t.Helper()
			select {
			case m := <-list:
				return m
			case <-time.After(10 * time.Second):
				t.Fatal("no instance set within 10s")
				return nil
			}
		}
		if m := next(); len(m) != 0 {
			t.Fatalf("first set %v, want empty", m)
		}
		st := e.Open(t)
		if _, err := recipe.Register(ctx, st, svc, "i1", []byte("a")); err != nil {
			t.Fatal(err)
		}
		if m := next(); !maps.Equal(m, map[string]string{"i1": "a"}) {
			t.Fatalf("set after the first registration %v, want only i1 (no repeated empty set)", m)
		}
		if _, err := st.Set(ctx, zkstore.Join(recipe.ServicesRoot, svc+"/i1"), []byte("b"), zkstore.AnyVersion); err != nil {
			t.Fatal(err)
		}
		if m := next(); !maps.Equal(m, map[string]string{"i1": "b"}) {
			t.Fatalf("set after a data change %v", m)
		}
	})
}
