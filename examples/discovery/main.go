// Command discovery shows service discovery (package recipe) on the
// in-memory ZooKeeper: instances register as ephemeral znodes under
// /services/NAME, a client follows the live list, and an instance whose
// session closes vanishes from it, for good with Register, and only until
// it is registered again on a new session with KeepRegistered.
//
//	go run ./examples/discovery
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"maps"
	"os"
	"slices"
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
	if err := run(context.Background(), os.Stdout, open); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, w io.Writer, open func(context.Context) (zkstore.Store, error)) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	client, err := open(ctx)
	if err != nil {
		return err
	}
	defer client.Close()
	list := recipe.Discover(ctx, watch.StoreSource(client), "api")
	waitFor := func(want ...string) error {
		for {
			select {
			case m := <-list:
				ids := slices.Sorted(maps.Keys(m))
				fmt.Fprintf(w, "instances of api: %v\n", ids)
				if slices.Equal(ids, want) {
					return nil
				}
			case <-ctx.Done():
				return fmt.Errorf("instances never became %v", want)
			}
		}
	}
	if err := waitFor(); err != nil {
		return err
	}
	var instances []zkstore.Store
	for i, addr := range []string{"10.0.0.1:8080", "10.0.0.2:8080", "10.0.0.3:8080"} {
		st, err := open(ctx)
		if err != nil {
			return err
		}
		defer st.Close()
		if _, err := recipe.Register(ctx, st, "api", fmt.Sprintf("i%d", i+1), []byte(addr)); err != nil {
			return err
		}
		instances = append(instances, st)
	}
	if err := waitFor("i1", "i2", "i3"); err != nil {
		return err
	}
	fmt.Fprintln(w, "i2's session closes")
	instances[1].Close()
	if err := waitFor("i1", "i3"); err != nil {
		return err
	}

	// KeepRegistered re-registers on a new session after a loss.
	src := watch.Reopen(open)
	defer src.Close()
	kept := recipe.KeepRegistered(src, "api", "i4", []byte("10.0.0.4:8080"))
	defer kept.Close(ctx)
	if err := nextKeep(ctx, w, kept, recipe.NodeCreated); err != nil {
		return err
	}
	if err := waitFor("i1", "i3", "i4"); err != nil {
		return err
	}
	fmt.Fprintln(w, "i4's session ends")
	st, err := src.Store(ctx)
	if err != nil {
		return err
	}
	st.Close() // as an expiry would end it
	if err := nextKeep(ctx, w, kept, recipe.NodeLost); err != nil {
		return err
	}
	if err := nextKeep(ctx, w, kept, recipe.NodeCreated); err != nil {
		return err
	}
	return waitFor("i1", "i3", "i4")
}

// nextKeep prints kept's events until one of type want.
func nextKeep(ctx context.Context, w io.Writer, kept *recipe.KeptNode, want recipe.KeepEventType) error {
	for {
		select {
		case ev, ok := <-kept.Events():
			if !ok {
				return fmt.Errorf("registration ended waiting for %v", want)
			}
			switch ev.Type {
			case recipe.NodeCreated:
				fmt.Fprintf(w, "i4 registered on a session of its own (registration %d)\n", ev.Count)
			case recipe.NodeLost:
				fmt.Fprintf(w, "i4's registration lost: %v\n", ev.Err)
			default:
				fmt.Fprintf(w, "i4: %v %v\n", ev.Type, ev.Err)
			}
			if ev.Type == want {
				return nil
			}
		case <-ctx.Done():
			return fmt.Errorf("no %v event: %w", want, ctx.Err())
		}
	}
}
