package watch

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/zksql/zksql/zkstore"
)

// kind is what a stream watches: it reads state through a reader (which
// arms the watches) and turns the difference between the state it has read
// and the state it has delivered into events.
type kind interface {
	// load reads the whole state afresh, replacing the current state only
	// when it succeeds.
	load(ctx context.Context, r *reader) error
	// fired updates the current state after a watch fired. It is also
	// how a read that failed is tried again: on an error it leaves the
	// state such that calling it again (or, if the error is a *retryAt,
	// calling it for each of its keys) completes the update.
	fired(ctx context.Context, r *reader, key watchKey, ev zkstore.Event) error
	// next is the next event to deliver, if the delivered state differs
	// from the current one. It never changes anything.
	next() (Event, bool)
	// commit records ev, which next returned, as delivered.
	commit(ev Event)
	// resync makes the next events report a resync.
	resync()
	// skipInitial takes the state just loaded as delivered.
	skipInitial()
}

// watchKey names one armed watch: a data watch (GetW, ExistsW) or a child
// watch (ChildrenW) on a path.
type watchKey struct {
	path  string
	child bool
}

// retryAt is an error of fired after which the update is completed by
// calling fired for keys rather than for the key that fired.
type retryAt struct {
	keys []watchKey
	err  error
}

func (e *retryAt) Error() string { return e.err.Error() }
func (e *retryAt) Unwrap() error { return e.err }

// retryWith adds k to the keys to call fired for again after err.
func retryWith(err error, k watchKey) error {
	var ra *retryAt
	if errors.As(err, &ra) {
		ra.keys = append(ra.keys, k)
		return ra
	}
	return &retryAt{keys: []watchKey{k}, err: err}
}

type firing struct {
	gen uint64
	key watchKey
	ev  zkstore.Event
}

// engine runs one stream.
type engine struct {
	src  Source
	k    kind
	cfg  config
	path string
	out  chan Event

	firings chan firing
	done    chan struct{} // closed when the stream ends: stops the forwarders
	wg      sync.WaitGroup

	// gen is bumped whenever the watches armed so far stop counting (a
	// new session, a full re-read); firings of older generations are
	// ignored.
	gen   uint64
	armed map[watchKey]bool
	// direct are watches of this generation that run selects on itself.
	// A Node or Children stream has one or two watches armed at a time,
	// and a forwarder goroutine would put a second wake-up between the
	// store's event and the re-read; further watches (a Tree's) get
	// forwarders.
	direct [2]directWatch

	// The persistent recursive watch of a Tree (cfg.persistent) on the
	// current session: pw delivers its events, nil when none is set.
	// recursive: reads arm no one-shot watch (pw reports every change of
	// the subtree). oneShot: the session's store has no persistent
	// watches (detected), so the stream arms one-shot watches instead.
	pw        <-chan zkstore.Event
	recursive bool
	oneShot   bool
	// stopPW removes the persistent watch; fallBack tells a Tree that
	// another stream arms one-shot watches on its root through its store
	// (see samePath); release drops the session's claim there.
	stopPW   context.CancelFunc
	fallBack chan struct{}
	release  func()
}

type directWatch struct {
	key watchKey
	ch  <-chan zkstore.Event // nil: the slot is free
}

const (
	minBackoff = 20 * time.Millisecond
	maxBackoff = time.Second
)

func start(ctx context.Context, src Source, path string, k kind, cfg config) <-chan Event {
	e := &engine{
		src:     src,
		k:       k,
		cfg:     cfg,
		path:    path,
		out:     make(chan Event),
		firings: make(chan firing, 16),
		done:    make(chan struct{}),
		armed:   map[watchKey]bool{},
		stopPW:  func() {},
		release: func() {},
	}
	if cfg.persistent {
		e.fallBack = make(chan struct{}, 1)
	}
	go e.run(ctx)
	return e.out
}

// arm takes a watch channel into a free direct slot, or else hands it to
// a forwarder goroutine of this generation.
func (e *engine) arm(key watchKey, ch <-chan zkstore.Event) {
	e.armed[key] = true
	for i := range e.direct {
		if e.direct[i].ch == nil {
			e.direct[i] = directWatch{key, ch}
			return
		}
	}
	gen := e.gen
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		select {
		case ev, ok := <-ch:
			select {
			case e.firings <- firing{gen, key, closedWatch(key, ev, ok)}:
			case <-e.done:
			}
		case <-e.done:
		}
	}()
}

// closedWatch is the event of a watch channel closed without one.
func closedWatch(key watchKey, ev zkstore.Event, ok bool) zkstore.Event {
	if !ok {
		return zkstore.Event{Type: zkstore.EventNotWatching, Path: key.path, Err: zkstore.ErrClosed}
	}
	return ev
}

// takeDirect frees direct slot i, whose watch fired.
func (e *engine) takeDirect(i int, ev zkstore.Event, ok bool) firing {
	d := e.direct[i]
	e.direct[i] = directWatch{}
	return firing{e.gen, d.key, closedWatch(d.key, ev, ok)}
}

func (e *engine) newGen() {
	e.gen++
	clear(e.armed)
	e.direct = [2]directWatch{} // the store's buffered channels need no reader
}

// dropSession forgets the persistent watch of a session that is gone; the
// end of the session's context removes it.
func (e *engine) dropSession() {
	e.stopPW()
	e.release()
	e.pw, e.recursive, e.oneShot = nil, false, false
	e.stopPW, e.release = func() {}, func() {}
}

// claim records, for a stream that arms one-shot watches on its path (a
// Node or Children stream), that it does so through st.
func (e *engine) claim(st zkstore.Store) {
	if !e.cfg.persistent {
		e.release = claimOneShot(e, st)
	}
}

// fallToOneShot makes a Tree follow its subtree with one-shot watches
// from now on (see samePath); the caller re-reads it.
func (e *engine) fallToOneShot(st zkstore.Store) {
	e.stopPW()
	e.release()
	e.pw, e.recursive, e.oneShot = nil, false, true
	e.stopPW = func() {}
	e.release = claimOneShot(e, st)
}

// watchRecursive sets the persistent recursive watch a Tree follows its
// subtree with, on the session whose context is sctx, unless it is set or
// the store has none (then the stream falls back to one-shot watches).
// Set before the subtree is read, it reports every change made after the
// read began.
func (e *engine) watchRecursive(sctx context.Context, st zkstore.Store) error {
	if !e.cfg.persistent || e.pw != nil || e.oneShot {
		return nil
	}
	pw, ok := zkstore.PersistentWatcherOf(st)
	if !ok {
		e.oneShot = true
		return nil
	}
	release, ok := claimRecursive(e, st)
	if !ok {
		e.fallToOneShot(st)
		return nil
	}
	wctx, stop := context.WithCancel(sctx)
	ch, err := pw.AddWatch(wctx, e.path, zkstore.WatchPersistentRecursive)
	if err != nil {
		stop()
		release()
		if errors.Is(err, zkstore.ErrNoPersistentWatches) {
			e.oneShot = true
			return nil
		}
		return err
	}
	e.pw, e.recursive, e.stopPW, e.release = ch, true, stop, release
	return nil
}

// maxBatch bounds the events of a persistent watch taken at once, and so
// the reads sent ahead for them.
const maxBatch = 256

// takeBatch adds to keys the node events already waiting behind first
// (up to maxBatch), stopping at one that is not a node event, which it
// returns.
func (e *engine) takeBatch(keys []watchKey) ([]watchKey, zkstore.Event, bool) {
	for len(keys) < maxBatch {
		select {
		case ev, ok := <-e.pw:
			if !ok || !isNodeEvent(ev.Type) {
				return keys, ev, !ok
			}
			keys = append(keys, watchKey{ev.Path, false})
		default:
			return keys, zkstore.Event{}, false
		}
	}
	return keys, zkstore.Event{}, false
}

func isNodeEvent(t zkstore.EventType) bool {
	switch t {
	case zkstore.EventNodeCreated, zkstore.EventNodeDeleted, zkstore.EventNodeDataChanged, zkstore.EventNodeChildrenChanged:
		return true
	}
	return false
}

func sessionGone(err error) bool {
	return errors.Is(err, zkstore.ErrSessionExpired) || errors.Is(err, zkstore.ErrClosed)
}

// copyOut gives the receiver its own copy of the data.
func (e *engine) copyOut(ev Event) Event {
	if ev.Data != nil {
		ev.Data = bytes.Clone(ev.Data)
	}
	if ev.Children != nil {
		ev.Children = slices.Clone(ev.Children)
	}
	return ev
}

// flush delivers the last events of a stream that is ending.
func (e *engine) flush(ctx context.Context, queue []Event) {
	for _, ev := range queue {
		if ev.Path == "" {
			ev.Path = e.path
		}
		select {
		case e.out <- ev:
		case <-ctx.Done():
			return
		}
	}
}

// reader reads through one session, arming each watch at most once: a
// watch already armed on a path fires on any later change, so the path is
// then read without a new one. This keeps one watch per path and kind
// however often a stream re-reads.
//
// Under a persistent recursive watch (e.recursive) it arms nothing: the
// watch reports every change. It can then send reads ahead (readAhead)
// for the znodes a batch of events names.
type reader struct {
	st zkstore.Store
	e  *engine

	// ahead are reads sent before their turn, by path; read are the
	// paths read since (a read sent ahead of one of them is older than
	// what the stream has seen, so it is not used).
	ahead map[string]zkstore.PendingRead
	read  map[string]bool
}

// readAhead sends a Get for each path keys name, where the store
// pipelines reads: the events of a persistent watch are then handled in
// one round trip, in their order.
func (r *reader) readAhead(ctx context.Context, keys []watchKey) {
	p, ok := zkstore.PipelinerOf(r.st)
	if !ok || len(keys) < 2 {
		return
	}
	r.ahead, r.read = map[string]zkstore.PendingRead{}, map[string]bool{}
	for _, k := range keys {
		if _, dup := r.ahead[k.path]; !dup && !k.child {
			r.ahead[k.path] = p.GetAsync(ctx, k.path)
		}
	}
}

// plainGet reads path without a watch, taking a read sent ahead if no
// other read of path came since.
func (r *reader) plainGet(ctx context.Context, path string) ([]byte, zkstore.Stat, error) {
	if pr, ok := r.ahead[path]; ok {
		delete(r.ahead, path)
		if !r.read[path] {
			r.read[path] = true
			return pr.Get()
		}
	}
	r.saw(path)
	return r.st.Get(ctx, path)
}

func (r *reader) saw(path string) {
	if r.read != nil {
		r.read[path] = true
	}
}

// get reads a znode's data, arming a data watch. If the znode is absent,
// it arms an exists watch when watchAbsent (to hear of its creation).
func (r *reader) get(ctx context.Context, path string, watchAbsent bool) ([]byte, zkstore.Stat, bool, error) {
	if r.e.recursive {
		return absent(r.plainGet(ctx, path))
	}
	key := watchKey{path, false}
	if r.e.armed[key] {
		data, st, err := r.st.Get(ctx, path)
		return absent(data, st, err)
	}
	data, st, ch, err := r.st.GetW(ctx, path)
	if err == nil {
		r.e.arm(key, ch)
		return data, st, true, nil
	}
	if !errors.Is(err, zkstore.ErrNoNode) || !watchAbsent {
		return absent(nil, zkstore.Stat{}, err)
	}
	_, ok, err := r.existsW(ctx, path)
	if err != nil || !ok {
		return nil, zkstore.Stat{}, false, err
	}
	// Created in between: the exists watch now covers its data.
	data, st, err = r.st.Get(ctx, path)
	return absent(data, st, err)
}

func absent(data []byte, st zkstore.Stat, err error) ([]byte, zkstore.Stat, bool, error) {
	if errors.Is(err, zkstore.ErrNoNode) {
		return nil, zkstore.Stat{}, false, nil
	}
	if err != nil {
		return nil, zkstore.Stat{}, false, err
	}
	return data, st, true, nil
}

// existsW checks a znode, arming a data watch unless one is armed.
func (r *reader) existsW(ctx context.Context, path string) (zkstore.Stat, bool, error) {
	key := watchKey{path, false}
	if r.e.armed[key] {
		return r.st.Exists(ctx, path)
	}
	st, ok, ch, err := r.st.ExistsW(ctx, path)
	if err != nil {
		return zkstore.Stat{}, false, err
	}
	r.e.arm(key, ch)
	return st, ok, nil
}

// children lists a znode's children, arming a child watch. If the znode is
// absent, it arms an exists watch when watchAbsent.
func (r *reader) children(ctx context.Context, path string, watchAbsent bool) ([]string, zkstore.Stat, bool, error) {
	key := watchKey{path, true}
	if r.e.recursive {
		r.saw(path)
		names, st, err := r.st.Children(ctx, path)
		if err == nil && names == nil {
			names = []string{}
		}
		if err != nil {
			_, _, _, err = absent(nil, st, err)
			return nil, zkstore.Stat{}, false, err
		}
		return names, st, true, nil
	}
	for range 3 {
		var (
			names []string
			st    zkstore.Stat
			err   error
		)
		if r.e.armed[key] {
			names, st, err = r.st.Children(ctx, path)
		} else {
			var ch <-chan zkstore.Event
			names, st, ch, err = r.st.ChildrenW(ctx, path)
			if err == nil {
				r.e.arm(key, ch)
			}
		}
		if err == nil {
			if names == nil {
				names = []string{}
			}
			return names, st, true, nil
		}
		if !errors.Is(err, zkstore.ErrNoNode) || !watchAbsent {
			_, _, _, err = absent(nil, st, err)
			return nil, zkstore.Stat{}, false, err
		}
		_, ok, err := r.existsW(ctx, path)
		if err != nil || !ok {
			return nil, zkstore.Stat{}, false, err
		}
		// Created in between: list it again.
	}
	// Created and deleted over and over: the armed watches will tell.
	return nil, zkstore.Stat{}, false, nil
}

// parentPzxid is the Pzxid of path's parent (0 for the root or when the
// parent is gone), read without a watch: the Revision of a deletion.
func (r *reader) parentPzxid(ctx context.Context, path string) (int64, error) {
	parent := zkstore.Parent(path)
	if parent == "" {
		return 0, nil
	}
	r.saw(parent)
	st, ok, err := r.st.Exists(ctx, parent)
	if err != nil || !ok {
		return 0, err
	}
	return st.Pzxid, nil
}
