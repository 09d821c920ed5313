package cachestore

import (
	"context"
	"errors"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zksql/zksql/zkstore"
)

// node is one cached znode. A cache of 100,000 znodes is what it is sized
// for: no map per node (children are the sorted names, sharing the bytes
// of the children's keys in the subtree's map), the Stat as the plain
// struct the reads return.
type node struct {
	data     []byte
	children []string // sorted
	stat     zkstore.Stat
	// denied: this session may not read the znode; reads of it and of
	// everything under it go to the server, and nothing under it is held.
	denied bool
}

// Subtree states.
const (
	stateOK     int32 = iota
	stateBroken       // a re-read failed (connection lost): reload before answering
	stateDead         // the watch ended (session expired, store closed)
)

// subtree is one cached subtree and the goroutine that keeps it current.
type subtree struct {
	s      *Store
	root   string
	events <-chan zkstore.Event
	// session has the session's state changes. After a disconnection
	// the server reported nothing that changed meanwhile, so any change
	// means: load again once connected. The store publishes a change
	// before State reports it, so a read that finds the connection back
	// finds the change here (or the applier busy with it).
	session <-chan zkstore.SessionEvent

	mu     sync.RWMutex
	nodes  map[string]*node // by path
	denied int              // nodes with denied set

	state   atomic.Int32
	torn    atomic.Bool   // the map was changed since the applier was last idle: a stale read could pair a Stat with an older child list
	busy    atomic.Bool   // the applier has work in hand
	applied atomic.Uint64 // Store.written as of the applier's last idle moment

	sig     sync.Mutex
	pending []readReq     // own writes' znodes to re-read
	reload  bool          // load the whole subtree again
	idle    chan struct{} // closed (and replaced) each time the applier finishes a round
	kick    chan struct{} // wakes the applier

	rereads, loads atomic.Int64
}

func newSubtree(s *Store, root string, events <-chan zkstore.Event, session <-chan zkstore.SessionEvent) *subtree {
	return &subtree{s: s, root: root, events: events, session: session, idle: make(chan struct{}), kick: make(chan struct{}, 1)}
}

// find calls fn with path's node under the read lock and reports whether
// the cache can answer: the node is held, readable, and no ancestor in the
// subtree is denied.
func (t *subtree) find(path string, fn func(n *node)) bool {
	t.mu.RLock()
	defer t.mu.RUnlock()
	n := t.nodes[path]
	if n == nil || n.denied {
		return false
	}
	if t.denied > 0 {
		for p := path; p != t.root; {
			p = zkstore.Parent(p)
			if a := t.nodes[p]; a == nil || a.denied {
				return false
			}
		}
	}
	fn(n)
	return true
}

// fresh reports, without waiting, whether the cache may answer now: no
// event waits, the applier is idle, it has caught up with every own write
// and sync, and the subtree is intact. The order of the checks matters:
// the applier sets busy before it takes events and clears it after.
func (t *subtree) fresh() bool {
	return len(t.events) == 0 && len(t.session) == 0 && !t.busy.Load() &&
		t.applied.Load() >= t.s.written.Load() && t.state.Load() == stateOK
}

// barrier waits until the subtree is fresh. It returns errNotCached when
// the subtree cannot become fresh now (the connection was lost during a
// re-read, or the watch ended): the server is asked instead.
func (t *subtree) barrier(ctx context.Context) error {
	tried := false
	for {
		t.sig.Lock()
		idle := t.idle
		t.sig.Unlock()
		if t.fresh() {
			return nil
		}
		st := t.state.Load()
		if st == stateDead || (st == stateBroken && tried) {
			return errNotCached
		}
		t.wake()
		select {
		case <-idle:
			tried = true
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (t *subtree) wake() {
	select {
	case t.kick <- struct{}{}:
	default:
	}
}

// enqueue asks for path to be re-read before the next read answers; full
// for its children as well as its data and Stat.
func (t *subtree) enqueue(path string, full bool) {
	t.sig.Lock()
	t.pending = append(t.pending, readReq{path: path, full: full})
	t.sig.Unlock()
	t.wake()
}

func (t *subtree) requestReload() {
	t.sig.Lock()
	t.reload = true
	t.sig.Unlock()
	t.wake()
}

// readReq asks for a znode's re-read: getData, and getChildren too if
// full. A data change needs no child list, and a child's creation or
// deletion changes its parent's list by one name, which the child's own
// re-read says; the parent's getData then gives the Stat, whose
// NumChildren checks the list (a mismatch reads it in full).
type readReq struct {
	path string
	full bool
	// list: getChildren alone, for a znode whose getData has been
	// applied (the load lists only znodes with children).
	list bool
}

// pathSet is an insertion-ordered set of re-reads; full wins.
type pathSet struct {
	order []readReq
	index map[string]int
}

func (ps *pathSet) add(p string, full bool) {
	if ps.index == nil {
		ps.index = make(map[string]int)
	}
	if i, ok := ps.index[p]; ok {
		ps.order[i].full = ps.order[i].full || full
		return
	}
	ps.index[p] = len(ps.order)
	ps.order = append(ps.order, readReq{path: p, full: full})
}

// take receives one event into ps; it reports false when the channel is
// closed (the watch ended).
func (t *subtree) take(ev zkstore.Event, ok bool, ps *pathSet, reload *bool) bool {
	if !ok {
		return false
	}
	switch ev.Type {
	case zkstore.EventNodeCreated, zkstore.EventNodeDeleted:
		ps.add(ev.Path, true)
		if ev.Path != t.root {
			ps.add(zkstore.Parent(ev.Path), false)
		}
	case zkstore.EventNodeDataChanged:
		ps.add(ev.Path, false)
	case zkstore.EventNodeChildrenChanged:
		ps.add(ev.Path, true)
	case zkstore.EventWatchResync:
		*reload = true
	}
	// EventNotWatching is followed by the channel's close.
	return true
}

// pollInterval is how often an idle applier looks for events no read has
// asked for yet.
const pollInterval = 10 * time.Millisecond

// run is the applier: it takes the events in order, re-reads what they
// name and applies the replies, until the watch ends.
func (t *subtree) run() {
	defer t.s.wg.Done()
	defer func() {
		t.state.Store(stateDead)
		t.finishRound()
	}()
	var (
		ps     pathSet
		reload bool
	)
	// The applier never waits on the events channel itself: a value sent
	// to a waiting receiver bypasses the buffer, so len(events) would read
	// 0 while an event is on its way to an applier not yet running, and a
	// read would answer without it. Events wait in the buffer, where
	// fresh sees them; a read that finds any wakes the applier, and so
	// does a tick, which keeps the buffer short when nobody reads.
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	session := t.session // nil once closed
	for {
		select {
		case <-t.kick:
		case <-tick.C:
			if len(t.events) == 0 && len(t.session) == 0 {
				continue
			}
		case <-t.s.ctx.Done():
			return
		}
		t.busy.Store(true)
		for {
			// Everything written before target has its events in the
			// channel, or its paths in pending, by now.
			target := t.s.written.Load()
		drain:
			for {
				select {
				case ev, ok := <-t.events:
					if !t.take(ev, ok, &ps, &reload) {
						return
					}
				default:
					break drain
				}
			}
			select {
			case _, ok := <-session:
				if ok {
					reload = true
				} else {
					session = nil
				}
			default:
			}
			t.sig.Lock()
			for _, r := range t.pending {
				ps.add(r.path, r.full)
			}
			t.pending = t.pending[:0]
			if t.reload {
				reload, t.reload = true, false
			}
			t.sig.Unlock()
			if t.state.Load() == stateBroken {
				reload = true
			}
			if reload && t.s.inner.State() != zkstore.StateConnected {
				// Loaded once the connection is back: its state change
				// wakes the applier.
				t.state.Store(stateBroken)
				reload = false
				ps = pathSet{}
			}

			var err error
			if reload {
				var nodes map[string]*node
				var denied int
				nodes, denied, err = t.load(t.s.ctx)
				if err == nil {
					t.mu.Lock()
					t.nodes, t.denied = nodes, denied
					t.mu.Unlock()
					t.state.Store(stateOK)
				}
			} else if len(ps.order) > 0 && t.state.Load() == stateOK {
				err = t.reread(ps.order)
			}
			ps = pathSet{}
			reload = false
			if err != nil {
				if t.s.ctx.Err() != nil {
					return
				}
				// The session may have ended (the watch's end follows
				// in the channel) or the connection dropped (a resync
				// follows once it is back). Until a load succeeds, the
				// server answers.
				t.state.Store(stateBroken)
			}
			t.sig.Lock()
			more := len(t.pending) > 0 || t.reload
			t.sig.Unlock()
			if len(t.events) > 0 || len(t.session) > 0 || more {
				continue
			}
			if t.state.Load() == stateOK {
				t.applied.Store(target)
				t.torn.Store(false)
			}
			t.busy.Store(false)
			t.finishRound()
			break
		}
	}
}

// finishRound wakes the barrier's waiters.
func (t *subtree) finishRound() {
	t.sig.Lock()
	close(t.idle)
	t.idle = make(chan struct{})
	t.sig.Unlock()
}

// fatal reports whether a read's error ends a round: anything but a
// verdict on the znode itself.
func fatal(err error) bool {
	switch {
	case err == nil,
		errors.Is(err, zkstore.ErrNoNode),
		errors.Is(err, zkstore.ErrNoAuth),
		errors.Is(err, zkstore.ErrInvalidPath),
		errors.Is(err, zkstore.ErrBadArguments):
		return false
	}
	return true
}

// reply is one znode's reads.
type reply struct {
	path      string
	full      bool
	list      bool
	data      []byte
	gstat     zkstore.Stat
	gerr      error
	names     []string
	cstat     zkstore.Stat
	cerr      error
	getRead   zkstore.PendingRead
	childRead zkstore.PendingRead
	// batch holds the getData, as its read at index idx; last: the
	// batch's last read, whose reply ends the request.
	batch zkstore.PendingBatch
	idx   int
	last  bool
	done  bool
}

func (r *reply) wait() {
	if r.done {
		return
	}
	switch {
	case r.batch != nil:
		r.data, r.gstat, r.gerr = r.batch.Get(r.idx)
	case r.getRead != nil:
		r.data, r.gstat, r.gerr = r.getRead.Get()
	}
	if r.childRead != nil {
		r.names, r.cstat, r.cerr = r.childRead.Children()
	}
	r.getRead, r.childRead, r.batch, r.done = nil, nil, nil, true
}

// On a store that batches reads (zkstore.BatchGetter), the getData of up
// to zkstore.MaxBatch znodes queued one after another go out as one
// request (fewer once large data has been seen: zkstore.BatchLimit), and
// up to maxBatchReplies replies are outstanding.
const maxBatchReplies = 256

// pipeline sends the reads of paths, at most window requests ahead (a
// znode's pair, or a batch of getData), and hands each znode's replies to
// apply in the order the paths were given; apply may add paths.
func (t *subtree) pipeline(ctx context.Context, first []readReq, apply func(r *reply, more func(readReq)) error) error {
	window := t.s.cfg.window
	if !zkstore.Pipelines(t.s.inner) {
		window = 1
	}
	_, batching := t.s.inner.(zkstore.BatchGetter)
	queue := append([]readReq(nil), first...)
	var (
		inflight, free []*reply
		requests       int // outstanding
		largest        int // the largest data read so far
	)
	more := func(r readReq) { queue = append(queue, r) }
	// A reply is reused once applied (apply keeps its data and names,
	// not the reply): a load allocates as many as are outstanding, not
	// one per znode.
	newReply := func(q readReq) *reply {
		var r *reply
		if n := len(free); n > 0 {
			r, free = free[n-1], free[:n-1]
		} else {
			r = new(reply)
		}
		*r = reply{path: q.path, full: q.full, list: q.list, last: true}
		return r
	}
	for len(queue) > 0 || len(inflight) > 0 {
		for len(queue) > 0 && requests < window {
			if k := plainGets(queue, zkstore.BatchLimit(largest)); batching && k > 1 {
				if len(inflight)+k > maxBatchReplies && len(inflight) > 0 {
					break
				}
				paths := make([]string, k)
				for i, q := range queue[:k] {
					paths[i] = q.path
				}
				b := zkstore.GetBatchAsync(ctx, t.s.inner, paths)
				for i, q := range queue[:k] {
					r := newReply(q)
					r.batch, r.idx, r.last = b, i, i == k-1
					inflight = append(inflight, r)
				}
				queue = queue[k:]
				requests++
				continue
			}
			q := queue[0]
			queue = queue[1:]
			r := newReply(q)
			if !q.list {
				r.getRead = zkstore.GetAsync(ctx, t.s.inner, q.path)
			}
			if q.full || q.list {
				r.childRead = zkstore.ChildrenAsync(ctx, t.s.inner, q.path)
			}
			inflight = append(inflight, r)
			requests++
		}
		r := inflight[0]
		inflight = inflight[1:]
		r.wait()
		if r.last {
			requests--
		}
		largest = max(largest, len(r.data))
		if err := apply(r, more); err != nil {
			return err
		}
		*r = reply{}
		free = append(free, r)
	}
	return nil
}

// plainGets is how many of the first (at most limit) requests of queue
// are getData alone, one after another from the start.
func plainGets(queue []readReq, limit int) int {
	k := 0
	for k < len(queue) && k < limit && !queue[k].full && !queue[k].list {
		k++
	}
	return k
}

// load reads the whole subtree into a new map: getData of every znode,
// and getChildren only of those whose Stat says they have children (a
// leaf's listing would double the requests of a typical tree for
// nothing). A child created after its parent's getData has its event in
// the channel, and the round after the load reads it.
func (t *subtree) load(ctx context.Context) (map[string]*node, int, error) {
	t.loads.Add(1)
	nodes := make(map[string]*node)
	denied := 0
	deny := func(p string) {
		if n := nodes[p]; n == nil || !n.denied {
			nodes[p] = &node{denied: true}
			denied++
		}
	}
	err := t.pipeline(ctx, []readReq{{path: t.root}}, func(r *reply, more func(readReq)) error {
		if !r.list {
			switch {
			case fatal(r.gerr):
				return r.gerr
			case r.gerr == nil:
				nodes[r.path] = &node{data: r.data, stat: r.gstat}
				if r.gstat.NumChildren > 0 {
					more(readReq{path: r.path, list: true})
				}
			case errors.Is(r.gerr, zkstore.ErrNoAuth):
				deny(r.path)
			}
			// NoNode: deleted since its parent was listed; the parent's
			// re-read follows from the deletion's event.
			return nil
		}
		n := nodes[r.path]
		switch {
		case fatal(r.cerr):
			return r.cerr
		case n == nil || n.denied:
		case r.cerr == nil:
			if r.cstat != n.stat {
				// Changed since its getData: its event is in the
				// channel, and the round after the load re-reads it.
				// Until then the pair must agree.
				if r.cstat.Mzxid != n.stat.Mzxid {
					return nil
				}
				n.stat = r.cstat
			}
			n.children = r.names
			for i, name := range n.children {
				key := zkstore.Join(r.path, name)
				if key == zookeeperRoot {
					continue // never cached
				}
				n.children[i] = key[len(key)-len(name):] // shares the key's bytes
				more(readReq{path: key})
			}
		case errors.Is(r.cerr, zkstore.ErrNoAuth):
			deny(r.path)
		}
		// NoNode: deleted since its getData; its event is in the channel.
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return nodes, denied, nil
}

// reread re-reads what reqs name (and whatever their replies show to be
// out of step) and applies the replies.
func (t *subtree) reread(reqs []readReq) error {
	// pending counts the reads sent or queued and not yet applied: a
	// follow-up that one of them already covers is not sent, since it
	// was sent after the reply being applied and so sees its effect.
	pending := make(map[readReq]int, len(reqs))
	for _, r := range reqs {
		pending[r]++
	}
	var seen map[string]uint8 // bit 1: a getData follow-up queued, 2: a full one
	return t.pipeline(t.s.ctx, reqs, func(r *reply, more func(readReq)) error {
		t.rereads.Add(1)
		pending[readReq{path: r.path, full: r.full}]--
		if fatal(r.gerr) {
			return r.gerr
		}
		if fatal(r.cerr) {
			return r.cerr
		}
		follow := func(p string, full bool) {
			if p == zookeeperRoot {
				return
			}
			if pending[readReq{path: p, full: true}] > 0 || (!full && pending[readReq{path: p}] > 0) {
				return
			}
			// Each at most once a round: a znode changing all the
			// time is caught by its next event.
			if seen == nil {
				seen = make(map[string]uint8)
			}
			bit := uint8(1)
			if full {
				bit = 2
			}
			if seen[p]&bit == 0 {
				seen[p] |= bit
				pending[readReq{path: p, full: full}]++
				more(readReq{path: p, full: full})
			}
		}
		t.mu.Lock()
		t.torn.Store(true)
		if r.full {
			t.apply(r, follow)
		} else {
			t.applyData(r, follow)
		}
		t.mu.Unlock()
		return nil
	})
}

// applyData puts a getData re-read into the map: data and Stat, the child
// list kept. Called with mu held.
func (t *subtree) applyData(r *reply, follow func(string, bool)) {
	p := r.path
	old := t.nodes[p]
	switch {
	case r.gerr == nil:
		if old != nil && !old.denied && !newer(r.gstat, old.stat) {
			return // never backwards
		}
		if old == nil || old.denied || int(r.gstat.NumChildren) != len(old.children) {
			// Unknown, or its children changed in a way no event has
			// said yet (or will: a child this session may not read).
			follow(p, true)
			return
		}
		n := *old
		n.data, n.stat = r.data, r.gstat
		t.nodes[p] = &n
		t.checkParent(p, true, follow)
	case errors.Is(r.gerr, zkstore.ErrNoNode):
		if old != nil {
			t.drop(p)
		}
		t.checkParent(p, false, follow)
	default: // refused: the full read marks it
		follow(p, true)
	}
}

// apply puts a full re-read (getData and getChildren) into the map; follow
// names a znode whose cached state the reply shows to be out of step.
// Called with mu held.
func (t *subtree) apply(r *reply, follow func(string, bool)) {
	p := r.path
	old := t.nodes[p]
	switch {
	case r.gerr == nil && r.cerr == nil:
		if old != nil && !old.denied && !newer(r.gstat, old.stat) {
			return // never backwards
		}
		n := &node{data: r.data, stat: r.gstat, children: r.names}
		if r.cstat != r.gstat {
			if r.cstat.Mzxid != r.gstat.Mzxid {
				// Changed between the two reads.
				follow(p, true)
				if old != nil {
					return
				}
				n.children = nil
			} else {
				n.stat = r.cstat
			}
		}
		if old != nil {
			if old.denied {
				t.denied--
			} else {
				t.dropChildren(p, old.children, n.children)
			}
		}
		for _, name := range n.children {
			if key := zkstore.Join(p, name); t.nodes[key] == nil {
				follow(key, true)
			}
		}
		t.nodes[p] = n
		t.checkParent(p, true, follow)
	case errors.Is(r.gerr, zkstore.ErrNoNode) && errors.Is(r.cerr, zkstore.ErrNoNode):
		if old != nil {
			t.drop(p)
		}
		t.checkParent(p, false, follow)
	case errors.Is(r.gerr, zkstore.ErrNoAuth) || errors.Is(r.cerr, zkstore.ErrNoAuth):
		if old == nil || !old.denied {
			if old != nil {
				t.dropChildren(p, old.children, nil)
			}
			t.nodes[p] = &node{denied: true}
			t.denied++
		}
		t.checkParent(p, true, follow)
	default:
		// The two reads disagree on whether it exists: read again.
		follow(p, true)
	}
}

// newer reports whether a is at least as new as b, for the same znode or
// a later incarnation of its path.
func newer(a, b zkstore.Stat) bool {
	if a.Czxid != b.Czxid {
		return a.Czxid > b.Czxid
	}
	return a.Mzxid >= b.Mzxid && a.Pzxid >= b.Pzxid && a.Version >= b.Version &&
		a.Cversion >= b.Cversion && a.Aversion >= b.Aversion
}

// checkParent brings p's parent's child list in step with p's existence
// (a child's re-read is newer than its parent's list) and has the
// parent's Stat read again, which checks the list by NumChildren.
func (t *subtree) checkParent(p string, exists bool, follow func(string, bool)) {
	if p == t.root {
		return
	}
	parent := zkstore.Parent(p)
	pn := t.nodes[parent]
	if pn == nil || pn.denied {
		if exists {
			follow(parent, true)
		}
		return
	}
	name := zkstore.Base(p)
	i, listed := slices.BinarySearch(pn.children, name)
	if listed == exists {
		return
	}
	n := *pn
	if exists {
		n.children = slices.Insert(slices.Clip(pn.children), i, name)
	} else {
		n.children = slices.Delete(slices.Clone(pn.children), i, i+1)
	}
	t.nodes[parent] = &n
	follow(parent, false)
}

// dropChildren removes the subtrees of the names in was but not in now.
func (t *subtree) dropChildren(p string, was, now []string) {
	for _, name := range was {
		i := sort.SearchStrings(now, name)
		if i < len(now) && now[i] == name {
			continue
		}
		t.drop(zkstore.Join(p, name))
	}
}

// drop removes p and everything under it.
func (t *subtree) drop(p string) {
	n := t.nodes[p]
	if n == nil {
		return
	}
	delete(t.nodes, p)
	if n.denied {
		t.denied--
		return
	}
	for _, name := range n.children {
		t.drop(zkstore.Join(p, name))
	}
}
