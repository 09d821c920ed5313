package recipe_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zksql/zksql/recipe"
)

// maxTracker records how many are inside at once.
type maxTracker struct{ inside, max atomic.Int32 }

func (m *maxTracker) enter() {
	n := m.inside.Add(1)
	for {
		old := m.max.Load()
		if n <= old || m.max.CompareAndSwap(old, n) {
			return
		}
	}
}

func (m *maxTracker) leave() { m.inside.Add(-1) }

// 20 goroutines over 4 sessions take 3 leases of 3 three times each:
// never more than 3 at once.
func TestSemaphoreContention(t *testing.T) {
	both(t, func(t *testing.T, e env) {
		const workers, rounds, leases = 20, 3, 3
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		stores := openN(t, e, 4)
		dir := fmt.Sprintf("/semaphores/s-%d", time.Now().UnixNano())
		var in maxTracker
		var entered atomic.Int32
		var wg sync.WaitGroup
		for w := range workers {
			sem := recipe.NewSemaphore(stores[w%4], dir, leases, nil)
			wg.Go(func() {
				for range rounds {
					l, err := sem.Acquire(ctx)
					if err != nil {
						t.Error(err)
						return
					}
					in.enter()
					entered.Add(1)
					time.Sleep(2 * time.Millisecond)
					in.leave()
					if err := l.Release(ctx); err != nil {
						t.Error(err)
					}
				}
			})
		}
		wg.Wait()
		if in.max.Load() > leases || entered.Load() != workers*rounds {
			t.Fatalf("max holders %d (limit %d), entered %d of %d", in.max.Load(), leases, entered.Load(), workers*rounds)
		}
		t.Logf("at most %d holders at once", in.max.Load())
	})
}

// A lease holder's session is suspended (reported), then expires: the
// lease is lost and passes to the waiter, and the holders stay within N.
func TestSemaphoreSessionLoss(t *testing.T) {
	bothSuspend(t, func(t *testing.T, e suspender) {
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		dir := fmt.Sprintf("/semaphores/loss-%d", time.Now().UnixNano())
		a, b, c := e.Open(t), e.Open(t), e.Open(t)
		la, err := recipe.NewSemaphore(a, dir, 2, nil).Acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		lb, err := recipe.NewSemaphore(b, dir, 2, nil).Acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		semC := recipe.NewSemaphore(c, dir, 2, nil)
		got := make(chan *recipe.Lease, 1)
		go func() {
			l, err := semC.Acquire(ctx)
			if err != nil {
				t.Error(err)
			}
			got <- l
		}()
		states := la.States()
		wantState(t, states, recipe.Connected)
		resume := e.Suspend(t, a)
		wantState(t, states, recipe.Suspended)
		resume()
		wantState(t, states, recipe.Reconnected)
		if n, err := semC.Leases(ctx); err != nil || n != 2 {
			t.Fatalf("Leases = %d, %v", n, err)
		}
		select {
		case <-got:
			t.Fatal("a third lease of 2 while both holders live")
		default:
		}
		e.Expire(t, a)
		<-la.Lost()
		lc := <-got
		if lc == nil {
			t.FailNow()
		}
		for _, l := range []*recipe.Lease{la, lb, lc} {
			if err := l.Release(ctx); err != nil {
				t.Fatal(err)
			}
		}
	})
}
