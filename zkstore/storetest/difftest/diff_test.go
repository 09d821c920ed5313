package difftest

import (
	"testing"
	"time"

	"github.com/zksql/zksql/internal/testkit/clustertest"
	"github.com/zksql/zksql/internal/testkit/zkserver"
	"github.com/zksql/zksql/zkstore/memstore"
	"github.com/zksql/zksql/zkstore/storetest"
)

// TestDifferential runs the same random programs on the in-memory store and
// on a real ZooKeeper and compares every result; see
// storetest.RunDifferential. -zksql.diff.ops and -zksql.diff.seeds make it
// longer.
func TestDifferential(t *testing.T) {
	live := clustertest.NewLive(zkserver.SharedAddr(t), 2*time.Second)
	mem := clustertest.NewMem(t, memstore.ContainerCheckInterval(100*time.Millisecond))
	storetest.RunDifferential(t, mem, live, storetest.DiffOptions{})
}
