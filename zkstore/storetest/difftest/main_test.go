// Package difftest runs storetest's differential test between the
// in-memory store and a real ZooKeeper.
package difftest

import (
	"os"
	"testing"

	"github.com/zksql/zksql/internal/testkit/zkserver"
)

func TestMain(m *testing.M) {
	os.Exit(zkserver.RunShared(m, zkserver.Options{}))
}
