package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/zksql/zksql/internal/panics"
	"github.com/zksql/zksql/internal/testkit/zkserver"
	"github.com/zksql/zksql/zkstore"
	"github.com/zksql/zksql/zkstore/livestore"
	"github.com/zksql/zksql/zkstore/memstore"
)

func TestMain(m *testing.M) {
	os.Exit(panics.Check(zkserver.RunShared(m, zkserver.Options{})))
}

const testUser = "zkgw_test"

// requireTool finds a client binary; without it the test is skipped, and
// under CI=true it fails, so CI cannot pass by not running the clients.
func requireTool(t *testing.T, name string, candidates ...string) string {
	t.Helper()
	for _, c := range append(candidates, name) {
		if p, err := exec.LookPath(c); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not installed (run .ci/gateway)", name)
	}
	t.Skipf("%s is not installed", name)
	return ""
}

func randomPassword(t *testing.T) string {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// testGateway is a gateway on a loopback port with a fresh password.
type testGateway struct {
	addr     string
	host     string
	port     string
	password string
}

func startGateway(t *testing.T, st zkstore.Store, mutate func(*Config)) *testGateway {
	t.Helper()
	cfg := Config{Listen: "127.0.0.1:0", Database: "zookeeper", Mem: true, User: testUser,
		Password: randomPassword(t), MaxScan: 10000, QueryTimeout: 20 * time.Second}
	if mutate != nil {
		mutate(&cfg)
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		t.Fatal(err)
	}
	gw, err := newGateway(cfg, st, ln)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); gw.Serve() }()
	t.Cleanup(func() {
		gw.Close()
		<-done
	})
	host, port, _ := net.SplitHostPort(gw.Addr().String())
	return &testGateway{addr: gw.Addr().String(), host: host, port: port, password: cfg.Password}
}

// memStore is an in-memory store holding the demo tree.
func memStore(t *testing.T) zkstore.Store {
	t.Helper()
	srv := memstore.NewServer()
	st := srv.Open()
	t.Cleanup(func() { st.Close(); srv.Close() })
	if err := seedDemo(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	return st
}

// liveStore is a session on the shared live ZooKeeper, chrooted to a
// fresh znode holding the demo tree, so the gateway sees only that.
func liveStore(t *testing.T, servers ...string) zkstore.Store {
	t.Helper()
	addr := zkserver.SharedAddr(t)
	if len(servers) == 0 {
		servers = []string{addr}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	root, err := livestore.Open(ctx, []string{addr})
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	chroot := "/zkgw-" + strings.NewReplacer("/", "-", " ", "_").Replace(t.Name())
	if _, err := root.Create(ctx, chroot, nil, zkstore.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	st, err := livestore.Open(ctx, servers, livestore.Chroot(chroot), livestore.SessionTimeout(10*time.Second),
		livestore.AdminPort(0)) // the test server has no AdminServer: 4lw only
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := seedDemo(ctx, st); err != nil {
		t.Fatal(err)
	}
	return st
}

// stores runs f on the in-memory store and on a live ZooKeeper.
func stores(t *testing.T, f func(t *testing.T, st zkstore.Store)) {
	t.Run("mem", func(t *testing.T) { f(t, memStore(t)) })
	t.Run("live", func(t *testing.T) { f(t, liveStore(t)) })
}

func newProxy(t *testing.T) *zkserver.Proxy {
	t.Helper()
	p, err := zkserver.NewProxy(zkserver.SharedAddr(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}
