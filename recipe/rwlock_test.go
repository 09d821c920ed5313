package recipe_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/zksql/zksql/recipe"
	"github.com/zksql/zksql/zkstore"
)

// 20 goroutines over 4 sessions, 5 writers and 15 readers, three rounds
// each: a writer never overlaps anyone.
func TestRWLockContention(t *testing.T) {
	both(t, func(t *testing.T, e env) {
		const workers, rounds = 20, 3
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		stores := openN(t, e, 4)
		dir := fmt.Sprintf("/rwlocks/c-%d", time.Now().UnixNano())
		var (
			mu                 sync.Mutex
			readers, writers   int
			maxReaders, writes int
		)
		var wg sync.WaitGroup
		for w := range workers {
			l := recipe.NewRWLock(stores[w%4], dir)
			writer := w%4 == 0
			wg.Go(func() {
				for range rounds {
					lock := l.RLock
					if writer {
						lock = l.Lock
					}
					h, err := lock(ctx)
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					if writers > 0 || (writer && readers > 0) {
						t.Errorf("overlap: writer %v enters with %d readers and %d writers inside", writer, readers, writers)
					}
					if writer {
						writers++
						writes++
					} else {
						readers++
						maxReaders = max(maxReaders, readers)
					}
					mu.Unlock()
					time.Sleep(time.Millisecond)
					mu.Lock()
					if writer {
						writers--
					} else {
						readers--
					}
					mu.Unlock()
					if err := h.Unlock(ctx); err != nil {
						t.Error(err)
					}
				}
			})
		}
		wg.Wait()
		if writes != 5*rounds {
			t.Fatalf("%d writes, want %d", writes, 5*rounds)
		}
		t.Logf("at most %d readers at once", maxReaders)
	})
}

// childCount polls until dir has n children.
func childCount(t *testing.T, st zkstore.Store, dir string, n int) {
	t.Helper()
	waitFor(t, fmt.Sprintf("%d znodes under %s", n, dir), func() bool {
		names, _, err := st.Children(context.Background(), dir)
		return err == nil && len(names) == n
	})
}

// Readers share; a writer waits for them; a reader arriving after a
// waiting writer waits for the writer (writers are not starved).
func TestRWLockWriterNotStarved(t *testing.T) {
	both(t, func(t *testing.T, e env) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		dir := fmt.Sprintf("/rwlocks/ns-%d", time.Now().UnixNano())
		obs := e.Open(t)
		r1, err := recipe.NewRWLock(e.Open(t), dir).RLock(ctx)
		if err != nil {
			t.Fatal(err)
		}
		r1b, err := recipe.NewRWLock(e.Open(t), dir).RLock(ctx) // readers share
		if err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		var order []string
		note := func(s string) { mu.Lock(); order = append(order, s); mu.Unlock() }
		done := make(chan struct{}, 2)
		go func() {
			w, err := recipe.NewRWLock(e.Open(t), dir).Lock(ctx)
			if err != nil {
				t.Error(err)
				done <- struct{}{}
				return
			}
			note("writer in")
			time.Sleep(5 * time.Millisecond)
			note("writer out")
			w.Unlock(ctx)
			done <- struct{}{}
		}()
		childCount(t, obs, dir, 3)
		go func() {
			r2, err := recipe.NewRWLock(e.Open(t), dir).RLock(ctx)
			if err != nil {
				t.Error(err)
				done <- struct{}{}
				return
			}
			note("late reader in")
			r2.Unlock(ctx)
			done <- struct{}{}
		}()
		childCount(t, obs, dir, 4)
		note("first readers out")
		r1.Unlock(ctx)
		r1b.Unlock(ctx)
		<-done
		<-done
		want := []string{"first readers out", "writer in", "writer out", "late reader in"}
		if fmt.Sprint(order) != fmt.Sprint(want) {
			t.Fatalf("order %q, want %q", order, want)
		}
	})
}

// A writer's session expires while it holds the lock: it is told (Lost)
// and the waiting reader gets the lock.
func TestRWLockSessionExpiry(t *testing.T) {
	both(t, func(t *testing.T, e env) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		dir := fmt.Sprintf("/rwlocks/exp-%d", time.Now().UnixNano())
		a := e.Open(t)
		w, err := recipe.NewRWLock(a, dir).Lock(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got := make(chan error, 1)
		var r *recipe.RWHold
		go func() {
			var err error
			r, err = recipe.NewRWLock(e.Open(t), dir).RLock(ctx)
			got <- err
		}()
		childCount(t, e.Open(t), dir, 2)
		e.Expire(t, a)
		<-w.Lost()
		if err := <-got; err != nil {
			t.Fatal(err)
		}
		if err := w.Unlock(ctx); err != nil {
			t.Fatal(err)
		}
		if err := r.Unlock(ctx); err != nil {
			t.Fatal(err)
		}
	})
}
