package recipe_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/zksql/zksql/recipe"
	"github.com/zksql/zksql/zkstore"
)

// A waiter whose connection drops while it waits keeps its place: the
// holder's release reaches it once it is connected again, and no znode of
// the waiter is left holding anything.
func TestWaitersSurviveSuspension(t *testing.T) {
	type acquire func(ctx context.Context, st zkstore.Store, dir string) (release func(context.Context) error, err error)
	kinds := map[string]acquire{
		"mutex": func(ctx context.Context, st zkstore.Store, dir string) (func(context.Context) error, error) {
			m := recipe.NewMutex(st, dir, nil)
			return m.Unlock, m.Lock(ctx)
		},
		"semaphore": func(ctx context.Context, st zkstore.Store, dir string) (func(context.Context) error, error) {
			l, err := recipe.NewSemaphore(st, dir, 1, nil).Acquire(ctx)
			if err != nil {
				return nil, err
			}
			return l.Release, nil
		},
		"rwlock": func(ctx context.Context, st zkstore.Store, dir string) (func(context.Context) error, error) {
			h, err := recipe.NewRWLock(st, dir).Lock(ctx)
			if err != nil {
				return nil, err
			}
			return h.Unlock, nil
		},
	}
	for _, kind := range []string{"mutex", "semaphore", "rwlock"} {
		t.Run(kind, func(t *testing.T) {
			bothSuspend(t, func(t *testing.T, e suspender) {
				ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
				defer cancel()
				dir := fmt.Sprintf("/susp/%s-%d", kind, time.Now().UnixNano())
				a, b, obs := e.Open(t), e.Open(t), e.Open(t)
				releaseA, err := kinds[kind](ctx, a, dir)
				if err != nil {
					t.Fatal(err)
				}
				got := make(chan error, 1)
				var releaseB func(context.Context) error
				go func() {
					var err error
					releaseB, err = kinds[kind](ctx, b, dir)
					got <- err
				}()
				childCount(t, obs, dir, 2)
				resume := e.Suspend(t, b)
				if err := releaseA(ctx); err != nil {
					t.Fatal(err)
				}
				// On memstore the release's event reaches the waiter while
				// it is disconnected, and its next read fails: it must
				// wait that out rather than give up.
				time.Sleep(20 * time.Millisecond)
				resume()
				if err := <-got; err != nil {
					t.Fatalf("waiter across a suspension: %v", err)
				}
				if err := releaseB(ctx); err != nil {
					t.Fatal(err)
				}
				childCount(t, obs, dir, 0)
			})
		})
	}
}
