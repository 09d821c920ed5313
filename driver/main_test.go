package driver_test

import (
	"os"
	"testing"

	"github.com/zksql/zksql/internal/panics"
	"github.com/zksql/zksql/internal/testkit/zkserver"
)

// TestMain gives the live tests one shared ZooKeeper (zkserver.SharedAddr)
// and fails the run if any test leaves a goroutine behind (goleak) or
// the driver recovered a panic (panics.Check).
func TestMain(m *testing.M) {
	os.Exit(panics.Check(zkserver.RunShared(m, zkserver.Options{})))
}
