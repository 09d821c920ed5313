// Command queue shows the distributed FIFO queue of package recipe: two
// producers put 20 jobs, three consumers on sessions of their own take
// them, and one consumer crashes (its session ends) half way. Nothing is
// lost and nothing done twice: an item leaves the queue only in the
// atomic step that hands it to one consumer, so a consumer that dies
// before that step (even between reading the head and removing it)
// leaves the item to the others. Once taken, a job is the taker's: a
// queue that must survive a crash during the job itself needs the job to
// be put back, or a lock held while it runs (Curator's lockPath mode).
//
//	go run ./examples/queue
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"sync"

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

const jobs = 20

func run(ctx context.Context, w io.Writer, open func(context.Context) (zkstore.Store, error)) error {
	stores := make([]zkstore.Store, 5) // 2 producers, 3 consumers
	for i := range stores {
		st, err := open(ctx)
		if err != nil {
			return err
		}
		defer st.Close()
		stores[i] = st
	}
	const dir = "/examples/jobs"
	var (
		mu   sync.Mutex
		done = map[string]string{} // job -> consumer
		errs []error
		wg   sync.WaitGroup
	)
	fail := func(err error) {
		mu.Lock()
		errs = append(errs, err)
		mu.Unlock()
	}
	for p := range 2 {
		q := recipe.NewQueue(stores[p], dir)
		wg.Go(func() {
			for i := p; i < jobs; i += 2 {
				if _, err := q.Put(ctx, fmt.Appendf(nil, "job %02d", i)); err != nil {
					fail(err)
					return
				}
			}
		})
	}
	cctx, stop := context.WithCancel(ctx)
	defer stop()
	var consumers sync.WaitGroup
	for c := range 3 {
		st := stores[2+c]
		q := recipe.NewQueue(st, dir)
		name := fmt.Sprintf("consumer %d", c)
		consumers.Go(func() {
			for n := 0; ; n++ {
				if c == 0 && n == 3 {
					// A crash: the session ends with the process.
					st.Close()
					fmt.Fprintf(w, "%s crashed after 3 jobs\n", name)
				}
				item, err := q.Take(cctx)
				switch {
				case err == nil:
				case cctx.Err() != nil:
					return
				case errors.Is(err, zkstore.ErrClosed) && c == 0:
					return
				default:
					fail(err)
					return
				}
				mu.Lock()
				if by, dup := done[string(item.Data)]; dup {
					errs = append(errs, fmt.Errorf("%s done twice, by %s and %s", item.Data, by, name))
				}
				done[string(item.Data)] = name
				if len(done) == jobs {
					stop()
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	consumers.Wait()
	if len(errs) > 0 {
		return errs[0]
	}
	counts := map[string]int{}
	for _, by := range done {
		counts[by]++
	}
	for c := range 3 {
		name := fmt.Sprintf("consumer %d", c)
		fmt.Fprintf(w, "%s did %d jobs\n", name, counts[name])
	}
	fmt.Fprintf(w, "%d jobs put, %d done, none twice\n", jobs, len(done))
	if len(done) != jobs {
		return fmt.Errorf("%d of %d jobs done", len(done), jobs)
	}
	return nil
}
