package watch_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zksql/zksql/internal/testkit/zkserver"
	"github.com/zksql/zksql/watch"
	"github.com/zksql/zksql/zkstore"
	"github.com/zksql/zksql/zkstore/livestore"
	"github.com/zksql/zksql/zkstore/memstore"
)

// gatedSource gives first, then waits on gate for every later session (a
// slow reconnect), which then comes from next.
func gatedSource(first zkstore.Store, gate <-chan struct{}, next func(ctx context.Context) (zkstore.Store, error)) watch.Source {
	var calls atomic.Int32
	return watch.Reopen(func(ctx context.Context) (zkstore.Store, error) {
		if calls.Add(1) == 1 {
			return first, nil
		}
		select {
		case <-gate:
			return next(ctx)
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	})
}

// Expired is delivered as soon as the session is gone, not once a new
// session has been opened (issue 13: it came seconds late, after the
// attempt to open one failed).
func TestExpiredBeforeReopen(t *testing.T) {
	noLeaks(t)
	srv := memstore.NewServer()
	defer srv.Close()
	st := srv.Connect()
	create(t, srv.Connect(), "/n", "v1")
	gate := make(chan struct{})
	src := gatedSource(st, gate, func(context.Context) (zkstore.Store, error) { return srv.Connect(), nil })
	defer src.(*watch.Reopener).Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	node := watch.Node(ctx, src, "/n")
	tree := watch.Tree(ctx, src, "/n")
	recv(t, node, 5*time.Second)
	recvType(t, tree, watch.Synced, 5*time.Second)
	must(t, srv.Expire(st.SessionID()))
	for _, ch := range []<-chan watch.Event{node, tree} {
		ev, _ := recvType(t, ch, watch.Expired, 5*time.Second) // gate still shut
		if !errors.Is(ev.Err, zkstore.ErrSessionExpired) || errors.Is(ev.Err, zkstore.ErrSessionGivenUp) {
			t.Fatalf("Expired with %v, want the server's expiry", ev.Err)
		}
	}
	close(gate)
	if ev, _ := recvType(t, node, watch.Current, 5*time.Second); !ev.Resync || string(ev.Data) != "v1" {
		t.Fatalf("after the new session: %v", ev)
	}
	if ev, _ := recvType(t, tree, watch.Synced, 5*time.Second); !ev.Resync {
		t.Fatalf("after the new session: %v", ev)
	}
}

// Live: a session the client gives up (no connection for its timeout) is
// reported Expired at once, with an error saying the client gave it up.
func TestLiveExpiredGivenUp(t *testing.T) {
	addr := liveAddr(t)
	p, err := zkserver.NewProxy(addr)
	must(t, err)
	defer p.Close()
	w := rawWriter{rawConn(t, addr)}
	root := "/giveup-" + randHex(6)
	w.create(t, root, "v1")
	st := openLive(t, p.Addr(), livestore.SessionTimeout(time.Second), livestore.ConnectTimeout(5*time.Second))
	gate := make(chan struct{})
	src := gatedSource(st, gate, func(ctx context.Context) (zkstore.Store, error) {
		return livestore.Open(ctx, []string{addr}, livestore.SessionTimeout(2*time.Second))
	})
	defer src.(*watch.Reopener).Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	node := watch.Node(ctx, src, root)
	recv(t, node, 5*time.Second)
	p.Block()
	defer p.Unblock()
	ev, skipped := recvType(t, node, watch.Expired, 20*time.Second) // gate still shut
	if !errors.Is(ev.Err, zkstore.ErrSessionExpired) || !errors.Is(ev.Err, zkstore.ErrSessionGivenUp) ||
		!strings.Contains(ev.Err.Error(), "given up by the client") {
		t.Fatalf("Expired with %q, want the client's giving up (before: %v)", ev.Err, skipped)
	}
	close(gate)
	w.set(t, root, "v2")
	if ev, _ := recvType(t, node, watch.Current, 20*time.Second); !ev.Resync {
		t.Fatalf("after the new session: %v", ev)
	}
}

// A stream on one Store says Expired once, as its last event, however many
// of its reads and watches learn of the expiry.
func TestExpiredOnce(t *testing.T) {
	noLeaks(t)
	srv := memstore.NewServer()
	defer srv.Close()
	st := srv.Connect()
	defer st.Close()
	create(t, st, "/n", "v")
	create(t, st, "/n/a", "v")
	for _, stream := range []func(context.Context, watch.Source, string, ...watch.Option) <-chan watch.Event{
		watch.Node, watch.Children, watch.Tree} {
		ch := stream(context.Background(), watch.StoreSource(st), "/n")
		recv(t, ch, time.Second)
		defer func() {
			n := 0
			evs := closed(t, ch, 5*time.Second)
			for _, ev := range evs {
				if ev.Type == watch.Expired {
					n++
				}
			}
			if n != 1 || evs[len(evs)-1].Type != watch.Expired {
				t.Errorf("events before close: %v; want one Expired, last", evs)
			}
		}()
	}
	must(t, srv.Expire(st.SessionID()))
}
