package recipe_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sync"
	"testing"
	"time"

	"github.com/zksql/zksql/recipe"
	"github.com/zksql/zksql/watch"
	"github.com/zksql/zksql/zkstore"
)

// reopener is a Source of sessions opened by e, each new one after the
// last expired; current gives the session in use.
func reopener(t *testing.T, e env) *watch.Reopener {
	src := watch.Reopen(func(context.Context) (zkstore.Store, error) { return e.Open(t), nil })
	t.Cleanup(func() { src.Close() })
	return src
}

// nextKeep reads k's events until one of type want, failing on an
// unexpected type or after 30s. skip lists the types that may come first.
func nextKeep(t *testing.T, k *recipe.KeptNode, want recipe.KeepEventType, skip ...recipe.KeepEventType) recipe.KeepEvent {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case ev, ok := <-k.Events():
			if !ok {
				t.Fatalf("Events closed waiting for %v", want)
			}
			if ev.Type == want {
				return ev
			}
			if !containsType(skip, ev.Type) {
				t.Fatalf("event %v (%v), want %v", ev.Type, ev.Err, want)
			}
		case <-deadline:
			t.Fatalf("no %v event within 30s", want)
		}
	}
}

func containsType(ts []recipe.KeepEventType, t recipe.KeepEventType) bool {
	for _, x := range ts {
		if x == t {
			return true
		}
	}
	return false
}

// The kept znode survives a suspension, is re-created with its data on a
// new session after an expiry, and again after someone deletes it; Close
// deletes it.
func TestKeptNodeSurvivesExpiry(t *testing.T) {
	bothSuspend(t, func(t *testing.T, e suspender) {
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		src := reopener(t, e)
		other := e.Open(t)
		path := fmt.Sprintf("/kept/k-%d/node", time.Now().UnixNano())
		k := recipe.Keep(src, path, []byte("payload"))
		defer k.Close(ctx)
		check := func(owner int64) {
			t.Helper()
			data, stat, err := other.Get(ctx, path)
			if err != nil || string(data) != "payload" || stat.EphemeralOwner != owner {
				t.Fatalf("kept znode: %q, owner %#x, %v; want %q owned by %#x", data, stat.EphemeralOwner, err, "payload", owner)
			}
		}
		first := nextKeep(t, k, recipe.NodeCreated)
		if first.Count != 1 || first.Path != path {
			t.Fatalf("first creation %+v", first)
		}
		check(first.SessionID)
		st, err := src.Store(ctx)
		if err != nil {
			t.Fatal(err)
		}

		resume := e.Suspend(t, st)
		nextKeep(t, k, recipe.NodeSuspended)
		resume()
		nextKeep(t, k, recipe.NodeReconnected)
		check(first.SessionID)

		e.Expire(t, st)
		lost := nextKeep(t, k, recipe.NodeLost, recipe.NodeSuspended)
		if !errors.Is(lost.Err, zkstore.ErrSessionExpired) || lost.SessionID != first.SessionID {
			t.Fatalf("loss %+v: want the expiry of %#x", lost, first.SessionID)
		}
		again := nextKeep(t, k, recipe.NodeCreated, recipe.NodeError)
		if again.Count != 2 || again.SessionID == first.SessionID {
			t.Fatalf("re-creation %+v", again)
		}
		check(again.SessionID)

		if err := other.Delete(ctx, path, zkstore.AnyVersion); err != nil {
			t.Fatal(err)
		}
		nextKeep(t, k, recipe.NodeLost)
		third := nextKeep(t, k, recipe.NodeCreated, recipe.NodeError)
		if third.Count != 3 || third.SessionID != again.SessionID {
			t.Fatalf("re-creation after a delete %+v", third)
		}
		check(third.SessionID)

		if err := k.Close(ctx); err != nil {
			t.Fatal(err)
		}
		if _, ok, err := other.Exists(ctx, path); err != nil || ok {
			t.Fatalf("after Close: exists %v, %v", ok, err)
		}
		for ev := range k.Events() {
			t.Logf("after Close: %v", ev.Type)
		}
	})
}

// Another session's znode in the way: the KeptNode reports it and takes
// over once it is gone.
func TestKeptNodeWaitsForOtherOwner(t *testing.T) {
	both(t, func(t *testing.T, e env) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		other := e.Open(t)
		dir := fmt.Sprintf("/kept-w-%d", time.Now().UnixNano())
		path := dir + "/node"
		if _, err := other.Create(ctx, dir, nil, zkstore.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := other.Create(ctx, path, []byte("theirs"), zkstore.CreateOptions{Mode: zkstore.ModeEphemeral}); err != nil {
			t.Fatal(err)
		}
		k := recipe.Keep(watch.StoreSource(e.Open(t)), path, []byte("mine"))
		defer k.Close(ctx)
		ev := nextKeep(t, k, recipe.NodeError)
		if !errors.Is(ev.Err, zkstore.ErrNodeExists) {
			t.Fatalf("error %v, want ErrNodeExists", ev.Err)
		}
		other.Close()
		nextKeep(t, k, recipe.NodeCreated, recipe.NodeError)
	})
}

// 20 goroutines over 4 sources keep 20 registrations; one source's session
// expires, and discovery sees its five instances go and come back, with
// the same data.
func TestKeepRegisteredContention(t *testing.T) {
	both(t, func(t *testing.T, e env) {
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		svc := fmt.Sprintf("kept-%d", time.Now().UnixNano())
		srcs := make([]*watch.Reopener, 4)
		for i := range srcs {
			srcs[i] = reopener(t, e)
		}
		want := map[string]string{}
		kept := make([]*recipe.KeptNode, 20)
		var wg sync.WaitGroup
		var mu sync.Mutex
		for i := range kept {
			id := fmt.Sprintf("i%02d", i)
			addr := fmt.Sprintf("10.0.0.%d:80", i)
			want[id] = addr
			wg.Go(func() {
				k := recipe.KeepRegistered(srcs[i%4], svc, id, []byte(addr))
				mu.Lock()
				kept[i] = k
				mu.Unlock()
				nextKeep(t, k, recipe.NodeCreated, recipe.NodeError)
			})
		}
		wg.Wait()
		defer func() {
			for _, k := range kept {
				k.Close(ctx)
			}
		}()
		list := recipe.Discover(ctx, watch.StoreSource(e.Open(t)), svc)
		waitSet := func(pred func(map[string]string) bool, what string) {
			t.Helper()
			var got map[string]string
			for {
				select {
				case got = <-list:
					if pred(got) {
						return
					}
				case <-time.After(30 * time.Second):
					t.Fatalf("discovery never saw %s; last %v", what, got)
				}
			}
		}
		waitSet(func(m map[string]string) bool { return maps.Equal(m, want) }, "all 20")
		st, err := srcs[0].Store(ctx)
		if err != nil {
			t.Fatal(err)
		}
		e.Expire(t, st)
		// The expiry removes five at once; they come back.
		waitSet(func(m map[string]string) bool { return len(m) == 15 }, "15 after the expiry")
		waitSet(func(m map[string]string) bool { return maps.Equal(m, want) }, "all 20 again")
		for i, k := range kept {
			if i%4 != 0 {
				continue
			}
			lost := nextKeep(t, k, recipe.NodeLost, recipe.NodeSuspended)
			if !errors.Is(lost.Err, zkstore.ErrSessionExpired) {
				t.Fatalf("%s lost: %v", k.Path(), lost.Err)
			}
			if ev := nextKeep(t, k, recipe.NodeCreated, recipe.NodeError); ev.Count != 2 {
				t.Fatalf("%s re-created: %+v", k.Path(), ev)
			}
		}
	})
}
