package watch_test

import (
	"bufio"
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/zksql/zksql/internal/testkit/zkserver"
	"github.com/zksql/zksql/watch"
)

// serverWatches is the server's own count of watches (mntr's
// zk_watch_count).
func serverWatches(t testing.TB, addr string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	reply, err := zkserver.FourLetterWord(ctx, addr, "mntr")
	if err != nil {
		t.Fatalf("mntr: %v", err)
	}
	sc := bufio.NewScanner(strings.NewReader(reply))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "zk_watch_count"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				t.Fatalf("mntr: zk_watch_count %q", v)
			}
			return n
		}
	}
	t.Fatalf("mntr has no zk_watch_count: %q", reply)
	return 0
}

// stableWatches is the server's count of watches once it holds still:
// the server drops a closed session's watches after the close returned,
// so earlier tests' sessions may still be going.
func stableWatches(t testing.TB, addr string) int {
	t.Helper()
	last := serverWatches(t, addr)
	for range 100 {
		time.Sleep(100 * time.Millisecond)
		now := serverWatches(t, addr)
		if now == last {
			return now
		}
		last = now
	}
	t.Fatalf("the server's watch count never held still (last %d)", last)
	return 0
}

// A Tree over 500 znodes costs the server at most two watches with the
// persistent recursive watch (3.8 keeps one recursive watch in its data
// and its child tables), and two per znode with one-shot watches (the
// fallback): issue 15's target, measured by the server's own count.
func TestLiveTreeServerWatches(t *testing.T) {
	const znodes = 500
	addr := liveAddr(t)
	raw := rawConn(t, addr)
	root := "/wc-" + randHex(6)
	paths := []string{root}
	for d := range 10 {
		dir := fmt.Sprintf("%s/d%d", root, d)
		paths = append(paths, dir)
		for l := range znodes/10 - 1 {
			paths = append(paths, fmt.Sprintf("%s/n%02d", dir, l))
		}
	}
	for i := 0; i < len(paths); i += 100 {
		var ops []any
		for _, p := range paths[i:min(i+100, len(paths))] {
			ops = append(ops, &zk.CreateRequest{Path: p, Acl: zk.WorldACL(zk.PermAll)})
		}
		if _, err := raw.Multi(ops...); err != nil {
			t.Fatal(err)
		}
	}
	if len(paths) != znodes+1 {
		t.Fatalf("%d znodes made", len(paths))
	}

	// watches runs a Tree on a session of its own and returns how many
	// watches the server gained once it had synced.
	watches := func(m treeMode) int {
		st := openLive(t, addr)
		defer st.Close()
		before := stableWatches(t, addr)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		ch := watch.Tree(ctx, watch.StoreSource(m.store(st)), root)
		_, evs := recvType(t, ch, watch.Synced, 30*time.Second)
		if len(evs) != len(paths) {
			t.Fatalf("%s: %d Created events, want %d", m.name, len(evs), len(paths))
		}
		return serverWatches(t, addr) - before
	}
	recursive := watches(treeModes[0])
	oneShot := watches(treeModes[1])
	t.Logf("server-side watches of a Tree over %d znodes: persistent recursive %d, one-shot %d", len(paths), recursive, oneShot)
	if recursive < 1 || recursive > 2 {
		t.Errorf("the Tree under a persistent recursive watch costs %d server-side watches, want 1 or 2", recursive)
	}
	if oneShot < 2*znodes {
		t.Errorf("the one-shot Tree costs %d server-side watches, want at least %d", oneShot, 2*znodes)
	}
}
