package watch_test

import (
	"context"
	"testing"
	"time"

	"github.com/zksql/zksql/watch"
)

// A Tree and a Children or Node stream on the same path through the same
// store: ZooKeeper 3.6-3.8 keep one watch per session and path, so the
// Tree gives up its persistent recursive watch for one-shot ones while
// the other stream follows its root (whichever starts first), and both
// streams see every change.
func TestTreeSharesRootWithOneShotStream(t *testing.T) {
	both(t, func(t *testing.T, e env) {
		for _, treeFirst := range []bool{true, false} {
			st, w, root := e.open(t), e.writer(t), e.root(t)+"-"+map[bool]string{true: "tree", false: "children"}[treeFirst]
			w.create(t, root, "r")
			w.create(t, root+"/a", "a")
			ctx, cancel := context.WithCancel(context.Background())
			c := newTreeChecker(root)
			kids := &nodeChecker{path: root, children: true}
			node := &nodeChecker{path: root}
			var tree, children, nodes <-chan watch.Event
			if treeFirst {
				tree = watch.Tree(ctx, watch.StoreSource(st), root)
				c.settle(t, tree, st, 10*time.Second)
			}
			children = watch.Children(ctx, watch.StoreSource(st), root)
			kids.apply(recv(t, children, 10*time.Second))
			nodes = watch.Node(ctx, watch.StoreSource(st), root)
			node.apply(recv(t, nodes, 10*time.Second))
			if !treeFirst {
				tree = watch.Tree(ctx, watch.StoreSource(st), root)
				c.settle(t, tree, st, 10*time.Second)
			}
			w.create(t, root+"/b", "b")
			w.set(t, root, "r2")
			w.create(t, root+"/b/x", "x")
			w.del(t, root+"/a")
			w.set(t, root+"/b/x", "x2")
			c.settle(t, tree, st, 10*time.Second)
			c.check(t)
			until(t, children, 10*time.Second, func(ev watch.Event) bool {
				kids.apply(ev)
				return len(ev.Children) == 1 && ev.Children[0] == "b"
			})
			until(t, nodes, 10*time.Second, func(ev watch.Event) bool {
				node.apply(ev)
				return string(ev.Data) == "r2"
			})
			for _, chk := range []*nodeChecker{kids, node} {
				if len(chk.errs) > 0 {
					t.Fatalf("contract broken: %v; events %v", chk.errs, chk.events)
				}
			}
			cancel()
		}
	})
}
