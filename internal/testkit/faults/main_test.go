// Package faults drives the zookeeper database/sql driver through the
// failures ZooKeeper clients meet in production, against real servers on
// loopback (internal/testkit/zkserver): a 3-server ensemble whose leader is killed,
// a whole ensemble down, a standalone server behind a fault proxy that
// partitions, drops replies and resets connections, a server that forgets
// its sessions. Each test logs its figures (t.Logf) for the issue note.
//
// The long variants (20 s of load instead of 6 s) run with
//
//	go test ./internal/testkit/faults -zksql.long
//
// or ZKSQL_LONG=1 in the environment.
package faults_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/zksql/zksql/internal/testkit/zkserver"
)

// tick is the servers' tickTime: sessions of 1-2 s expire promptly.
const tick = 100 * time.Millisecond

var longFlag = flag.Bool("zksql.long", false, "run the fault scenarios at full length (also ZKSQL_LONG=1)")

// long reports whether the full-length scenarios were asked for.
func long() bool { return *longFlag || os.Getenv("ZKSQL_LONG") == "1" }

// The package shares one 3-server ensemble, started on first use, and the
// standalone server of zkserver.RunShared; tests that break them leave them
// whole again (heal).
var fixtures struct {
	ensOnce sync.Once
	ens     *zkserver.Ensemble
	ensErr  error
}

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(zkserver.RunShared(m, zkserver.Options{TickTime: tick}, func() {
		if fixtures.ens != nil {
			if err := fixtures.ens.Close(); err != nil {
				fmt.Fprintln(os.Stderr, "faults: closing the ensemble:", err)
			}
		}
	}))
}

// ensemble returns the shared 3-server ensemble with every member running.
func ensemble(t testing.TB) *zkserver.Ensemble {
	t.Helper()
	zkserver.RequireTB(t)
	fixtures.ensOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		fixtures.ens, fixtures.ensErr = zkserver.StartEnsemble(ctx, 3, zkserver.Options{TickTime: tick})
	})
	if fixtures.ensErr != nil {
		t.Fatalf("starting the ensemble: %v", fixtures.ensErr)
	}
	heal(t, fixtures.ens)
	return fixtures.ens
}

// heal restarts every member that is not running, all at once (a member
// only serves once a quorum runs).
func heal(t testing.TB, e *zkserver.Ensemble) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	errs := make([]error, len(e.Servers()))
	for i, s := range e.Servers() {
		if s.Running() {
			continue
		}
		wg.Go(func() { errs[i] = e.Restart(ctx, i) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("restarting member %d: %v\n%s", i, err, e.Server(i).LogTail(30))
		}
	}
	if _, err := e.Leader(ctx); err != nil {
		t.Fatalf("no leader: %v", err)
	}
}

// standalone returns the shared standalone server (zkserver.SharedServer).
func standalone(t testing.TB) *zkserver.Server {
	t.Helper()
	return zkserver.SharedServer(t)
}
