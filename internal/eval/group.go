package eval

import (
	"errors"
	"math"

	"github.com/zksql/zksql/internal/panics"
	"github.com/zksql/zksql/parser"
)

// Group accumulates the rows of one GROUP BY key (or, without GROUP BY,
// of the whole result) and evaluates expressions that mix aggregates and
// plain columns over them. Plain columns take their values from the
// group's first row, as MySQL does with ONLY_FULL_GROUP_BY off; with no
// rows at all they are NULL, COUNT is 0 and the other aggregates NULL.
//
// A Group is not safe for concurrent use.
type Group struct {
	spec  *groupSpec
	aggs  []aggState
	first []any // values of spec.cols from the first row
	rows  int64
}

// groupSpec is what NewGroup learns from the expressions; groups made by
// New share it.
type groupSpec struct {
	aggs  []*parser.Aggregate
	index map[*parser.Aggregate]int
	text  map[string]int // filled lazily: lookup by String for unknown nodes
	cols  []string       // columns referenced outside aggregates
}

// aggState is one aggregate's running state.
type aggState struct {
	count int64
	isum  int64
	fsum  float64
	float bool // the sum is a double (a double was added, or BIGINT overflowed)
	best  any  // MIN / MAX so far
	seen  map[string]struct{}
}

// NewGroup makes an empty group for the given expressions: pass every
// expression that will be evaluated with Eval — the select list, HAVING
// and ORDER BY. It collects the aggregates inside them (an
// *parser.Aggregate is itself an expression, so aggregates may also be
// passed directly) and the columns used outside aggregates, whose
// first-row values Add keeps.
func NewGroup(exprs ...parser.Expr) *Group {
	spec := &groupSpec{index: map[*parser.Aggregate]int{}}
	for _, e := range exprs {
		spec.collect(e)
	}
	return spec.newGroup()
}

// New returns an empty group over the same expressions as g, without
// analysing them again; use it to start each GROUP BY key's group.
func (g *Group) New() *Group { return g.spec.newGroup() }

func (s *groupSpec) newGroup() *Group {
	return &Group{spec: s, aggs: make([]aggState, len(s.aggs))}
}

func (s *groupSpec) collect(e parser.Expr) {
	if e == nil {
		return
	}
	parser.Walk(e, func(n parser.Node) bool {
		switch n := n.(type) {
		case *parser.Aggregate:
			if n != nil {
				if _, dup := s.index[n]; !dup {
					s.index[n] = len(s.aggs)
					s.aggs = append(s.aggs, n)
				}
			}
			return false // columns inside aggregates are not first-row columns
		case *parser.Column:
			if n != nil {
				s.cols = appendNew(s.cols, n.Name)
			}
		}
		return true
	})
}

// lookup finds the state of an aggregate node: by identity, else by its
// text (the same aggregate written twice, e.g. in the select list and in
// HAVING).
func (s *groupSpec) lookup(a *parser.Aggregate) (int, bool) {
	if i, ok := s.index[a]; ok {
		return i, true
	}
	if s.text == nil {
		s.text = make(map[string]int, len(s.aggs))
		for i, x := range s.aggs {
			if _, dup := s.text[exprString(x)]; !dup {
				s.text[exprString(x)] = i
			}
		}
	}
	i, ok := s.text[exprString(a)]
	return i, ok
}

// Add feeds one row to the group: the first row's plain columns are
// kept, and every aggregate's argument is evaluated and accumulated.
func (g *Group) Add(row Row, args Args) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errorf(nil, "%w", panics.New("eval", r))
		}
	}()
	return g.add(row, args)
}

func (g *Group) add(row Row, args Args) error {
	ev := evaluator{row: row, args: args}
	if g.rows == 0 {
		g.first = make([]any, len(g.spec.cols))
		for i, c := range g.spec.cols {
			v, err := ev.column(&parser.Column{Name: c})
			if err != nil {
				return err
			}
			g.first[i] = cloneBytes(v)
		}
	}
	g.rows++
	for i, a := range g.spec.aggs {
		if err := g.aggs[i].add(a, &ev); err != nil {
			return err
		}
	}
	return nil
}

func cloneBytes(v any) any {
	if b, ok := v.([]byte); ok {
		return append([]byte{}, b...)
	}
	return v
}

func (st *aggState) add(a *parser.Aggregate, ev *evaluator) error {
	if a.Arg == nil {
		if a.Func != parser.AggCount {
			return errorf(a, "%s needs an argument", a.Func)
		}
		st.count++
		return nil
	}
	v, err := ev.eval(a.Arg)
	if err != nil {
		return err
	}
	if v == nil {
		return nil
	}
	v = export(v)
	if a.Distinct {
		var buf [1]any
		buf[0] = v
		k := Key(buf[:])
		if _, dup := st.seen[k]; dup {
			return nil
		}
		if st.seen == nil {
			st.seen = map[string]struct{}{}
		}
		st.seen[k] = struct{}{}
	}
	st.count++
	switch a.Func {
	case parser.AggCount:
	case parser.AggSum, parser.AggAvg:
		n := toNumber(v, true)
		switch {
		case st.float:
			st.fsum += n.float()
		case n.isFloat:
			st.float = true
			st.fsum = float64(st.isum) + n.f
		default:
			s := st.isum + n.i
			if (s > st.isum) != (n.i > 0) { // BIGINT overflow: continue as double
				st.float = true
				st.fsum = float64(st.isum) + float64(n.i)
			} else {
				st.isum = s
			}
		}
	case parser.AggMin, parser.AggMax:
		if st.best == nil {
			st.best = cloneBytes(v)
			return nil
		}
		c, err := compareValues(v, st.best)
		if err != nil {
			return locate(err, a)
		}
		if (a.Func == parser.AggMin && c < 0) || (a.Func == parser.AggMax && c > 0) {
			st.best = cloneBytes(v)
		}
	default:
		return errorf(a, "unknown aggregate %s", a.Func)
	}
	return nil
}

// Rows is the number of rows added.
func (g *Group) Rows() int64 { return g.rows }

// Eval evaluates e over the group: aggregates yield their results and
// plain columns their first-row values. e must be (or be part of) one of
// the expressions given to NewGroup.
func (g *Group) Eval(e parser.Expr, args Args) (v any, err error) {
	defer func() {
		if r := recover(); r != nil {
			v, err = nil, errorf(e, "%w", panics.New("eval", r))
		}
	}()
	return g.eval(e, args)
}

func (g *Group) eval(e parser.Expr, args Args) (any, error) {
	ev := evaluator{row: (*firstRow)(g), args: args, group: g}
	v, err := ev.eval(e)
	return export(v), err
}

func (g *Group) result(a *parser.Aggregate) (any, error) {
	i, ok := g.spec.lookup(a)
	if !ok {
		return nil, errorf(a, "aggregate %s was not among the expressions given to NewGroup", exprString(a))
	}
	st := &g.aggs[i]
	switch a.Func {
	case parser.AggCount:
		return st.count, nil
	case parser.AggSum:
		if st.count == 0 {
			return nil, nil
		}
		if st.float {
			if math.IsInf(st.fsum, 0) || math.IsNaN(st.fsum) {
				return nil, errorf(a, "DOUBLE value is out of range")
			}
			return st.fsum, nil
		}
		return st.isum, nil
	case parser.AggAvg:
		if st.count == 0 {
			return nil, nil
		}
		if st.float {
			if math.IsInf(st.fsum, 0) || math.IsNaN(st.fsum) {
				return nil, errorf(a, "DOUBLE value is out of range")
			}
			return st.fsum / float64(st.count), nil
		}
		return float64(st.isum) / float64(st.count), nil
	case parser.AggMin, parser.AggMax:
		return st.best, nil
	}
	return nil, errorf(a, "unknown aggregate %s", a.Func)
}

// firstRow is the Row of a group's plain columns.
type firstRow Group

func (r *firstRow) Value(column string) (any, error) {
	for i, c := range r.spec.cols {
		if c == column {
			if r.rows == 0 {
				return nil, nil
			}
			return r.first[i], nil
		}
	}
	return nil, errors.New("it was not among the expressions given to NewGroup")
}
