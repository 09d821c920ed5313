package difftest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/zksql/zksql/internal/testkit/clustertest"
	"github.com/zksql/zksql/internal/testkit/zkserver"
	"github.com/zksql/zksql/zkstore"
)

// TestCloseSessionOrder: closing a session deletes its ephemerals in the
// order ZooKeeper lists them (a HashSet's, cloned), which a persistent
// recursive watch shows in its NodeDeleted events. The same full paths,
// created and deleted in the same sequence (past two resizes of the set,
// with gaps), must go in the same order on both stores.
func TestCloseSessionOrder(t *testing.T) {
	live := clustertest.NewLive(zkserver.SharedAddr(t), 2*time.Second)
	mem := clustertest.NewMem(t)
	b := make([]byte, 6)
	rand.Read(b)
	base := "/closeorder-" + hex.EncodeToString(b)
	var orders [2][]string
	for i, c := range []interface {
		Open(testing.TB) zkstore.Store
	}{live, mem} {
		orders[i] = closeOrder(t, c.Open(t), c.Open(t), base)
	}
	if !slices.Equal(orders[0], orders[1]) {
		t.Errorf("NodeDeleted order of a closed session's ephemerals:\nlive %q\nmem  %q", orders[0], orders[1])
	}
	// Two deletions before the close, then the close's 28.
	if len(orders[0]) != 30 {
		t.Fatalf("%d deletions, want 30", len(orders[0]))
	}
	if slices.IsSorted(orders[0][2:]) {
		t.Errorf("the close deleted in sorted order, which tells nothing about the hash order: %q", orders[0][2:])
	}
}

func closeOrder(t *testing.T, watcher, s zkstore.Store, base string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, p := range []string{base, base + "/x", base + "/yy"} {
		if _, err := watcher.Create(ctx, p, nil, zkstore.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	ch, err := zkstore.AddWatch(ctx, watcher, base, zkstore.WatchPersistentRecursive)
	if err != nil {
		t.Fatal(err)
	}
	var made []string
	for i := range 30 {
		p := fmt.Sprintf("%s/%s/e%d", base, []string{"x", "yy"}[i%2], i)
		if _, err := s.Create(ctx, p, nil, zkstore.CreateOptions{Mode: zkstore.ModeEphemeral}); err != nil {
			t.Fatal(err)
		}
		made = append(made, p)
	}
	for _, i := range []int{3, 17} { // gaps; the set keeps its size
		if err := s.Delete(ctx, made[i], -1); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// A round trip of the watcher: every event before has arrived.
	if _, _, err := watcher.Exists(ctx, base); err != nil {
		t.Fatal(err)
	}
	var deleted []string
	for {
		select {
		case ev := <-ch:
			if ev.Type == zkstore.EventNodeDeleted {
				deleted = append(deleted, ev.Path)
			}
			continue
		default:
		}
		break
	}
	return deleted
}
