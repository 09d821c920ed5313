package eval

import "github.com/zksql/zksql/parser"

// Columns lists the distinct columns e references, in order of first
// appearance, so the executor can fetch only what a statement needs. It
// includes columns inside aggregates. It excludes VALUES(col)
// (*parser.InsertedValue), which names a column of the row being inserted
// rather than of the stored row: see InsertedColumns.
func Columns(e parser.Expr) []string {
	var out []string
	walk(e, func(n parser.Node) {
		if c, ok := n.(*parser.Column); ok && c != nil {
			out = appendNew(out, c.Name)
		}
	})
	return out
}

// InsertedColumns lists the distinct columns e reads with VALUES(col).
func InsertedColumns(e parser.Expr) []string {
	var out []string
	walk(e, func(n parser.Node) {
		if v, ok := n.(*parser.InsertedValue); ok && v != nil {
			out = appendNew(out, v.Column)
		}
	})
	return out
}

// HasAggregate reports whether e contains a parser.Aggregate.
func HasAggregate(e parser.Expr) bool {
	found := false
	walk(e, func(n parser.Node) {
		if a, ok := n.(*parser.Aggregate); ok && a != nil {
			found = true
		}
	})
	return found
}

func appendNew(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// walk is parser.Walk over an expression, tolerating nil.
func walk(e parser.Expr, fn func(parser.Node)) {
	if e == nil {
		return
	}
	parser.Walk(e, func(n parser.Node) bool {
		fn(n)
		return true
	})
}
