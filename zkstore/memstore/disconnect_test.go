package memstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/zksql/zksql/zkstore"
	"github.com/zksql/zksql/zkstore/memstore"
)

func TestDisconnectReconnect(t *testing.T) {
	srv := memstore.NewServer()
	defer srv.Close()
	ctx := context.Background()
	s, other := srv.Connect(), srv.Connect()
	defer s.Close()
	defer other.Close()
	if _, err := s.Create(ctx, "/e", nil, zkstore.CreateOptions{Mode: zkstore.ModeEphemeral}); err != nil {
		t.Fatal(err)
	}
	evs := s.SessionEvents(ctx)
	if ev := <-evs; ev.State != zkstore.StateConnected {
		t.Fatalf("first state %v", ev.State)
	}
	if err := srv.Disconnect(s.SessionID()); err != nil {
		t.Fatal(err)
	}
	if ev := <-evs; ev.State != zkstore.StateDisconnected || s.State() != zkstore.StateDisconnected {
		t.Fatalf("after Disconnect: event %v, State %v", ev.State, s.State())
	}
	if _, _, err := s.Get(ctx, "/e"); !errors.Is(err, zkstore.ErrConnectionLoss) {
		t.Fatalf("Get while disconnected: %v", err)
	}
	if _, ok, err := other.Exists(ctx, "/e"); err != nil || !ok {
		t.Fatalf("the disconnected session's ephemeral: exists %v, %v", ok, err)
	}
	if err := srv.Reconnect(s.SessionID()); err != nil {
		t.Fatal(err)
	}
	if ev := <-evs; ev.State != zkstore.StateConnected {
		t.Fatalf("after Reconnect: %v", ev.State)
	}
	if _, _, err := s.Get(ctx, "/e"); err != nil {
		t.Fatalf("Get after Reconnect: %v", err)
	}
	// Disconnected, then expired: the end is published and requests say
	// expired.
	srv.Disconnect(s.SessionID())
	<-evs
	if err := srv.Expire(s.SessionID()); err != nil {
		t.Fatal(err)
	}
	select {
	case ev := <-evs:
		if ev.State != zkstore.StateExpired {
			t.Fatalf("after Expire: %v", ev.State)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no expiry event")
	}
	if _, _, err := s.Get(ctx, "/e"); !errors.Is(err, zkstore.ErrSessionExpired) {
		t.Fatalf("Get after expiry: %v", err)
	}
	if err := srv.Reconnect(s.SessionID()); !errors.Is(err, memstore.ErrNoSession) {
		t.Fatalf("Reconnect of an expired session: %v", err)
	}
}
