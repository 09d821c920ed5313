package driver_test

import (
	"os"
	"testing"

	"github.com/zksql/zksql/internal/zkserver"
)

// TestMain gives the live tests one shared ZooKeeper (zkserver.SharedAddr)
// and fails the run if any test leaves a goroutine behind (goleak).
func TestMain(m *testing.M) {
	os.Exit(zkserver.RunShared(m, zkserver.Options{}))
}
