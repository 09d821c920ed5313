package memstore

import (
	"context"
	"fmt"

	"github.com/zksql/zksql/zkstore"
	"github.com/zksql/zksql/zkstore/internal/evqueue"
)

var _ zkstore.PersistentWatcher = (*Session)(nil)

// pwatch is one persistent watch handed out by AddWatch.
type pwatch struct {
	sess *Session
	path string
	mode zkstore.WatchMode
	q    *evqueue.Queue
	stop func() bool // stops the context.AfterFunc that removes it
}

// persistentWatches are the persistent watches of a server, guarded by
// srv.watchMu; the maps are made on first use.
type persistentWatches struct {
	exact     map[string]map[*pwatch]struct{} // WatchPersistent, by path
	recursive map[string]map[*pwatch]struct{} // WatchPersistentRecursive, by path
	bySession map[*Session]map[*pwatch]struct{}
}

func (pw *persistentWatches) table(mode zkstore.WatchMode) map[string]map[*pwatch]struct{} {
	if mode == zkstore.WatchPersistentRecursive {
		return pw.recursive
	}
	return pw.exact
}

// AddWatch sets a persistent watch with ZooKeeper 3.6+'s semantics (see
// zkstore.PersistentWatcher): like the server's addWatch it needs no
// permission and no znode at path. Watches of one session on the same
// path in both modes each get their events, as on ZooKeeper 3.9 (3.6 to
// 3.8 keep one mode per session and path, the last one set).
func (s *Session) AddWatch(ctx context.Context, path string, mode zkstore.WatchMode) (<-chan zkstore.Event, error) {
	const op = "addWatch"
	if err := s.start(ctx, op, path); err != nil {
		return nil, err
	}
	if mode != zkstore.WatchPersistent && mode != zkstore.WatchPersistentRecursive {
		return nil, wrap(op, path, fmt.Errorf("%w: watch mode %d", zkstore.ErrBadArguments, int32(mode)))
	}
	// AddWatchRequest: the path and the mode, an int.
	if err := s.checkRequest(zkstore.PathRequestSize(path, false) + 4); err != nil {
		return nil, wrap(op, path, err)
	}
	var w *pwatch
	err := s.read(op, path, func() error {
		w = s.srv.addPersistent(ctx, s, path, mode)
		return nil
	})
	if err != nil {
		if w != nil { // a fault after the watch was set: the caller gets no channel
			s.srv.removePersistent(w)
		}
		return nil, err
	}
	return w.q.C(), nil
}

// addPersistent registers a persistent watch; the caller holds srv.mu
// (read or write), so no transaction commits meanwhile.
func (srv *Server) addPersistent(ctx context.Context, sess *Session, path string, mode zkstore.WatchMode) *pwatch {
	w := &pwatch{sess: sess, path: path, mode: mode, q: evqueue.New(path)}
	srv.watchMu.Lock()
	pw := &srv.pwatches
	if pw.exact == nil {
		pw.exact = map[string]map[*pwatch]struct{}{}
		pw.recursive = map[string]map[*pwatch]struct{}{}
		pw.bySession = map[*Session]map[*pwatch]struct{}{}
	}
	m := pw.table(mode)
	if m[path] == nil {
		m[path] = map[*pwatch]struct{}{}
	}
	m[path][w] = struct{}{}
	if pw.bySession[sess] == nil {
		pw.bySession[sess] = map[*pwatch]struct{}{}
	}
	pw.bySession[sess][w] = struct{}{}
	srv.watchMu.Unlock()
	w.stop = context.AfterFunc(ctx, func() { srv.removePersistent(w) })
	return w
}

// removePersistent takes a watch out of the tables, as removeWatches
// does, and closes its channel.
func (srv *Server) removePersistent(w *pwatch) {
	srv.watchMu.Lock()
	defer srv.watchMu.Unlock()
	srv.unlinkPersistentLocked(w)
	w.q.Close()
}

func (srv *Server) unlinkPersistentLocked(w *pwatch) {
	pw := &srv.pwatches
	if pw.exact == nil {
		return
	}
	m := pw.table(w.mode)
	if set := m[w.path]; set != nil {
		delete(set, w)
		if len(set) == 0 {
			delete(m, w.path)
		}
	}
	if set := pw.bySession[w.sess]; set != nil {
		delete(set, w)
		if len(set) == 0 {
			delete(pw.bySession, w.sess)
		}
	}
}

// triggerPersistent delivers an event to the persistent watches it fires,
// as WatchManager.triggerWatch does: a persistent watch on the event's
// path takes every type; a recursive watch on the path or any ancestor
// takes all but NodeChildrenChanged. As the server does since the fix of
// CVE-2024-23944 (3.8.4, 3.9.2; Debian's 3.8.0-11+deb12u2 has it), an
// event goes only to a session with READ permission on the znode (for
// NodeChildrenChanged, its parent), so a recursive watch reveals nothing
// of znodes its session cannot read. The caller holds srv.mu for writing
// (sessions' auth) and srv.watchMu.
func (srv *Server) triggerPersistentLocked(ev event) {
	pw := &srv.pwatches
	if len(pw.exact) == 0 && len(pw.recursive) == 0 {
		return
	}
	out := zkstore.Event{Type: ev.typ, Path: ev.path}
	put := func(w *pwatch) {
		if checkACL(ev.acl, zkstore.PermRead, w.sess.auth) == nil {
			w.q.Put(out)
		}
	}
	for w := range pw.exact[ev.path] {
		put(w)
	}
	if ev.typ == zkstore.EventNodeChildrenChanged || len(pw.recursive) == 0 {
		return
	}
	for p := ev.path; ; {
		for w := range pw.recursive[p] {
			put(w)
		}
		if p == "/" {
			return
		}
		p, _ = splitPath(p)
	}
}

// endPersistentLocked ends every persistent watch of sess with
// EventNotWatching and err. The caller holds srv.watchMu.
func (srv *Server) endPersistentLocked(sess *Session, err error) {
	for w := range srv.pwatches.bySession[sess] {
		srv.unlinkPersistentLocked(w)
		w.stop()
		w.q.End(zkstore.Event{Type: zkstore.EventNotWatching, Path: w.path, Err: err})
	}
}

// resyncPersistent tells sess's persistent watches that the session was
// reconnected, as a real client's are after it set them again; a memstore
// session misses nothing meanwhile, but its readers take the same path
// as on a live server.
func (srv *Server) resyncPersistent(sess *Session) {
	srv.watchMu.Lock()
	defer srv.watchMu.Unlock()
	for w := range srv.pwatches.bySession[sess] {
		w.q.Put(zkstore.Event{Type: zkstore.EventWatchResync, Path: w.path})
	}
}
