package cachestore

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/zksql/zksql/zkstore"
)

// Every optional capability of the inner store is forwarded.
var (
	_ zkstore.Store             = (*Store)(nil)
	_ zkstore.Pipeliner         = (*Store)(nil)
	_ zkstore.GetAppender       = (*Store)(nil)
	_ zkstore.PersistentWatcher = (*Store)(nil)
	_ zkstore.Introspector      = (*Store)(nil)
)

// Option configures New.
type Option func(*config)

type config struct {
	staleReads bool
	window     int
	group      *Group
}

// DefaultLoadWindow is how many requests the initial load (and every
// reload) keeps outstanding on a pipelining store by default: a znode's
// reads, or on a store that batches reads (zkstore.BatchGetter) the data
// of up to 64 znodes.
const DefaultLoadWindow = 64

// StaleReads lets cached reads answer from memory while the session is
// disconnected, instead of failing with zkstore.ErrConnectionLoss. What
// they answer is the state of the moment the connection was lost, or
// older: changes made since raised no event here.
func StaleReads(ok bool) Option { return func(c *config) { c.staleReads = ok } }

// LoadWindow sets how many requests the load of a subtree keeps
// outstanding on a pipelining store (at least 1; see DefaultLoadWindow).
func LoadWindow(n int) Option {
	return func(c *config) {
		if n < 1 {
			n = 1
		}
		c.window = n
	}
}

// Store answers reads of its subtrees from memory; see the package doc for
// the contract. It owns the inner store: Close closes it.
type Store struct {
	inner zkstore.Store
	cfg   config
	subs  []*subtree // sorted by root; none inside another

	// written counts the writes, syncs and AddAuths through this Store
	// that concern the cache; a subtree whose applied count is lower has
	// something to catch up with before it answers.
	written atomic.Uint64

	ctx    context.Context // ends at Close: bounds the re-reads
	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once
	err    error

	hits, misses atomic.Int64
	groupSynced  atomic.Uint64 // the Group's writes this Store has synced past
}

// New wraps inner, loads subtrees (absolute paths; they need not exist
// yet) and keeps them current. ctx bounds the load only: the Store's
// goroutines end at Close or with the session. inner must be connected and
// must support persistent watches (zkstore.PersistentWatcher on ZooKeeper
// 3.6+); otherwise New fails with an error matching
// zkstore.ErrNoPersistentWatches. A subtree inside another is dropped; one
// at or under /zookeeper is refused. On success the Store owns inner.
func New(ctx context.Context, inner zkstore.Store, subtrees []string, opts ...Option) (*Store, error) {
	cfg := config{window: DefaultLoadWindow}
	for _, o := range opts {
		o(&cfg)
	}
	roots, err := normalizeRoots(subtrees)
	if err != nil {
		return nil, err
	}
	s := &Store{inner: inner, cfg: cfg}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	for _, r := range roots {
		// The watch is set before the load, so that every change after
		// the load's reads is reported; events of changes the load
		// already saw are re-read harmlessly.
		session := inner.SessionEvents(s.ctx)
		// What the channel holds now (memstore gives the current state
		// at once) predates the watch and the load: nothing to reload.
		select {
		case <-session:
		default:
		}
		ch, err := zkstore.AddWatch(s.ctx, inner, r, zkstore.WatchPersistentRecursive)
		if err != nil {
			s.cancel()
			return nil, fmt.Errorf("cachestore: watch %s: %w", r, err)
		}
		s.subs = append(s.subs, newSubtree(s, r, ch, session))
	}
	for _, t := range s.subs {
		nodes, denied, err := t.load(ctx)
		if err != nil {
			s.cancel()
			return nil, fmt.Errorf("cachestore: load %s: %w", t.root, err)
		}
		t.nodes, t.denied = nodes, denied
	}
	for _, t := range s.subs {
		s.wg.Add(1)
		go t.run()
	}
	return s, nil
}

// normalizeRoots validates the subtree roots, sorts them and drops those
// inside another.
func normalizeRoots(subtrees []string) ([]string, error) {
	var roots []string
	for _, r := range subtrees {
		if err := zkstore.ValidatePath(r, false); err != nil {
			return nil, fmt.Errorf("cachestore: subtree %q: %w", r, err)
		}
		if r == zookeeperRoot || strings.HasPrefix(r, zookeeperRoot+"/") {
			return nil, fmt.Errorf("cachestore: subtree %q: %w: ZooKeeper's own znodes are not cached", r, zkstore.ErrBadArguments)
		}
		roots = append(roots, r)
	}
	sort.Strings(roots)
	out := roots[:0]
	for _, r := range roots {
		if len(out) > 0 && within(out[len(out)-1], r) {
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

const zookeeperRoot = "/zookeeper"

// within reports whether p is root or under it.
func within(root, p string) bool {
	if root == "/" {
		return strings.HasPrefix(p, "/")
	}
	return p == root || (len(p) > len(root) && p[len(root)] == '/' && p[:len(root)] == root)
}

// subtreeOf is the cached subtree p is in, nil if none.
func (s *Store) subtreeOf(p string) *subtree {
	for _, t := range s.subs {
		if within(t.root, p) {
			if t.root == "/" && (p == zookeeperRoot || strings.HasPrefix(p, zookeeperRoot+"/")) {
				return nil
			}
			return t
		}
	}
	return nil
}

// Inner is the wrapped store.
func (s *Store) Inner() zkstore.Store { return s.inner }

// Subtrees are the cached subtrees' roots, sorted.
func (s *Store) Subtrees() []string {
	out := make([]string, len(s.subs))
	for i, t := range s.subs {
		out[i] = t.root
	}
	return out
}

// Covers reports whether reads of path are answered from memory (when the
// znode is known to the cache and readable): what EXPLAIN says.
func (s *Store) Covers(path string) bool { return s.subtreeOf(path) != nil }

// Stats are counters of a Store's work since New.
type Stats struct {
	Znodes  int   // znodes held now
	Hits    int64 // reads answered from memory
	Misses  int64 // reads of cached subtrees sent to the server
	Rereads int64 // znodes re-read after an event or an own write
	Loads   int64 // subtree loads, the first included
}

// Stats reports the counters.
func (s *Store) Stats() Stats {
	st := Stats{Hits: s.hits.Load(), Misses: s.misses.Load()}
	for _, t := range s.subs {
		t.mu.RLock()
		st.Znodes += len(t.nodes)
		t.mu.RUnlock()
		st.Rereads += t.rereads.Load()
		st.Loads += t.loads.Load()
	}
	return st
}

// String describes the store.
func (s *Store) String() string {
	return fmt.Sprintf("cachestore(%v, %s)", s.inner, strings.Join(s.Subtrees(), ","))
}

// ---- reads ----

// lookup finds path's cached znode, after the barrier. It returns
// errNotCached when the server must be asked, or an error to return as is.
func (s *Store) lookup(ctx context.Context, op, path string, fn func(n *node)) error {
	t := s.subtreeOf(path)
	if t == nil {
		return errNotCached
	}
	if err := ctx.Err(); err != nil {
		return zkstore.WrapPath(op, path, err)
	}
	switch s.inner.State() {
	case zkstore.StateConnected:
		if err := s.groupSync(ctx, t.root); err != nil {
			return err
		}
		if !t.fresh() {
			if err := t.barrier(ctx); err != nil {
				if errors.Is(err, errNotCached) {
					s.misses.Add(1)
				}
				return zkstore.WrapPath(op, path, err)
			}
		}
	case zkstore.StateDisconnected, zkstore.StateConnecting:
		if !s.cfg.staleReads || t.state.Load() == stateDead || t.torn.Load() {
			return zkstore.WrapPath(op, path, zkstore.ErrConnectionLoss)
		}
	default: // expired, closed, auth failed: the inner store's error
		return errNotCached
	}
	if !t.find(path, fn) {
		s.misses.Add(1)
		return errNotCached
	}
	s.hits.Add(1)
	return nil
}

// errNotCached is lookup's "ask the server"; it never leaves the package.
var errNotCached = errors.New("cachestore: not answered from memory")

func notCached(err error) bool { return errors.Is(err, errNotCached) }

// Get answers from memory inside a cached subtree.
func (s *Store) Get(ctx context.Context, path string) ([]byte, zkstore.Stat, error) {
	var (
		data []byte
		st   zkstore.Stat
	)
	err := s.lookup(ctx, "get", path, func(n *node) {
		if n.data != nil {
			data = append(make([]byte, 0, len(n.data)), n.data...)
		}
		st = n.stat
	})
	if notCached(err) {
		return s.inner.Get(ctx, path)
	}
	if err != nil {
		return nil, zkstore.Stat{}, err
	}
	return data, st, nil
}

// GetAppend is Get appending the data to buf: from memory inside a cached
// subtree, with no allocation of its own (the driver's point SELECT reads
// into one buffer), and through the wrapped store's GetAppend outside.
func (s *Store) GetAppend(ctx context.Context, path string, buf []byte) ([]byte, zkstore.Stat, error) {
	out := buf
	var st zkstore.Stat
	err := s.lookup(ctx, "get", path, func(n *node) {
		out = append(out, n.data...)
		st = n.stat
	})
	if notCached(err) {
		return zkstore.GetAppend(ctx, s.inner, path, buf)
	}
	if err != nil {
		return buf, zkstore.Stat{}, err
	}
	return out, st, nil
}

// Exists answers from memory inside a cached subtree.
func (s *Store) Exists(ctx context.Context, path string) (zkstore.Stat, bool, error) {
	var st zkstore.Stat
	err := s.lookup(ctx, "exists", path, func(n *node) { st = n.stat })
	if notCached(err) {
		return s.inner.Exists(ctx, path)
	}
	if err != nil {
		return zkstore.Stat{}, false, err
	}
	return st, true, nil
}

// Children answers from memory inside a cached subtree.
func (s *Store) Children(ctx context.Context, path string) ([]string, zkstore.Stat, error) {
	var (
		names []string
		st    zkstore.Stat
	)
	err := s.lookup(ctx, "children", path, func(n *node) {
		names = append(make([]string, 0, len(n.children)), n.children...)
		st = n.stat
	})
	if notCached(err) {
		return s.inner.Children(ctx, path)
	}
	if err != nil {
		return nil, zkstore.Stat{}, err
	}
	return names, st, nil
}

// GetAsync answers from memory inside a cached subtree, and otherwise
// sends the read through the inner store.
func (s *Store) GetAsync(ctx context.Context, path string) zkstore.PendingRead {
	r := &zkstore.DoneRead{}
	err := s.lookup(ctx, "get", path, func(n *node) {
		if n.data != nil {
			r.Data = append(make([]byte, 0, len(n.data)), n.data...)
		}
		r.Stat = n.stat
	})
	if notCached(err) {
		return zkstore.GetAsync(ctx, s.inner, path)
	}
	r.Err = err
	return r
}

// ChildrenAsync answers from memory inside a cached subtree, and otherwise
// sends the read through the inner store.
func (s *Store) ChildrenAsync(ctx context.Context, path string) zkstore.PendingRead {
	r := &zkstore.DoneRead{}
	err := s.lookup(ctx, "children", path, func(n *node) {
		r.Names = append(make([]string, 0, len(n.children)), n.children...)
		r.Stat = n.stat
	})
	if notCached(err) {
		return zkstore.ChildrenAsync(ctx, s.inner, path)
	}
	r.Err = err
	return r
}

// Pipelines is the inner store's: reads outside the cache go there.
func (s *Store) Pipelines() bool { return zkstore.Pipelines(s.inner) }

// GetW goes to the server, which sets the watch.
func (s *Store) GetW(ctx context.Context, path string) ([]byte, zkstore.Stat, <-chan zkstore.Event, error) {
	return s.inner.GetW(ctx, path)
}

// ExistsW goes to the server, which sets the watch.
func (s *Store) ExistsW(ctx context.Context, path string) (zkstore.Stat, bool, <-chan zkstore.Event, error) {
	return s.inner.ExistsW(ctx, path)
}

// ChildrenW goes to the server, which sets the watch.
func (s *Store) ChildrenW(ctx context.Context, path string) ([]string, zkstore.Stat, <-chan zkstore.Event, error) {
	return s.inner.ChildrenW(ctx, path)
}

// GetACL goes to the server: ACLs are not cached.
func (s *Store) GetACL(ctx context.Context, path string) ([]zkstore.ACL, zkstore.Stat, error) {
	return s.inner.GetACL(ctx, path)
}

// ---- writes ----

// wrote records a write (or its attempt) on paths: each is re-read
// before the next read of its subtree answers (in full, children too,
// unless the write changed only data), and with it, if it was created or
// deleted, its parent.
func (s *Store) wrote(full bool, paths ...string) {
	cached := false
	for _, p := range paths {
		if zkstore.ValidatePath(p, false) != nil {
			continue
		}
		if t := s.subtreeOf(p); t != nil {
			t.enqueue(p, full)
			cached = true
		}
	}
	if cached {
		s.written.Add(1)
	}
	s.groupWrote()
}

// Create goes to the server; the new znode is re-read before the next
// read of its subtree.
func (s *Store) Create(ctx context.Context, path string, data []byte, opts zkstore.CreateOptions) (string, error) {
	got, err := s.inner.Create(ctx, path, data, opts)
	switch {
	case got != "":
		s.wrote(true, got)
	case opts.Mode.IsSequential():
		// The name is unknown if the outcome is: the parent's re-read
		// finds it.
		s.wrote(true, zkstore.Parent(path))
	default:
		s.wrote(true, path)
	}
	return got, err
}

// Set goes to the server; the znode is re-read before the next read of
// its subtree.
func (s *Store) Set(ctx context.Context, path string, data []byte, version int32) (zkstore.Stat, error) {
	st, err := s.inner.Set(ctx, path, data, version)
	s.wrote(false, path)
	return st, err
}

// Delete goes to the server; the znode is re-read before the next read of
// its subtree.
func (s *Store) Delete(ctx context.Context, path string, version int32) error {
	err := s.inner.Delete(ctx, path, version)
	s.wrote(true, path)
	return err
}

// SetACL goes to the server; the znode is re-read (a refusal to read it
// now makes its reads go to the server).
func (s *Store) SetACL(ctx context.Context, path string, acl []zkstore.ACL, version int32) (zkstore.Stat, error) {
	st, err := s.inner.SetACL(ctx, path, acl, version)
	s.wrote(true, path)
	return st, err
}

// Multi goes to the server; every znode it names is re-read.
func (s *Store) Multi(ctx context.Context, ops ...zkstore.Op) ([]zkstore.OpResult, error) {
	res, err := s.inner.Multi(ctx, ops...)
	var paths []string
	for i, op := range ops {
		if zkstore.ValidOp(op) != nil {
			continue
		}
		p := op.OpPath()
		if i < len(res) && res[i].Path != "" {
			p = res[i].Path
		}
		paths = append(paths, p)
		if c, ok := op.(*zkstore.CreateOp); ok && c.Mode.IsSequential() {
			paths = append(paths, zkstore.Parent(c.Path))
		}
	}
	s.wrote(true, paths...)
	return res, err
}

// Sync goes to the server; its reply comes after the events of everything
// committed before the sync point, and the next read of any subtree
// applies them first.
func (s *Store) Sync(ctx context.Context, path string) error {
	err := s.inner.Sync(ctx, path)
	if err == nil {
		s.written.Add(1)
	}
	return err
}

// AddAuth goes to the server; on success every subtree is loaded again,
// since znodes refused before may now be readable.
func (s *Store) AddAuth(ctx context.Context, scheme string, auth []byte) error {
	err := s.inner.AddAuth(ctx, scheme, auth)
	if err == nil {
		for _, t := range s.subs {
			t.requestReload()
		}
		s.written.Add(1)
	}
	return err
}

// ---- the session ----

// SessionID is the inner store's.
func (s *Store) SessionID() int64 { return s.inner.SessionID() }

// State is the inner store's.
func (s *Store) State() zkstore.State { return s.inner.State() }

// SessionEvents are the inner store's.
func (s *Store) SessionEvents(ctx context.Context) <-chan zkstore.SessionEvent {
	return s.inner.SessionEvents(ctx)
}

// Close closes the inner store and waits for the cache's goroutines.
// Closing a session deletes its ephemerals: for the Group it is a write.
func (s *Store) Close() error {
	s.once.Do(func() {
		s.err = s.inner.Close()
		s.groupWrote()
		s.cancel()
		s.wg.Wait()
	})
	return s.err
}

// ---- forwarded capabilities ----

// AddWatch sets a persistent watch through the inner store.
func (s *Store) AddWatch(ctx context.Context, path string, mode zkstore.WatchMode) (<-chan zkstore.Event, error) {
	return zkstore.AddWatch(ctx, s.inner, path, mode)
}

// errNoIntrospection: the inner store has no system tables.
func (s *Store) introspector() (zkstore.Introspector, error) {
	in, ok := s.inner.(zkstore.Introspector)
	if !ok {
		return nil, fmt.Errorf("cachestore: %T reports nothing about its servers: %w", s.inner, zkstore.ErrUnimplemented)
	}
	return in, nil
}

// Servers is the inner store's.
func (s *Store) Servers(ctx context.Context) ([]zkstore.ServerInfo, error) {
	in, err := s.introspector()
	if err != nil {
		return nil, err
	}
	return in.Servers(ctx)
}

// Connections is the inner store's.
func (s *Store) Connections(ctx context.Context) ([]zkstore.ConnectionInfo, error) {
	in, err := s.introspector()
	if err != nil {
		return nil, err
	}
	return in.Connections(ctx)
}

// Watches is the inner store's.
func (s *Store) Watches(ctx context.Context) ([]zkstore.WatchInfo, error) {
	in, err := s.introspector()
	if err != nil {
		return nil, err
	}
	return in.Watches(ctx)
}

// Ephemerals is the inner store's.
func (s *Store) Ephemerals(ctx context.Context) ([]zkstore.EphemeralInfo, error) {
	in, err := s.introspector()
	if err != nil {
		return nil, err
	}
	return in.Ephemerals(ctx)
}

// Session is the inner store's.
func (s *Store) Session(ctx context.Context) (zkstore.SessionInfo, error) {
	in, err := s.introspector()
	if err != nil {
		return zkstore.SessionInfo{}, err
	}
	return in.Session(ctx)
}

// EnsembleConfig is the inner store's.
func (s *Store) EnsembleConfig(ctx context.Context) (zkstore.EnsembleConfig, error) {
	in, err := s.introspector()
	if err != nil {
		return zkstore.EnsembleConfig{}, err
	}
	return in.EnsembleConfig(ctx)
}
