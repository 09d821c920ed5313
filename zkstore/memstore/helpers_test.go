package memstore_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/zksql/zksql/zkstore"
	"github.com/zksql/zksql/zkstore/memstore"
)

var ctx = context.Background()

func newServer(t *testing.T, opts ...memstore.ServerOption) *memstore.Server {
	t.Helper()
	srv := memstore.NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv
}

func connect(t *testing.T, srv *memstore.Server) *memstore.Session {
	t.Helper()
	s := srv.Connect()
	t.Cleanup(func() { s.Close() })
	return s
}

func mustCreate(t *testing.T, s zkstore.Store, path string, data []byte, opts zkstore.CreateOptions) string {
	t.Helper()
	p, err := s.Create(ctx, path, data, opts)
	if err != nil {
		t.Fatalf("Create %s: %v", path, err)
	}
	return p
}

func mustStat(t *testing.T, s zkstore.Store, path string) zkstore.Stat {
	t.Helper()
	st, ok, err := s.Exists(ctx, path)
	if err != nil || !ok {
		t.Fatalf("Exists %s = %v, %v", path, ok, err)
	}
	return st
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("%s: error %v, want %v", what, err, want)
	}
}

func recv(t *testing.T, ch <-chan zkstore.Event) zkstore.Event {
	t.Helper()
	select {
	case ev, ok := <-ch:
		if !ok {
			t.Fatal("watch channel closed without an event")
		}
		if _, ok := <-ch; ok {
			t.Fatal("watch delivered a second event")
		}
		return ev
	case <-time.After(5 * time.Second):
		t.Fatal("no watch event")
	}
	return zkstore.Event{}
}

func quiet(t *testing.T, ch <-chan zkstore.Event) {
	t.Helper()
	select {
	case ev := <-ch:
		t.Fatalf("unexpected event %+v", ev)
	default:
	}
}

// fakeClock is a settable clock.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }
