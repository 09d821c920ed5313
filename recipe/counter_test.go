package recipe_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zksql/zksql/recipe"
	"github.com/zksql/zksql/zkstore"
)

// openN opens n sessions.
func openN(t *testing.T, e env, n int) []zkstore.Store {
	t.Helper()
	stores := make([]zkstore.Store, n)
	for i := range stores {
		stores[i] = e.Open(t)
	}
	return stores
}

// waitFor polls cond until it holds, failing the test after 30s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within 30s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// 20 goroutines over 4 sessions add 1 ten times each, and as many more
// increments go through CompareAndSet loops: not one is lost.
func TestCounterContention(t *testing.T) {
	both(t, func(t *testing.T, e env) {
		const workers, rounds = 20, 10
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		stores := openN(t, e, 4)
		path := fmt.Sprintf("/counters/c-%d", time.Now().UnixNano())
		var wg sync.WaitGroup
		var casFalse atomic.Int32
		for w := range workers {
			c := recipe.NewCounter(stores[w%len(stores)], path)
			wg.Go(func() {
				for range rounds {
					if _, err := c.Add(ctx, 1); err != nil {
						t.Error(err)
						return
					}
					for { // increment by compare-and-set
						v, err := c.Get(ctx)
						if err != nil {
							t.Error(err)
							return
						}
						ok, err := c.CompareAndSet(ctx, v, v+1)
						if err != nil {
							t.Error(err)
							return
						}
						if ok {
							break
						}
						casFalse.Add(1)
					}
				}
			})
		}
		wg.Wait()
		got, err := recipe.NewCounter(e.Open(t), path).Get(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if want := int64(2 * workers * rounds); got != want {
			t.Fatalf("counter = %d, want %d", got, want)
		}
		t.Logf("%d compare-and-sets found a stale value", casFalse.Load())
	})
}

func TestCounterCompareAndSet(t *testing.T) {
	both(t, func(t *testing.T, e env) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		st := e.Open(t)
		path := fmt.Sprintf("/counters/cas-%d", time.Now().UnixNano())
		c := recipe.NewCounter(st, path)
		if v, err := c.Get(ctx); err != nil || v != 0 {
			t.Fatalf("Get of a missing counter = %d, %v; want 0", v, err)
		}
		if ok, err := c.CompareAndSet(ctx, 0, 5); err != nil || !ok {
			t.Fatalf("CompareAndSet(0, 5) on a missing counter = %v, %v", ok, err)
		}
		if ok, err := c.CompareAndSet(ctx, 0, 7); err != nil || ok {
			t.Fatalf("stale CompareAndSet(0, 7) = %v, %v; want false", ok, err)
		}
		if v, err := c.Add(ctx, -8); err != nil || v != -3 {
			t.Fatalf("Add(-8) = %d, %v; want -3", v, err)
		}
		if _, err := st.Set(ctx, path, []byte("many"), zkstore.AnyVersion); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Add(ctx, 1); !errors.Is(err, recipe.ErrNotCounter) {
			t.Fatalf("Add on %q: %v, want ErrNotCounter", "many", err)
		}
		if _, err := st.Set(ctx, path, []byte("9223372036854775807"), zkstore.AnyVersion); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Add(ctx, 1); err == nil {
			t.Fatal("Add past MaxInt64 succeeded")
		}
	})
}

// One participant's session expires while all add: its calls fail, the
// others' keep counting, and no increment is lost or doubled.
func TestCounterSessionExpiry(t *testing.T) {
	both(t, func(t *testing.T, e env) {
		const workers = 20
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		stores := openN(t, e, 4)
		path := fmt.Sprintf("/counters/exp-%d", time.Now().UnixNano())
		var applied, unknown atomic.Int64
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for w := range workers {
			c := recipe.NewCounter(stores[w%len(stores)], path)
			wg.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
					}
					_, err := c.Add(ctx, 1)
					switch {
					case err == nil:
						applied.Add(1)
					case errors.Is(err, zkstore.ErrConnectionLoss):
						unknown.Add(1) // may or may not have counted
					case errors.Is(err, zkstore.ErrSessionExpired) && w%len(stores) == 0:
						return
					default:
						t.Error(err)
						return
					}
				}
			})
		}
		waitFor(t, "40 additions", func() bool { return applied.Load() >= 40 })
		e.Expire(t, stores[0])
		before := applied.Load()
		waitFor(t, "40 additions after the expiry", func() bool { return applied.Load() >= before+40 })
		close(stop)
		wg.Wait()
		got, err := recipe.NewCounter(stores[1], path).Get(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got < applied.Load() || got > applied.Load()+unknown.Load() {
			t.Fatalf("counter = %d; %d additions succeeded and %d had an unknown outcome", got, applied.Load(), unknown.Load())
		}
		t.Logf("counter %d: %d applied, %d unknown", got, applied.Load(), unknown.Load())
	})
}
