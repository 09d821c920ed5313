package watch_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/zksql/zksql/watch"
	"github.com/zksql/zksql/zkstore"
	"github.com/zksql/zksql/zkstore/memstore"
)

var longRun = flag.Bool("zksql.watch.long", false, "run the long randomised interleaving tests (thousands of writes, restarts and expiries)")

// The interleaving harness: a stream's session is a hookStore, and at one
// chosen call of the engine (a GetW, ChildrenW, ExistsW, Get, Children or
// Exists, in whatever state the engine is) another session makes one kind
// of change, just before or just after the call. The stream must come out
// equal to the store, with its revisions monotonic per path and, on a
// Tree, children deleted before their parent.

// change is a kind of concurrent change, made relative to the path of the
// call it is injected at.
type change int

const (
	chDelete      change = iota // delete the znode (and its subtree)
	chRecreate                  // one multi: delete it and its subtree, create it and a child again
	chSet                       // set its data
	chChildCreate               // create a child
	chChildDelete               // delete a child (and its subtree)
	chMulti                     // one multi: set it, create a child, delete another, set its parent
	chCreate                    // create it where absent (with a child)
	chLoss                      // the call fails with a lost connection (the session lives on)
	chExpire                    // the stream's session expires (memstore only)
	numChanges
)

var changeNames = [...]string{"delete", "recreate", "set", "child-create", "child-delete", "multi", "create", "conn-loss", "expire"}

func (c change) String() string { return changeNames[c] }

// hWriter is the other session: memstore or a raw go-zookeeper client.
type hWriter interface {
	multi(ops ...zkstore.Op) error
	get(p string) (data []byte, ok bool, err error)
	children(p string) (names []string, ok bool, err error)
}

type storeHWriter struct{ st zkstore.Store }

func (w storeHWriter) multi(ops ...zkstore.Op) error {
	_, err := w.st.Multi(context.Background(), ops...)
	return err
}

func (w storeHWriter) get(p string) ([]byte, bool, error) {
	data, _, err := w.st.Get(context.Background(), p)
	if errors.Is(err, zkstore.ErrNoNode) {
		return nil, false, nil
	}
	return data, err == nil, err
}

func (w storeHWriter) children(p string) ([]string, bool, error) {
	names, _, err := w.st.Children(context.Background(), p)
	if errors.Is(err, zkstore.ErrNoNode) {
		return nil, false, nil
	}
	return names, err == nil, err
}

type rawHWriter struct{ c *zk.Conn }

func (w rawHWriter) multi(ops ...zkstore.Op) error {
	var reqs []any
	for _, op := range ops {
		switch o := op.(type) {
		case *zkstore.CreateOp:
			reqs = append(reqs, &zk.CreateRequest{Path: o.Path, Data: o.Data, Acl: zk.WorldACL(zk.PermAll)})
		case *zkstore.SetOp:
			reqs = append(reqs, &zk.SetDataRequest{Path: o.Path, Data: o.Data, Version: o.Version})
		case *zkstore.DeleteOp:
			reqs = append(reqs, &zk.DeleteRequest{Path: o.Path, Version: o.Version})
		}
	}
	_, err := w.c.Multi(reqs...)
	return err
}

func (w rawHWriter) get(p string) ([]byte, bool, error) {
	data, _, err := w.c.Get(p)
	if errors.Is(err, zk.ErrNoNode) {
		return nil, false, nil
	}
	return data, err == nil, err
}

func (w rawHWriter) children(p string) ([]string, bool, error) {
	names, _, err := w.c.Children(p)
	if errors.Is(err, zk.ErrNoNode) {
		return nil, false, nil
	}
	sort.Strings(names)
	return names, err == nil, err
}

// walk reads the subtree at root as path -> data.
func walk(w hWriter, root string) (mirror, error) {
	m := mirror{}
	var rec func(p string) error
	rec = func(p string) error {
		data, ok, err := w.get(p)
		if err != nil || !ok {
			return err
		}
		m[p] = string(data)
		names, ok, err := w.children(p)
		if err != nil || !ok {
			return err
		}
		for _, n := range names {
			if err := rec(zkstore.Join(p, n)); err != nil {
				return err
			}
		}
		return nil
	}
	return m, rec(root)
}

// deleteOps deletes the subtree at p, children first.
func deleteOps(w hWriter, p string) ([]zkstore.Op, error) {
	names, ok, err := w.children(p)
	if err != nil || !ok {
		return nil, err
	}
	var ops []zkstore.Op
	for _, n := range names {
		sub, err := deleteOps(w, zkstore.Join(p, n))
		if err != nil {
			return nil, err
		}
		ops = append(ops, sub...)
	}
	return append(ops, &zkstore.DeleteOp{Path: p, Version: -1}), nil
}

// injector makes the changes; n numbers the znodes and data it writes.
type injector struct {
	w        hWriter
	root     string
	maxDepth int // below root: no znode deeper is created
	n        int
}

func (in *injector) depth(p string) int {
	if p == in.root {
		return 0
	}
	return strings.Count(p[len(in.root):], "/")
}

// apply makes change c at p; it reports whether c applied there (a set
// of an absent znode does not). A write that loses a race with the
// stream's own ... nothing: the other session is the only writer.
func (in *injector) apply(c change, p string) (bool, error) {
	if p != in.root && !strings.HasPrefix(p, in.root+"/") {
		return false, nil // the parent of the root: not ours to change
	}
	in.n++
	val := []byte(fmt.Sprintf("%s-%d", c, in.n))
	_, exists, err := in.w.get(p)
	if err != nil {
		return false, err
	}
	parentExists := true
	if p != in.root {
		_, parentExists, err = in.w.get(zkstore.Parent(p))
		if err != nil {
			return false, err
		}
	}
	child := zkstore.Join(p, fmt.Sprintf("n%d", in.n))
	canChild := in.depth(p) < in.maxDepth
	var ops []zkstore.Op
	switch c {
	case chDelete:
		if !exists {
			return false, nil
		}
		ops, err = deleteOps(in.w, p)
	case chRecreate:
		if !exists {
			return false, nil
		}
		if ops, err = deleteOps(in.w, p); err != nil {
			return false, err
		}
		ops = append(ops, &zkstore.CreateOp{Path: p, Data: val})
		if canChild {
			ops = append(ops, &zkstore.CreateOp{Path: zkstore.Join(p, "x"), Data: val})
		}
	case chSet:
		if !exists {
			return false, nil
		}
		ops = []zkstore.Op{&zkstore.SetOp{Path: p, Data: val, Version: -1}}
	case chChildCreate:
		if !exists || !canChild {
			return false, nil
		}
		ops = []zkstore.Op{&zkstore.CreateOp{Path: child, Data: val}}
	case chChildDelete:
		if !exists {
			return false, nil
		}
		names, _, err := in.w.children(p)
		if err != nil || len(names) == 0 {
			return false, err
		}
		ops, err = deleteOps(in.w, zkstore.Join(p, names[0]))
	case chMulti:
		if !exists {
			return false, nil
		}
		ops = []zkstore.Op{&zkstore.SetOp{Path: p, Data: val, Version: -1}}
		names, _, err := in.w.children(p)
		if err != nil {
			return false, err
		}
		if len(names) > 0 {
			del, err := deleteOps(in.w, zkstore.Join(p, names[len(names)-1]))
			if err != nil {
				return false, err
			}
			ops = append(ops, del...)
		}
		if canChild {
			ops = append(ops, &zkstore.CreateOp{Path: child, Data: val})
		}
		if p != in.root {
			ops = append(ops, &zkstore.SetOp{Path: zkstore.Parent(p), Data: val, Version: -1})
		}
	case chCreate:
		if exists || !parentExists {
			return false, nil
		}
		ops = []zkstore.Op{&zkstore.CreateOp{Path: p, Data: val}}
		if canChild {
			ops = append(ops, &zkstore.CreateOp{Path: zkstore.Join(p, "x"), Data: val})
		}
	default:
		return false, nil
	}
	if err != nil || len(ops) == 0 {
		return false, err
	}
	return true, in.w.multi(ops...)
}

// callSite names the engine code that made a call: the chain of functions
// of package watch from the engine's loop down to the reader, and the call.
func callSite(op string) string {
	pcs := make([]uintptr, 32)
	n := runtime.Callers(3, pcs)
	frames := runtime.CallersFrames(pcs[:n])
	var chain []string
	for {
		f, more := frames.Next()
		const pkg = "github.com/zksql/zksql/watch."
		if name, ok := strings.CutPrefix(f.Function, pkg); ok && !strings.Contains(f.File, "_test.go") {
			name = strings.NewReplacer("(*", "", ")", "").Replace(name)
			if name == "engine.run" {
				break
			}
			if !strings.HasPrefix(name, "loop.") { // the run loop's steps
				chain = append(chain, name)
			}
		}
		if !more {
			break
		}
	}
	slices.Reverse(chain)
	return strings.Join(chain, ">") + ": " + op
}

// streamKind is what a harness run watches.
type streamKind int

const (
	kindTree streamKind = iota
	kindNode
	kindChildren
)

func (k streamKind) String() string { return [...]string{"Tree", "Node", "Children"}[k] }

// scenario is a stream on a small tree and the writes that drive it
// through its states; the harness injects its changes on top.
type scenario struct {
	name  string
	kind  streamKind
	root  string   // the stream's path
	init  []string // created first, in order ("path=data")
	steps [][]zkstore.Op
}

func cr(p string) zkstore.Op  { return &zkstore.CreateOp{Path: p, Data: []byte("s" + p)} }
func set(p string) zkstore.Op { return &zkstore.SetOp{Path: p, Data: []byte("set" + p), Version: -1} }
func del(p string) zkstore.Op { return &zkstore.DeleteOp{Path: p, Version: -1} }

var scenarios = []scenario{
	{name: "tree", kind: kindTree, root: "/w", init: []string{"/w", "/w/a", "/w/a/x", "/w/b"},
		steps: [][]zkstore.Op{
			{set("/w/a")},
			{cr("/w/b/y")},
			{del("/w/a/x")},
			{del("/w/b/y"), del("/w/b"), cr("/w/b"), cr("/w/b/z")},
			{cr("/w/c")},
		}},
	{name: "tree-absent-root", kind: kindTree, root: "/w/v", init: []string{"/w"},
		steps: [][]zkstore.Op{
			{cr("/w/v")},
			{cr("/w/v/a")},
			{del("/w/v/a"), del("/w/v")},
			{cr("/w/v")},
		}},
	{name: "node", kind: kindNode, root: "/w/a", init: []string{"/w", "/w/a", "/w/a/x"},
		steps: [][]zkstore.Op{
			{set("/w/a")},
			{del("/w/a/x"), del("/w/a")},
			{cr("/w/a")},
			{del("/w/a"), cr("/w/a")},
		}},
	{name: "node-absent", kind: kindNode, root: "/w/a", init: []string{"/w"},
		steps: [][]zkstore.Op{
			{cr("/w/a")},
			{set("/w/a")},
			{del("/w/a")},
		}},
	{name: "children", kind: kindChildren, root: "/w/a", init: []string{"/w", "/w/a", "/w/a/x"},
		steps: [][]zkstore.Op{
			{cr("/w/a/y")},
			{set("/w/a")},
			{del("/w/a/x"), del("/w/a/y"), del("/w/a")},
			{cr("/w/a"), cr("/w/a/z")},
		}},
	{name: "children-absent", kind: kindChildren, root: "/w/a", init: []string{"/w"},
		steps: [][]zkstore.Op{
			{cr("/w/a")},
			{cr("/w/a/y")},
			{del("/w/a/y"), del("/w/a")},
		}},
}

// injection is one change at one call of a run.
type injection struct {
	at     int // the index of the call, counted from the stream's start
	after  bool
	change change
}

// harness runs scenarios on one kind of store.
type harness struct {
	// newRun gives a fresh run: its stream's source of sessions, each a
	// hookStore sharing st's hooks, and writer (on a fresh subtree for live
	// runs: base is prefixed to every path).
	newRun func(t testing.TB) runEnv
	settle time.Duration
	// changes are the kinds of change it injects.
	changes []change
	// oneShot: the stream's store answers AddWatch as a ZooKeeper 3.5
	// would, so a Tree falls back to one-shot watches; otherwise a Tree
	// must arm none.
	oneShot bool

	mu    sync.Mutex
	sites map[string]int // call site -> injections made there
}

func (h *harness) site(s string) {
	h.mu.Lock()
	h.sites[s]++
	h.mu.Unlock()
}

// runEnv is one run's sessions.
type runEnv struct {
	st      *hookStore   // the stream's first session
	src     watch.Source // gives st, then (memstore) new sessions with st's hooks
	w       hWriter
	base    string
	expire  func() bool // expires the stream's session; nil where it cannot
	cleanup func()
}

// checker checks one stream: a treeChecker or a nodeChecker.
type checker interface {
	apply(ev watch.Event)
	matches(w hWriter) (bool, string, error)
	problems() []string
	history() []watch.Event
}

// run runs sc with the injections; it returns the calls the engine made
// (their sites) and fails t if the stream breaks the contract.
func (h *harness) run(t testing.TB, sc scenario, injs []injection) []string {
	env := h.newRun(t)
	defer env.cleanup()
	st, w, base := env.st, env.w, env.base
	st.oneShot = h.oneShot
	// Every step writes data of its own, so that the stream's state
	// differs from one step to the next.
	rebase := func(op zkstore.Op, step int) zkstore.Op {
		switch o := op.(type) {
		case *zkstore.CreateOp:
			c := *o
			c.Path = base + o.Path
			c.Data = fmt.Appendf(nil, "%s#%d", o.Data, step)
			return &c
		case *zkstore.SetOp:
			c := *o
			c.Path = base + o.Path
			c.Data = fmt.Appendf(nil, "%s#%d", o.Data, step)
			return &c
		case *zkstore.DeleteOp:
			c := *o
			c.Path = base + o.Path
			return &c
		}
		return op
	}
	for _, p := range sc.init {
		if err := w.multi(&zkstore.CreateOp{Path: base + p, Data: []byte("i" + p)}); err != nil {
			t.Fatalf("init %s: %v", p, err)
		}
	}
	root := base + sc.root
	in := &injector{w: w, root: root, maxDepth: 3}
	if sc.kind != kindTree {
		in.root = zkstore.Parent(root) // a Node or Children stream also sees its parent change
	}
	var (
		mu      sync.Mutex
		calls   []string
		applied []string
		failErr error
		stopped bool // no more injections
		expired bool // an injected expiry happened
	)
	byAt := map[int][]injection{}
	for _, inj := range injs {
		byAt[inj.at] = append(byAt[inj.at], inj)
	}
	st.hook = func(c call, after bool) {
		mu.Lock()
		defer mu.Unlock()
		if stopped {
			return
		}
		site := ""
		if !after {
			site = callSite(c.op)
			calls = append(calls, site)
		}
		for _, inj := range byAt[c.seq] {
			if inj.after != after || inj.change == chLoss {
				continue
			}
			if inj.change == chExpire {
				if env.expire != nil && env.expire() {
					expired = true
					applied = append(applied, fmt.Sprintf("expire at call %v", c))
				}
				continue
			}
			ok, err := in.apply(inj.change, c.path)
			if err != nil && failErr == nil {
				failErr = fmt.Errorf("%v at %v: %w", inj.change, c, err)
			}
			if ok {
				applied = append(applied, fmt.Sprintf("%v %s call %v", inj.change, map[bool]string{false: "before", true: "after"}[after], c))
				if !after {
					h.site(site)
				} else {
					h.site(calls[len(calls)-1])
				}
			}
		}
	}
	st.fail = func(c call) error {
		mu.Lock()
		defer mu.Unlock()
		if stopped {
			return nil
		}
		for _, inj := range byAt[c.seq] {
			if inj.change == chLoss && !inj.after {
				applied = append(applied, fmt.Sprintf("conn-loss at call %v", c))
				return zkstore.ErrConnectionLoss
			}
		}
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var (
		ch  <-chan watch.Event
		chk checker
	)
	switch sc.kind {
	case kindTree:
		ch = watch.Tree(ctx, env.src, root)
		chk = newTreeChecker(root)
	case kindNode:
		ch = watch.Node(ctx, env.src, root)
		chk = &nodeChecker{path: root}
	case kindChildren:
		ch = watch.Children(ctx, env.src, root)
		chk = &nodeChecker{path: root, children: true}
	}
	describe := func() string {
		mu.Lock()
		defer mu.Unlock()
		return fmt.Sprintf("scenario %s, injections %v (applied: %v)", sc.name, injs, applied)
	}
	settle := func(step string) {
		deadline := time.Now().Add(h.settle)
		for {
			ok, why, err := chk.matches(w)
			if err != nil {
				t.Fatalf("%s: reading the store: %v", describe(), err)
			}
			if ok {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: %s: the stream never matched the store: %s; last events %v", describe(), step, why, tail(chk.history(), 15))
			}
			select {
			case ev, open := <-ch:
				if !open {
					t.Fatalf("%s: stream closed; events %v", describe(), tail(chk.history(), 15))
				}
				chk.apply(ev)
			case <-time.After(2 * time.Millisecond):
			}
		}
	}
	settle("initial state")
	for i, ops := range sc.steps {
		rebased := make([]zkstore.Op, len(ops))
		for j, op := range ops {
			rebased[j] = rebase(op, i)
		}
		if err := w.multi(rebased...); err != nil {
			// An injected change may have made the step impossible
			// (deleted what it sets): the run goes on without it.
			if !errors.Is(err, zkstore.ErrNoNode) && !errors.Is(err, zk.ErrNoNode) &&
				!errors.Is(err, zkstore.ErrNodeExists) && !errors.Is(err, zk.ErrNodeExists) &&
				!errors.Is(err, zkstore.ErrNotEmpty) && !errors.Is(err, zk.ErrNotEmpty) {
				t.Fatalf("%s: step %d: %v", describe(), i, err)
			}
		}
		settle(fmt.Sprintf("step %d", i))
	}
	// The injections may have gone on during the last step's reads: stop
	// them, let the stream catch up, and check that whatever it still
	// says (a burst coalesced late) leaves it equal to the store.
	mu.Lock()
	stopped = true
	mu.Unlock()
	settle("the end")
	for quiet := false; !quiet; {
		select {
		case ev, open := <-ch:
			if !open {
				t.Fatalf("%s: stream closed; events %v", describe(), tail(chk.history(), 15))
			}
			chk.apply(ev)
		case <-time.After(5 * time.Millisecond):
			quiet = true
		}
	}
	if ok, why, err := chk.matches(w); err != nil || !ok {
		t.Fatalf("%s: after the end: %s %v; events %v", describe(), why, err, tail(chk.history(), 25))
	}
	mu.Lock()
	err := failErr
	mu.Unlock()
	if err != nil {
		t.Fatalf("%s: injecting: %v", describe(), err)
	}
	// A resync (or status event) only after an injected expiry, and
	// then an Expired event before any resync.
	lost := false
	for _, ev := range chk.history() {
		switch {
		case expired && ev.Type == watch.Expired:
			lost = true
		case ev.Type.IsStatus() || (ev.Resync && !lost):
			t.Fatalf("%s: %v: a status event or resync without an expiry; events %v", describe(), ev, tail(chk.history(), 15))
		}
	}
	if p := chk.problems(); len(p) > 0 {
		t.Fatalf("%s: contract broken:\n%s\nevents %v", describe(), strings.Join(p, "\n"), tail(chk.history(), 20))
	}
	mu.Lock()
	made := slices.Clone(calls)
	mu.Unlock()
	if sc.kind == kindTree && !h.oneShot {
		for _, c := range made {
			if strings.HasSuffix(c, "W") {
				t.Fatalf("%s: a Tree under a persistent recursive watch armed a one-shot watch: %s", describe(), c)
			}
		}
	}
	return made
}

// tree checker adapters

func (c *treeChecker) matches(w hWriter) (bool, string, error) {
	want, err := walk(w, c.root)
	if err != nil {
		return false, "", err
	}
	if !c.synced || !equalMirror(c.picture(), want) {
		return false, fmt.Sprintf("picture %v, store %v", c.picture(), want), nil
	}
	return true, "", nil
}

func (c *treeChecker) problems() []string     { return c.errs }
func (c *treeChecker) history() []watch.Event { return c.events }

// nodeChecker checks a Node or Children stream: it starts with Current,
// then every event changes what the consumer knows (Created only of an
// absent znode, Deleted, DataChanged and ChildrenChanged only of a present
// one), Revision never decreases, and it is Mzxid (Node) or Pzxid
// (Children) where the znode exists.
type nodeChecker struct {
	path     string
	children bool
	started  bool
	exists   bool
	data     string
	names    []string
	lastRev  int64
	errs     []string
	events   []watch.Event
}

func (c *nodeChecker) fail(format string, args ...any) {
	if len(c.errs) < 10 {
		c.errs = append(c.errs, fmt.Sprintf(format, args...))
	}
}

func (c *nodeChecker) apply(ev watch.Event) {
	c.events = append(c.events, ev)
	if ev.Type == 0 || ev.Type.IsStatus() {
		return
	}
	if ev.Revision < c.lastRev {
		c.fail("revision went back: %v after %d", ev, c.lastRev)
	}
	c.lastRev = ev.Revision
	if ev.Path != c.path {
		c.fail("%v: wrong path", ev)
	}
	if !c.started && ev.Type != watch.Current {
		c.fail("%v: first event not Current", ev)
	}
	started := c.started
	c.started = true
	switch ev.Type {
	case watch.Current:
		if !ev.Resync && started {
			c.fail("%v: Current in the middle of a stream", ev)
		}
	case watch.Created:
		if c.exists {
			c.fail("%v: created while present", ev)
		}
	case watch.Deleted:
		if !c.exists {
			c.fail("%v: deleted while absent", ev)
		}
	case watch.DataChanged:
		if !c.exists || c.children {
			c.fail("%v: unexpected", ev)
		}
	case watch.ChildrenChanged:
		if !c.exists || !c.children {
			c.fail("%v: unexpected", ev)
		}
	default:
		c.fail("%v: unexpected", ev)
	}
	if ev.Type != watch.Deleted && ev.Type != watch.Current && !ev.Exists {
		c.fail("%v: Exists not set", ev)
	}
	if ev.Exists {
		want := ev.Stat.Mzxid
		if c.children {
			want = ev.Stat.Pzxid
		}
		if ev.Revision != want {
			c.fail("%v: revision is not the %s %d", ev, map[bool]string{false: "Mzxid", true: "Pzxid"}[c.children], want)
		}
	}
	c.exists, c.data, c.names = ev.Exists, string(ev.Data), ev.Children
}

func (c *nodeChecker) matches(w hWriter) (bool, string, error) {
	if !c.started {
		return false, "no Current yet", nil
	}
	data, ok, err := w.get(c.path)
	if err != nil {
		return false, "", err
	}
	have := fmt.Sprintf("exists=%v data=%q children=%v", c.exists, c.data, c.names)
	if ok != c.exists {
		return false, have + fmt.Sprintf("; store: exists=%v", ok), nil
	}
	if !ok {
		return true, "", nil
	}
	if !c.children {
		return string(data) == c.data, have + fmt.Sprintf("; store: data=%q", data), nil
	}
	names, ok, err := w.children(c.path)
	if err != nil || !ok {
		return false, "store changed", err
	}
	if names == nil {
		names = []string{}
	}
	return slices.Equal(names, c.names), have + fmt.Sprintf("; store: children=%v", names), nil
}

func (c *nodeChecker) problems() []string     { return c.errs }
func (c *nodeChecker) history() []watch.Event { return c.events }

func memHarness(oneShot bool) *harness {
	all := make([]change, numChanges)
	for c := range numChanges {
		all[c] = c
	}
	return &harness{
		oneShot: oneShot,
		sites:   map[string]int{},
		settle:  5 * time.Second,
		changes: all,
		newRun: func(t testing.TB) runEnv {
			srv := memstore.NewServer()
			first, w := newHookStore(srv.Connect()), srv.Connect()
			var (
				mu  sync.Mutex
				cur = first
			)
			src := watch.Reopen(func(context.Context) (zkstore.Store, error) {
				mu.Lock()
				defer mu.Unlock()
				if cur.State() == zkstore.StateConnected {
					return cur, nil // the first session
				}
				cur = &hookStore{srv.Connect(), first.hookState}
				return cur, nil
			})
			return runEnv{st: first, src: src, w: storeHWriter{w}, expire: func() bool {
				mu.Lock()
				id := cur.SessionID()
				mu.Unlock()
				return srv.Expire(id) == nil
			}, cleanup: func() {
				src.Close()
				first.Close()
				w.Close()
				srv.Close()
			}}
		},
	}
}

// exhaustive runs, for every scenario, every change kind just before and
// just after every call the engine makes in the undisturbed run; it
// returns the number of runs.
func (h *harness) exhaustive(t *testing.T, scs []scenario, every int) int {
	runs := 0
	for _, sc := range scs {
		t.Run(sc.name, func(t *testing.T) {
			calls := h.run(t, sc, nil)
			runs++
			for at := range calls {
				if at%every != 0 {
					continue
				}
				for _, c := range h.changes {
					for _, after := range []bool{false, true} {
						if (c == chLoss || c == chExpire) && after {
							continue
						}
						name := fmt.Sprintf("call%d-%v-%s", at, c, map[bool]string{false: "before", true: "after"}[after])
						t.Run(name, func(t *testing.T) {
							h.run(t, sc, []injection{{at: at, after: after, change: c}})
						})
						runs++
					}
				}
			}
			t.Logf("%s: %d calls in the undisturbed run", sc.name, len(calls))
		})
	}
	return runs
}

// randomised runs n runs of random scenarios, each with several random
// injections.
func (h *harness) randomised(t *testing.T, scs []scenario, n int, seed uint64) {
	r := rand.New(rand.NewPCG(seed, 13))
	for range n {
		sc := scs[r.IntN(len(scs))]
		injs := make([]injection, 1+r.IntN(4))
		for i := range injs {
			injs[i] = injection{at: r.IntN(40), after: r.IntN(2) == 0, change: h.changes[r.IntN(len(h.changes))]}
		}
		h.run(t, sc, injs)
	}
}

func (h *harness) report(t *testing.T) {
	h.mu.Lock()
	defer h.mu.Unlock()
	sites := make([]string, 0, len(h.sites))
	for s := range h.sites {
		sites = append(sites, s)
	}
	sort.Strings(sites)
	var b strings.Builder
	for _, s := range sites {
		fmt.Fprintf(&b, "\n  %5d  %s", h.sites[s], s)
	}
	t.Logf("changes injected per engine call site:%s", b.String())
}

// Every change kind, before and after every call of the engine, on every
// scenario; then random combinations.
func TestInterleavings(t *testing.T) {
	t.Run("one-shot", func(t *testing.T) { testInterleavings(t, true) })
	t.Run("recursive", func(t *testing.T) { testInterleavings(t, false) })
}

// treeScenarios are the scenarios of Tree streams.
func treeScenarios() []scenario {
	var out []scenario
	for _, sc := range scenarios {
		if sc.kind == kindTree {
			out = append(out, sc)
		}
	}
	return out
}

// testInterleavings runs the harness with a Tree on one-shot watches (and
// the Node and Children streams), or on a persistent recursive watch.
func testInterleavings(t *testing.T, oneShot bool) {
	noLeaks(t)
	h := memHarness(oneShot)
	scs := scenarios
	if !oneShot {
		scs = treeScenarios()
	}
	runs := h.exhaustive(t, scs, 1)
	n := 200
	if *longRun {
		n = 20000
	}
	h.randomised(t, scs, n, uint64(time.Now().UnixNano()))
	runs += n
	h.report(t)
	t.Logf("%d interleavings run", runs)
	// Every site of the engine that reads or arms a watch is reached.
	h.mu.Lock()
	defer h.mu.Unlock()
	if !oneShot {
		for _, want := range []string{
			"engine.watchRecursive: AddWatch",
			"tree.load>tree.walk: Get",
			"tree.load>tree.walk: Children",
			"tree.fired>tree.changed>tree.firedData>reader.get>reader.plainGet: Get",
			"tree.fired>tree.changed>tree.firedData>reader.parentPzxid: Exists",
			"tree.fired>tree.changed>tree.loadNode>reader.get>reader.plainGet: Get",
			"tree.fired>tree.changed>tree.loadNode>reader.children: Children",
		} {
			if h.sites[want] == 0 {
				t.Errorf("no change injected at %s", want)
			}
		}
		return
	}
	for _, want := range []string{
		"tree.load>tree.loadNode>reader.get: GetW",
		"tree.load>tree.loadNode>reader.children: ChildrenW",
		"tree.load>tree.loadNode>reader.get>reader.existsW: ExistsW",
		"tree.fired>tree.firedData>reader.get: GetW",
		"tree.fired>tree.firedChildren>reader.children: ChildrenW",
		"tree.fired>tree.firedData>reader.parentPzxid: Exists",
		"tree.fired>tree.firedChildren>tree.loadNode>reader.get: GetW",
		"single.load>single.read>reader.get: GetW",
		"single.load>single.read>reader.get>reader.existsW: ExistsW",
		"single.load>single.read>reader.children: ChildrenW",
		"single.load>single.read>reader.parentPzxid: Exists",
		"single.fired>single.load>single.read>reader.get: GetW",
		"single.fired>single.load>single.read>reader.children: ChildrenW",
	} {
		if h.sites[want] == 0 {
			t.Errorf("no change injected at %s", want)
		}
	}
}

func liveHarness(t *testing.T, oneShot bool) *harness {
	addr := liveAddr(t)
	st := openLive(t, addr)
	raw := rawHWriter{rawConn(t, addr)}
	return &harness{
		oneShot: oneShot,
		sites:   map[string]int{},
		settle:  10 * time.Second,
		changes: []change{chDelete, chRecreate, chSet, chChildCreate, chChildDelete, chMulti, chCreate, chLoss},
		newRun: func(t testing.TB) runEnv {
			base := "/il-" + randHex(6)
			if _, err := raw.c.Create(base, nil, 0, zk.WorldACL(zk.PermAll)); err != nil {
				t.Fatal(err)
			}
			hs := newHookStore(st)
			return runEnv{st: hs, src: watch.StoreSource(hs), w: raw, base: base, cleanup: func() {}}
		},
	}
}

// The harness on a live ZooKeeper, the other session a raw go-zookeeper
// client: every change kind before and after every fourth call (bounded
// for CI), then random combinations.
func TestLiveInterleavings(t *testing.T) {
	for _, oneShot := range []bool{true, false} {
		name, scs := "one-shot", scenarios
		if !oneShot {
			name, scs = "recursive", treeScenarios()
		}
		t.Run(name, func(t *testing.T) {
			h := liveHarness(t, oneShot)
			every, n := 4, 20
			if *longRun {
				every, n = 1, 1000
			}
			runs := h.exhaustive(t, scs, every)
			h.randomised(t, scs, n, uint64(time.Now().UnixNano()))
			h.report(t)
			t.Logf("%d interleavings run", runs+n)
		})
	}
}
