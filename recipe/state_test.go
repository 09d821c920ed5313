package recipe_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/zksql/zksql/internal/testkit/clustertest"
	"github.com/zksql/zksql/internal/testkit/zkserver"
	"github.com/zksql/zksql/recipe"
	"github.com/zksql/zksql/zkstore"
)

// suspender cuts a session's connection without ending the session
// (clustertest.Mem and clustertest.Live).
type suspender interface {
	env
	Suspend(t testing.TB, s zkstore.Store) (resume func())
}

// bothSuspend runs f on memstore and on the live server, with sessions
// that can be suspended. The live sessions ask for 6s, so that a
// suspension on a loaded machine ends well before the session would
// expire.
func bothSuspend(t *testing.T, f func(t *testing.T, e suspender)) {
	both(t, func(t *testing.T, e env) {
		if _, ok := e.(*clustertest.Live); ok {
			e = clustertest.NewLive(zkserver.SharedAddr(t), 6*time.Second)
		}
		f(t, e.(suspender))
	})
}

// nextState reads states until one arrives, failing after 20s.
func nextState(t *testing.T, states <-chan recipe.ConnectionState) (recipe.ConnectionState, bool) {
	t.Helper()
	select {
	case s, ok := <-states:
		return s, ok
	case <-time.After(20 * time.Second):
		t.Fatal("no connection state within 20s")
		return 0, false
	}
}

func wantState(t *testing.T, states <-chan recipe.ConnectionState, want recipe.ConnectionState) {
	t.Helper()
	if got, ok := nextState(t, states); !ok || got != want {
		t.Fatalf("state %v (channel open %v), want %v", got, ok, want)
	}
}

// A lock holder hears of a suspended connection while it still holds the
// lock, of the reconnection, and of the loss when the session expires;
// the lock passes to the waiter only then.
func TestMutexStates(t *testing.T) {
	bothSuspend(t, func(t *testing.T, e suspender) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		dir := fmt.Sprintf("/locks/states-%d", time.Now().UnixNano())
		a, b := e.Open(t), e.Open(t)
		ma, mb := recipe.NewMutex(a, dir, nil), recipe.NewMutex(b, dir, nil)
		if ma.States() != nil {
			t.Fatal("States of a lock not held is not nil")
		}
		if err := ma.Lock(ctx); err != nil {
			t.Fatal(err)
		}
		states := ma.States()
		wantState(t, states, recipe.Connected)
		got := make(chan error, 1)
		go func() { got <- mb.Lock(ctx) }()

		resume := e.Suspend(t, a)
		wantState(t, states, recipe.Suspended)
		resume()
		wantState(t, states, recipe.Reconnected)
		select {
		case err := <-got:
			t.Fatalf("the waiter got the lock after a suspension the session survived: %v", err)
		case <-ma.Lost():
			t.Fatal("Lost closed after a suspension the session survived")
		default:
		}
		if _, ok, err := b.Exists(ctx, ma.Node()); err != nil || !ok {
			t.Fatalf("holder's znode after the suspension: exists %v, %v", ok, err)
		}

		e.Expire(t, a)
		// A live expiry is a partition first: Suspended may come before Lost.
		if s, _ := nextState(t, states); s == recipe.Suspended {
			wantState(t, states, recipe.Lost)
		} else if s != recipe.Lost {
			t.Fatalf("state %v after expiry, want lost", s)
		}
		if s, ok := nextState(t, states); ok {
			t.Fatalf("state %v after Lost; want the channel closed", s)
		}
		<-ma.Lost()
		if err := <-got; err != nil {
			t.Fatal(err)
		}
		if err := ma.Unlock(ctx); err != nil {
			t.Fatal(err)
		}
		if err := mb.Unlock(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

// Unlock closes States.
func TestMutexStatesClosedByUnlock(t *testing.T) {
	both(t, func(t *testing.T, e env) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		m := recipe.NewMutex(e.Open(t), fmt.Sprintf("/locks/unl-%d", time.Now().UnixNano()), nil)
		if err := m.Lock(ctx); err != nil {
			t.Fatal(err)
		}
		states := m.States()
		if err := m.Unlock(ctx); err != nil {
			t.Fatal(err)
		}
		for s := range states { // at most the Connected not yet read
			if s != recipe.Connected {
				t.Fatalf("state %v after Unlock", s)
			}
		}
	})
}

// A reader that does not keep up sees the states alternate and the latest
// one, with Lost last.
func TestConnectionStatesSlowReader(t *testing.T) {
	e := clustertest.NewMem(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st := e.Open(t)
	states := recipe.ConnectionStates(ctx, st)
	for range 5 {
		e.Suspend(t, st)()
	}
	e.Server.Disconnect(st.SessionID())
	e.Expire(t, st)
	var got []recipe.ConnectionState
	for s := range states {
		got = append(got, s)
	}
	if len(got) < 2 || got[0] != recipe.Connected || got[len(got)-1] != recipe.Lost {
		t.Fatalf("states %v: want connected first, lost last", got)
	}
	for i := 1; i < len(got)-1; i++ {
		if got[i] == got[i-1] || got[i] == recipe.Connected {
			t.Fatalf("states %v: repeat or a second connected at %d", got, i)
		}
	}
}

// Election reports its leader's connection too.
func TestElectionStates(t *testing.T) {
	bothSuspend(t, func(t *testing.T, e suspender) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		st := e.Open(t)
		el := recipe.NewElection(st, fmt.Sprintf("/election/st-%d", time.Now().UnixNano()), "me")
		if err := el.Campaign(ctx); err != nil {
			t.Fatal(err)
		}
		states := el.States()
		wantState(t, states, recipe.Connected)
		resume := e.Suspend(t, st)
		wantState(t, states, recipe.Suspended)
		resume()
		wantState(t, states, recipe.Reconnected)
		if err := el.Resign(ctx); err != nil {
			t.Fatal(err)
		}
	})
}
