package memstore_test

import (
	"testing"
	"time"

	"github.com/zksql/zksql/internal/testkit/clustertest"
	"github.com/zksql/zksql/zkstore/memstore"
	"github.com/zksql/zksql/zkstore/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Cluster {
		return clustertest.NewMem(t, memstore.ContainerCheckInterval(50*time.Millisecond))
	})
}
