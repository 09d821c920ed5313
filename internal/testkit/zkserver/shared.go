package zkserver

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// The shared server: one ZooKeeper for all the live tests of one test
// binary (one package), started on first use. Starting a JVM per test would
// cost a second each; the tests keep out of each other's way by working
// under paths of their own.
var shared struct {
	once sync.Once
	opts Options
	srv  *Server
	err  error
}

// RunShared runs a package's tests (call it from TestMain) with a shared
// server started with opts on first use by SharedAddr, stops that server
// afterwards, and fails the run if the tests left goroutines behind. The
// after functions run first, in order, once the tests are done: they stop
// fixtures of the package's own before the leak check.
func RunShared(m *testing.M, opts Options, after ...func()) int {
	shared.opts = opts
	code := m.Run()
	for _, f := range after {
		f()
	}
	if shared.srv != nil {
		if err := shared.srv.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "zkserver: closing the shared server:", err)
		}
	}
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goroutines left after the tests:", err)
			code = 1
		}
	}
	return code
}

// SharedServer is the shared server, started on first use. The test skips
// when ZooKeeper is not installed (fails under CI=true), and fails when the
// server does not start.
func SharedServer(tb testing.TB) *Server {
	tb.Helper()
	RequireTB(tb)
	shared.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		shared.srv, shared.err = Start(ctx, shared.opts)
	})
	if shared.err != nil {
		tb.Fatalf("zkserver: starting the shared server: %v", shared.err)
	}
	return shared.srv
}

// SharedAddr is the shared server's client address; see SharedServer.
func SharedAddr(tb testing.TB) string {
	tb.Helper()
	return SharedServer(tb).Addr()
}

// IgnoreShared is the goleak option for tests that check for leaks while
// the shared server may start under them: the goroutine waiting for the
// server's process belongs to the server, which RunShared stops (and
// checks for leaks) after all the tests.
func IgnoreShared() goleak.Option {
	return goleak.IgnoreAnyFunction("github.com/zksql/zksql/internal/testkit/zkserver.(*Server).launch.func1")
}
