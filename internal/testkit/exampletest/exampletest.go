// Package exampletest holds what the tests of the examples share: a
// session opener on an in-memory server and on a real ZooKeeper, and a way
// to run an example that fails the test with the example's output.
package exampletest

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	"github.com/zksql/zksql/internal/testkit/zkserver"
	"github.com/zksql/zksql/zkstore"
	"github.com/zksql/zksql/zkstore/livestore"
	"github.com/zksql/zksql/zkstore/memstore"
)

// OpenFunc opens one session, as the examples' run functions take it.
type OpenFunc = func(context.Context) (zkstore.Store, error)

// Run runs an example's run function with a buffer for its output. An
// error fails tb and shows the output; otherwise the output is logged.
func Run(tb testing.TB, run func(ctx context.Context, w io.Writer) error) {
	tb.Helper()
	var out bytes.Buffer
	if err := run(context.Background(), &out); err != nil {
		tb.Fatalf("%v\n%s", err, out.String())
	}
	tb.Log(out.String())
}

// Mem returns an opener of sessions on a new in-memory server, and the
// server (to expire sessions), which is closed when tb ends.
func Mem(tb testing.TB) (OpenFunc, *memstore.Server) {
	srv := memstore.NewServer()
	tb.Cleanup(srv.Close)
	return func(context.Context) (zkstore.Store, error) { return srv.Connect(), nil }, srv
}

// LiveServer starts a real ZooKeeper for tb with a short tick time, so
// that short session timeouts are allowed; it is stopped when tb ends.
func LiveServer(tb testing.TB) *zkserver.Server {
	tb.Helper()
	return zkserver.StartTB(tb, zkserver.Options{TickTime: 100 * time.Millisecond})
}

// Live returns an opener of sessions with sessionTimeout on a real
// ZooKeeper started for tb (LiveServer).
func Live(tb testing.TB, sessionTimeout time.Duration) OpenFunc {
	tb.Helper()
	addr := LiveServer(tb).Addr()
	return func(ctx context.Context) (zkstore.Store, error) {
		return livestore.Open(ctx, []string{addr}, livestore.SessionTimeout(sessionTimeout))
	}
}
