package memstore

import "github.com/zksql/zksql/zkstore"

// watch is one channel handed out by GetW, ExistsW or ChildrenW. It gets
// exactly one event and is then closed; the channel's buffer of one means
// delivering never blocks.
type watch struct {
	sess  *Session
	path  string
	child bool // a child watch; otherwise a data (getData/exists) watch
	ch    chan zkstore.Event
}

func (w *watch) fire(ev zkstore.Event) {
	w.ch <- ev
	close(w.ch)
}

// watchSet is a path's watches of one kind.
type watchSet map[*watch]struct{}

// addWatch registers a watch; the caller holds srv.mu (read or write).
func (srv *Server) addWatch(sess *Session, path string, child bool) <-chan zkstore.Event {
	w := &watch{sess: sess, path: path, child: child, ch: make(chan zkstore.Event, 1)}
	srv.watchMu.Lock()
	defer srv.watchMu.Unlock()
	m := srv.dataWatches
	if child {
		m = srv.childWatches
	}
	set := m[path]
	if set == nil {
		set = watchSet{}
		m[path] = set
	}
	set[w] = struct{}{}
	sess.watches[w] = struct{}{}
	return w.ch
}

// event is a change a transaction made, waiting to trigger watches.
type event struct {
	typ  zkstore.EventType
	path string
	// acl is the ACL the server checks a persistent watcher's READ
	// permission against before it sends the event: the znode's, or for
	// NodeChildrenChanged its parent's (persistent.go).
	acl []zkstore.ACL
}

// trigger fires the watches an event triggers, as DataTree does: NodeCreated
// and NodeDataChanged the data watches, NodeChildrenChanged the child
// watches, NodeDeleted both. The caller holds srv.mu for writing.
func (srv *Server) trigger(ev event) {
	srv.watchMu.Lock()
	defer srv.watchMu.Unlock()
	fireSet := func(m map[string]watchSet) {
		set := m[ev.path]
		if set == nil {
			return
		}
		delete(m, ev.path)
		for w := range set {
			// Since the fix of CVE-2024-23944 the server sends an event
			// only to a session that may read the znode (NodeChildrenChanged:
			// its parent). The server's watch is used up either way; the
			// client's waits on, to end with EventNotWatching when the
			// session does, as a live store's does.
			if checkACL(ev.acl, zkstore.PermRead, w.sess.auth) == nil {
				delete(w.sess.watches, w)
				w.fire(zkstore.Event{Type: ev.typ, Path: ev.path})
			}
		}
	}
	switch ev.typ {
	case zkstore.EventNodeCreated, zkstore.EventNodeDataChanged:
		fireSet(srv.dataWatches)
	case zkstore.EventNodeChildrenChanged:
		fireSet(srv.childWatches)
	case zkstore.EventNodeDeleted:
		fireSet(srv.dataWatches)
		fireSet(srv.childWatches)
	}
	srv.triggerPersistentLocked(ev)
}

// endWatches ends every watch of sess with EventNotWatching and err. The
// caller holds srv.mu for writing.
func (srv *Server) endWatches(sess *Session, err error) {
	srv.watchMu.Lock()
	defer srv.watchMu.Unlock()
	for w := range sess.watches {
		m := srv.dataWatches
		if w.child {
			m = srv.childWatches
		}
		if set := m[w.path]; set != nil {
			delete(set, w)
			if len(set) == 0 {
				delete(m, w.path)
			}
		}
		w.fire(zkstore.Event{Type: zkstore.EventNotWatching, Path: w.path, Err: err})
	}
	clear(sess.watches)
	srv.endPersistentLocked(sess, err)
}
