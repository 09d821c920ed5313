package watch

import (
	"context"
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
func Tree(ctx context.Context, src Source, root string, opts ...Option) <-chan Event {
	cfg := newConfig(opts)
	return start(ctx, src, root, &tree{root: root, maxDepth: cfg.maxDepth, cur: map[string]*tnode{},
		del: map[string]*tnode{}, dirty: map[string]struct{}{}}, cfg)
}

// tnode is one znode of a tree as read. It is never modified once in a
// map, so the delivered map can share it with the current one.
type tnode struct {
	data     []byte
	stat     zkstore.Stat
	children []string // nil when not listed (below the depth limit)
}

type step struct {
	path   string
	delete bool // the deletion pass: only Deleted events
}

type tree struct {
	root     string
	maxDepth int

	cur, del map[string]*tnode
	dirty    map[string]struct{} // paths whose cur and del may differ
	order    []step              // dirty paths in delivery order; nil to rebuild
	ordered  bool

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
	t.dirty[p] = struct{}{}
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
	m[p] = n
	*added = append(*added, p)
	if !t.listChildren(p) {
		return nil
	}
	names, cst, ok, err := r.children(ctx, p, false)
	if err != nil {
		return err
	}
	if !ok { // deleted meanwhile: its data watch fires
		delete(m, p)
		*added = (*added)[:len(*added)-1]
		return nil
	}
	if cst.Mzxid == st.Mzxid {
		n.stat = cst // fresher child fields, same data
	}
	n.children = names
	for _, c := range names {
		if err := t.loadNode(ctx, r, m, zkstore.Join(p, c), added); err != nil {
			return err
		}
	}
	return nil
}

func (t *tree) load(ctx context.Context, r *reader) error {
	m := map[string]*tnode{}
	var added []string
	if err := t.loadNode(ctx, r, m, t.root, &added); err != nil {
		return err
	}
	for p := range t.cur {
		t.markDirty(p)
	}
	for p := range m {
		t.markDirty(p)
	}
	for p := range t.del {
		t.markDirty(p)
	}
	if !t.loaded {
		t.needSynced = true // the initial state ends with Synced
	}
	t.cur, t.loaded = m, true
	return nil
}

// remove drops p and its subtree from the current state.
func (t *tree) remove(p string) {
	n := t.cur[p]
	if n == nil {
		return
	}
	for _, c := range n.children {
		t.remove(zkstore.Join(p, c))
	}
	delete(t.cur, p)
	t.markDirty(p)
}

func (t *tree) fired(ctx context.Context, r *reader, key watchKey, _ zkstore.Event) error {
	p := key.path
	old := t.cur[p]
	if old == nil && p != t.root {
		return nil // a late watch of a znode already gone
	}
	if !key.child {
		data, st, ok, err := r.get(ctx, p, p == t.root)
		switch {
		case err != nil:
			return err
		case !ok:
			t.remove(p)
		case old == nil: // the root was created
			var added []string
			err := t.loadNode(ctx, r, t.cur, p, &added)
			for _, a := range added {
				t.markDirty(a)
			}
			return err
		default:
			n := *old
			n.data, n.stat = data, st
			t.cur[p] = &n
			t.markDirty(p)
		}
		return nil
	}
	if old == nil {
		return nil
	}
	names, st, ok, err := r.children(ctx, p, false)
	if err != nil {
		return err
	}
	if !ok {
		t.remove(p)
		return nil
	}
	n := *old
	n.children = names
	if st.Mzxid == old.stat.Mzxid {
		n.stat = st
	}
	t.cur[p] = &n
	for _, c := range old.children {
		if _, found := slices.BinarySearch(names, c); !found {
			t.remove(zkstore.Join(p, c))
		}
	}
	var added []string
	for _, c := range names {
		if _, found := slices.BinarySearch(old.children, c); !found {
			if err = t.loadNode(ctx, r, t.cur, zkstore.Join(p, c), &added); err != nil {
				break
			}
		}
	}
	for _, a := range added {
		t.markDirty(a)
	}
	return err
}

func (t *tree) buildOrder() {
	paths := make([]string, 0, len(t.dirty))
	for p := range t.dirty {
		paths = append(paths, p)
	}
	slices.Sort(paths) // parents before children
	t.order = t.order[:0]
	for i := len(paths) - 1; i >= 0; i-- { // children before parents
		p := paths[i]
		if d, c := t.del[p], t.cur[p]; d != nil && (c == nil || c.stat.Czxid != d.stat.Czxid) {
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
	gone := d != nil && (c == nil || c.stat.Czxid != d.stat.Czxid)
	switch {
	case gone:
		rev := d.stat.Mzxid
		if parent := t.cur[zkstore.Parent(s.path)]; parent != nil {
			rev = max(rev, parent.stat.Pzxid)
		}
		if c != nil {
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
		if !s.delete {
			delete(t.dirty, s.path)
		}
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
	default:
		t.del[ev.Path] = t.cur[ev.Path]
	}
}

func (t *tree) resync() { t.resyncing, t.needSynced = true, true }

func (t *tree) skipInitial() {
	clear(t.del)
	for p, n := range t.cur {
		t.del[p] = n
	}
	clear(t.dirty)
	t.order, t.ordered = t.order[:0], true
	t.needSynced = false
}
