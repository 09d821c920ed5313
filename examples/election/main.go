// Command election shows leader election (package recipe) on the in-memory
// ZooKeeper: three candidates, an observer following the leader, a leader
// resigning and another whose session expires.
//
//	go run ./examples/election
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"time"

	"github.com/zksql/zksql/recipe"
	"github.com/zksql/zksql/watch"
	"github.com/zksql/zksql/zkstore"
	"github.com/zksql/zksql/zkstore/memstore"
)

func main() {
	srv := memstore.NewServer()
	defer srv.Close()
	open := func(context.Context) (zkstore.Store, error) { return srv.Connect(), nil }
	expire := func(st zkstore.Store) error { return srv.Expire(st.SessionID()) }
	if err := run(context.Background(), os.Stdout, open, expire); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, w io.Writer, open func(context.Context) (zkstore.Store, error), expire func(zkstore.Store) error) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	const dir = "/election/demo"
	obs, err := open(ctx)
	if err != nil {
		return err
	}
	defer obs.Close()
	octx, stop := context.WithCancel(ctx)
	defer stop()
	leaders := recipe.Observe(octx, watch.StoreSource(obs), dir)
	waitFor := func(want string) error {
		for {
			select {
			case l, ok := <-leaders:
				if !ok {
					return fmt.Errorf("observer ended")
				}
				if l == "" {
					fmt.Fprintln(w, "observer: leader is none")
				} else {
					fmt.Fprintf(w, "observer: leader is %q\n", l)
				}
				if l == want {
					return nil
				}
			case <-ctx.Done():
				return fmt.Errorf("leader never became %q: %w", want, ctx.Err())
			}
		}
	}
	if err := waitFor(""); err != nil {
		return err
	}

	var cands []*recipe.Election
	var stores []zkstore.Store
	won := make(chan string, 3)
	for _, id := range []string{"alpha", "bravo", "charlie"} {
		st, err := open(ctx)
		if err != nil {
			return err
		}
		defer st.Close()
		e := recipe.NewElection(st, dir, id)
		cands, stores = append(cands, e), append(stores, st)
		go func() {
			if err := e.Campaign(ctx); err == nil {
				won <- id
			}
		}()
		time.Sleep(20 * time.Millisecond) // a stable order for the demo
	}
	first := <-won
	fmt.Fprintf(w, "%s leads\n", first)
	if err := waitFor(first); err != nil {
		return err
	}
	fmt.Fprintf(w, "%s resigns\n", first)
	if err := cands[0].Resign(ctx); err != nil {
		return err
	}
	second := <-won
	if err := waitFor(second); err != nil {
		return err
	}
	fmt.Fprintf(w, "%s's session expires\n", second)
	if err := expire(stores[1]); err != nil {
		return err
	}
	select {
	case <-cands[1].Lost():
		fmt.Fprintf(w, "%s was told it lost leadership\n", second)
	case <-ctx.Done():
		return fmt.Errorf("leadership loss not reported")
	}
	third := <-won
	if err := waitFor(third); err != nil {
		return err
	}
	cands[1].Resign(ctx)
	return cands[2].Resign(ctx)
}
