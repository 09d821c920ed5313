package watch

import (
	"context"
	"slices"

	"github.com/zksql/zksql/zkstore"
)

// Node streams the data and existence of the znode at path, which need not
// exist. Its events are Current, Created, DataChanged and Deleted, with
// Revision the znode's Mzxid, plus the status events; see the package
// documentation for the contract.
func Node(ctx context.Context, src Source, path string, opts ...Option) <-chan Event {
	return start(ctx, src, path, &single{path: path}, newConfig(opts))
}

// Children streams the list of children of the znode at path, which need
// not exist. Its events are Current, Created, ChildrenChanged and Deleted,
// each with the full sorted list in Children and Revision the znode's
// Pzxid, plus the status events; see the package documentation.
func Children(ctx context.Context, src Source, path string, opts ...Option) <-chan Event {
	return start(ctx, src, path, &single{path: path, children: true}, newConfig(opts))
}

// state is one znode as read.
type state struct {
	exists bool
	data   []byte
	names  []string
	stat   zkstore.Stat
	// absentRev is the parent's Pzxid read when the znode was absent.
	absentRev int64
}

// single is the kind of Node and Children streams: one znode.
type single struct {
	path     string
	children bool

	cur, del  state
	delRev    int64 // Revision of the last event delivered
	loaded    bool
	given     bool // the initial state was delivered
	resyncing bool
}

func (s *single) read(ctx context.Context, r *reader) (state, error) {
	var (
		n   state
		err error
	)
	// Most reads (every DataChanged, ChildrenChanged) find the znode: read
	// it first, alone. The parent's Pzxid matters only when it is absent,
	// and it must then be read before the znode, so that it orders the
	// absence seen after it; so an absent znode is read again, behind its
	// parent. That costs a round trip only when the znode is gone, where
	// reading the parent first cost one on every change.
	if s.children {
		n.names, n.stat, n.exists, err = r.children(ctx, s.path, true)
	} else {
		n.data, n.stat, n.exists, err = r.get(ctx, s.path, true)
	}
	if err != nil || n.exists {
		return n, err
	}
	n = state{}
	prev, err := r.parentPzxid(ctx, s.path)
	if err != nil {
		return n, err
	}
	if s.children {
		n.names, n.stat, n.exists, err = r.children(ctx, s.path, true)
	} else {
		n.data, n.stat, n.exists, err = r.get(ctx, s.path, true)
	}
	if !n.exists {
		n.absentRev = prev
	}
	return n, err
}

func (s *single) load(ctx context.Context, r *reader) error {
	n, err := s.read(ctx, r)
	if err != nil {
		return err
	}
	s.cur, s.loaded = n, true
	return nil
}

func (s *single) fired(ctx context.Context, r *reader, _ watchKey, _ zkstore.Event) error {
	return s.load(ctx, r)
}

func (s *single) rev(n state) int64 {
	if s.children {
		return n.stat.Pzxid
	}
	return n.stat.Mzxid
}

func (s *single) event(t EventType, n state) Event {
	ev := Event{Type: t, Path: s.path, Exists: n.exists, Resync: s.resyncing}
	if n.exists {
		ev.Data, ev.Stat, ev.Revision = n.data, n.stat, s.rev(n)
		if s.children {
			ev.Children = n.names
		}
	} else {
		ev.Revision = max(n.absentRev, s.delRev)
	}
	if s.children && ev.Children == nil && n.exists {
		ev.Children = []string{}
	}
	return ev
}

func (s *single) next() (Event, bool) {
	if !s.loaded {
		return Event{}, false
	}
	c, d := s.cur, s.del
	switch {
	case !s.given || s.resyncing:
		return s.event(Current, c), true
	case d.exists && (!c.exists || c.stat.Czxid != d.stat.Czxid):
		ev := s.event(Deleted, state{absentRev: c.absentRev})
		if c.exists { // deleted and created again
			ev.Revision = max(c.stat.Czxid, s.delRev)
		}
		return ev, true
	case !d.exists && c.exists:
		return s.event(Created, c), true
	case !c.exists:
		return Event{}, false
	case s.children && (c.stat.Pzxid != d.stat.Pzxid || !slices.Equal(c.names, d.names)):
		return s.event(ChildrenChanged, c), true
	case !s.children && c.stat.Mzxid != d.stat.Mzxid:
		return s.event(DataChanged, c), true
	}
	return Event{}, false
}

func (s *single) commit(ev Event) {
	s.given, s.resyncing = true, false
	s.delRev = max(s.delRev, ev.Revision)
	if ev.Type == Deleted {
		s.del = state{}
		return
	}
	s.del = s.cur // next ran on this very state
}

func (s *single) resync() { s.resyncing = true }

func (s *single) skipInitial() {
	s.del, s.given = s.cur, true
	s.delRev = s.rev(s.cur)
}
