package memstore_test

import (
	"context"
	"errors"
	"testing"

	"github.com/zksql/zksql/zkstore"
	"github.com/zksql/zksql/zkstore/memstore"
)

func take(t *testing.T, what string, ch <-chan zkstore.Event, typ zkstore.EventType, path string) {
	t.Helper()
	select {
	case ev, ok := <-ch:
		if !ok || ev.Type != typ || ev.Path != path || ev.Err != nil {
			t.Fatalf("%s: %+v (open %v), want {%v %q}", what, ev, ok, typ, path)
		}
	default:
		t.Fatalf("%s: no event waiting, want {%v %q}", what, typ, path)
	}
}

// Reconnect tells a session's persistent watches to resynchronise, as a
// live store does after setting them again; they go on afterwards.
func TestPersistentWatchResyncOnReconnect(t *testing.T) {
	srv := memstore.NewServer()
	defer srv.Close()
	ctx := context.Background()
	s, other := srv.Connect(), srv.Connect()
	defer s.Close()
	defer other.Close()
	ch, err := s.AddWatch(ctx, "/a", zkstore.WatchPersistentRecursive)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Disconnect(s.SessionID()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddWatch(ctx, "/b", zkstore.WatchPersistent); !errors.Is(err, zkstore.ErrConnectionLoss) {
		t.Errorf("AddWatch while disconnected: %v, want ErrConnectionLoss", err)
	}
	if _, err := other.Create(ctx, "/a", nil, zkstore.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	take(t, "while disconnected", ch, zkstore.EventNodeCreated, "/a")
	if err := srv.Reconnect(s.SessionID()); err != nil {
		t.Fatal(err)
	}
	take(t, "on reconnect", ch, zkstore.EventWatchResync, "/a")
	if _, err := other.Set(ctx, "/a", []byte("x"), -1); err != nil {
		t.Fatal(err)
	}
	take(t, "after reconnect", ch, zkstore.EventNodeDataChanged, "/a")
}

// One session's watches in both modes on one path, and a one-shot watch
// there too, each get their events, as on ZooKeeper 3.9 (3.6 to 3.8 keep
// one mode per session and path: ZOOKEEPER-4466).
func TestPersistentWatchModesOnOnePath(t *testing.T) {
	srv := memstore.NewServer()
	defer srv.Close()
	ctx := context.Background()
	s := srv.Connect()
	defer s.Close()
	if _, err := s.Create(ctx, "/a", nil, zkstore.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	one, err := s.AddWatch(ctx, "/a", zkstore.WatchPersistent)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := s.AddWatch(ctx, "/a", zkstore.WatchPersistentRecursive)
	if err != nil {
		t.Fatal(err)
	}
	_, _, shot, err := s.GetW(ctx, "/a")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create(ctx, "/a/b", nil, zkstore.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Set(ctx, "/a", []byte("x"), -1); err != nil {
		t.Fatal(err)
	}
	take(t, "persistent", one, zkstore.EventNodeChildrenChanged, "/a")
	take(t, "persistent", one, zkstore.EventNodeDataChanged, "/a")
	take(t, "recursive", rec, zkstore.EventNodeCreated, "/a/b")
	take(t, "recursive", rec, zkstore.EventNodeDataChanged, "/a")
	take(t, "one-shot", shot, zkstore.EventNodeDataChanged, "/a")
}
