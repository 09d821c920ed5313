package difftest

import (
	"testing"
	"time"

	"github.com/zksql/zksql/zkstore/memstore"
	"github.com/zksql/zksql/zkstore/storetest"
)

// TestDifferential runs the same random programs on the in-memory store and
// on a real ZooKeeper and compares every result; see
// storetest.RunDifferential. -zksql.diff.ops and -zksql.diff.seeds make it
// longer.
func TestDifferential(t *testing.T) {
	live := newLiveCluster(liveAddr(t))
	mem := newMemCluster(t, memstore.ContainerCheckInterval(100*time.Millisecond))
	storetest.RunDifferential(t, mem, live, storetest.DiffOptions{
		// livestore refuses container and TTL creates in a multi (conformance
		// case Multi/ContainerAndTTL); compare the rest meanwhile.
		NoKindsInMulti: true,
		// livestore answers an empty multi itself; the server would have
		// spent a zxid on it.
		NoEmptyMulti: true,
	})
}
