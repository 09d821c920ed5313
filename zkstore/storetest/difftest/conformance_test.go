package difftest

import (
	"testing"

	"github.com/zksql/zksql/zkstore/storetest"
)

// TestLiveConformance runs the suite on the live server through this
// package's adapter; package livestore has its own runner, so this one only
// runs with -zksql.conformance.live.
func TestLiveConformance(t *testing.T) {
	if !*liveConformance {
		t.Skip("run with -zksql.conformance.live")
	}
	c := newLiveCluster(liveAddr(t))
	storetest.Run(t, func(t *testing.T) storetest.Cluster { return c })
}
