// Package difftest runs storetest's differential test between the
// in-memory store and a real ZooKeeper, and, on request, the conformance
// suite on a live server through its own Cluster adapter.
package difftest

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/zksql/zksql/internal/zkserver"
)

var liveConformance = flag.Bool("zksql.conformance.live", false, "also run storetest.Run on a live server from this package")

var (
	server    *zkserver.Server
	serverErr error
)

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	if err := zkserver.Available(); err != nil {
		serverErr = err
	} else {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		server, serverErr = zkserver.Start(ctx, zkserver.Options{})
		cancel()
	}
	code := m.Run()
	if server != nil {
		if err := server.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "closing the test server:", err)
		}
	}
	return code
}

// liveAddr is the server's address; the test skips without one, except
// under CI=true where it fails.
func liveAddr(tb testing.TB) string {
	tb.Helper()
	if server != nil {
		return server.Addr()
	}
	msg := fmt.Sprintf("no ZooKeeper server (%v); %s", serverErr, zkserver.InstallHint)
	if ci, _ := strconv.ParseBool(os.Getenv("CI")); ci {
		tb.Fatal(msg)
	}
	tb.Skip(msg)
	return ""
}
