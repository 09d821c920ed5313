package livestore

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/zksql/zksql/zkstore"
)

// A session the client gives up (no connection for a whole session
// timeout) fails calls, ends watches and reports StateExpired with
// ErrSessionGivenUp: it matches ErrSessionExpired, but its text does not
// say the server expired it.
func TestGiveUpSaysWho(t *testing.T) {
	noLeaks(t)
	s, proxy := openProxied(t, SessionTimeout(time.Second))
	ctx := ctxT(t)
	b := base(t, s)
	_, _, w, err := s.GetW(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	events := s.SessionEvents(ctx)
	proxy.Block()
	defer proxy.Unblock()
	var last zkstore.SessionEvent
	for last.State != zkstore.StateExpired {
		last = recv(t, events, 10*time.Second)
	}
	check := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, zkstore.ErrSessionExpired) || !errors.Is(err, zkstore.ErrSessionGivenUp) ||
			!strings.Contains(err.Error(), "given up by the client") || strings.Contains(err.Error(), "by the server") {
			t.Errorf("%s: %v, want the client's giving up", what, err)
		}
	}
	check("session event", last.Err)
	check("watch", recv(t, w, 5*time.Second).Err)
	_, _, err = s.Get(ctx, b)
	check("Get", err)
	if errors.Is(zkstore.ErrSessionExpired, zkstore.ErrSessionGivenUp) {
		t.Error("the server's expiry matches ErrSessionGivenUp")
	}
}
