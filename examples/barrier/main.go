// Command barrier shows the barriers of package recipe on the in-memory
// ZooKeeper. A Barrier holds workers back until a coordinator removes it
// (a start signal); a DoubleBarrier makes a group of 4 on 4 sessions
// start together, once all have entered, and finish together, nobody
// leaving before all are done, whatever order they arrive and finish in.
//
//	go run ./examples/barrier
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

const members = 4

func run(ctx context.Context, w io.Writer, open func(context.Context) (zkstore.Store, error)) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	stores := make([]zkstore.Store, members+1)
	for i := range stores {
		st, err := open(ctx)
		if err != nil {
			return err
		}
		defer st.Close()
		stores[i] = st
	}
	base := fmt.Sprintf("/barriers/demo-%d", time.Now().UnixNano())

	// A start signal: the coordinator (session 0) raises the barrier,
	// the workers wait at it, and pass when it is removed.
	start := recipe.NewBarrier(stores[0], base+"/start")
	if err := start.Set(ctx); err != nil {
		return err
	}
	var removed atomic.Bool
	passed := make(chan error, members)
	for i := 1; i <= members; i++ {
		go func() {
			err := recipe.NewBarrier(stores[i], base+"/start").Wait(ctx)
			if err == nil && !removed.Load() {
				err = errors.New("a worker passed the barrier while it was up")
			}
			passed <- err
		}()
	}
	time.Sleep(20 * time.Millisecond) // time enough to pass, were it allowed
	fmt.Fprintf(w, "barrier up: %d workers wait at it\n", members)
	removed.Store(true)
	if err := start.Remove(ctx); err != nil {
		return err
	}
	for range members {
		if err := <-passed; err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "barrier removed: all %d passed\n", members)

	// A double barrier: each member arrives after a different delay and
	// works for a different time; none starts before all have entered,
	// none goes on before all have finished.
	var arrived, finished atomic.Int32
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
	)
	fail := func(err error) {
		mu.Lock()
		errs = append(errs, err)
		mu.Unlock()
	}
	for i := range members {
		b := recipe.NewDoubleBarrier(stores[i+1], base+"/round", fmt.Sprintf("m%d", i), members)
		wg.Go(func() {
			time.Sleep(time.Duration(i) * 10 * time.Millisecond)
			arrived.Add(1)
			if err := b.Enter(ctx); err != nil {
				fail(err)
				return
			}
			if n := arrived.Load(); n != members {
				fail(fmt.Errorf("member m%d started with %d of %d arrived", i, n, members))
			}
			time.Sleep(time.Duration(members-i) * 10 * time.Millisecond) // the work
			finished.Add(1)
			if err := b.Leave(ctx); err != nil {
				fail(err)
				return
			}
			if n := finished.Load(); n != members {
				fail(fmt.Errorf("member m%d went on with %d of %d finished", i, n, members))
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	fmt.Fprintf(w, "double barrier: %d members set off 0, 10, 20 and 30 ms late; each started work only once all %d had entered\n", members, members)
	fmt.Fprintf(w, "double barrier: their work took 40, 30, 20 and 10 ms; each went on only once all %d had left\n", members)
	return nil
}
