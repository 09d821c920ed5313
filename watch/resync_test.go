package watch_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zksql/zksql/internal/testkit/zkserver"
	"github.com/zksql/zksql/watch"
	"github.com/zksql/zksql/zkstore"
	"github.com/zksql/zksql/zkstore/livestore"
	"github.com/zksql/zksql/zkstore/memstore"
)

// After a reconnect the store says that its persistent watch may have
// missed events (EventWatchResync): a Tree under the recursive watch
// reads its subtree again and reports the changes made meanwhile as
// ordinary events, without Resync (the session and its watch lived on).
func TestTreeReconnectRereads(t *testing.T) {
	// checkNoResync fails on a Resync event, and reports whether the
	// stream said Disconnected and Reconnected.
	checkNoResync := func(t *testing.T, c *treeChecker, ch <-chan watch.Event) {
		t.Helper()
		var disc, reconn bool
		for _, ev := range c.events {
			reconn = reconn || ev.Type == watch.Reconnected
		}
		if !reconn {
			// The store's session event may come after the re-read.
			ev, skipped := recvType(t, ch, watch.Reconnected, 10*time.Second)
			for _, s := range append(skipped, ev) {
				c.apply(s)
			}
		}
		for _, ev := range c.events {
			if ev.Resync {
				t.Fatalf("resync after a reconnect of a live session: %v", ev)
			}
			disc = disc || ev.Type == watch.Disconnected
			reconn = reconn || ev.Type == watch.Reconnected
		}
		if !disc || !reconn {
			t.Fatalf("Disconnected %v, Reconnected %v; events %v", disc, reconn, c.events)
		}
		c.check(t)
	}
	t.Run("mem", func(t *testing.T) {
		noLeaks(t)
		srv := memstore.NewServer()
		defer srv.Close()
		sess, w := srv.Connect(), srv.Connect()
		defer sess.Close()
		defer w.Close()
		st := newHookStore(sess)
		for _, p := range []string{"/w", "/w/a", "/w/b"} {
			create(t, w, p, p)
		}
		// The re-read lists the root; nothing else does (no change
		// touches it), so such a listing proves the re-read.
		var rootListings atomic.Int32
		st.setHook(func(c call, after bool) {
			if !after && c.op == "Children" && c.path == "/w" {
				rootListings.Add(1)
			}
		})
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		c := newTreeChecker("/w")
		ch := watch.Tree(ctx, watch.StoreSource(st), "/w")
		c.settle(t, ch, w, 5*time.Second)
		listed := rootListings.Load()
		must(t, srv.Disconnect(sess.SessionID()))
		ev, _ := recvType(t, ch, watch.Disconnected, 5*time.Second)
		c.apply(ev)
		create(t, w, "/w/a/x", "x")
		storeWriter{w}.set(t, "/w/b", "b2")
		must(t, srv.Reconnect(sess.SessionID()))
		c.settle(t, ch, w, 5*time.Second)
		if rootListings.Load() == listed {
			t.Fatalf("no re-read of the subtree after the reconnect; events %v", c.events)
		}
		checkNoResync(t, c, ch)
	})
	t.Run("live", func(t *testing.T) {
		addr := liveAddr(t)
		proxy, err := zkserver.NewProxy(addr)
		must(t, err)
		defer proxy.Close()
		st := openLive(t, proxy.Addr(), livestore.SessionTimeout(8*time.Second))
		if _, ok := zkstore.PersistentWatcherOf(st); !ok {
			t.Fatal("livestore has no AddWatch")
		}
		w := rawWriter{rawConn(t, addr)} // straight to the server
		root := "/rc-" + randHex(6)
		for _, p := range []string{root, root + "/a", root + "/b"} {
			w.create(t, p, p)
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		c := newTreeChecker(root)
		ch := watch.Tree(ctx, watch.StoreSource(st), root)
		hw := rawHWriter{w.c}
		settleTo(t, c, ch, hw, 10*time.Second)
		// Cut the stream's connection and hold it cut while another
		// session writes: the server reports none of it to the stream's
		// session, whose watch is set again only on Unblock.
		proxy.Block()
		proxy.DropConnections()
		ev, _ := recvType(t, ch, watch.Disconnected, 10*time.Second)
		c.apply(ev)
		w.create(t, root+"/a/x", "x")
		w.set(t, root+"/b", "b2")
		w.del(t, root+"/a/x")
		w.create(t, root+"/c", "c")
		proxy.Unblock()
		settleTo(t, c, ch, hw, 20*time.Second)
		checkNoResync(t, c, ch)
	})
}
