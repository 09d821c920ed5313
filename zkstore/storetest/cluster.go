package storetest

import (
	"testing"

	"github.com/zksql/zksql/zkstore"
)

// Cluster is one ZooKeeper, a live ensemble or one in-memory server, on
// which the suite opens sessions. A fresh Cluster need not be empty: the
// suite works under a base path of its own per test.
type Cluster interface {
	// Open starts a new session on the cluster; it is closed at the end of
	// the test (t.Cleanup), and closing it again there must be harmless.
	Open(t testing.TB) zkstore.Store
	// Expire makes the server expire s's session, as if its client had gone
	// silent for longer than the session timeout, and returns once s reports
	// StateExpired.
	Expire(t testing.TB, s zkstore.Store)
}
