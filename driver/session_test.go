package driver_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/zksql/zksql/driver"
	"github.com/zksql/zksql/internal/testkit/zkserver"
	"github.com/zksql/zksql/zkstore"
)

// checkOpenStore opens the session dsn describes and checks that it holds
// the DSN's credentials: a znode created with CreatorAllACL gets alice's
// digest id.
func checkOpenStore(t *testing.T, dsn, path string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cfg, err := driver.ParseDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	st, err := driver.OpenStore(ctx, cfg)
	if err != nil {
		t.Fatalf("OpenStore: %v", err)
	}
	defer st.Close()
	if _, err := st.Create(ctx, path, nil, zkstore.CreateOptions{Mode: zkstore.ModeEphemeral, ACL: zkstore.CreatorAllACL()}); err != nil {
		t.Fatalf("create with the creator's ACL: %v", err)
	}
	acl, _, err := st.GetACL(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if len(acl) != 1 || acl[0].Scheme != "digest" || !strings.HasPrefix(acl[0].ID, "alice:") {
		t.Fatalf("ACL = %+v, want alice's digest id", acl)
	}
}

func TestOpenStoreMemName(t *testing.T) {
	t.Cleanup(func() { driver.DropMemServer("openstore-test") })
	checkOpenStore(t, "mem:openstore-test?auth=digest:alice:pw", "/e")
}

func TestOpenStoreLive(t *testing.T) {
	checkOpenStore(t, "zk://"+zkserver.SharedAddr(t)+"?auth=digest:alice:pw", fmt.Sprintf("/openstore-%d", time.Now().UnixNano()))
}

func TestOpenStoreRefuses(t *testing.T) {
	ctx := context.Background()
	if _, err := driver.OpenStore(ctx, nil); err == nil {
		t.Error("OpenStore(nil): no error")
	}
	private, err := driver.ParseDSN("mem:")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := driver.OpenStore(ctx, private); err == nil || !strings.Contains(err.Error(), "private mem:") {
		t.Errorf("OpenStore(mem:) = %v, want an error about the private store", err)
	}
	bad := driver.NewConfig() // no servers
	if _, err := driver.OpenStore(ctx, bad); err == nil || !strings.Contains(err.Error(), "no ZooKeeper servers") {
		t.Errorf("OpenStore(no servers) = %v, want an error naming the missing servers", err)
	}
}
