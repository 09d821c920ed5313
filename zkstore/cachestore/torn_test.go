package cachestore_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/zksql/zksql/zkstore"
	"github.com/zksql/zksql/zkstore/cachestore"
)

// staleTornKnown: with StaleReads, a read while disconnected can answer
// a znode whose Stat and child list come from different states (see
// TestStaleReadTornChildren). Set it to false once that is fixed: the
// test below then runs, and TestEnsembleCacheFaults checks the child
// lists of StaleReads answers too.
const staleTornKnown = false

// gatedStore holds the reads of chosen paths until the test lets them go:
// the test decides what the cache's re-reads see.
type gatedStore struct {
	zkstore.Store

	mu    sync.Mutex
	gates map[string]*readGate
}

type readGate struct {
	entered chan struct{} // closed when a read of the path arrives
	release chan struct{} // closed by the test to let it go on
}

func (g *gatedStore) arm(path string) *readGate {
	g.mu.Lock()
	defer g.mu.Unlock()
	gate := &readGate{entered: make(chan struct{}), release: make(chan struct{})}
	g.gates[path] = gate
	return gate
}

func (g *gatedStore) wait(path string) {
	g.mu.Lock()
	gate := g.gates[path]
	delete(g.gates, path)
	g.mu.Unlock()
	if gate != nil {
		close(gate.entered)
		<-gate.release
	}
}

func (g *gatedStore) Get(ctx context.Context, path string) ([]byte, zkstore.Stat, error) {
	g.wait(path)
	return g.Store.Get(ctx, path)
}

func (g *gatedStore) AddWatch(ctx context.Context, path string, mode zkstore.WatchMode) (<-chan zkstore.Event, error) {
	return zkstore.AddWatch(ctx, g.Store, path, mode)
}

func waitEntered(t *testing.T, gate *readGate, what string) {
	t.Helper()
	select {
	case <-gate.entered:
	case <-time.After(30 * time.Second):
		t.Fatalf("the cache never read %s", what)
	}
}

// TestStaleReadTornChildren: a data re-read of a znode whose reply comes
// after a Multi that created one child and deleted another is applied
// with the child list kept (applyData checks the list by NumChildren,
// which such a Multi leaves as it was); the Multi's own events would
// patch the list in the next round. If the connection is lost before
// that round is applied, a StaleReads read answers a Stat with the child
// list of the state before: a state the server never had. (Seen on the
// ensemble during a leader kill; made deterministic here on memstore by
// holding the cache's reads.)
func TestStaleReadTornChildren(t *testing.T) {
	if staleTornKnown {
		t.Skip("known: a StaleReads answer while disconnected can pair a znode's Stat with an older child list " +
			"(applyData keeps the list when NumChildren matches; a create and a delete in one Multi keep it)")
	}
	ctx := ctxT(t)
	c := memCluster(t)
	other := c.Open(t)
	base := testBase(t, other)
	p := base + "/p"
	if _, err := other.Create(ctx, p, []byte("0"), zkstore.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"a", "b", "c"} {
		if _, err := other.Create(ctx, p+"/"+name, nil, zkstore.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	in := c.Open(t)
	g := &gatedStore{Store: in, gates: map[string]*readGate{}}
	cs, err := cachestore.New(ctx, g, []string{base}, cachestore.StaleReads(true))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	if names, _, err := cs.Children(ctx, p); err != nil || !slices.Equal(names, []string{"a", "b", "c"}) {
		t.Fatalf("Children(%s) = %v, %v", p, names, err)
	}

	// A data change: the cache re-reads p's data, held here.
	gp := g.arm(p)
	if _, err := other.Set(ctx, p, []byte("1"), -1); err != nil {
		t.Fatal(err)
	}
	waitEntered(t, gp, p)
	// Meanwhile one Multi creates d, deletes a and sets p: p's re-read,
	// let go now, sees its Stat.
	res, err := other.Multi(ctx,
		&zkstore.CreateOp{Path: p + "/d"},
		&zkstore.DeleteOp{Path: p + "/a", Version: -1},
		&zkstore.SetOp{Path: p, Data: []byte("2"), Version: -1})
	if err != nil {
		t.Fatal(err)
	}
	after := res[2].Stat
	// The next round starts with d's read (its creation's event): hold
	// it, cut the session, then let it fail.
	gd := g.arm(p + "/d")
	close(gp.release)
	waitEntered(t, gd, p+"/d")
	resume := c.Suspend(t, in)
	defer resume()
	close(gd.release)

	deadline := time.Now().Add(10 * time.Second)
	for cs.State() == zkstore.StateConnected {
		if time.Now().After(deadline) {
			t.Fatal("the session did not report the disconnection")
		}
		time.Sleep(time.Millisecond)
	}
	names, st, err := cs.Children(ctx, p)
	if errors.Is(err, zkstore.ErrConnectionLoss) {
		return // refusing is allowed; answering a state that never was is not
	}
	if err != nil {
		t.Fatalf("StaleReads Children(%s) while disconnected: %v", p, err)
	}
	slices.Sort(names)
	// Either the state before the Multi (the Set's) or the Multi's; the
	// Multi's Stat goes only with the Multi's list.
	if st.Mzxid == after.Mzxid && !slices.Equal(names, []string{"b", "c", "d"}) {
		t.Errorf("StaleReads Children(%s) = %v with the Stat of the Multi (mzxid %#x, cversion %d), whose list is [b c d]: a state the server never had",
			p, names, st.Mzxid, st.Cversion)
	}
	if st.Mzxid != after.Mzxid && !slices.Equal(names, []string{"a", "b", "c"}) {
		t.Errorf("StaleReads Children(%s) = %v with mzxid %#x, before the Multi: want [a b c]", p, names, st.Mzxid)
	}
}
