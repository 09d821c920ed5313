package memstore_test

import (
	"testing"
	"time"

	"github.com/zksql/zksql/zkstore"
	"github.com/zksql/zksql/zkstore/memstore"
	"github.com/zksql/zksql/zkstore/storetest"
)

// cluster adapts a memstore.Server to storetest.Cluster.
type cluster struct{ srv *memstore.Server }

func (c cluster) Open(t testing.TB) zkstore.Store {
	s := c.srv.Connect()
	t.Cleanup(func() { s.Close() })
	return s
}

func (c cluster) Expire(t testing.TB, s zkstore.Store) {
	t.Helper()
	if err := c.srv.Expire(s.SessionID()); err != nil {
		t.Fatalf("expire session %#x: %v", s.SessionID(), err)
	}
	if got := s.State(); got != zkstore.StateExpired {
		t.Fatalf("after Expire the session is %v, want expired", got)
	}
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Cluster {
		srv := memstore.NewServer(memstore.ContainerCheckInterval(50 * time.Millisecond))
		t.Cleanup(srv.Close)
		return cluster{srv}
	})
}
