package zkstore_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/zksql/zksql/zkstore"
	"github.com/zksql/zksql/zkstore/memstore"
)

// A recursive persistent watch follows a whole subtree with one watch;
// ending its context removes it. A store or server without persistent
// watches says so with ErrNoPersistentWatches, and the caller falls back
// to one-shot watches.
func ExampleAddWatch() {
	srv := memstore.NewServer()
	defer srv.Close()
	st := srv.Connect()
	defer st.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	events, err := zkstore.AddWatch(ctx, st, "/app", zkstore.WatchPersistentRecursive)
	if errors.Is(err, zkstore.ErrNoPersistentWatches) {
		fmt.Println("no persistent watches: use GetW, ChildrenW")
		return
	} else if err != nil {
		fmt.Println(err)
		return
	}
	st.Create(ctx, "/app", nil, zkstore.CreateOptions{})
	st.Create(ctx, "/app/config", []byte("v1"), zkstore.CreateOptions{})
	st.Set(ctx, "/app/config", []byte("v2"), zkstore.AnyVersion)
	for range 3 {
		ev := <-events
		switch ev.Type {
		case zkstore.EventWatchResync:
			fmt.Println("re-read the subtree") // events may have been missed
		case zkstore.EventNotWatching:
			fmt.Println("session over:", ev.Err)
			return
		default:
			fmt.Println(ev.Type, ev.Path)
		}
	}
	// Output:
	// NodeCreated /app
	// NodeCreated /app/config
	// NodeDataChanged /app/config
}
