package livestore

import (
	"sync"

	"github.com/go-zookeeper/zk"

	"github.com/zksql/zksql/zkstore"
)

// watchKind is which of a znode's watches a watcher waits on; the server
// keeps data (getData and exists on a present node), exist (exists on an
// absent node) and child watches, and go-zookeeper mirrors that.
type watchKind uint8

const (
	watchData watchKind = iota
	watchExist
	watchChild
)

type watchKey struct {
	path string // full path, chroot included, as the server reports it
	kind watchKind
}

type watcher struct {
	ch   chan zkstore.Event // buffered 1; gets exactly one event, then closed
	path string             // the caller's path, reported in the event
}

// watchRegistry delivers watch events in the order the server sent them.
//
// go-zookeeper hands each watch its own channel; converting those with a
// goroutine per watch would let events for different watches of one
// session overtake each other (a parent's NodeChildrenChanged before the
// child's NodeDeleted). Instead every event is delivered from go-zookeeper's
// event callback, which sees them in server order on its receive goroutine.
// Each watcher's channel takes exactly one event, so a send never blocks
// that goroutine.
//
// A watcher is registered before its request is sent, so no event for it
// can slip by between the reply and the registration. The price: if the
// session already had the same watch pending, an event the server sent just
// before processing the new request also fires the new watcher. A spurious
// early wake-up is harmless to a caller that re-reads; a lost one is not.
type watchRegistry struct {
	mu    sync.Mutex
	m     map[watchKey][]*watcher
	ended error // set once the session is over; later watches end at once
}

// add registers a watcher on the full path. If the session is already
// over, the watcher ends at once with the reason.
func (r *watchRegistry) add(full string, kind watchKind, path string) *watcher {
	w := &watcher{ch: make(chan zkstore.Event, 1), path: path}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ended != nil {
		w.end(r.ended)
		return w
	}
	if r.m == nil {
		r.m = make(map[watchKey][]*watcher)
	}
	k := watchKey{full, kind}
	r.m[k] = append(r.m[k], w)
	return w
}

// remove takes back a watcher whose request failed: the server set no watch.
func (r *watchRegistry) remove(full string, kind watchKind, w *watcher) {
	r.mu.Lock()
	defer r.mu.Unlock()
	k := watchKey{full, kind}
	ws := r.m[k]
	for i, x := range ws {
		if x == w {
			ws = append(ws[:i:i], ws[i+1:]...)
			break
		}
	}
	if len(ws) == 0 {
		delete(r.m, k)
	} else {
		r.m[k] = ws
	}
}

// kindsFired says which watches an event of the server fires, as the
// server's DataTree and go-zookeeper's notifyWatches do.
func kindsFired(t zk.EventType) []watchKind {
	switch t {
	case zk.EventNodeCreated:
		return []watchKind{watchExist}
	case zk.EventNodeDataChanged:
		return []watchKind{watchExist, watchData}
	case zk.EventNodeChildrenChanged:
		return []watchKind{watchChild}
	case zk.EventNodeDeleted:
		return []watchKind{watchExist, watchData, watchChild}
	}
	return nil
}

// fire delivers a node event of the server to every watcher it fires.
func (r *watchRegistry) fire(ev zk.Event) {
	kinds := kindsFired(ev.Type)
	if len(kinds) == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, kind := range kinds {
		k := watchKey{ev.Path, kind}
		for _, w := range r.m[k] {
			w.ch <- zkstore.Event{Type: zkstore.EventType(ev.Type), Path: w.path}
			close(w.ch)
		}
		delete(r.m, k)
	}
}

// end finishes every watch with EventNotWatching and the reason
// (ErrSessionExpired or ErrClosed); later watches end at once.
func (r *watchRegistry) end(reason error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ended != nil {
		return
	}
	r.ended = reason
	for k, ws := range r.m {
		for _, w := range ws {
			w.end(reason)
		}
		delete(r.m, k)
	}
}

func (w *watcher) end(reason error) {
	w.ch <- zkstore.Event{Type: zkstore.EventNotWatching, Path: w.path, Err: reason}
	close(w.ch)
}
