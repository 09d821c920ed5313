package recipe_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"sync"
	"sync/atomic"

	"github.com/zksql/zksql/recipe"
	"github.com/zksql/zksql/watch"
	"github.com/zksql/zksql/zkstore"
	"github.com/zksql/zksql/zkstore/memstore"
)

func ExampleCounter() {
	srv := memstore.NewServer() // or livestore.Open for a real ZooKeeper
	defer srv.Close()
	ctx := context.Background()
	hits := recipe.NewCounter(srv.Connect(), "/stats/hits")

	n, err := hits.Add(ctx, 5) // conflicts with other writers are retried
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("after Add(5):", n)
	ok, _ := hits.CompareAndSet(ctx, 5, 10)
	fmt.Println("CompareAndSet(5, 10):", ok)
	ok, _ = hits.CompareAndSet(ctx, 5, 20) // stale: the counter holds 10
	fmt.Println("CompareAndSet(5, 20):", ok)
	n, _ = hits.Get(ctx)
	fmt.Println("Get:", n)
	// Output:
	// after Add(5): 5
	// CompareAndSet(5, 10): true
	// CompareAndSet(5, 20): false
	// Get: 10
}

func ExampleKeepRegistered() {
	srv := memstore.NewServer()
	defer srv.Close()
	ctx := context.Background()
	// A Source that opens a new session whenever the last one expired.
	src := watch.Reopen(func(context.Context) (zkstore.Store, error) { return srv.Connect(), nil })
	defer src.Close()

	reg := recipe.KeepRegistered(src, "api", "host1", []byte("10.0.0.1:8080"))
	defer reg.Close(ctx)
	ev := <-reg.Events()
	fmt.Println(ev.Type, ev.Path, ev.Count)

	st, _ := src.Store(ctx)
	srv.Expire(st.SessionID()) // a long GC pause: the server expires the session
	ev = <-reg.Events()
	fmt.Println(ev.Type, errors.Is(ev.Err, zkstore.ErrSessionExpired))
	ev = <-reg.Events() // registered again, on a new session
	fmt.Println(ev.Type, ev.Path, ev.Count)
	// Output:
	// created /services/api/host1 1
	// lost true
	// created /services/api/host1 2
}

func ExampleQueue() {
	srv := memstore.NewServer()
	defer srv.Close()
	ctx := context.Background()
	producer := recipe.NewQueue(srv.Connect(), "/jobs")
	consumer := recipe.NewQueue(srv.Connect(), "/jobs")

	for _, job := range []string{"resize a.png", "resize b.png"} {
		if _, err := producer.Put(ctx, []byte(job)); err != nil {
			log.Fatal(err)
		}
	}
	for range 2 {
		item, err := consumer.Take(ctx) // waits while the queue is empty
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(string(item.Data))
	}
	// Output:
	// resize a.png
	// resize b.png
}

func ExampleSemaphore() {
	srv := memstore.NewServer()
	defer srv.Close()
	ctx := context.Background()
	// At most 2 processes may call the rate-limited API at once.
	sem := recipe.NewSemaphore(srv.Connect(), "/semaphores/api", 2, nil)
	lease, err := sem.Acquire(ctx)
	if err != nil {
		log.Fatal(err)
	}
	// Call the API only while the connection is sure: once Suspended,
	// the lease may pass to someone else after the session timeout.
	var mayCall atomic.Bool
	go func() {
		for s := range lease.States() {
			mayCall.Store(s == recipe.Connected || s == recipe.Reconnected)
		}
	}()
	n, _ := sem.Leases(ctx)
	fmt.Println("leases held:", n)
	lease.Release(ctx)
	n, _ = sem.Leases(ctx)
	fmt.Println("leases held:", n)
	// Output:
	// leases held: 1
	// leases held: 0
}

func ExampleRWLock() {
	srv := memstore.NewServer()
	defer srv.Close()
	ctx := context.Background()
	l1 := recipe.NewRWLock(srv.Connect(), "/rwlocks/config")
	l2 := recipe.NewRWLock(srv.Connect(), "/rwlocks/config")
	r1, _ := l1.RLock(ctx) // readers share the lock
	r2, _ := l2.RLock(ctx)
	fmt.Println("two readers at once")
	r1.Unlock(ctx)
	r2.Unlock(ctx)
	w, err := l1.Lock(ctx) // a writer holds it alone
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("one writer")
	w.Unlock(ctx)
	// Output:
	// two readers at once
	// one writer
}

func ExampleDoubleBarrier() {
	srv := memstore.NewServer()
	defer srv.Close()
	ctx := context.Background()
	var wg sync.WaitGroup
	for _, id := range []string{"w1", "w2", "w3"} {
		b := recipe.NewDoubleBarrier(srv.Connect(), "/barriers/round-1", id, 3)
		wg.Go(func() {
			b.Enter(ctx) // returns once all 3 have entered
			// ... the round's work ...
			b.Leave(ctx) // returns once all 3 have left
		})
	}
	wg.Wait()
	fmt.Println("all three started together and finished together")
	// Output:
	// all three started together and finished together
}

func ExampleBarrier() {
	srv := memstore.NewServer()
	defer srv.Close()
	ctx := context.Background()
	gate := recipe.NewBarrier(srv.Connect(), "/barriers/deploy")
	gate.Set(ctx)
	passed := make(chan struct{})
	go func() {
		recipe.NewBarrier(srv.Connect(), "/barriers/deploy").Wait(ctx)
		close(passed)
	}()
	gate.Remove(ctx) // the waiter passes
	<-passed
	fmt.Println("passed")
	// Output:
	// passed
}

func ExampleMutex_States() {
	srv := memstore.NewServer()
	defer srv.Close()
	ctx := context.Background()
	st := srv.Connect()
	m := recipe.NewMutex(st, "/locks/report", nil)
	if err := m.Lock(ctx); err != nil {
		log.Fatal(err)
	}
	states := m.States()
	fmt.Println(<-states)

	// The connection drops: the session may live on, but if it does not
	// come back within the session timeout the lock may pass to another.
	srv.Disconnect(st.SessionID())
	fmt.Println(<-states, "- pause the critical work")
	srv.Reconnect(st.SessionID())
	fmt.Println(<-states, "- still held, carry on")
	srv.Expire(st.SessionID())
	fmt.Println(<-states, "- the lock is gone")
	m.Unlock(ctx)
	// Output:
	// connected
	// suspended - pause the critical work
	// reconnected - still held, carry on
	// lost - the lock is gone
}

func ExampleKeep() {
	srv := memstore.NewServer()
	defer srv.Close()
	ctx := context.Background()
	src := watch.Reopen(func(context.Context) (zkstore.Store, error) { return srv.Connect(), nil })
	defer src.Close()

	// An ephemeral that comes back after its session expired.
	k := recipe.Keep(src, "/workers/w1", []byte("alive"))
	defer k.Close(ctx)
	first := <-k.Events()
	st, _ := src.Store(ctx)
	srv.Expire(st.SessionID())
	for ev := range k.Events() {
		fmt.Println(ev.Type, ev.SessionID != first.SessionID)
		if ev.Type == recipe.NodeCreated {
			break
		}
	}
	// Output:
	// lost false
	// created true
}
