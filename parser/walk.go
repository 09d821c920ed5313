package parser

// Walk calls fn for n and then, while fn returns true, for each of n's
// children in source order. Statements, expressions and the expressions in
// select items, ORDER BY, LIMIT, rows and assignments are all visited.
func Walk(n Node, fn func(Node) bool) {
	if n == nil || !fn(n) {
		return
	}
	walkAll := func(es ...Expr) {
		for _, e := range es {
			if e != nil {
				Walk(e, fn)
			}
		}
	}
	switch n := n.(type) {
	case *Select:
		for _, it := range n.Items {
			walkAll(it.Expr)
		}
		walkAll(n.Where)
		walkAll(n.GroupBy...)
		walkAll(n.Having)
		for _, o := range n.OrderBy {
			walkAll(o.Expr)
		}
		if n.Limit != nil {
			walkAll(n.Limit.Count, n.Limit.Offset)
		}
	case *Insert:
		for _, row := range n.Rows {
			walkAll(row...)
		}
		for _, a := range n.OnDuplicate {
			walkAll(a.Value)
		}
	case *Update:
		for _, a := range n.Set {
			walkAll(a.Value)
		}
		walkAll(n.Where)
	case *Delete:
		walkAll(n.Where)
	case *Explain:
		if n.Stmt != nil {
			Walk(n.Stmt, fn)
		}
	case *Unary:
		walkAll(n.X)
	case *Binary:
		walkAll(n.L, n.R)
	case *Like:
		walkAll(n.X, n.Pattern, n.Escape)
	case *Regexp:
		walkAll(n.X, n.Pattern)
	case *In:
		walkAll(n.X)
		walkAll(n.List...)
	case *Between:
		walkAll(n.X, n.Lo, n.Hi)
	case *IsNull:
		walkAll(n.X)
	case *Func:
		walkAll(n.Args...)
	case *Case:
		walkAll(n.Operand)
		for _, w := range n.Whens {
			walkAll(w.Cond, w.Result)
		}
		walkAll(n.Else)
	case *Cast:
		walkAll(n.X)
	case *JSONExtract:
		walkAll(n.X, n.Path)
	case *Aggregate:
		walkAll(n.Arg)
	}
}

// Params describes the placeholders a statement uses. A statement uses
// either `?` placeholders or `:name` placeholders, never both.
type Params struct {
	Ordinal int      // number of `?` placeholders; they are numbered 1..Ordinal
	Named   []string // distinct :name placeholders (without the colon), in order of first use
}

// NumInput is the number of distinct arguments the statement needs, as
// database/sql/driver.Stmt.NumInput reports it.
func (p Params) NumInput() int { return p.Ordinal + len(p.Named) }

// ParamsOf returns the placeholders s uses.
func ParamsOf(s Statement) Params {
	var p Params
	seen := map[string]bool{}
	Walk(s, func(n Node) bool {
		if pm, ok := n.(*Param); ok {
			if pm.Name != "" {
				if !seen[pm.Name] {
					seen[pm.Name] = true
					p.Named = append(p.Named, pm.Name)
				}
			} else if pm.Ordinal > p.Ordinal {
				p.Ordinal = pm.Ordinal
			}
		}
		return true
	})
	return p
}
