package watch

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/zksql/zksql/zkstore"
)

// Tree streams every znode of the subtree at root (root included, which
// need not exist), like Curator's CuratorCache. It starts with one Created
// event per znode, parents before children, and a Synced event; then it
// reports Created, DataChanged and Deleted for each znode of the subtree
// (the children of a deleted znode are reported deleted before it), with
// Revision the znode's Mzxid, plus the status events. WithMaxDepth limits
// how deep it goes. See the package documentation for the contract.
//
// Where the store can set ZooKeeper 3.6+'s persistent recursive watches
// (zkstore.PersistentWatcherOf, and AddWatch does not fail with
// zkstore.ErrNoPersistentWatches), a Tree sets one on root and no other
// watch: the server holds one or two watches however large the subtree,
// where one-shot watches cost it two per znode. The subtree is then read
// with many reads outstanding on a store that pipelines them, the data of
// up to 64 znodes a request on one that batches reads
// (zkstore.BatchGetter: ZooKeeper 3.6's multiRead). Elsewhere
// (ZooKeeper 3.5, a store without AddWatch) it falls back to one-shot
// watches; the contract is the same either way.
//
// ZooKeeper 3.6 to 3.8 keep one watch per session and path
// (ZOOKEEPER-4466): a one-shot watch set through the same session on
// root itself (not below it) would silently turn the recursive watch
// into a one-shot one. A Tree therefore falls back to one-shot watches
// while another stream of the process arms one-shot watches on root
// through the same store (a Node or Children stream of root, a Tree on
// one-shot watches above it); a program that sets such watches itself
// (GetW, ExistsW, ChildrenW on root) should give the Tree a session of
// its own.
func Tree(ctx context.Context, src Source, root string, opts ...Option) <-chan Event {
	cfg := newConfig(opts)
	cfg.persistent = true
	return start(ctx, src, root, &tree{root: root, maxDepth: cfg.maxDepth, cur: map[string]*tnode{},
		del: map[string]*tnode{}, marked: map[string]struct{}{}, goneRev: map[string]int64{}}, cfg)
}

// tnode is one znode of a tree as read. It is never modified once in a
// map, so the delivered map can share it with the current one.
type tnode struct {
	data     []byte
	stat     zkstore.Stat
	children []string // nil when not listed (below the depth limit)
	// listPzxid is the Pzxid the listing of children came with: a child
	// missing from it was absent when that Pzxid was already the
	// parent's.
	listPzxid int64
}

type step struct {
	path   string
	delete bool // the deletion pass: only Deleted events
}

type tree struct {
	root     string
	maxDepth int

	cur, del map[string]*tnode
	// The paths whose cur and del may differ are those of the steps left
	// in order and those marked since order was built: one at a time
	// into marked, or all of a load's at once into bulk (repeats
	// allowed). Delivering a step takes it off order and so unmarks it.
	marked map[string]struct{}
	bulk   []string
	// goneRev is, for a path removed from cur, a zxid no later than a
	// moment the znode was seen absent: the Revision of its Deleted event
	// (raised to the last revision delivered for the path). Any later
	// incarnation of the znode has a larger Czxid.
	goneRev map[string]int64
	order   []step // the paths to deliver in delivery order
	ordered bool   // order holds every marked path
	// anyGone: a path of order was gone from the current state when it
	// was built. Until order is built again no other path can become
	// gone (the current state does not change without marking a path,
	// and delivering only ends a path's being gone), so without one no
	// step needs the ancestors' check.
	anyGone bool

	loaded, needSynced, resyncing bool
}

func (t *tree) depth(p string) int {
	if p == t.root {
		return 0
	}
	if t.root == "/" {
		return strings.Count(p, "/")
	}
	return strings.Count(p[len(t.root):], "/")
}

func (t *tree) listChildren(p string) bool {
	return t.maxDepth < 0 || t.depth(p) < t.maxDepth
}

func (t *tree) markDirty(p string) {
	t.marked[p] = struct{}{}
	t.ordered = false
}

// markAll marks the paths of a load: a slice, not the map, as a load
// marks every znode of the subtree.
func (t *tree) markAll(paths []string) {
	t.bulk = append(t.bulk, paths...)
	t.ordered = false
}

// loadNode reads p and, depth permitting, its subtree into m, arming
// watches; added collects the paths put into m.
func (t *tree) loadNode(ctx context.Context, r *reader, m map[string]*tnode, p string, added *[]string) error {
	data, st, ok, err := r.get(ctx, p, p == t.root)
	if err != nil || !ok {
		return err
	}
	n := &tnode{data: data, stat: st}
	if t.listChildren(p) {
		names, cst, ok, err := r.children(ctx, p, false)
		if err != nil {
			return err
		}
		if !ok { // deleted meanwhile: its data watch fires
			return nil
		}
		if cst.Mzxid == st.Mzxid {
			n.stat = cst // fresher child fields, same data
		}
		n.children, n.listPzxid = names, cst.Pzxid
	}
	// p goes in only once listed, so that a failed read leaves it out, to
	// be found missing when its parent is listed again.
	m[p] = n
	*added = append(*added, p)
	for _, c := range n.children {
		if err := t.loadNode(ctx, r, m, zkstore.Join(p, c), added); err != nil {
			// Listing p again loads the children missing.
			return retryWith(err, watchKey{p, true})
		}
	}
	return nil
}

// The walk of a subtree under a persistent watch keeps, on a store that
// pipelines reads, up to walkWindow requests and walkReads reads
// outstanding, and reads the data of up to zkstore.MaxBatch znodes in one
// request where the store batches reads (zkstore.BatchGetter: one request
// carries many reads, which costs the server far less than as many
// requests), fewer once large data is seen (zkstore.BatchLimit).
const (
	walkWindow = 64
	walkReads  = 256
)

// walkRead is a request of the walk: the data of a batch of znodes, or
// then the children of one.
type walkRead struct {
	paths []string // the batch's znodes
	batch zkstore.PendingBatch
	path  string // the listed znode, read before as n
	list  zkstore.PendingRead
	n     *tnode
}

// walkedNode is a znode read by walk.
type walkedNode struct {
	path string
	n    *tnode
}

// walk reads the subtree at the root without arming a watch (the
// persistent recursive watch, set before, reports every change after),
// many reads outstanding: the data of every znode, in batches, then the
// children only where the Stat counts children. It is the load of
// loadNode (the same checks, the same tnodes) made in one pass of
// overlapping reads rather than two round trips a znode. The znodes come
// out parents first, in a slice: a map sized once for them costs far
// less than one grown insert by insert.
func (t *tree) walk(ctx context.Context, st zkstore.Store) ([]walkedNode, error) {
	var (
		out      []walkedNode
		todo     = []string{t.root}
		inflight []walkRead // FIFO: replies come in the order sent
		reads    int        // outstanding
		largest  int        // the largest data read so far
	)
	for len(todo) > 0 || len(inflight) > 0 {
		for len(inflight) < walkWindow && len(todo) > 0 {
			// Whole batches only: when the reads are at their limit,
			// the room a listing's reply frees is not filled with a
			// batch of one.
			k := min(len(todo), zkstore.BatchLimit(largest))
			if reads+k > walkReads && len(inflight) > 0 {
				break
			}
			batch := make([]string, k)
			for i := range batch { // the top of the stack first
				batch[i] = todo[len(todo)-1-i]
			}
			todo = todo[:len(todo)-k]
			inflight = append(inflight, walkRead{paths: batch, batch: zkstore.GetBatchAsync(ctx, st, batch)})
			reads += k
		}
		w := inflight[0]
		inflight[0] = walkRead{}
		inflight = inflight[1:]
		if w.batch != nil {
			reads -= len(w.paths)
			for i, p := range w.paths {
				data, stat, ok, err := absent(w.batch.Get(i))
				if err != nil {
					return nil, err
				}
				if !ok {
					continue // deleted meanwhile: the watch tells
				}
				n := &tnode{data: data, stat: stat}
				largest = max(largest, len(data))
				switch {
				case !t.listChildren(p):
					out = append(out, walkedNode{p, n})
				case stat.NumChildren == 0:
					// The Stat is of the moment of the read: no child then.
					n.children, n.listPzxid = []string{}, stat.Pzxid
					out = append(out, walkedNode{p, n})
				default:
					inflight = append(inflight, walkRead{path: p, list: zkstore.ChildrenAsync(ctx, st, p), n: n})
					reads++
				}
			}
			continue
		}
		reads--
		names, cst, err := w.list.Children()
		if errors.Is(err, zkstore.ErrNoNode) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if names == nil {
			names = []string{}
		}
		n := w.n
		if cst.Mzxid == n.stat.Mzxid {
			n.stat = cst // fresher child fields, same data
		}
		n.children, n.listPzxid = names, cst.Pzxid
		out = append(out, walkedNode{w.path, n})
		for i := len(names) - 1; i >= 0; i-- {
			todo = append(todo, zkstore.Join(w.path, names[i]))
		}
	}
	return out, nil
}

// absentRev is, for a path missing from m (a fresh load), the listing
// Pzxid of its nearest ancestor in m: the path was absent when that
// listing (or a read after it) was made.
func (t *tree) absentRev(m map[string]*tnode, p string) int64 {
	for p != t.root {
		p = zkstore.Parent(p)
		if n := m[p]; n != nil {
			return n.listPzxid
		}
	}
	return 0
}

func (t *tree) load(ctx context.Context, r *reader) error {
	var (
		m     map[string]*tnode
		added []string
	)
	if r.e.recursive {
		nodes, err := t.walk(ctx, r.st)
		if err != nil {
			return err
		}
		m = make(map[string]*tnode, len(nodes))
		added = make([]string, len(nodes), len(nodes)+len(t.cur)+len(t.del))
		for i, w := range nodes {
			m[w.path], added[i] = w.n, w.path
		}
	} else {
		m = make(map[string]*tnode, len(t.cur))
		if err := t.loadNode(ctx, r, m, t.root, &added); err != nil {
			return err
		}
	}
	// Every path of the old state, the new one and the delivered one may
	// differ between what is delivered and what is read.
	for _, old := range []map[string]*tnode{t.cur, t.del} {
		for p := range old {
			added = append(added, p)
			if m[p] == nil {
				t.goneRev[p] = max(t.goneRev[p], t.absentRev(m, p))
			}
		}
	}
	t.markAll(added)
	if !t.loaded {
		t.needSynced = true // the initial state ends with Synced
	}
	t.cur, t.loaded = m, true
	return nil
}

// remove drops p and its subtree from the current state; rev is a zxid
// no later than a moment they were seen absent (see goneRev).
func (t *tree) remove(p string, rev int64) {
	n := t.cur[p]
	if n == nil {
		return
	}
	for _, c := range n.children {
		t.remove(zkstore.Join(p, c), rev)
	}
	delete(t.cur, p)
	t.goneRev[p] = max(t.goneRev[p], rev)
	t.markDirty(p)
}

// reload reads p and its subtree into the current state.
func (t *tree) reload(ctx context.Context, r *reader, p string) error {
	var added []string
	err := t.loadNode(ctx, r, t.cur, p, &added)
	for _, a := range added {
		t.markDirty(a)
	}
	return err
}

func (t *tree) fired(ctx context.Context, r *reader, key watchKey, _ zkstore.Event) error {
	p := key.path
	if r.e.recursive && !key.child {
		return t.changed(ctx, r, p)
	}
	old := t.cur[p]
	if old == nil && (p != t.root || key.child) {
		return nil // a late watch of a znode already gone
	}
	if !key.child {
		return t.firedData(ctx, r, p, old)
	}
	return t.firedChildren(ctx, r, key, old)
}

// changed brings the znode at p up to date after the persistent recursive
// watch reported a change of it (created, data set or deleted): the event
// carries no data, so p is read again. A read that finds a later state
// than the event's is fine: the stream reports the difference from what
// it delivered, never a state older than one it read.
func (t *tree) changed(ctx context.Context, r *reader, p string) error {
	if t.maxDepth >= 0 && t.depth(p) > t.maxDepth {
		return nil
	}
	if p == t.root {
		return t.firedData(ctx, r, p, t.cur[p])
	}
	parent := zkstore.Parent(p)
	if pn := t.cur[parent]; pn == nil || pn.children == nil {
		// Under a znode gone or not read yet: reading the parent (its
		// own event, or the re-read of its subtree) finds p.
		return nil
	}
	var err error
	if old := t.cur[p]; old != nil {
		err = t.firedData(ctx, r, p, old)
	} else {
		var added []string
		err = t.loadNode(ctx, r, t.cur, p, &added)
		for _, a := range added {
			t.markDirty(a)
		}
	}
	t.relist(parent, p)
	return err
}

// relist makes the listing of parent (no child watch keeps it) name p
// exactly when p is in the current state.
func (t *tree) relist(parent, p string) {
	pn := t.cur[parent]
	if pn == nil || pn.children == nil {
		return
	}
	name := p[strings.LastIndexByte(p, '/')+1:]
	i, listed := slices.BinarySearch(pn.children, name)
	if has := t.cur[p] != nil; has == listed {
		return
	} else if has {
		n := *pn
		n.children = slices.Insert(slices.Clone(pn.children), i, name)
		t.cur[parent] = &n
	} else {
		n := *pn
		n.children = slices.Delete(slices.Clone(pn.children), i, i+1)
		t.cur[parent] = &n
	}
}

// firedData reads the znode at p again after its data watch fired (or the
// persistent watch reported it); old is what the current state holds.
func (t *tree) firedData(ctx context.Context, r *reader, p string, old *tnode) error {
	data, st, ok, err := r.get(ctx, p, p == t.root)
	if err != nil {
		return err
	}
	if !ok {
		// The parent's Pzxid, read before the absence is confirmed,
		// is the Revision of the deletion: see goneRev.
		rev, err := r.parentPzxid(ctx, p)
		if err != nil {
			return err
		}
		if data, st, ok, err = r.get(ctx, p, p == t.root); err != nil {
			return err
		}
		if !ok {
			t.remove(p, rev)
			return nil
		}
	}
	if old == nil || st.Czxid != old.stat.Czxid {
		// Created, or deleted and created again: the old subtree was
		// deleted with it (before the new Czxid), and the new one is
		// read afresh, with a child watch of its own.
		if old != nil {
			t.remove(p, st.Czxid)
		}
		err := t.reload(ctx, r, p)
		var ra *retryAt
		if err != nil && !errors.As(err, &ra) && p != t.root {
			// p itself was not read: its parent's listing finds it
			// missing.
			return retryWith(err, watchKey{zkstore.Parent(p), true})
		}
		return err
	}
	if st.Mzxid < old.stat.Mzxid {
		return nil // read before what the state holds: nothing new
	}
	n := *old
	n.data, n.stat = data, st
	t.cur[p] = &n
	t.markDirty(p)
	return nil
}

// firedChildren lists the znode of key again after its child watch fired
// (or to load the children a failed read left out).
func (t *tree) firedChildren(ctx context.Context, r *reader, key watchKey, old *tnode) error {
	p := key.path
	names, st, ok, err := r.children(ctx, p, false)
	if err != nil {
		return err
	}
	if !ok {
		return nil // p is gone: its data watch, which fires too, tells
	}
	n := *old
	n.children, n.listPzxid = names, st.Pzxid
	if st.Mzxid == old.stat.Mzxid {
		n.stat = st
	}
	t.cur[p] = &n
	for _, c := range old.children {
		if _, found := slices.BinarySearch(names, c); !found {
			t.remove(zkstore.Join(p, c), st.Pzxid)
		}
	}
	// A child is new when it is not in the current state, whether or not
	// an earlier listing had its name: a child listed but gone when it was
	// read, and created again since, is new too.
	var added []string
	for _, c := range names {
		if cp := zkstore.Join(p, c); t.cur[cp] == nil {
			if err = t.loadNode(ctx, r, t.cur, cp, &added); err != nil {
				err = retryWith(err, key)
				break
			}
		}
	}
	for _, a := range added {
		t.markDirty(a)
	}
	return err
}

// gone reports whether the znode delivered at p is gone from the current
// state: absent, another incarnation, or under an ancestor that is.
func (t *tree) gone(p string) bool {
	return t.del[p] != nil && (t.goneHere(p) || t.ancestorGone(p))
}

func (t *tree) goneHere(p string) bool {
	d := t.del[p]
	if d == nil {
		return false
	}
	c := t.cur[p]
	return c == nil || c.stat.Czxid != d.stat.Czxid
}

// ancestorGone reports whether an ancestor of p within the tree is gone:
// then the znode delivered at p went with it, even where the current state
// holds a znode of the same incarnation (delivered before the ancestor's
// deletion was seen), and it is reported deleted before the ancestor.
func (t *tree) ancestorGone(p string) bool {
	for p != t.root {
		p = zkstore.Parent(p)
		if t.goneHere(p) {
			return true
		}
	}
	return false
}

// marks gathers the paths marked, each once, sorted: parents before
// children.
func (t *tree) marks() []string {
	paths := t.bulk
	t.bulk = nil
	for _, s := range t.order {
		if !s.delete {
			paths = append(paths, s.path)
		}
	}
	for p := range t.marked {
		paths = append(paths, p)
	}
	clear(t.marked)
	slices.Sort(paths)
	return slices.Compact(paths)
}

func (t *tree) buildOrder() {
	paths := t.marks()
	t.anyGone = false
	for _, p := range paths {
		if len(t.del) > 0 && t.goneHere(p) {
			// The delivered descendants of a gone znode go with it.
			t.anyGone = true
			n := len(paths)
			for q := range t.del {
				if _, found := slices.BinarySearch(paths[:n], q); !found && t.ancestorGone(q) {
					paths = append(paths, q)
				}
			}
			if len(paths) > n {
				slices.Sort(paths)
			}
			break
		}
	}
	if len(t.del) == 0 {
		// The first delivery: size the map for all of it at once.
		t.del = make(map[string]*tnode, len(paths))
	}
	t.order = t.order[:0]
	for i := len(paths) - 1; t.anyGone && i >= 0; i-- { // children before parents
		p := paths[i]
		if t.gone(p) {
			t.order = append(t.order, step{p, true})
		}
	}
	for _, p := range paths {
		t.order = append(t.order, step{p, false})
	}
	t.ordered = true
}

// diff is the event step s calls for, if any.
func (t *tree) diff(s step) (Event, bool) {
	d, c := t.del[s.path], t.cur[s.path]
	switch {
	case d != nil && t.anyGone && (t.goneHere(s.path) || t.ancestorGone(s.path)):
		// The Revision lies between the last one delivered for the path
		// and the Czxid of its next incarnation (see goneRev).
		rev := d.stat.Mzxid
		switch {
		case c == nil:
			rev = max(rev, t.goneRev[s.path])
		case c.stat.Czxid != d.stat.Czxid:
			rev = max(rev, c.stat.Czxid)
		}
		return Event{Type: Deleted, Path: s.path, Revision: rev, Resync: t.resyncing}, true
	case s.delete:
		return Event{}, false
	case d == nil && c != nil:
		return t.event(Created, s.path, c), true
	case d != nil && c != nil && d.stat.Mzxid != c.stat.Mzxid:
		return t.event(DataChanged, s.path, c), true
	}
	return Event{}, false
}

func (t *tree) event(typ EventType, p string, n *tnode) Event {
	return Event{Type: typ, Path: p, Exists: true, Data: n.data, Stat: n.stat,
		Revision: n.stat.Mzxid, Resync: t.resyncing}
}

func (t *tree) next() (Event, bool) {
	if !t.loaded {
		return Event{}, false
	}
	if !t.ordered {
		t.buildOrder()
	}
	for len(t.order) > 0 {
		s := t.order[0]
		if ev, ok := t.diff(s); ok {
			return ev, true
		}
		t.order = t.order[1:]
	}
	if t.needSynced {
		var rev int64
		for _, n := range t.cur {
			rev = max(rev, n.stat.Mzxid, n.stat.Pzxid)
		}
		return Event{Type: Synced, Path: t.root, Exists: t.cur[t.root] != nil, Revision: rev, Resync: t.resyncing}, true
	}
	return Event{}, false
}

func (t *tree) commit(ev Event) {
	switch ev.Type {
	case Synced:
		t.needSynced, t.resyncing = false, false
	case Deleted:
		delete(t.del, ev.Path)
		delete(t.goneRev, ev.Path)
	default:
		t.del[ev.Path] = t.cur[ev.Path]
		if !t.anyGone && len(t.order) > 0 && t.order[0].path == ev.Path {
			// Delivered now, and with nothing gone there is nothing
			// more its step can call for.
			t.order = t.order[1:]
		}
	}
}

func (t *tree) resync() { t.resyncing, t.needSynced = true, true }

func (t *tree) skipInitial() {
	clear(t.del)
	for p, n := range t.cur {
		t.del[p] = n
	}
	clear(t.marked)
	t.bulk = nil
	t.order, t.ordered = t.order[:0], true
	t.needSynced = false
}
