package watch

import (
	"reflect"
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
// same store, and falls back to one-shot watches as soon as one does.
// (One-shot watches the program sets itself on a Tree's root, through the
// same store, are beyond this: see Tree.)
var samePath struct {
	mu sync.Mutex
	// oneShot counts the streams arming one-shot watches on a path of a
	// store; recursive are the Trees following it with a persistent
	// recursive watch, each told on its channel when it must fall back.
	oneShot   map[storePath]int
	recursive map[storePath]map[*engine]bool
}

type storePath struct {
	st   zkstore.Store
	path string
}

// tracked reports whether st can key the registry: a pointer, as every
// store of this module is (a store that is a value may not be comparable).
func tracked(st zkstore.Store) bool {
	return reflect.ValueOf(st).Kind() == reflect.Pointer
}

// claimOneShot records that e arms one-shot watches on its path through
// st, and tells the Trees following that path recursively to fall back.
// It returns the function that drops the claim.
func claimOneShot(e *engine, st zkstore.Store) func() {
	if !tracked(st) {
		return func() {}
	}
	k := storePath{st, e.path}
	samePath.mu.Lock()
	defer samePath.mu.Unlock()
	if samePath.oneShot == nil {
		samePath.oneShot = map[storePath]int{}
	}
	samePath.oneShot[k]++
	for t := range samePath.recursive[k] {
		select {
		case t.fallBack <- struct{}{}:
		default: // told already
		}
	}
	return func() {
		samePath.mu.Lock()
		defer samePath.mu.Unlock()
		if samePath.oneShot[k]--; samePath.oneShot[k] <= 0 {
			delete(samePath.oneShot, k)
		}
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
	k := storePath{st, e.path}
	samePath.mu.Lock()
	defer samePath.mu.Unlock()
	if samePath.oneShot[k] > 0 {
		return nil, false
	}
	if samePath.recursive == nil {
		samePath.recursive = map[storePath]map[*engine]bool{}
	}
	if samePath.recursive[k] == nil {
		samePath.recursive[k] = map[*engine]bool{}
	}
	samePath.recursive[k][e] = true
	return func() {
		samePath.mu.Lock()
		defer samePath.mu.Unlock()
		delete(samePath.recursive[k], e)
		if len(samePath.recursive[k]) == 0 {
			delete(samePath.recursive, k)
		}
	}, true
}
