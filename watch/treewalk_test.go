package watch_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/zksql/zksql/watch"
)

// A Tree's initial read of its subtree goes out in batches where the
// store batches reads (multiRead on a live server, behind the persistent
// watch), fewer znodes to a batch once large ones are seen: whatever the
// mix of sizes, depths and fan-outs, the synced picture is the store's,
// every znode's data included.
func TestTreeWalkBatches(t *testing.T) {
	bothTree(t, func(t *testing.T, e env) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		st, w, root := e.open(t), e.writer(t), e.root(t)
		w.create(t, root, "root")
		big := strings.Repeat("b", 700<<10) // two make more than a batch's budget
		for i := range 3 {
			dir := fmt.Sprintf("%s/d%d", root, i)
			w.create(t, dir, "")
			for j := range 150 {
				w.create(t, fmt.Sprintf("%s/n%03d", dir, j), fmt.Sprintf("%d-%d", i, j))
			}
			w.create(t, fmt.Sprintf("%s/big%d", dir, i), big+dir)
			for _, p := range []string{"/deep", "/deep/er", "/deep/er/est", "/deep/er/est/leaf"} {
				w.create(t, dir+p, p)
			}
		}
		c := newTreeChecker(root)
		c.settle(t, watch.Tree(ctx, watch.StoreSource(st), root), st, 20*time.Second)
		if got, want := len(c.picture()), 1+3*(1+150+1+4); got != want {
			t.Fatalf("the Tree holds %d znodes, want %d", got, want)
		}
	})
}
