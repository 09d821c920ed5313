// Command counter shows why a shared counter needs the retry loop of
// recipe.Counter: 20 goroutines on 4 sessions each add 1 ten times, first
// with a single conditional SET (the version read, as an UPDATE ... WHERE
// version = ? does), which loses the additions that meet a conflict, then
// with Counter.Add, which retries them and loses none.
//
//	go run ./examples/counter
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"strconv"
	"sync"
	"sync/atomic"

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

const sessions, workers, rounds = 4, 20, 10

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
	if _, err := stores[0].Create(ctx, "/naive", []byte("0"), zkstore.CreateOptions{}); err != nil && !errors.Is(err, zkstore.ErrNodeExists) {
		return err
	}
	if _, err := stores[0].Set(ctx, "/naive", []byte("0"), zkstore.AnyVersion); err != nil {
		return err
	}

	// One try each: read the value and its version, write value+1 if the
	// version is unchanged.
	var lost atomic.Int32
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for i := range workers {
		st := stores[i%sessions]
		wg.Go(func() {
			for range rounds {
				data, stat, err := st.Get(ctx, "/naive")
				if err != nil {
					errs <- err
					return
				}
				v, _ := strconv.Atoi(string(data))
				_, err = st.Set(ctx, "/naive", []byte(strconv.Itoa(v+1)), stat.Version)
				if errors.Is(err, zkstore.ErrBadVersion) {
					lost.Add(1)
				} else if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	data, _, err := stores[0].Get(ctx, "/naive")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "conditional SET, no retry: %d additions, counter %s (%d lost to version conflicts)\n",
		workers*rounds, data, lost.Load())

	// recipe.Counter: the same, retrying each conflict.
	path := "/counter"
	if err := stores[0].Delete(ctx, path, zkstore.AnyVersion); err != nil && !errors.Is(err, zkstore.ErrNoNode) {
		return err
	}
	for i := range workers {
		c := recipe.NewCounter(stores[i%sessions], path)
		wg.Go(func() {
			for range rounds {
				if _, err := c.Add(ctx, 1); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	n, err := recipe.NewCounter(stores[0], path).Get(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "recipe.Counter.Add:         %d additions, counter %d (none lost)\n", workers*rounds, n)
	if n != workers*rounds {
		return fmt.Errorf("counter %d, want %d", n, workers*rounds)
	}
	return nil
}
