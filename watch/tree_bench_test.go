package watch_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/zksql/zksql/watch"
	"github.com/zksql/zksql/zkstore"
	"github.com/zksql/zksql/zkstore/memstore"
)

// BenchmarkTreeInitialSync is a Tree's own cost of its initial sync, from
// its start to Synced, over 10,000 znodes of 100 bytes on the in-memory
// store: the reads cost next to nothing there, so what it measures is the
// stream's work per znode (the walk's bookkeeping, the ordering, the
// delivery), what a live Tree adds to the walk of the subtree. The
// bench's watch-tree case measures the whole against ZooKeeper.
func BenchmarkTreeInitialSync(b *testing.B) {
	srv := memstore.NewServer()
	defer srv.Close()
	st := srv.Connect()
	defer st.Close()
	ctx := context.Background()
	const root, fanout = "/bench", 100
	data := make([]byte, 100)
	mk := func(p string) {
		if _, err := st.Create(ctx, p, data, zkstore.CreateOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	mk(root)
	want := 1
	for i := range fanout {
		dir := fmt.Sprintf("%s/d%03d", root, i)
		mk(dir)
		want++
		for j := range fanout - 1 {
			mk(fmt.Sprintf("%s/n%03d", dir, j))
			want++
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		tctx, cancel := context.WithCancel(ctx)
		n := 0
		for ev := range watch.Tree(tctx, watch.StoreSource(st), root) {
			if ev.Err != nil {
				b.Fatal(ev)
			}
			if ev.Type == watch.Created {
				n++
			}
			if ev.Type == watch.Synced {
				break
			}
		}
		cancel()
		if n != want {
			b.Fatalf("Tree reported %d znodes, want %d", n, want)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*want), "ns/znode")
}
