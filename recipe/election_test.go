package recipe_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/zksql/zksql/recipe"
	"github.com/zksql/zksql/watch"
)

// The leader's session expires: it is told (Lost, and Lost on States),
// the next candidate leads, and an observer sees the change.
func TestElectionLeaderExpiry(t *testing.T) {
	both(t, func(t *testing.T, e env) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		dir := fmt.Sprintf("/election/exp-%d", time.Now().UnixNano())
		a := e.Open(t)
		c1 := recipe.NewElection(a, dir, "c1")
		c2 := recipe.NewElection(e.Open(t), dir, "c2")
		if err := c1.Campaign(ctx); err != nil {
			t.Fatal(err)
		}
		states := c1.States()
		wantState(t, states, recipe.Connected)
		won := make(chan error, 1)
		go func() { won <- c2.Campaign(ctx) }()
		leaders := recipe.Observe(ctx, watch.StoreSource(e.Open(t)), dir)
		waitLeader := func(want string) {
			t.Helper()
			for {
				select {
				case l := <-leaders:
					if l == want {
						return
					}
				case <-time.After(30 * time.Second):
					t.Fatalf("leader never became %q", want)
				}
			}
		}
		waitLeader("c1")
		e.Expire(t, a)
		var last recipe.ConnectionState
		for s := range states {
			if s != recipe.Suspended && s != recipe.Lost {
				t.Fatalf("state %v during the expiry", s)
			}
			last = s
		}
		if last != recipe.Lost {
			t.Fatalf("States closed after %v, want lost last", last)
		}
		<-c1.Lost()
		if err := <-won; err != nil {
			t.Fatal(err)
		}
		waitLeader("c2")
		if err := c1.Resign(ctx); err != nil {
			t.Fatalf("Resign after the loss: %v", err)
		}
		if err := c2.Resign(ctx); err != nil {
			t.Fatal(err)
		}
	})
}
