package engine

import (
	"strings"

	"github.com/zksql/zksql/parser"
	"github.com/zksql/zksql/zkstore"
)

// CacheCoverage is the optional interface of a store that answers the
// reads of some paths from memory (cachestore.Store): Covers reports
// whether reads of path are answered so. EXPLAIN uses it to say which
// reads are answered from the cache; a Store that wraps another forwards
// it (txStore does). A store that also lists its cached subtrees
// (Subtrees) lets EXPLAIN name them.
type CacheCoverage interface {
	Covers(path string) bool
}

// cacheSubtrees is implemented by a CacheCoverage that lists its
// subtrees.
type cacheSubtrees interface {
	Subtrees() []string
}

// Covers forwards the cache coverage of the store the transaction reads
// through: its reads go to that store.
func (s txStore) Covers(path string) bool { return covers(s.Store, path) }

// Subtrees forwards the cached subtrees of the store the transaction
// reads through.
func (s txStore) Subtrees() []string { return subtreesOf(s.Store) }

// Covers forwards the cache coverage of the session's store.
func (s skipUnreadableStore) Covers(path string) bool { return covers(s.Store, path) }

// Subtrees forwards the cached subtrees of the session's store.
func (s skipUnreadableStore) Subtrees() []string { return subtreesOf(s.Store) }

func covers(st any, path string) bool {
	c, ok := st.(CacheCoverage)
	return ok && c.Covers(path)
}

// pipelinerFor returns st as a Pipeliner when a read of path sent ahead
// would overlap with the statement's own work: st pipelines and the read
// cache does not answer path from memory (then the answer is there at
// once, and a point read appends it into its pooled buffer instead of
// taking a copy from a read sent ahead).
func pipelinerFor(st zkstore.Store, path string) (zkstore.Pipeliner, bool) {
	a, ok := zkstore.PipelinerOf(st)
	if !ok || covers(st, path) {
		return nil, false
	}
	return a, true
}

func subtreesOf(st any) []string {
	if c, ok := st.(cacheSubtrees); ok {
		return c.Subtrees()
	}
	return nil
}

// cacheSteps is EXPLAIN's account of which of a read plan's reads the
// session's read cache answers: nothing when the session has no cache;
// otherwise one step saying the plan reads from the cache (naming the
// subtrees), partly (naming what goes to ZooKeeper), or not at all. It
// judges the access path as the executor will resolve it with the
// statement's arguments; without them, a path given as a placeholder is
// described as unknown. A cache covers whole subtrees, so a read is from
// the cache when the path it reads, or the directory it lists or walks,
// is in a cached subtree.
func (e *env) cacheSteps(p *readPlan) []string {
	if _, ok := e.st.(CacheCoverage); !ok || p == nil || p.table == "" || p.strategy == readSetAny || parser.IsSystemTable(p.table) {
		return nil
	}
	subs := subtreesOf(e.st)
	list := "cache=" + strings.Join(subs, ",")
	if p.table == parser.TableACLs {
		return []string{"not from the cache (" + list + "): getACL is always sent to ZooKeeper"}
	}
	vals := e.args
	if vals == nil {
		vals = &argsNone
	}
	ra, err := p.access.resolve(vals)
	if err != nil {
		// The paths are arguments EXPLAIN was not given.
		if covers(e.st, "/") {
			return []string{"from the cache (subtree /): the reads below are answered from memory, none is sent to ZooKeeper"}
		}
		return []string{"from the cache if the paths the arguments give are in a cached subtree (" + list + "), otherwise from ZooKeeper"}
	}
	var roots []string // what is read: a path, or a directory listed or walked
	collectRoots(ra, &roots)
	var hit, miss []string
	subtrees := map[string]bool{}
	for _, r := range roots {
		if covers(e.st, r) {
			hit = append(hit, r)
			subtrees[subtreeOf(subs, r)] = true
			continue
		}
		miss = append(miss, r)
		// A walk of a directory above a cached subtree reads that subtree
		// from the cache.
		for _, s := range subs {
			if under(r, s) {
				subtrees[s] = true
			}
		}
	}
	var named []string
	for _, s := range subs {
		if subtrees[s] {
			named = append(named, s)
		}
	}
	switch {
	case len(roots) == 0:
		return nil // nothing is read
	case len(miss) == 0:
		return []string{"from the cache (" + subtreeList(named) + "): the reads below are answered from memory, none is sent to ZooKeeper"}
	case len(hit) == 0 && len(named) == 0:
		return []string{"not from the cache (" + list + "): every read is sent to ZooKeeper"}
	}
	return []string{"partly from the cache (" + subtreeList(named) + "); from ZooKeeper: " + describeMisses(ra, miss)}
}

// cacheWriteSteps is EXPLAIN's account of what a write costs the
// session's read cache: nothing without one; otherwise the cache re-reads
// what the write changed, so that the session's next read sees it.
func (e *env) cacheWriteSteps() []string {
	if _, ok := e.st.(CacheCoverage); !ok {
		return nil
	}
	return []string{"then the read cache (cache=" + strings.Join(subtreesOf(e.st), ",") + ") re-reads each written znode in a cached subtree, and its parent: getData and getChildren, pipelined, before its next read"}
}

// argsNone resolves an access path without arguments: a placeholder is
// an error (unknown).
var argsNone args

// collectRoots lists what a resolved access path reads: each point path,
// the parent whose children are listed, the directory walked ("/" for the
// whole tree).
func collectRoots(ra resolvedAccess, roots *[]string) {
	if ra.empty {
		return
	}
	switch ra.kind {
	case accessUnion:
		for _, p := range ra.parts {
			collectRoots(p, roots)
		}
	case accessPoints:
		*roots = append(*roots, ra.paths...)
	case accessChildren:
		*roots = append(*roots, ra.parent)
	case accessSubtree:
		*roots = append(*roots, ra.root)
	default:
		*roots = append(*roots, "/")
	}
}

// describeMisses names the reads sent to ZooKeeper: the paths, or the
// walk of a directory (except a cached subtree under it).
func describeMisses(ra resolvedAccess, miss []string) string {
	const most = 5
	var out []string
	for i, m := range miss {
		if i == most {
			out = append(out, "…")
			break
		}
		out = append(out, m)
	}
	s := strings.Join(out, ", ")
	if ra.kind != accessPoints {
		s += " (a listing or walk of a directory sends the reads outside the cached subtrees)"
	}
	return s
}

func subtreeList(subs []string) string {
	switch len(subs) {
	case 0:
		return "cached subtree"
	case 1:
		return "subtree " + subs[0]
	}
	return "subtrees " + strings.Join(subs, ", ")
}

// subtreeOf returns the subtree of subs that path is in, or "" when the
// store does not list them.
func subtreeOf(subs []string, path string) string {
	for _, s := range subs {
		if under(s, path) {
			return s
		}
	}
	return ""
}

// under reports whether p is root or under it.
func under(root, p string) bool {
	return root == "/" || p == root || strings.HasPrefix(p, root+"/")
}
