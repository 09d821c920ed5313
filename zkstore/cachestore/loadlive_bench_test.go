package cachestore_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/go-zookeeper/zk"

	"github.com/zksql/zksql/internal/testkit/zkserver"
	"github.com/zksql/zksql/zkstore/livestore"
)

// BenchmarkCacheLoadLive loads a cache of 100,000 znodes of 100 bytes
// (100 parents of 999 leaves, the shape of the bench command's cache-heap
// case) from a live server, and reports the load time and the heap the
// cache holds. With -memprofile it shows what a load allocates.
func BenchmarkCacheLoadLive(b *testing.B) {
	const parents, leaves = 100, 999
	addr := zkserver.SharedAddr(b)
	ctx := context.Background()
	in, err := livestore.Open(ctx, []string{addr})
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	root := testBase(b, in) + "/load"
	conn := rawConn(b, addr)
	data := make([]byte, 100)
	if _, err := conn.Create(root, nil, 0, zk.WorldACL(zk.PermAll)); err != nil {
		b.Fatal(err)
	}
	for i := range parents {
		p := fmt.Sprintf("%s/d%03d", root, i)
		ops := []any{&zk.CreateRequest{Path: p, Data: data, Acl: zk.WorldACL(zk.PermAll)}}
		for k := range leaves {
			ops = append(ops, &zk.CreateRequest{Path: fmt.Sprintf("%s/n%05d", p, k), Data: data, Acl: zk.WorldACL(zk.PermAll)})
			if len(ops) == 500 || k == leaves-1 {
				if _, err := conn.Multi(ops...); err != nil {
					b.Fatal(err)
				}
				ops = ops[:0]
			}
		}
	}
	for b.Loop() {
		// Close closes the wrapped store too: a session per load.
		inner, err := livestore.Open(ctx, []string{addr})
		if err != nil {
			b.Fatal(err)
		}
		cs := measureLoad(b, ctx, inner, root)
		if n, want := cs.Stats().Znodes, 1+parents*(1+leaves); n != want {
			b.Fatalf("cache holds %d znodes, want %d", n, want)
		}
		cs.Close()
	}
}
