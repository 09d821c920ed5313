package recipe_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zksql/zksql/recipe"
	"github.com/zksql/zksql/zkstore"
)

// queueLen polls q until it holds n items.
func queueLen(t *testing.T, ctx context.Context, q *recipe.Queue, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, err := q.Len(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("queue holds %d items, want %d", got, n)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func putAll(t *testing.T, ctx context.Context, q *recipe.Queue, data ...string) []string {
	t.Helper()
	var names []string
	for _, d := range data {
		n, err := q.Put(ctx, []byte(d))
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	return names
}

// Consume hands items over one at a time: the item it holds while no one
// receives goes back to its place at the head when its context ends.
func TestQueueConsumeHandOver(t *testing.T) {
	both(t, func(t *testing.T, e env) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		dir := fmt.Sprintf("/queues/consume-%d", time.Now().UnixNano())
		q := recipe.NewQueue(e.Open(t), dir)
		if err := q.Consume(ctx, make(chan recipe.Item, 1)); err == nil || !strings.Contains(err.Error(), "unbuffered") {
			t.Fatalf("Consume on a buffered channel: %v", err)
		}
		names := putAll(t, ctx, q, "a", "b", "c")
		cctx, stop := context.WithCancel(ctx)
		out, done := make(chan recipe.Item), make(chan error, 1)
		go func() { done <- q.Consume(cctx, out) }()
		if it := <-out; it.Name != names[0] || string(it.Data) != "a" {
			t.Fatalf("first item %+v, want a", it)
		}
		queueLen(t, ctx, q, 1) // b is taken and offered, c waits
		stop()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("Consume after cancel: %v", err)
		}
		for i, want := range []string{"b", "c"} {
			it, ok, err := q.TryTake(ctx)
			if err != nil || !ok || it.Name != names[i+1] || string(it.Data) != want {
				t.Fatalf("TryTake %d: %+v %v %v; want %s back at its place", i, it, ok, err, want)
			}
		}
		kids, _, err := e.Open(t).Children(ctx, dir)
		if err != nil || len(kids) != 0 {
			t.Fatalf("left in the queue's znode: %q, %v (receipts must go)", kids, err)
		}
	})
}

// A consumer whose session expires while it offers an item cannot put it
// back: Consume returns it in a *TakeUnknownError, and it is not in the
// queue, so no one else gets it.
func TestQueueConsumeSessionLoss(t *testing.T) {
	both(t, func(t *testing.T, e env) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		dir := fmt.Sprintf("/queues/consume-loss-%d", time.Now().UnixNano())
		st := e.Open(t)
		q := recipe.NewQueue(st, dir)
		names := putAll(t, ctx, q, "a", "b")
		cctx, stop := context.WithCancel(ctx)
		out, done := make(chan recipe.Item), make(chan error, 1)
		go func() { done <- q.Consume(cctx, out) }()
		<-out
		other := recipe.NewQueue(e.Open(t), dir)
		queueLen(t, ctx, other, 0) // b is offered
		e.Expire(t, st)
		stop()
		err := <-done
		var tue *recipe.TakeUnknownError
		if !errors.As(err, &tue) || !errors.Is(err, recipe.ErrTakeUnknown) || !errors.Is(err, zkstore.ErrSessionExpired) ||
			tue.Item.Name != names[1] || string(tue.Item.Data) != "b" {
			t.Fatalf("Consume after the expiry: %v; want b in a *TakeUnknownError", err)
		}
		if n, err := other.Len(ctx); err != nil || n != 0 {
			t.Fatalf("queue holds %d, %v; want b only in the error", n, err)
		}
	})
}

// 20 consumers over 4 sessions each receive a few items and walk away,
// again and again: every item is delivered exactly once, and none is
// left behind.
func TestQueueConsumeContention(t *testing.T) {
	both(t, func(t *testing.T, e env) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		const sessions, consumers, items = 4, 20, 100
		dir := fmt.Sprintf("/queues/consume-many-%d", time.Now().UnixNano())
		stores := make([]zkstore.Store, sessions)
		for i := range stores {
			stores[i] = e.Open(t)
		}
		var data []string
		for i := range items {
			data = append(data, fmt.Sprintf("item %d", i))
		}
		putAll(t, ctx, recipe.NewQueue(stores[0], dir), data...)
		var (
			mu        sync.Mutex
			got       = map[string]int{}
			delivered atomic.Int32
			errs      []error
			wg        sync.WaitGroup
		)
		allDone := make(chan struct{})
		for i := range consumers {
			q := recipe.NewQueue(stores[i%sessions], dir)
			wg.Go(func() {
				for round := 0; ; round++ {
					cctx, stop := context.WithCancel(ctx)
					out, done := make(chan recipe.Item), make(chan error, 1)
					go func() { done <- q.Consume(cctx, out) }()
					want := 1 + (i+round)%3 // then walk away
				receive:
					for range want {
						select {
						case it := <-out:
							mu.Lock()
							got[string(it.Data)]++
							mu.Unlock()
							if delivered.Add(1) == items {
								close(allDone)
							}
						case <-allDone:
							break receive
						case <-ctx.Done():
							mu.Lock()
							errs = append(errs, fmt.Errorf("consumer %d: %d of %d items delivered: %w", i, delivered.Load(), items, ctx.Err()))
							mu.Unlock()
							stop()
							<-done
							return
						}
					}
					stop()
					if err := <-done; !errors.Is(err, context.Canceled) {
						mu.Lock()
						errs = append(errs, err)
						mu.Unlock()
						return
					}
					select {
					case <-allDone:
						return
					default:
					}
				}
			})
		}
		wg.Wait()
		if len(errs) > 0 {
			t.Fatal(errors.Join(errs...))
		}
		for _, d := range data {
			if got[d] != 1 {
				t.Errorf("%s delivered %d times", d, got[d])
			}
		}
		kids, _, err := stores[0].Children(ctx, dir)
		if err != nil || len(kids) != 0 {
			t.Fatalf("left in the queue's znode: %q, %v", kids, err)
		}
	})
}
