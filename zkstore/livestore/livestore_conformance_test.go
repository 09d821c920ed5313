package livestore_test

import (
	"testing"
	"time"

	"github.com/zksql/zksql/internal/testkit/clustertest"
	"github.com/zksql/zksql/zkstore/livestore"
	"github.com/zksql/zksql/zkstore/storetest"
)

func TestConformance(t *testing.T) {
	c := clustertest.NewLive(livestore.SharedServerAddr(t), 3*time.Second)
	storetest.Run(t, func(t *testing.T) storetest.Cluster { return c })
}
