package watch_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zksql/zksql/watch"
	"github.com/zksql/zksql/zkstore"
)

// hookStore is the stream's session with a hook run just before and just
// after every read and watch call the engine makes, so that a test can put
// another session's writes exactly there: the interleavings a busy
// ZooKeeper produces only now and then, forced every time.
type hookStore struct {
	zkstore.Store
	*hookState // shared by the sessions of one stream, one after the other
}

type hookState struct {
	mu   sync.Mutex
	hook func(c call, after bool)
	// fail, if set, can fail a call (with the error it returns) before
	// it reaches the store.
	fail func(c call) error
	n    int // calls made
	// oneShot makes AddWatch fail with ErrNoPersistentWatches, as a
	// ZooKeeper 3.5 would: a Tree then falls back to one-shot watches.
	oneShot bool
}

func newHookStore(st zkstore.Store) *hookStore { return &hookStore{st, &hookState{}} }

// call is one read or watch call of the engine.
type call struct {
	op   string // Get, GetW, Exists, ExistsW, Children, ChildrenW
	path string
	seq  int // its position among all calls, from 0
}

func (c call) String() string { return fmt.Sprintf("#%d %s %s", c.seq, c.op, c.path) }

// around runs the hook before call op on path; the function it returns
// runs it after. It returns the error to fail the call with, if any.
func (h *hookStore) around(op, path string) (func(), error) {
	h.mu.Lock()
	c := call{op, path, h.n}
	h.n++
	hook, fail := h.hook, h.fail
	h.mu.Unlock()
	if hook != nil {
		hook(c, false)
	}
	var err error
	if fail != nil {
		if err = fail(c); err != nil {
			err = &zkstore.PathError{Op: op, Path: path, Err: err}
		}
	}
	if hook == nil {
		return func() {}, err
	}
	return func() { hook(c, true) }, err
}

func (h *hookStore) setHook(f func(c call, after bool)) {
	h.mu.Lock()
	h.hook = f
	h.mu.Unlock()
}

func (h *hookStore) Get(ctx context.Context, p string) ([]byte, zkstore.Stat, error) {
	after, err := h.around("Get", p)
	defer after()
	if err != nil {
		return nil, zkstore.Stat{}, err
	}
	return h.Store.Get(ctx, p)
}

func (h *hookStore) GetW(ctx context.Context, p string) ([]byte, zkstore.Stat, <-chan zkstore.Event, error) {
	after, err := h.around("GetW", p)
	defer after()
	if err != nil {
		return nil, zkstore.Stat{}, nil, err
	}
	return h.Store.GetW(ctx, p)
}

func (h *hookStore) Exists(ctx context.Context, p string) (zkstore.Stat, bool, error) {
	after, err := h.around("Exists", p)
	defer after()
	if err != nil {
		return zkstore.Stat{}, false, err
	}
	return h.Store.Exists(ctx, p)
}

func (h *hookStore) ExistsW(ctx context.Context, p string) (zkstore.Stat, bool, <-chan zkstore.Event, error) {
	after, err := h.around("ExistsW", p)
	defer after()
	if err != nil {
		return zkstore.Stat{}, false, nil, err
	}
	return h.Store.ExistsW(ctx, p)
}

func (h *hookStore) Children(ctx context.Context, p string) ([]string, zkstore.Stat, error) {
	after, err := h.around("Children", p)
	defer after()
	if err != nil {
		return nil, zkstore.Stat{}, err
	}
	return h.Store.Children(ctx, p)
}

func (h *hookStore) ChildrenW(ctx context.Context, p string) ([]string, zkstore.Stat, <-chan zkstore.Event, error) {
	after, err := h.around("ChildrenW", p)
	defer after()
	if err != nil {
		return nil, zkstore.Stat{}, nil, err
	}
	return h.Store.ChildrenW(ctx, p)
}

func (h *hookStore) AddWatch(ctx context.Context, p string, mode zkstore.WatchMode) (<-chan zkstore.Event, error) {
	after, err := h.around("AddWatch", p)
	defer after()
	if err != nil {
		return nil, err
	}
	h.mu.Lock()
	oneShot := h.oneShot
	h.mu.Unlock()
	if oneShot {
		return nil, &zkstore.PathError{Op: "addWatch", Path: p, Err: zkstore.ErrNoPersistentWatches}
	}
	return zkstore.AddWatch(ctx, h.Store, p, mode)
}

// oneShotStore hides the store's AddWatch: a Tree on it falls back to
// one-shot watches.
type oneShotStore struct{ zkstore.Store }

// treeMode is how a Tree follows its subtree in a test.
type treeMode struct {
	name    string
	oneShot bool // the store has no persistent watches
}

var treeModes = []treeMode{{"recursive", false}, {"one-shot", true}}

// store gives st as the mode's store.
func (m treeMode) store(st zkstore.Store) zkstore.Store {
	if m.oneShot {
		return oneShotStore{st}
	}
	return st
}

// treeChecker rebuilds a Tree's picture from its events alone and checks
// each event against the contract as it comes: revisions never decrease
// per path, a znode is created only under a parent in the picture (or as
// the root) and deleted only once no child of it is left in the picture,
// and every Created, Deleted and DataChanged changes the picture.
type treeChecker struct {
	root    string
	nodes   map[string]watch.Event // the picture: path -> last Created/DataChanged
	lastRev map[string]int64
	synced  bool
	errs    []string
	events  []watch.Event
}

func newTreeChecker(root string) *treeChecker {
	return &treeChecker{root: root, nodes: map[string]watch.Event{}, lastRev: map[string]int64{}}
}

func (c *treeChecker) fail(format string, args ...any) {
	if len(c.errs) < 10 {
		c.errs = append(c.errs, fmt.Sprintf(format, args...))
	}
}

func (c *treeChecker) apply(ev watch.Event) {
	c.events = append(c.events, ev)
	if ev.Type.IsStatus() {
		return
	}
	if ev.Type == watch.Synced {
		c.synced = true
		return
	}
	p := ev.Path
	if last, ok := c.lastRev[p]; ok && ev.Revision < last {
		c.fail("revision of %s went back: %v after revision %d", p, ev, last)
	}
	c.lastRev[p] = ev.Revision
	_, present := c.nodes[p]
	switch ev.Type {
	case watch.Created:
		if present {
			c.fail("%v: already in the picture", ev)
		}
		if parent := zkstore.Parent(p); p != c.root {
			if _, ok := c.nodes[parent]; !ok {
				c.fail("%v: parent %s not in the picture", ev, parent)
			}
		}
		c.nodes[p] = ev
	case watch.DataChanged:
		if !present {
			c.fail("%v: not in the picture", ev)
		}
		c.nodes[p] = ev
	case watch.Deleted:
		if !present {
			c.fail("%v: not in the picture", ev)
		}
		for q := range c.nodes {
			if strings.HasPrefix(q, p+"/") || (p == "/" && q != "/") {
				c.fail("%v while its descendant %s is in the picture", ev, q)
				break
			}
		}
		delete(c.nodes, p)
	default:
		c.fail("unexpected event %v on a Tree", ev)
	}
}

// picture is the checker's picture as path -> data.
func (c *treeChecker) picture() mirror {
	m := mirror{}
	for p, ev := range c.nodes {
		m[p] = string(ev.Data)
	}
	return m
}

// settle reads ch until the picture equals a walk of the store (st, read
// from another session), failing after d; the store must no longer change.
func (c *treeChecker) settle(t testing.TB, ch <-chan watch.Event, st zkstore.Store, d time.Duration) {
	t.Helper()
	want := snapshot(t, st, c.root)
	deadline := time.After(d)
	for !c.synced || !equalMirror(c.picture(), want) {
		select {
		case ev, ok := <-ch:
			if !ok {
				t.Fatalf("stream closed; picture %v, store %v", c.picture(), want)
			}
			c.apply(ev)
		case <-time.After(5 * time.Millisecond):
			want = snapshot(t, st, c.root) // the stream's own hook may write
		case <-deadline:
			t.Fatalf("the stream's picture %v never matched the store %v; last events %v", c.picture(), want, tail(c.events, 12))
		}
	}
	// Whatever a stream that has caught up still says (a burst delivered
	// late) must leave it equal to the store.
	for quiet := false; !quiet; {
		select {
		case ev, ok := <-ch:
			if !ok {
				t.Fatalf("stream closed; picture %v, store %v", c.picture(), want)
			}
			c.apply(ev)
		case <-time.After(20 * time.Millisecond):
			quiet = true
		}
	}
	if got := c.picture(); !equalMirror(got, want) {
		t.Fatalf("after more events the picture %v differs from the store %v; last events %v", got, want, tail(c.events, 12))
	}
}

func (c *treeChecker) check(t testing.TB) {
	t.Helper()
	if len(c.errs) > 0 {
		t.Fatalf("contract broken:\n%s\nevents: %v", strings.Join(c.errs, "\n"), tail(c.events, 20))
	}
}

// memPair is a memstore server with the stream's session wrapped in a
// hookStore and a writer session.
func memPair(t testing.TB) (*hookStore, zkstore.Store) {
	e := memEnv(t)
	return newHookStore(e.open(t)), e.open(t)
}

func mustDo(t testing.TB, st zkstore.Store, ops ...zkstore.Op) {
	t.Helper()
	if _, err := st.Multi(context.Background(), ops...); err != nil {
		t.Fatalf("multi %v: %v", ops, err)
	}
}

// once runs f the first time the hook sees the call op on path (before or
// after it, as after says).
func once(op, path string, after bool, f func()) func(call, bool) {
	var done bool
	return func(c call, a bool) {
		if !done && c.op == op && c.path == path && a == after {
			done = true
			f()
		}
	}
}

// Issue 13, first report: another session deletes /w/x just before the
// stream's first read of it and re-creates it just after. The stream must
// still report /w/x (and its child) and later changes to it.
func TestTreeReadRacesDeleteAndCreate(t *testing.T) {
	run := func(t *testing.T, st *hookStore, w hWriter, base string) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		root, x, y := base+"/w", base+"/w/x", base+"/w/x/y"
		paths := []string{root, x, y}
		if base != "" {
			paths = append([]string{base}, paths...)
		}
		for _, p := range paths {
			if err := w.multi(&zkstore.CreateOp{Path: p, Data: []byte(p)}); err != nil {
				t.Fatal(err)
			}
		}
		must := func(err error) {
			if err != nil {
				t.Error(err)
			}
		}
		read := "Get" // under the recursive watch, the walk's
		if st.oneShot {
			read = "GetW"
		}
		hb := once(read, x, false, func() {
			must(w.multi(&zkstore.DeleteOp{Path: y, Version: -1}, &zkstore.DeleteOp{Path: x, Version: -1}))
		})
		ha := once(read, x, true, func() {
			must(w.multi(&zkstore.CreateOp{Path: x, Data: []byte("x2")}, &zkstore.CreateOp{Path: y, Data: []byte("y2")}))
		})
		st.setHook(func(c call, a bool) { hb(c, a); ha(c, a) })
		c := newTreeChecker(root)
		ch := watch.Tree(ctx, watch.StoreSource(st), root)
		settleTo(t, c, ch, w, 10*time.Second)
		st.setHook(nil)
		must(w.multi(&zkstore.SetOp{Path: x, Data: []byte("x3"), Version: -1}))
		must(w.multi(&zkstore.SetOp{Path: y, Data: []byte("y3"), Version: -1}))
		settleTo(t, c, ch, w, 10*time.Second)
		if _, ok := c.nodes[y]; !ok || string(c.nodes[y].Data) != "y3" {
			t.Fatalf("picture %v", c.picture())
		}
		c.check(t)
	}
	for _, m := range treeModes {
		t.Run("mem/"+m.name, func(t *testing.T) {
			noLeaks(t)
			st, w := memPair(t)
			st.oneShot = m.oneShot
			run(t, st, storeHWriter{w}, "")
		})
		t.Run("live/"+m.name, func(t *testing.T) {
			addr := liveAddr(t)
			st := newHookStore(openLive(t, addr))
			st.oneShot = m.oneShot
			run(t, st, rawHWriter{rawConn(t, addr)}, "/race-"+randHex(6))
		})
	}
}

// settleTo reads ch into c until its picture equals a walk of the store.
func settleTo(t *testing.T, c *treeChecker, ch <-chan watch.Event, w hWriter, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		ok, why, err := c.matches(w)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the stream never matched the store: %s; events %v", why, tail(c.events, 12))
		}
		select {
		case ev, open := <-ch:
			if !open {
				t.Fatalf("stream closed; events %v", c.events)
			}
			c.apply(ev)
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// Issue 13, second report: delete /w/x, create it again, then create a
// sibling; the Deleted event's revision must not exceed the next Created's.
func TestTreeRevisionAfterRecreate(t *testing.T) {
	bothTree(t, func(t *testing.T, e env) {
		st, w := e.open(t), e.writer(t)
		var broken tally
		for try := range 30 {
			ctx, cancel := context.WithCancel(context.Background())
			root := fmt.Sprintf("%s-%d", e.root(t), try)
			w.create(t, root, "")
			w.create(t, root+"/x", "x")
			ch := watch.Tree(ctx, watch.StoreSource(st), root)
			c := newTreeChecker(root)
			c.settle(t, ch, st, 5*time.Second)
			w.del(t, root+"/x")
			w.create(t, root+"/x", "x2")
			w.create(t, root+"/y", "y")
			c.settle(t, ch, st, 5*time.Second)
			cancel()
			broken.add(c)
		}
		broken.report(t)
	})
}

// Issue 13, third report: one multi deletes and re-creates /w/c and
// /w/c/x; the children's deletions must come before their parent's.
func TestTreeMultiRecreateOrder(t *testing.T) {
	bothTree(t, func(t *testing.T, e env) {
		st, w := e.open(t), e.open(t)
		var broken tally
		for try := range 30 {
			ctx, cancel := context.WithCancel(context.Background())
			root := fmt.Sprintf("%s-%d", e.root(t), try)
			create(t, w, root, "")
			create(t, w, root+"/c", "c")
			create(t, w, root+"/c/x", "x")
			ch := watch.Tree(ctx, watch.StoreSource(st), root)
			c := newTreeChecker(root)
			c.settle(t, ch, st, 5*time.Second)
			mustDo(t, w,
				&zkstore.DeleteOp{Path: root + "/c/x", Version: -1},
				&zkstore.DeleteOp{Path: root + "/c", Version: -1},
				&zkstore.CreateOp{Path: root + "/c", Data: []byte("c2")},
				&zkstore.CreateOp{Path: root + "/c/x", Data: []byte("x2")})
			c.settle(t, ch, st, 5*time.Second)
			cancel()
			broken.add(c)
			n := 0
			for _, ev := range c.events {
				if ev.Type == watch.Deleted {
					n++
				}
			}
			if n == 0 {
				t.Fatalf("no Deleted event for the re-created znodes: %v", c.events)
			}
		}
		broken.report(t)
	})
}

// tally counts the tries whose stream broke the contract.
type tally struct {
	tries, broken int
	first         *treeChecker
}

func (y *tally) add(c *treeChecker) {
	y.tries++
	if len(c.errs) > 0 {
		y.broken++
		if y.first == nil {
			y.first = c
		}
	}
}

func (y *tally) report(t testing.TB) {
	t.Helper()
	if y.broken > 0 {
		t.Errorf("%d of %d tries broke the contract; the first:", y.broken, y.tries)
		y.first.check(t)
	}
}

// A read that fails with a lost connection, while the session and its
// watches live on, is read again: no resync (issue 13: a plain server
// restart made a Tree re-read everything).
func TestLostConnectionNoResync(t *testing.T) {
	for _, m := range treeModes {
		t.Run(m.name, func(t *testing.T) { testLostConnectionNoResync(t, m) })
	}
}

func testLostConnectionNoResync(t *testing.T, m treeMode) {
	noLeaks(t)
	st, w := memPair(t)
	st.oneShot = m.oneShot
	// The calls failed: the Tree's listing of /w (one-shot; under the
	// recursive watch it reads /w/a again instead), the read of a new
	// child and the listing under it, and the Node stream's read.
	faults := []string{"ChildrenW /w", "GetW /w/b", "ChildrenW /w/b", "GetW /w/a"}
	if !m.oneShot {
		faults = []string{"Get /w/a", "Get /w/b", "Children /w/b", "GetW /w/a"}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, p := range []string{"/w", "/w/a", "/w/a/x"} {
		create(t, w, p, p)
	}
	c := newTreeChecker("/w")
	tree := watch.Tree(ctx, watch.StoreSource(st), "/w")
	c.settle(t, tree, w, 5*time.Second)
	node := watch.Node(ctx, watch.StoreSource(st), "/w/a")
	recv(t, node, 5*time.Second)

	var mu sync.Mutex
	failed := map[string]bool{}
	st.fail = func(c call) error {
		mu.Lock()
		defer mu.Unlock()
		k := c.op + " " + c.path
		if slices.Contains(faults, k) && !failed[k] {
			failed[k] = true
			return zkstore.ErrConnectionLoss
		}
		return nil
	}
	create(t, w, "/w/b", "b")
	create(t, w, "/w/b/y", "y")
	storeWriter{w}.set(t, "/w/a", "a2")
	c.settle(t, tree, w, 5*time.Second)
	c.check(t)
	evs := until(t, node, 5*time.Second, func(ev watch.Event) bool { return string(ev.Data) == "a2" })
	mu.Lock()
	if len(failed) != 4 {
		t.Fatalf("faults hit: %v, want 4", failed)
	}
	mu.Unlock()
	for _, ev := range append(c.events, evs...) {
		if ev.Resync {
			t.Fatalf("resync after a lost connection of a live session: %v", ev)
		}
	}
}
