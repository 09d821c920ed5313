package watch

import (
	"reflect"
	"strings"
	"sync"

	"github.com/zksql/zksql/zkstore"
)

// ZooKeeper 3.6 to 3.8 keep one watch mode per session and path, the last
// one set (ZOOKEEPER-4466, fixed in 3.9): a one-shot watch set on the
// exact path of a persistent recursive watch of the same session turns
// that into a one-shot watch, and the other way round a one-shot child
// watch turned recursive no longer reports NodeChildrenChanged. So a Tree
// follows its root with a persistent recursive watch only while no other
// stream of this process arms one-shot watches on that path through the
// same store (a Node or Children stream of the path, a Tree on one-shot
// watches above it), and falls back to one-shot watches as soon as one
// does. (One-shot watches the program sets itself on a Tree's root,
// through the same store, are beyond this: see Tree.)
var samePath struct {
	mu sync.Mutex
	// oneShot are the streams arming one-shot watches; recursive the
	// Trees following their root with a persistent recursive watch, each
	// told on its fallBack channel when it must fall back.
	oneShot, recursive map[*engine]claim
}

// claim is where a stream sets watches: path (and, for a Tree, the
// subtree below it) through st.
type claim struct {
	st      zkstore.Store
	path    string
	subtree bool
}

// covers reports whether one-shot watches of c may be set on path
// through st.
func (c claim) covers(st zkstore.Store, path string) bool {
	if c.st != st {
		return false
	}
	if c.path == path {
		return true
	}
	return c.subtree && (c.path == "/" || strings.HasPrefix(path, c.path+"/"))
}

// tracked reports whether st can be compared: a pointer, as every store
// of this module is (a store that is a value may not be comparable).
func tracked(st zkstore.Store) bool {
	return reflect.ValueOf(st).Kind() == reflect.Pointer
}

// claimOneShot records that e arms one-shot watches on its path (and,
// for a Tree, below it) through st, and tells the Trees following a path
// there recursively to fall back. It returns the function that drops the
// claim.
func claimOneShot(e *engine, st zkstore.Store) func() {
	if !tracked(st) {
		return func() {}
	}
	c := claim{st, e.path, e.cfg.persistent}
	samePath.mu.Lock()
	defer samePath.mu.Unlock()
	if samePath.oneShot == nil {
		samePath.oneShot = map[*engine]claim{}
	}
	samePath.oneShot[e] = c
	for t, r := range samePath.recursive {
		if t != e && c.covers(r.st, r.path) {
			select {
			case t.fallBack <- struct{}{}:
			default: // told already
			}
		}
	}
	return func() {
		samePath.mu.Lock()
		defer samePath.mu.Unlock()
		delete(samePath.oneShot, e)
	}
}

// claimRecursive records that e follows its path through st with a
// persistent recursive watch, unless a stream arms one-shot watches
// there (then it reports false). It returns the function that drops the
// claim.
func claimRecursive(e *engine, st zkstore.Store) (func(), bool) {
	if !tracked(st) {
		return func() {}, true
	}
	samePath.mu.Lock()
	defer samePath.mu.Unlock()
	for o, c := range samePath.oneShot {
		if o != e && c.covers(st, e.path) {
			return nil, false
		}
	}
	if samePath.recursive == nil {
		samePath.recursive = map[*engine]claim{}
	}
	samePath.recursive[e] = claim{st, e.path, true}
	return func() {
		samePath.mu.Lock()
		defer samePath.mu.Unlock()
		delete(samePath.recursive, e)
	}, true
}
