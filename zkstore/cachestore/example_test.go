package cachestore_test

import (
	"context"
	"fmt"

	"github.com/zksql/zksql/zkstore"
	"github.com/zksql/zksql/zkstore/cachestore"
	"github.com/zksql/zksql/zkstore/memstore"
)

// A cache of /config answers its reads from memory; a write through it is
// visible to the next read, and another session's write once its event
// has arrived (at once after a Sync).
func Example() {
	ctx := context.Background()
	srv := memstore.NewServer()
	defer srv.Close()
	writer := srv.Connect()
	defer writer.Close()
	writer.Create(ctx, "/config", nil, zkstore.CreateOptions{})
	writer.Create(ctx, "/config/mode", []byte("blue"), zkstore.CreateOptions{})

	cs, err := cachestore.New(ctx, srv.Connect(), []string{"/config"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer cs.Close()

	data, _, _ := cs.Get(ctx, "/config/mode")
	fmt.Printf("%s\n", data)

	writer.Set(ctx, "/config/mode", []byte("green"), -1)
	cs.Sync(ctx, "/config")
	data, _, _ = cs.Get(ctx, "/config/mode")
	fmt.Printf("%s\n", data)

	cs.Set(ctx, "/config/mode", []byte("red"), -1)
	data, _, _ = cs.Get(ctx, "/config/mode")
	fmt.Printf("%s (from memory: %v)\n", data, cs.Covers("/config/mode"))
	// Output:
	// blue
	// green
	// red (from memory: true)
}
