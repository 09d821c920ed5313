package engine

import (
	"math"
	"strconv"
	"strings"

	"github.com/zksql/zksql/internal/eval"
	"github.com/zksql/zksql/parser"
)

// accessKind is how a statement finds its znodes.
type accessKind int

const (
	accessWalk     accessKind = iota // walk the whole tree from "/"
	accessPoints                     // path = x, path IN (...): read those znodes
	accessChildren                   // parent = x: list x's children
	accessSubtree                    // path LIKE 'prefix%': walk below the prefix's directory
	accessUnion                      // a OR b: each disjunct's access path, merged
)

// access is the access path chosen from the WHERE clause's top-level AND
// conjuncts. The values are expressions without column references
// (literals, placeholders, arithmetic on them), evaluated at execution.
// The whole WHERE clause is still applied to every row read, so the access
// path only has to read a superset of the matching znodes.
type access struct {
	kind    accessKind
	values  []parser.Expr // accessPoints: the paths; accessChildren: the parent
	pattern parser.Expr   // accessSubtree
	escape  parser.Expr   // accessSubtree; nil for the default '\'
	conj    parser.Expr   // the conjunct the access path came from
	parts   []access      // accessUnion: one per disjunct
}

// conjuncts flattens the top-level ANDs of e.
func conjuncts(e parser.Expr) []parser.Expr {
	if e == nil {
		return nil
	}
	if b, ok := e.(*parser.Binary); ok && b.Op == parser.OpAnd {
		return append(conjuncts(b.L), conjuncts(b.R)...)
	}
	return []parser.Expr{e}
}

// isAnd reports whether e is an AND: more than one conjunct.
func isAnd(e parser.Expr) bool {
	b, ok := e.(*parser.Binary)
	return ok && b.Op == parser.OpAnd
}

// eachConjunct calls fn for every conjunct of e in order, without
// building the list (the point statements' hot path).
func eachConjunct(e parser.Expr, fn func(parser.Expr) error) error {
	if e == nil {
		return nil
	}
	if b, ok := e.(*parser.Binary); ok && b.Op == parser.OpAnd {
		if err := eachConjunct(b.L, fn); err != nil {
			return err
		}
		return eachConjunct(b.R, fn)
	}
	return fn(e)
}

// isColumn reports whether e is a reference to column name.
func isColumn(e parser.Expr, name string) bool {
	c, ok := e.(*parser.Column)
	return ok && c.Name == name
}

// isConst reports whether e references no column and no aggregate, so it
// can be evaluated before any row is read.
func isConst(e parser.Expr) bool {
	c := true
	parser.Walk(e, func(n parser.Node) bool {
		switch n.(type) {
		case *parser.Column, *parser.Aggregate, *parser.InsertedValue, *parser.Star:
			c = false
		}
		return c
	})
	return c
}

// eqConst matches `col = const` or `const = col`.
func eqConst(e parser.Expr, col string) (parser.Expr, bool) {
	b, ok := e.(*parser.Binary)
	if !ok || b.Op != parser.OpEq {
		return nil, false
	}
	switch {
	case isColumn(b.L, col) && isConst(b.R):
		return b.R, true
	case isColumn(b.R, col) && isConst(b.L):
		return b.L, true
	}
	return nil, false
}

// disjuncts flattens the top-level ORs of e.
func disjuncts(e parser.Expr) []parser.Expr {
	if b, ok := e.(*parser.Binary); ok && b.Op == parser.OpOr {
		return append(disjuncts(b.L), disjuncts(b.R)...)
	}
	return []parser.Expr{e}
}

// unionAccess is the access path of an OR when every disjunct has one
// (`path = X OR path LIKE 'X/%'`: read X, walk below X); ok is false when
// one of them would need the whole tree.
func unionAccess(c parser.Expr) (access, bool) {
	ds := disjuncts(c)
	if len(ds) < 2 {
		return access{}, false
	}
	u := access{kind: accessUnion, conj: c}
	for _, d := range ds {
		a := chooseAccess(d)
		if a.kind == accessWalk {
			return access{}, false
		}
		u.parts = append(u.parts, a)
	}
	return u, true
}

// chooseAccess picks the cheapest access path the WHERE clause allows:
// point reads, then a child listing, then a prefix walk or a union of the
// access paths of an OR's disjuncts, else a full walk.
func chooseAccess(where parser.Expr) access {
	var best access
	rank := func(k accessKind) int {
		switch k {
		case accessPoints:
			return 3
		case accessChildren:
			return 2
		case accessSubtree, accessUnion:
			return 1
		}
		return 0
	}
	consider := func(a access) {
		if rank(a.kind) > rank(best.kind) {
			best = a
		}
	}
	// A lone conjunct (every point statement) needs no slice of its own.
	var one [1]parser.Expr
	cs := one[:0]
	if b, ok := where.(*parser.Binary); ok && b.Op == parser.OpAnd {
		cs = conjuncts(where)
	} else if where != nil {
		cs = append(cs, where)
	}
	for _, c := range cs {
		if v, ok := eqConst(c, "path"); ok {
			consider(access{kind: accessPoints, values: []parser.Expr{v}, conj: c})
			continue
		}
		if v, ok := eqConst(c, "parent"); ok {
			consider(access{kind: accessChildren, values: []parser.Expr{v}, conj: c})
			continue
		}
		switch c := c.(type) {
		case *parser.In:
			if c.Not || !isColumn(c.X, "path") {
				continue
			}
			all := true
			for _, v := range c.List {
				all = all && isConst(v)
			}
			if all {
				consider(access{kind: accessPoints, values: c.List, conj: c})
			}
		case *parser.Like:
			if c.Not || !isColumn(c.X, "path") || !isConst(c.Pattern) || (c.Escape != nil && !isConst(c.Escape)) {
				continue
			}
			consider(access{kind: accessSubtree, pattern: c.Pattern, escape: c.Escape, conj: c})
		case *parser.Binary:
			if u, ok := unionAccess(c); ok {
				consider(u)
			}
		}
	}
	return best
}

// versionConjunct reports whether WHERE has a top-level `version = N`
// conjunct: the statement is a compare-and-set.
func versionConjunct(where parser.Expr) bool {
	for _, c := range conjuncts(where) {
		if _, ok := eqConst(c, "version"); ok {
			return true
		}
	}
	return false
}

// checkVersionArgs refuses a write whose `version = x` conjunct is not a
// whole number. SQL would compare 'x' or 1.5 with the version as a number
// (as 0, or never equal); for a compare-and-set that silently turns a typo
// into an unconditional write or a no-op, so writes insist on an integer.
func checkVersionArgs(where parser.Expr, args eval.Args) error {
	return eachConjunct(where, func(c parser.Expr) error {
		x, ok := eqConst(c, "version")
		if !ok {
			return nil
		}
		v, err := eval.Eval(x, noRow{}, args)
		if err != nil {
			return err
		}
		if !isWholeNumber(v) {
			return zerrorf("version = %s: the version of a compare-and-set must be a whole number, got %T %v", x, v, v)
		}
		return nil
	})
}

func isWholeNumber(v any) bool {
	switch v := v.(type) {
	case int64:
		return true
	case float64:
		return v == math.Trunc(v) && !math.IsInf(v, 0)
	case string:
		_, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		return err == nil
	case []byte:
		_, err := strconv.ParseInt(strings.TrimSpace(string(v)), 10, 64)
		return err == nil
	}
	return false
}

// statColumns are the znodes columns that come from a znode's Stat.
var statColumns = map[string]bool{
	"version": true, "cversion": true, "aversion": true, "czxid": true,
	"mzxid": true, "pzxid": true, "ctime": true, "mtime": true,
	"ephemeral_owner": true, "data_length": true, "num_children": true,
	"mode": true, "ttl": true,
}

// levelFor returns how much of each znode the expressions need.
func levelFor(exprs ...parser.Expr) fetchLevel {
	level := fetchName
	for _, e := range exprs {
		if e == nil {
			continue
		}
		parser.Walk(e, func(n parser.Node) bool {
			switch n := n.(type) {
			case *parser.Star:
				level = fetchData
			case *parser.Column:
				switch {
				case n.Name == "data":
					level = fetchData
				case statColumns[n.Name] && level < fetchStat:
					level = fetchStat
				}
			}
			return true
		})
	}
	return level
}

// hasAggregate reports whether e contains an aggregate call.
func hasAggregate(e parser.Expr) bool {
	found := false
	if e == nil {
		return false
	}
	parser.Walk(e, func(n parser.Node) bool {
		if _, ok := n.(*parser.Aggregate); ok {
			found = true
		}
		return !found
	})
	return found
}

// resolvedAccess is an access path with its values evaluated.
type resolvedAccess struct {
	kind   accessKind
	paths  []string         // accessPoints
	parent string           // accessChildren
	root   string           // accessSubtree: the directory walked
	prefix string           // accessSubtree: the path prefix
	empty  bool             // no znode can match (path = NULL, ...)
	parts  []resolvedAccess // accessUnion: the disjuncts that can match
}

// noRow is the row constant expressions are evaluated against.
type noRow struct{}

func (noRow) Value(col string) (any, error) {
	return nil, zerrorf("column %s cannot be used here", col)
}

// resolve evaluates the access path's values with the statement's
// arguments. A value that is not text falls back to a full walk, since
// only a text value can select znodes by path.
func (a access) resolve(args *args) (resolvedAccess, error) {
	switch a.kind {
	case accessUnion:
		u := resolvedAccess{kind: accessUnion}
		for _, p := range a.parts {
			r, err := p.resolve(args)
			if err != nil {
				return resolvedAccess{}, err
			}
			switch {
			case r.empty:
			case r.kind == accessWalk:
				return r, nil // one disjunct needs the whole tree
			default:
				u.parts = append(u.parts, r)
			}
		}
		switch len(u.parts) {
		case 0:
			u.empty = true
		case 1:
			return u.parts[0], nil
		}
		return u, nil
	case accessPoints:
		r := resolvedAccess{kind: accessPoints}
		for _, e := range a.values {
			v, err := eval.Eval(e, noRow{}, args)
			if err != nil {
				return r, err
			}
			switch v := v.(type) {
			case nil:
			case string:
				r.paths = append(r.paths, v)
			case []byte:
				r.paths = append(r.paths, string(v))
			default:
				return resolvedAccess{kind: accessWalk, root: "/"}, nil
			}
		}
		r.empty = len(r.paths) == 0
		return r, nil
	case accessChildren:
		v, err := eval.Eval(a.values[0], noRow{}, args)
		if err != nil {
			return resolvedAccess{}, err
		}
		switch v := v.(type) {
		case nil:
			return resolvedAccess{kind: accessChildren, empty: true}, nil
		case string:
			return resolvedAccess{kind: accessChildren, parent: v}, nil
		case []byte:
			return resolvedAccess{kind: accessChildren, parent: string(v)}, nil
		}
	case accessSubtree:
		v, err := eval.Eval(a.pattern, noRow{}, args)
		if err != nil {
			return resolvedAccess{}, err
		}
		esc := '\\'
		if a.escape != nil {
			ev, err := eval.Eval(a.escape, noRow{}, args)
			if err != nil {
				return resolvedAccess{}, err
			}
			s, ok := ev.(string)
			if !ok {
				break
			}
			switch r := []rune(s); len(r) {
			case 0:
				esc = eval.NoEscape
			case 1:
				esc = r[0]
			default:
				return resolvedAccess{kind: accessWalk, root: "/"}, nil
			}
		}
		var pattern string
		switch v := v.(type) {
		case nil:
			return resolvedAccess{kind: accessSubtree, empty: true}, nil
		case string:
			pattern = v
		case []byte:
			pattern = string(v)
		default:
			return resolvedAccess{kind: accessWalk, root: "/"}, nil
		}
		prefix, exact := eval.LikePrefix(pattern, esc)
		if exact {
			return resolvedAccess{kind: accessPoints, paths: []string{prefix}}, nil
		}
		i := strings.LastIndexByte(prefix, '/')
		if i < 0 {
			// Every path starts with '/': a prefix without one matches
			// nothing unless it is empty.
			if prefix == "" {
				return resolvedAccess{kind: accessWalk, root: "/"}, nil
			}
			return resolvedAccess{kind: accessSubtree, empty: true}, nil
		}
		root := prefix[:i]
		if root == "" {
			root = "/"
		}
		return resolvedAccess{kind: accessSubtree, root: root, prefix: prefix}, nil
	}
	return resolvedAccess{kind: accessWalk, root: "/"}, nil
}

// source returns the row source for the resolved access path.
func (r resolvedAccess) source(s *scanner) rowSource {
	switch {
	case r.empty:
		return &pointSource{s: s}
	case r.kind == accessPoints:
		return newPointSource(s, r.paths)
	case r.kind == accessChildren:
		return &childrenSource{s: s, parent: r.parent}
	case r.kind == accessSubtree:
		return newWalk(s, r.root, r.prefix)
	case r.kind == accessUnion:
		u := &unionSource{}
		for _, p := range r.parts {
			u.srcs = append(u.srcs, p.source(s))
		}
		return u
	}
	return newWalk(s, "/", "")
}

// unionSource merges row sources that each yield znodes in walk order
// (comparePaths: point reads sort their paths so, listings and walks
// produce it) into one stream in that order, each znode once: rows come
// out as a walk of the whole tree would give them.
type unionSource struct {
	srcs    []rowSource
	heads   []*znode
	started bool
}

func (u *unionSource) next() (*znode, error) {
	if !u.started {
		u.started = true
		u.heads = make([]*znode, len(u.srcs))
		for i, src := range u.srcs {
			z, err := src.next()
			if err != nil {
				return nil, err
			}
			u.heads[i] = z
		}
	}
	best := -1
	for i, h := range u.heads {
		if h != nil && (best < 0 || comparePaths(h.path, u.heads[best].path) < 0) {
			best = i
		}
	}
	if best < 0 {
		return nil, nil
	}
	z := u.heads[best]
	for i, h := range u.heads {
		if h != nil && h.path == z.path {
			next, err := u.srcs[i].next()
			if err != nil {
				return nil, err
			}
			u.heads[i] = next
		}
	}
	return z, nil
}

// close ends the sources that read ahead.
func (u *unionSource) close() {
	for _, src := range u.srcs {
		if c, ok := src.(interface{ close() }); ok {
			c.close()
		}
	}
}
