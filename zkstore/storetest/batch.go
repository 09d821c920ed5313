package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/zksql/zksql/zkstore"
)

func init() {
	register(
		testCase{"BatchGet/AsGet", func(t *testing.T, f *fixture) {
			// A batch of reads gives, read by read, what Get gives: data
			// (empty too), the Stat, ErrNoNode, ErrNoAuth, in the order of
			// the paths, repeats included. A persistent watch set first
			// tells a live store that the server takes batched reads
			// (where it has none the batch is sent read by read).
			ctx, cancel := context.WithCancel(f.ctx)
			defer cancel()
			if _, err := zkstore.AddWatch(ctx, f.s, f.base, zkstore.WatchPersistent); err != nil && !errors.Is(err, zkstore.ErrNoPersistentWatches) {
				t.Fatal(err)
			}
			f.mk(f.p("d"), []byte("dir"))
			f.mk(f.p("empty"), nil)
			secret := f.restricted("secret", zkstore.WorldACL(zkstore.PermAll&^zkstore.PermRead))
			paths := []string{f.p("d"), f.p("missing"), f.p("empty"), secret, f.base}
			for i := range 70 {
				p := f.p(fmt.Sprintf("d/n%02d", i))
				f.mk(p, []byte(p))
				paths = append(paths, p)
			}
			paths = append(paths, f.p("d"), f.p("d/n03/missing"))
			for name, st := range map[string]zkstore.Store{"store": f.s, "plain": plainStore{f.s}} {
				for _, batch := range [][]string{paths, paths[:1], paths[1:2], nil} {
					b := zkstore.GetBatchAsync(f.ctx, st, batch)
					if b.Len() != len(batch) {
						t.Fatalf("%s: Len = %d, want %d", name, b.Len(), len(batch))
					}
					for i := len(batch) - 1; i >= 0; i-- { // any order
						what := fmt.Sprintf("%s: batch read %d (%s)", name, i, batch[i])
						data, st, err := b.Get(i)
						wantData2, wantSt, wantE := f.s.Get(f.ctx, batch[i])
						if (err == nil) != (wantE == nil) {
							t.Fatalf("%s: error %v, Get's %v", what, err, wantE)
						}
						if err != nil {
							for _, sentinel := range []error{zkstore.ErrNoNode, zkstore.ErrNoAuth} {
								if errors.Is(err, sentinel) != errors.Is(wantE, sentinel) {
									t.Fatalf("%s: error %v, Get's %v", what, err, wantE)
								}
							}
							var pe *zkstore.PathError
							if !errors.As(err, &pe) || pe.Path != batch[i] {
								t.Errorf("%s: error %v does not name the path", what, err)
							}
							continue
						}
						wantData(t, what, data, wantData2)
						wantStat(t, what, st, wantSt)
					}
				}
			}
		}},
		testCase{"BatchGet/EndedContext", func(t *testing.T, f *fixture) {
			// With its context ended before the send, every read of a
			// batch fails, naming its own path.
			wctx, stop := context.WithCancel(f.ctx)
			defer stop()
			if _, err := zkstore.AddWatch(wctx, f.s, f.base, zkstore.WatchPersistent); err != nil && !errors.Is(err, zkstore.ErrNoPersistentWatches) {
				t.Fatal(err)
			}
			f.mk(f.p("a"), []byte("a"))
			paths := []string{f.p("a"), f.base}
			ctx, cancel := context.WithCancel(f.ctx)
			cancel()
			b := zkstore.GetBatchAsync(ctx, f.s, paths)
			for i, p := range paths {
				_, _, err := b.Get(i)
				var pe *zkstore.PathError
				if err == nil || !errors.As(err, &pe) || pe.Path != p {
					t.Errorf("read %d of a batch with an ended context: %v, want an error naming %s", i, err, p)
				}
			}
		}},
		testCase{"BatchGet/BadPath", func(t *testing.T, f *fixture) {
			// A bad path fails its own read with ErrInvalidPath, naming
			// it; the others are read.
			f.mk(f.p("a"), []byte("a"))
			b := zkstore.GetBatchAsync(f.ctx, f.s, []string{f.p("a"), "bad//path", f.p("a")})
			for _, i := range []int{0, 2} {
				data, _, err := b.Get(i)
				if err != nil {
					t.Fatalf("read %d: %v", i, err)
				}
				wantData(t, "read beside a bad path", data, []byte("a"))
			}
			_, _, err := b.Get(1)
			wantErr(t, "bad path in a batch", err, zkstore.ErrInvalidPath)
		}},
	)
}
