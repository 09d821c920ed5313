// Command semaphore shows the counting semaphore of package recipe on the
// in-memory ZooKeeper: 8 workers on 4 sessions share 3 leases, never more
// than 3 at once; then a holder's process dies (its session closes) and
// its lease passes to a waiter without anyone releasing it, because a
// lease is an ephemeral znode.
//
//	go run ./examples/semaphore
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zksql/zksql/recipe"
	"github.com/zksql/zksql/zkstore"
	"github.com/zksql/zksql/zkstore/memstore"
)

func main() {
	srv := memstore.NewServer()
	defer srv.Close()
	open := func(context.Context) (zkstore.Store, error) { return srv.Connect(), nil }
	if err := run(context.Background(), os.Stdout, open); err != nil {
		log.Fatal(err)
	}
}

const sessions, workers, rounds, leases = 4, 8, 3, 3

func run(ctx context.Context, w io.Writer, open func(context.Context) (zkstore.Store, error)) error {
	stores := make([]zkstore.Store, sessions)
	for i := range stores {
		st, err := open(ctx)
		if err != nil {
			return err
		}
		defer st.Close()
		stores[i] = st
	}
	dir := fmt.Sprintf("/semaphores/demo-%d", time.Now().UnixNano())

	// Each worker takes a lease, counts the holders, and gives it back.
	var (
		holders, most atomic.Int32
		mu            sync.Mutex
		errs          []error
		wg            sync.WaitGroup
	)
	for i := range workers {
		sem := recipe.NewSemaphore(stores[i%sessions], dir, leases, nil)
		wg.Go(func() {
			for range rounds {
				l, err := sem.Acquire(ctx)
				if err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
					return
				}
				n := holders.Add(1)
				for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
				}
				time.Sleep(2 * time.Millisecond) // the work the lease is for
				holders.Add(-1)
				if err := l.Release(ctx); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	fmt.Fprintf(w, "%d workers on %d sessions took a lease %d times each: at most %d held at once (the limit is %d)\n",
		workers, sessions, rounds, most.Load(), leases)
	if most.Load() > leases {
		return fmt.Errorf("%d leases held at once, more than %d", most.Load(), leases)
	}

	// A crash: three holders, one of them on a session that then closes
	// without releasing; a fourth contender waits for a lease.
	crashing, err := open(ctx)
	if err != nil {
		return err
	}
	defer crashing.Close()
	held := []*recipe.Lease{}
	for _, st := range []zkstore.Store{stores[0], stores[1], crashing} {
		l, err := recipe.NewSemaphore(st, dir, leases, nil).Acquire(ctx)
		if err != nil {
			return err
		}
		held = append(held, l)
	}
	got := make(chan error, 1)
	waiter := recipe.NewSemaphore(stores[2], dir, leases, nil)
	var late *recipe.Lease
	go func() {
		var err error
		late, err = waiter.Acquire(ctx)
		got <- err
	}()
	select {
	case err := <-got:
		return fmt.Errorf("a fourth lease was granted while 3 were held (err %v)", err)
	case <-time.After(50 * time.Millisecond):
	}
	fmt.Fprintf(w, "3 leases held, a fourth contender waits\n")
	crashing.Close() // the process holding the third lease dies
	if err := <-got; err != nil {
		return err
	}
	fmt.Fprintf(w, "the third holder's session ended without a release: its lease went with its ephemeral znode, and the waiter holds it now\n")
	for _, l := range append(held[:2], late) {
		if err := l.Release(ctx); err != nil {
			return err
		}
	}
	n, err := waiter.Leases(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "all released: %d leases held\n", n)
	if n != 0 {
		return fmt.Errorf("%d leases held after every release", n)
	}
	return nil
}
