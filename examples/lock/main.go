// Command lock shows the distributed lock of package recipe on the
// in-memory ZooKeeper: workers on several sessions take turns in a critical
// section, each waiter watching only its predecessor.
//
//	go run ./examples/lock
package main

import (
	"context"
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

// run has 6 workers on 3 sessions take the lock twice each.
func run(ctx context.Context, w io.Writer, open func(context.Context) (zkstore.Store, error)) error {
	const sessions, workers, rounds = 3, 6, 2
	stores := make([]zkstore.Store, sessions)
	for i := range stores {
		st, err := open(ctx)
		if err != nil {
			return err
		}
		defer st.Close()
		stores[i] = st
	}
	var (
		inside atomic.Int32
		mu     sync.Mutex
		errs   []error
		wg     sync.WaitGroup
	)
	for i := range workers {
		wg.Go(func() {
			for r := range rounds {
				m := recipe.NewMutex(stores[i%sessions], "/locks/demo", nil)
				if err := m.Lock(ctx); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
					return
				}
				if n := inside.Add(1); n != 1 {
					mu.Lock()
					errs = append(errs, fmt.Errorf("%d workers inside at once", n))
					mu.Unlock()
				}
				mu.Lock()
				fmt.Fprintf(w, "worker %d round %d holds %s\n", i, r, m.Node())
				mu.Unlock()
				select {
				case <-m.Lost():
					fmt.Fprintf(w, "worker %d lost the lock\n", i)
				case <-time.After(5 * time.Millisecond): // the critical section
				}
				inside.Add(-1)
				if err := m.Unlock(ctx); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if len(errs) > 0 {
		return errs[0]
	}
	fmt.Fprintf(w, "%d critical sections, never two at once\n", workers*rounds)
	return nil
}
