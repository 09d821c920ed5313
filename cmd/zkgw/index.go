package main

import (
	"strings"

	"github.com/dolthub/go-mysql-server/sql"
)

// zkIndex is a single-column index the store can answer: the primary key
// on path (one getData) or parent (one getChildren). It holds no data; a
// lookup on it becomes store requests in lookupTasks.
type zkIndex struct {
	db, table, id, column string
	typ                   sql.Type
	unique                bool
}

var _ sql.Index = (*zkIndex)(nil)

func (i *zkIndex) ID() string              { return i.id }
func (i *zkIndex) Database() string        { return i.db }
func (i *zkIndex) Table() string           { return i.table }
func (i *zkIndex) Expressions() []string   { return []string{i.table + "." + i.column} }
func (i *zkIndex) IsUnique() bool          { return i.unique }
func (i *zkIndex) IsSpatial() bool         { return false }
func (i *zkIndex) IsFullText() bool        { return false }
func (i *zkIndex) IsVector() bool          { return false }
func (i *zkIndex) Comment() string         { return "" }
func (i *zkIndex) IndexType() string       { return "BTREE" }
func (i *zkIndex) IsGenerated() bool       { return false }
func (i *zkIndex) PrefixLengths() []uint16 { return nil }
func (i *zkIndex) ColumnExpressionTypes() []sql.ColumnExpressionType {
	return []sql.ColumnExpressionType{{Expression: i.Expressions()[0], Type: i.typ}}
}
func (i *zkIndex) CanSupport(*sql.Context, ...sql.Range) bool { return true }
func (i *zkIndex) CanSupportOrderBy(sql.Expression) bool      { return false }
func (i *zkIndex) String() string                             { return i.id }

// lookupTasks turns an index lookup into scan tasks. Every task reads a
// superset of the rows the lookup asks for; the table reports PreciseMatch
// false, so the engine keeps the WHERE clause above the scan and the
// superset is harmless.
//
//   - path = 'x': read x.
//   - parent = 'x': list x's children.
//   - parent IS NULL: read "/".
//   - a range with both ends strings (what LIKE 'prefix%' and BETWEEN
//     become): walk the subtree of the deepest directory both ends share.
//   - anything else: walk from "/".
func lookupTasks(idx *zkIndex, lookup sql.IndexLookup) []task {
	ranges, ok := lookup.Ranges.(sql.MySQLRangeCollection)
	if !ok {
		return []task{{path: "/", kind: walkTree}}
	}
	var tasks []task
	for _, r := range ranges {
		if len(r) != 1 {
			return []task{{path: "/", kind: walkTree}}
		}
		ce := r[0]
		if empty, err := ce.IsEmpty(); err == nil && empty {
			continue
		}
		lo, loOK := cutString(ce.LowerBound)
		hi, hiOK := cutString(ce.UpperBound)
		_, loNull := ce.LowerBound.(sql.BelowNull)
		_, hiNull := ce.UpperBound.(sql.AboveNull)
		switch {
		case loNull && hiNull: // IS NULL
			if idx.column == "parent" {
				tasks = append(tasks, task{path: "/", kind: emitOne})
			}
		case loOK && hiOK && lo == hi && ce.LowerBound.TypeAsLowerBound().Inclusive() && ce.UpperBound.TypeAsUpperBound().Inclusive():
			if !validPath(lo) {
				continue // no znode has this path; no request needed
			}
			if idx.column == "parent" {
				tasks = append(tasks, task{path: lo, kind: listKids})
			} else {
				tasks = append(tasks, task{path: lo, kind: emitOne})
			}
		case loOK && hiOK:
			if t, ok := prefixTask(lo, hi); ok {
				tasks = append(tasks, t)
			}
		default:
			return []task{{path: "/", kind: walkTree}}
		}
	}
	return tasks
}

// cutString is the string key of a bound, if it has one.
func cutString(c sql.MySQLRangeCut) (string, bool) {
	if !sql.MySQLRangeCutIsBinding(c) {
		return "", false
	}
	s, ok := sql.GetMySQLRangeCutKey(c).(string)
	return s, ok
}

// prefixTask scans what can lie between lo and hi. Under a binary
// collation every such string starts with lo and hi's common prefix p, so
// a match is a child of p's directory whose name starts with the rest of p,
// or below one. ok is false when no znode can match.
func prefixTask(lo, hi string) (task, bool) {
	n := 0
	for n < len(lo) && n < len(hi) && lo[n] == hi[n] {
		n++
	}
	p := lo[:n]
	if !strings.HasPrefix(p, "/") || p == "/" {
		return task{path: "/", kind: walkTree}, true
	}
	i := strings.LastIndexByte(p, '/')
	dir := p[:i]
	if i == 0 {
		dir = "/"
	}
	if !validPath(dir) {
		return task{}, false // every match would have dir as an ancestor
	}
	return task{path: dir, prefix: p[i+1:], kind: walkPrefixed}, true
}
