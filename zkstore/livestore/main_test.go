package livestore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/zksql/zksql/internal/testkit/zkserver"
	"github.com/zksql/zksql/zkstore"
)

// Server ticks of 100ms: the server accepts session timeouts from 200ms, so
// expiry tests take a second or two.
const testTick = 100 * time.Millisecond

func TestMain(m *testing.M) {
	os.Exit(zkserver.RunShared(m, zkserver.Options{TickTime: testTick}))
}

// serverAddr is the shared server's address (see zkserver.SharedAddr).
func serverAddr(tb testing.TB) string { return zkserver.SharedAddr(tb) }

// tlog sends the store's diagnostics to the test log while the test runs.
type tlog struct{ tb testing.TB }

func (l tlog) Printf(format string, args ...any) { l.tb.Logf(format, args...) }

func openStore(tb testing.TB, addr string, opts ...Option) *Store {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := Open(ctx, []string{addr}, opts...)
	if err != nil {
		tb.Fatalf("Open(%s): %v", addr, err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// open opens a store on the shared server.
func open(tb testing.TB, opts ...Option) *Store {
	tb.Helper()
	return openStore(tb, serverAddr(tb), opts...)
}

// openProxied opens a store whose connections go through a proxy of its own.
func openProxied(tb testing.TB, opts ...Option) (*Store, *zkserver.Proxy) {
	tb.Helper()
	p, err := zkserver.NewProxy(serverAddr(tb))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { p.Close() })
	return openStore(tb, p.Addr(), opts...), p
}

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// base creates a fresh znode for one test and returns its path.
func base(tb testing.TB, s *Store) string {
	tb.Helper()
	name := strings.NewReplacer("/", "_", " ", "_").Replace(tb.Name())
	p := "/livestore-" + name + "-" + randHex(4)
	if _, err := s.Create(context.Background(), p, nil, zkstore.CreateOptions{}); err != nil {
		tb.Fatalf("create base %s: %v", p, err)
	}
	return p
}

func ctxT(tb testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	tb.Cleanup(cancel)
	return ctx
}

// waitState waits until s reports want.
func waitState(tb testing.TB, s *Store, want zkstore.State, timeout time.Duration) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for s.State() != want {
		if time.Now().After(deadline) {
			tb.Fatalf("state %v after %v, want %v", s.State(), timeout, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// recv receives one event or fails after timeout.
func recv[T any](tb testing.TB, ch <-chan T, timeout time.Duration) T {
	tb.Helper()
	select {
	case v, ok := <-ch:
		if !ok {
			tb.Fatalf("channel closed")
		}
		return v
	case <-time.After(timeout):
		tb.Fatalf("nothing received within %v", timeout)
	}
	var zero T
	return zero
}

// none checks that nothing arrives on ch within d.
func none[T any](tb testing.TB, ch <-chan T, d time.Duration) {
	tb.Helper()
	select {
	case v := <-ch:
		tb.Fatalf("unexpected %+v", v)
	case <-time.After(d):
	}
}

// SharedServerAddr lets package livestore_test (the conformance suite)
// use the shared server; it exists only in tests.
var SharedServerAddr = serverAddr
