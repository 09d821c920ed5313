package watch_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/zksql/zksql/internal/testkit/zkserver"
	"github.com/zksql/zksql/watch"
	"github.com/zksql/zksql/zkstore"
	"github.com/zksql/zksql/zkstore/livestore"
	"github.com/zksql/zksql/zkstore/memstore"
)

// A Source asked for a session that is already gone says who ended it,
// and so does the Expired event of a stream started on it: the server
// (memstore's Expire) or the client (livestore giving up a session that
// had no connection for its whole timeout).
func TestSourceSaysWhoEndedTheSession(t *testing.T) {
	check := func(t *testing.T, st zkstore.Store, givenUp bool) {
		t.Helper()
		_, err := watch.StoreSource(st).Store(context.Background())
		if !errors.Is(err, zkstore.ErrSessionExpired) || errors.Is(err, zkstore.ErrSessionGivenUp) != givenUp {
			t.Fatalf("StoreSource.Store: %v; want expired, given up by the client: %v", err, givenUp)
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		ev, _ := recvType(t, watch.Node(ctx, watch.StoreSource(st), "/n"), watch.Expired, 5*time.Second)
		if !errors.Is(ev.Err, zkstore.ErrSessionExpired) || errors.Is(ev.Err, zkstore.ErrSessionGivenUp) != givenUp {
			t.Fatalf("Expired with %v; want given up by the client: %v", ev.Err, givenUp)
		}
	}
	t.Run("mem-expired-by-server", func(t *testing.T) {
		srv := memstore.NewServer()
		defer srv.Close()
		st := srv.Connect()
		defer st.Close()
		must(t, srv.Expire(st.SessionID()))
		check(t, st, false)
	})
	t.Run("live-given-up", func(t *testing.T) {
		p, err := zkserver.NewProxy(liveAddr(t))
		must(t, err)
		defer p.Close()
		st := openLive(t, p.Addr(), livestore.SessionTimeout(time.Second), livestore.ConnectTimeout(5*time.Second))
		p.Block()
		defer p.Unblock()
		deadline := time.Now().Add(20 * time.Second)
		for st.State() != zkstore.StateExpired {
			if time.Now().After(deadline) {
				t.Fatalf("session not given up; state %v", st.State())
			}
			time.Sleep(20 * time.Millisecond)
		}
		check(t, st, true)
	})
}
