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

// 20 waiters over 4 sessions wait on a barrier; none passes before it is
// removed, all pass after.
func TestBarrierContention(t *testing.T) {
	both(t, func(t *testing.T, e env) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		stores := openN(t, e, 4)
		path := fmt.Sprintf("/barriers/b-%d", time.Now().UnixNano())
		if err := recipe.NewBarrier(stores[0], path).Set(ctx); err != nil {
			t.Fatal(err)
		}
		var removed atomic.Bool
		var passed atomic.Int32
		var wg, started sync.WaitGroup
		for w := range 20 {
			b := recipe.NewBarrier(stores[w%4], path)
			started.Add(1)
			wg.Go(func() {
				started.Done()
				if err := b.Wait(ctx); err != nil {
					t.Error(err)
					return
				}
				if !removed.Load() {
					t.Error("passed a barrier still up")
				}
				passed.Add(1)
			})
		}
		// Most waiters have set their watch once a read on each session
		// returns (ZooKeeper orders a session's requests); one that comes
		// later finds the barrier down and passes, which is right too.
		started.Wait()
		for _, st := range stores {
			if err := st.Sync(ctx, path); err != nil {
				t.Fatal(err)
			}
		}
		if n := passed.Load(); n != 0 {
			t.Fatalf("%d passed a barrier still up", n)
		}
		removed.Store(true)
		if err := recipe.NewBarrier(stores[1], path).Remove(ctx); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		if passed.Load() != 20 {
			t.Fatalf("%d of 20 passed", passed.Load())
		}
	})
}

// A waiter's session expires: its Wait fails with the expiry, the others
// still wait and pass when the barrier comes down.
func TestBarrierSessionExpiry(t *testing.T) {
	both(t, func(t *testing.T, e env) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		path := fmt.Sprintf("/barriers/exp-%d", time.Now().UnixNano())
		a, b := e.Open(t), e.Open(t)
		if err := recipe.NewBarrier(b, path).Set(ctx); err != nil {
			t.Fatal(err)
		}
		errA, errB := make(chan error, 1), make(chan error, 1)
		go func() { errA <- recipe.NewBarrier(a, path).Wait(ctx) }()
		go func() { errB <- recipe.NewBarrier(b, path).Wait(ctx) }()
		e.Expire(t, a)
		if err := <-errA; !errors.Is(err, zkstore.ErrSessionExpired) {
			t.Fatalf("Wait on an expired session: %v", err)
		}
		select {
		case err := <-errB:
			t.Fatalf("the other waiter passed a barrier still up: %v", err)
		default:
		}
		if err := recipe.NewBarrier(b, path).Remove(ctx); err != nil {
			t.Fatal(err)
		}
		if err := <-errB; err != nil {
			t.Fatal(err)
		}
	})
}

// 20 members over 4 sessions: none enters before all have arrived, none
// leaves before all have begun to leave.
func TestDoubleBarrierContention(t *testing.T) {
	both(t, func(t *testing.T, e env) {
		const members = 20
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		stores := openN(t, e, 4)
		dir := fmt.Sprintf("/barriers/db-%d", time.Now().UnixNano())
		var arrived, leaving atomic.Int32
		var wg sync.WaitGroup
		for m := range members {
			b := recipe.NewDoubleBarrier(stores[m%4], dir, fmt.Sprintf("m%02d", m), members)
			wg.Go(func() {
				arrived.Add(1)
				if err := b.Enter(ctx); err != nil {
					t.Error(err)
					return
				}
				if n := arrived.Load(); n != members {
					t.Errorf("entered with %d of %d arrived", n, members)
				}
				leaving.Add(1)
				if err := b.Leave(ctx); err != nil {
					t.Error(err)
					return
				}
				if n := leaving.Load(); n != members {
					t.Errorf("left with %d of %d leaving", n, members)
				}
			})
		}
		wg.Wait()
		names, _, err := stores[0].Children(ctx, dir)
		if err != nil || len(names) != 0 {
			t.Fatalf("left behind: %q, %v", names, err)
		}
	})
}

// A member's session expires while it waits to enter: it no longer
// counts, and the group enters once another member takes its place.
func TestDoubleBarrierSessionExpiry(t *testing.T) {
	both(t, func(t *testing.T, e env) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		dir := fmt.Sprintf("/barriers/dbexp-%d", time.Now().UnixNano())
		a, b, c := e.Open(t), e.Open(t), e.Open(t)
		errA, errB := make(chan error, 1), make(chan error, 1)
		go func() { errA <- recipe.NewDoubleBarrier(a, dir, "a", 2).Enter(ctx) }()
		childCount(t, c, dir, 1)
		e.Expire(t, a)
		if err := <-errA; !errors.Is(err, zkstore.ErrSessionExpired) {
			t.Fatalf("Enter on an expired session: %v", err)
		}
		childCount(t, c, dir, 0)
		mb := recipe.NewDoubleBarrier(b, dir, "b", 2)
		go func() { errB <- mb.Enter(ctx) }()
		childCount(t, c, dir, 1)
		select {
		case err := <-errB:
			t.Fatalf("entered alone in a group of 2: %v", err)
		default:
		}
		mc := recipe.NewDoubleBarrier(c, dir, "c", 2)
		if err := mc.Enter(ctx); err != nil {
			t.Fatal(err)
		}
		if err := <-errB; err != nil {
			t.Fatal(err)
		}
		// b's session ends inside: b is told, and c's Leave does not wait
		// for it.
		states := mb.States()
		wantState(t, states, recipe.Connected)
		b.Close()
		wantState(t, states, recipe.Lost)
		<-mb.Lost()
		if err := mc.Leave(ctx); err != nil {
			t.Fatal(err)
		}
		if err := mb.Leave(ctx); !errors.Is(err, zkstore.ErrClosed) {
			t.Fatalf("Leave on a closed session: %v", err)
		}
	})
}
