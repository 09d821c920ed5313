package recipe_test

import (
	"os"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/zksql/zksql/internal/testkit/clustertest"
	"github.com/zksql/zksql/internal/testkit/zkserver"
	"github.com/zksql/zksql/zkstore/storetest"
)

func TestMain(m *testing.M) {
	os.Exit(zkserver.RunShared(m, zkserver.Options{TickTime: 100 * time.Millisecond}))
}

// env opens sessions on the in-memory store or a live ZooKeeper, and can
// expire one.
type env = storetest.Cluster

func memEnv(t testing.TB) env { return clustertest.NewMem(t) }

// liveEnv gives sessions on the shared server through proxies of their
// own; Expire is a partition that lasts until the server has expired the
// session.
func liveEnv(t testing.TB) env {
	return clustertest.NewLive(zkserver.SharedAddr(t), 2*time.Second)
}

func both(t *testing.T, f func(t *testing.T, e env)) {
	t.Run("mem", func(t *testing.T) {
		ignore := goleak.IgnoreCurrent()
		t.Cleanup(func() { goleak.VerifyNone(t, ignore, zkserver.IgnoreShared()) })
		f(t, memEnv(t))
	})
	t.Run("live", func(t *testing.T) { f(t, liveEnv(t)) })
}
