// Command rwlock shows the read-write lock of package recipe on the
// in-memory ZooKeeper: three readers on three sessions hold it together;
// a writer that comes next waits for them, and a reader that comes after
// the writer waits behind it, so that readers cannot starve a writer.
//
//	go run ./examples/rwlock
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
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

func run(ctx context.Context, w io.Writer, open func(context.Context) (zkstore.Store, error)) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	stores := make([]zkstore.Store, 5)
	for i := range stores {
		st, err := open(ctx)
		if err != nil {
			return err
		}
		defer st.Close()
		stores[i] = st
	}
	dir := fmt.Sprintf("/rwlocks/demo-%d", time.Now().UnixNano())
	lock := func(i int) *recipe.RWLock { return recipe.NewRWLock(stores[i], dir) }

	var readers []*recipe.RWHold
	for i := range 3 {
		h, err := lock(i).RLock(ctx)
		if err != nil {
			return err
		}
		readers = append(readers, h)
	}
	fmt.Fprintln(w, "3 readers on 3 sessions hold the read lock at once")

	// The writer queues behind them; then a late reader queues too.
	type result struct {
		h   *recipe.RWHold
		err error
	}
	var writing, lateReading atomic.Bool
	writer, late := make(chan result, 1), make(chan result, 1)
	go func() {
		h, err := lock(3).Lock(ctx)
		writing.Store(err == nil)
		writer <- result{h, err}
	}()
	if err := queued(ctx, stores[0], dir, 4); err != nil {
		return err
	}
	go func() {
		h, err := lock(4).RLock(ctx)
		lateReading.Store(err == nil)
		late <- result{h, err}
	}()
	if err := queued(ctx, stores[0], dir, 5); err != nil {
		return err
	}
	time.Sleep(20 * time.Millisecond) // time enough to take it, were it allowed
	if writing.Load() || lateReading.Load() {
		return fmt.Errorf("with 3 readers in: writer holds %v, late reader holds %v; want neither", writing.Load(), lateReading.Load())
	}
	fmt.Fprintln(w, "a writer waits for them; a reader arriving after the writer waits too, behind the writer")

	for _, h := range readers {
		if err := h.Unlock(ctx); err != nil {
			return err
		}
	}
	wr := <-writer
	if wr.err != nil {
		return wr.err
	}
	time.Sleep(20 * time.Millisecond)
	if lateReading.Load() {
		return fmt.Errorf("the late reader holds the lock together with the writer")
	}
	fmt.Fprintln(w, "the 3 readers left: the writer holds the lock alone, the late reader still waits")
	if err := wr.h.Unlock(ctx); err != nil {
		return err
	}
	lr := <-late
	if lr.err != nil {
		return lr.err
	}
	fmt.Fprintln(w, "the writer left: the late reader holds the read lock")
	return lr.h.Unlock(ctx)
}

// queued waits until n contenders have their znode in dir.
func queued(ctx context.Context, st zkstore.Store, dir string, n int) error {
	for {
		names, _, err := st.Children(ctx, dir)
		if err != nil {
			return err
		}
		if len(names) >= n {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %d contenders in %s (have %v): %w", n, dir, names, ctx.Err())
		case <-time.After(2 * time.Millisecond):
		}
	}
}
