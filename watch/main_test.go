package watch_test

import (
	"os"
	"testing"
	"time"

	"github.com/zksql/zksql/internal/testkit/zkserver"
)

const tick = 100 * time.Millisecond

func TestMain(m *testing.M) {
	os.Exit(zkserver.RunShared(m, zkserver.Options{TickTime: tick}))
}

// liveAddr is the shared live server's address (see zkserver.SharedAddr).
func liveAddr(tb testing.TB) string { return zkserver.SharedAddr(tb) }
