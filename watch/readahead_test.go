package watch_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/zksql/zksql/watch"
	"github.com/zksql/zksql/zkstore"
	"github.com/zksql/zksql/zkstore/livestore"
)

// pipeStore is a live store that counts the reads sent ahead and can hold
// the stream in a plain Get of one path.
type pipeStore struct {
	*livestore.Store
	ahead atomic.Int32
	hold  atomic.Pointer[holdGet]
}

type holdGet struct {
	path    string
	entered chan struct{}
	release chan struct{}
}

func (s *pipeStore) GetAsync(ctx context.Context, p string) zkstore.PendingRead {
	s.ahead.Add(1)
	return s.Store.GetAsync(ctx, p)
}

func (s *pipeStore) Get(ctx context.Context, p string) ([]byte, zkstore.Stat, error) {
	if h := s.hold.Load(); h != nil && h.path == p && s.hold.CompareAndSwap(h, nil) {
		close(h.entered)
		<-h.release
	}
	return s.Store.Get(ctx, p)
}

// The events of a persistent recursive watch that wait while the stream
// reads are taken together, and their znodes read with one round of reads
// sent ahead; the stream still reports every change, in order per path.
func TestLiveTreeReadsEventsAhead(t *testing.T) {
	addr := liveAddr(t)
	st := &pipeStore{Store: openLive(t, addr)}
	raw := rawConn(t, addr)
	w := rawHWriter{raw}
	root := "/ra-" + randHex(6)
	const n = 50
	ops := []any{&zk.CreateRequest{Path: root, Acl: zk.WorldACL(zk.PermAll)}}
	for i := range n {
		ops = append(ops, &zk.CreateRequest{Path: fmt.Sprintf("%s/n%02d", root, i), Data: []byte("v0"), Acl: zk.WorldACL(zk.PermAll)})
	}
	if _, err := raw.Multi(ops...); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := newTreeChecker(root)
	ch := watch.Tree(ctx, watch.StoreSource(st), root)
	settleTo(t, c, ch, w, 10*time.Second)

	// Hold the stream in its read of n00 while another session sets every
	// znode twice: their events wait in the watch's channel meanwhile.
	h := &holdGet{path: root + "/n00", entered: make(chan struct{}), release: make(chan struct{})}
	st.hold.Store(h)
	if _, err := raw.Set(root+"/n00", []byte("v1"), -1); err != nil {
		t.Fatal(err)
	}
	select {
	case <-h.entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the stream did not read n00 again")
	}
	before := st.ahead.Load()
	for round := 2; round <= 3; round++ {
		ops = ops[:0]
		for i := range n {
			ops = append(ops, &zk.SetDataRequest{Path: fmt.Sprintf("%s/n%02d", root, i), Data: fmt.Appendf(nil, "v%d", round), Version: -1})
		}
		if _, err := raw.Multi(ops...); err != nil {
			t.Fatal(err)
		}
	}
	// The last event is in the store's channel once a read made after
	// the writes (on the stream's own session) has returned.
	if err := st.Store.Sync(context.Background(), root); err != nil {
		t.Fatal(err)
	}
	close(h.release)
	settleTo(t, c, ch, w, 10*time.Second)
	c.check(t)
	if ahead := st.ahead.Load() - before; ahead < n {
		t.Fatalf("%d reads sent ahead for %d znodes whose events waited", ahead, n)
	}
	for i := range n {
		if got := string(c.nodes[fmt.Sprintf("%s/n%02d", root, i)].Data); got != "v3" {
			t.Fatalf("n%02d: %q, want v3", i, got)
		}
	}
}
