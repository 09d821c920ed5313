package livestore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/go-zookeeper/zk"

	"github.com/zksql/zksql/zkstore"
	"github.com/zksql/zksql/zkstore/internal/evqueue"
)

// Persistent watches (ZooKeeper 3.6+'s addWatch) are not in go-zookeeper
// v1.0.4, but everything they need is:
//   - the request goes through its unexported queueRequest (call.go), as
//     the point reads do; without it (another go-zookeeper version)
//     AddWatch fails with ErrNoPersistentWatches;
//   - the server reports their events as ordinary watch notifications
//     (xid -1, WatcherEvent). go-zookeeper's receive loop hands every
//     notification to the event callback (Store.onEvent) before it looks
//     for one-shot watchers of its own, and drops it when it has none, so
//     the callback sees every event, in the server's order, whether or not
//     a one-shot watch asked for it. The registry here routes them;
//   - go-zookeeper re-sends only its one-shot watches after a reconnect
//     (setWatches, which knows no persistent ones), so the store sends
//     addWatch again itself once the session is back, and tells each
//     watch's reader to resynchronise (zkstore.EventWatchResync): the
//     server does not replay what changed while the connection was down.
//
// A server before 3.6 answers addWatch with UNIMPLEMENTED and then closes
// the connection (UnimplementedRequestProcessor); the session survives and
// go-zookeeper reconnects, but requests in flight at that moment fail with
// ErrConnectionLoss. So the store remembers the refusal and later
// AddWatches fail at once with ErrNoPersistentWatches, without asking.
//
// Removal: when a path's last watch of a mode is removed, the store sends
// removeWatches with the persistent watcher types (Persistent 4,
// PersistentRecursive 5). Servers before 3.9 know no such removal (they
// answer NoWatcher) and keep the watch until the session ends; the store
// drops its events. It never removes with type Any, which would take the
// session's one-shot watches on that path with it.
//
// A known limit of ZooKeeper 3.6 to 3.8 (ZOOKEEPER-4466, fixed in 3.9):
// the server keeps one watch mode per session and path, the last one set,
// so a one-shot watch (GetW, ExistsW, ChildrenW, and go-zookeeper's
// setWatches after a reconnect) on the very path of a persistent watch of
// the same session turns it into a one-shot watch there, and the two
// persistent modes on one path replace each other. Use separate sessions
// for those combinations on such servers.

const (
	opRemoveWatches = 18
	opAddWatch      = 106 // ZooDefs.OpCode.addWatch, ZooKeeper 3.6+

	watcherTypePersistent          = 4
	watcherTypePersistentRecursive = 5
)

// addWatchOpcode is opAddWatch; a test sends an opcode no server knows
// instead, which a 3.8 server answers as a 3.5 one answers addWatch:
// UNIMPLEMENTED.
var addWatchOpcode int32 = opAddWatch

type addWatchRequest struct {
	Path string
	Mode int32
}

type removeWatchesRequest struct {
	Path string
	Type int32
}

// errRefused: the server does not know addWatch.
var errRefused = fmt.Errorf("%w: the server answered UNIMPLEMENTED", zkstore.ErrNoPersistentWatches)

// emptyResponse is a reply whose body (an ErrorResponse, or nothing) is
// not needed.
type emptyResponse struct{}

var _ zkstore.PersistentWatcher = (*Store)(nil)

// pwKey is one server-side persistent watch: the full path and the mode.
type pwKey struct {
	full string
	mode zkstore.WatchMode
}

// pwatcher is one AddWatch's channel.
type pwatcher struct {
	key  pwKey
	path string // the caller's path, for EventNotWatching and resyncs
	q    *evqueue.Queue
	stop func() bool
}

// pwRegistry is the store's persistent watches. Events are put from the
// event callback (never blocking: the queues are unbounded); the server
// watches are added and removed by AddWatch, by removal, and after a
// reconnect.
type pwRegistry struct {
	mu       sync.Mutex
	watchers map[pwKey]map[*pwatcher]struct{}
	// removing holds, per key, a channel closed when a removeWatches sent
	// for it has been answered: an AddWatch of that key waits for it, so
	// the removal cannot reach the server after the new addWatch.
	removing map[pwKey]chan struct{}
	ended    error // the session is over; later AddWatches fail with it
	// refused is set once the server answered addWatch UNIMPLEMENTED:
	// later AddWatches fail at once, for the server also drops the
	// connection with that answer.
	refused atomic.Bool
}

// AddWatch sets a persistent watch (zkstore.PersistentWatcher).
func (s *Store) AddWatch(ctx context.Context, path string, mode zkstore.WatchMode) (<-chan zkstore.Event, error) {
	const op = "addWatch"
	if err := s.checkRead(op, path, false); err != nil {
		return nil, err
	}
	if mode != zkstore.WatchPersistent && mode != zkstore.WatchPersistentRecursive {
		return nil, pathErr(op, path, fmt.Errorf("%w: watch mode %d", zkstore.ErrBadArguments, int32(mode)))
	}
	if err := s.checkRequest(zkstore.PathRequestSize(s.abs(path), false) + 4); err != nil {
		return nil, pathErr(op, path, err)
	}
	if !rawMulti {
		return nil, pathErr(op, path, fmt.Errorf("%w (go-zookeeper other than %s)", zkstore.ErrNoPersistentWatches, zkVersion))
	}
	key := pwKey{full: s.abs(path), mode: mode}
	r := &s.pwatches
	if r.refused.Load() {
		return nil, pathErr(op, path, errRefused)
	}
	// Registered before the request is sent, so that no event the server
	// sends after setting the watch can pass unseen.
	w, err := r.add(ctx, key, path)
	if err != nil {
		return nil, pathErr(op, path, err)
	}
	err = s.call(ctx, addWatchOpcode, &addWatchRequest{Path: key.full, Mode: int32(mode)}, &emptyResponse{})
	if err != nil {
		s.removePersistent(w)
		err = s.fail(op, path, err, false)
		if errors.Is(err, zkstore.ErrUnimplemented) {
			r.refused.Store(true)
			err = pathErr(op, path, errRefused)
		}
		return nil, err
	}
	s.batchReads.Store(true) // a 3.6 server: it answers multiRead too
	stop := context.AfterFunc(ctx, func() { s.removePersistent(w) })
	r.mu.Lock()
	w.stop = stop
	r.mu.Unlock()
	return w.q.C(), nil
}

// add registers a watcher, after any removal of its key still in flight.
func (r *pwRegistry) add(ctx context.Context, key pwKey, path string) (*pwatcher, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for {
		if r.ended != nil {
			return nil, r.ended
		}
		done := r.removing[key]
		if done == nil {
			break
		}
		r.mu.Unlock()
		select {
		case <-done:
		case <-ctx.Done():
			r.mu.Lock()
			return nil, ctx.Err()
		}
		r.mu.Lock()
	}
	if r.watchers == nil {
		r.watchers = map[pwKey]map[*pwatcher]struct{}{}
		r.removing = map[pwKey]chan struct{}{}
	}
	w := &pwatcher{key: key, path: path, q: evqueue.New(path), stop: func() bool { return false }}
	if r.watchers[key] == nil {
		r.watchers[key] = map[*pwatcher]struct{}{}
	}
	r.watchers[key][w] = struct{}{}
	return w, nil
}

// removePersistent takes a watcher out; when it was its key's last, the
// server's watch is removed too, in a goroutine of the store. (r.mu is
// never held while s.mu is taken: the event callback holds s.mu when it
// takes r.mu.)
func (s *Store) removePersistent(w *pwatcher) {
	r := &s.pwatches
	r.mu.Lock()
	set := r.watchers[w.key]
	if _, ok := set[w]; !ok {
		r.mu.Unlock()
		return
	}
	delete(set, w)
	w.q.Close()
	if len(set) > 0 || r.ended != nil {
		r.mu.Unlock()
		return
	}
	delete(r.watchers, w.key)
	done := make(chan struct{})
	r.removing[w.key] = done
	r.mu.Unlock()
	if !s.track() {
		r.mu.Lock()
		delete(r.removing, w.key)
		r.mu.Unlock()
		close(done)
		return
	}
	typ := int32(watcherTypePersistent)
	if w.key.mode == zkstore.WatchPersistentRecursive {
		typ = watcherTypePersistentRecursive
	}
	go func() {
		defer s.inflight.Done()
		// The outcome does not matter: a server before 3.9 answers
		// NoWatcher and keeps the watch, whose events are then dropped;
		// a lost connection takes the watch with it (nothing re-adds it).
		_ = s.call(context.Background(), opRemoveWatches, &removeWatchesRequest{Path: w.key.full, Type: typ}, &emptyResponse{})
		r.mu.Lock()
		delete(r.removing, w.key)
		r.mu.Unlock()
		close(done)
	}()
}

// fire delivers a node event of the server to the persistent watches it
// fires, as the server's WatchManager chose them: a persistent watch on
// the event's path takes every type; a recursive one on the path or an
// ancestor all but NodeChildrenChanged. It runs on the event callback.
func (s *Store) firePersistent(ev zk.Event) {
	r := &s.pwatches
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.watchers) == 0 {
		return
	}
	out := zkstore.Event{Type: zkstore.EventType(ev.Type), Path: s.rel(ev.Path)}
	for w := range r.watchers[pwKey{ev.Path, zkstore.WatchPersistent}] {
		w.q.Put(out)
	}
	if ev.Type == zk.EventNodeChildrenChanged {
		return
	}
	for p := ev.Path; ; {
		for w := range r.watchers[pwKey{p, zkstore.WatchPersistentRecursive}] {
			w.q.Put(out)
		}
		if p == "/" || p == "" {
			return
		}
		i := len(p) - 1
		for i > 0 && p[i] != '/' {
			i--
		}
		if i == 0 {
			p = "/"
		} else {
			p = p[:i]
		}
	}
}

// endPersistent ends every persistent watch with EventNotWatching and the
// reason; later AddWatches fail with it.
func (s *Store) endPersistent(reason error) {
	r := &s.pwatches
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ended != nil {
		return
	}
	r.ended = reason
	for key, set := range r.watchers {
		for w := range set {
			w.stop()
			w.q.End(zkstore.Event{Type: zkstore.EventNotWatching, Path: w.path, Err: reason})
		}
		delete(r.watchers, key)
	}
}

// readdPersistentLocked sets the persistent watches again on a new
// connection of the session, then tells their readers to resynchronise.
// It is called from the event callback with s.mu held, and so sends in a
// goroutine: it waits for replies.
func (s *Store) readdPersistentLocked() {
	r := &s.pwatches
	r.mu.Lock()
	keys := make([]pwKey, 0, len(r.watchers))
	for key := range r.watchers {
		keys = append(keys, key)
	}
	r.mu.Unlock()
	if len(keys) == 0 || s.closing {
		return
	}
	s.inflight.Add(1)
	go func() {
		defer s.inflight.Done()
		for _, key := range keys {
			err := s.call(context.Background(), addWatchOpcode, &addWatchRequest{Path: key.full, Mode: int32(key.mode)}, &emptyResponse{})
			if err != nil {
				// The connection went again (the next reconnect re-adds)
				// or the session ended (the watches end).
				s.cfg.logger.Printf("livestore: setting a persistent watch again after reconnecting: %v", err)
				return
			}
			r.mu.Lock()
			for w := range r.watchers[key] {
				w.q.Put(zkstore.Event{Type: zkstore.EventWatchResync, Path: w.path})
			}
			r.mu.Unlock()
		}
	}()
}
