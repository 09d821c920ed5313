package engine

import (
	"fmt"
	"strings"

	"github.com/zksql/zksql/parser"
)

// planText collects EXPLAIN steps.
type planText struct {
	steps []string
}

func (t *planText) add(format string, a ...any) {
	t.steps = append(t.steps, fmt.Sprintf(format, a...))
}

// steps is EXPLAIN's text of a SELECT's plan: one step per ZooKeeper
// operation kind and per thing done in memory, in the order they happen.
// Steps show the statement's own text (placeholders stay `?` or
// `:name`); argument values never appear, since they may be secrets.
// args only resolve a LIKE pattern the way the executor will; without
// them (nil) a pattern given as a placeholder is described as unknown.
//
// For UPDATE and DELETE it is the read part only; their writes are
// explain's, except for readSetAny, whose one Set is the whole plan.
func (p *readPlan) steps(vals *args) []string {
	t := &planText{}
	s := p.sel
	if s == nil {
		if p.strategy == readSetAny {
			t.add("setData %s with any version (one request, nothing read: the new data depends on no row; a missing znode affects 0 rows)", p.target)
			t.add("if the new data is refused (too large, not a string), exists %s first: a missing znode affects 0 rows, an existing one fails", p.target)
		} else {
			p.accessSteps(t, vals)
		}
		return t.steps
	}
	if p.table == "" {
		t.add("evaluate the select list (no table)")
		return t.steps
	}
	if p.strategy == readCountStat {
		t.add("exists %s (COUNT(*) from the parent's numChildren; no child is read)", p.target)
		return t.steps
	}
	p.accessSteps(t, vals)
	p.memorySteps(t, s)
	return t.steps
}

// memorySteps lists what the plan does in memory with the rows its access
// path read: group, filter groups, sort (or late sort), distinct, limit.
func (p *readPlan) memorySteps(t *planText, s *parser.Select) {
	agg := p.strategy == readAggregate
	if len(s.GroupBy) > 0 {
		t.add("group by %s in memory", exprList(s.GroupBy))
	} else if agg {
		t.add("aggregate all rows in memory")
	}
	if s.Having != nil {
		t.add("filter groups: HAVING %s", s.Having)
	}
	if len(s.OrderBy) > 0 {
		var keys []string
		for _, o := range s.OrderBy {
			k := o.Expr.String()
			if o.Desc {
				k += " DESC"
			}
			keys = append(keys, k)
		}
		if p.strategy == readLateSort {
			op := "exists"
			if p.rowLevel == fetchData {
				op = "getData"
			}
			t.add("sort the listing in memory by %s, then %s only for the rows the limit keeps", strings.Join(keys, ", "), op)
		} else {
			t.add("sort in memory by %s", strings.Join(keys, ", "))
		}
	}
	if s.Distinct {
		t.add("distinct in memory")
	}
	if s.Limit != nil {
		l := "limit " + s.Limit.Count.String()
		if s.Limit.Offset != nil {
			l += " offset " + s.Limit.Offset.String()
		}
		if len(s.OrderBy) == 0 && !agg {
			l += " (stops the scan early)"
		}
		t.add("%s", l)
	}
}

// accessSteps describes the plan's access path at its level, then its
// filter.
func (p *readPlan) accessSteps(t *planText, vals *args) {
	if vals == nil {
		vals = &args{}
	}
	if parser.IsSystemTable(p.table) {
		t.add("%s", explainSystem(p.table))
		if p.filter != nil {
			t.add("filter in memory: WHERE %s", p.filter)
		}
		return
	}
	per := ""
	switch {
	case p.table == parser.TableACLs:
		per = "getACL"
	case p.level == fetchData:
		per = "getData"
	case p.level == fetchStat:
		per = "exists"
	}
	d := accessText{t: t, per: per, maxScan: p.maxScan, args: vals, walkNote: !p.inTx && p.table != parser.TableACLs}
	d.describe(p.access, "")
	if p.filter != nil {
		t.add("filter in memory: WHERE %s", p.filter)
	}
}

// accessText describes an access path.
type accessText struct {
	t        *planText
	per      string // the request per znode read: getData, exists, getACL or none
	maxScan  int
	args     *args
	walkNote bool // a walk reads ahead (outside a transaction, not for acls)
}

func (d accessText) describe(acc access, indent string) {
	add := func(format string, a ...any) { d.t.add(indent+format, a...) }
	per := d.per
	pointOp := per
	if pointOp == "" {
		pointOp = "exists"
	}
	walk := func(what string) {
		add("%s, getChildren per znode (max_scan %d)", what, d.maxScan)
		if per != "" && per != "exists" {
			add("%s per znode", per)
		}
		if d.walkNote {
			add("reads up to %d znodes ahead of the rows produced, in walk order (requests pipelined), and the next sibling of each directory it is in; getData, where read, comes first and getChildren only for a znode with children", maxPrefetch)
		}
	}
	switch acc.kind {
	case accessUnion:
		add("union of %d access paths (%s), merged in walk order, each znode once; if one of them reads nothing it is left out, if one needs the whole tree, walk tree / instead:", len(acc.parts), acc.conj)
		for i, p := range acc.parts {
			d.describe(p, fmt.Sprintf("%s  %d. ", indent, i+1))
		}
	case accessPoints:
		add("%s per path of %s (point reads, %d path(s))", pointOp, acc.conj, len(acc.values))
	case accessChildren:
		add("getChildren %s (child listing)", acc.values[0])
		if per != "" {
			add("%s per child", per)
		}
	case accessSubtree:
		// The executor resolves the pattern (resolve): one without a
		// wildcard is a point read, one that cannot start with '/' reads
		// nothing.
		ra, err := acc.resolve(d.args)
		switch {
		case err == nil && ra.empty:
			add("no read: %s matches no path", acc.pattern)
		case err == nil && ra.kind == accessPoints:
			add("%s %s (point read: the pattern %s has no wildcard)", pointOp, quoteSQL(ra.paths[0]), acc.pattern)
		case err == nil && ra.kind == accessWalk:
			walk("walk tree / depth-first")
		default:
			walk(fmt.Sprintf("walk subtree under the directory of the prefix of %s", acc.pattern))
			if err != nil { // the pattern is an argument
				add("(a pattern without a wildcard is read as one path: %s)", pointOp)
			}
		}
	default:
		walk("walk tree / depth-first")
	}
}

// String is the plan as EXPLAIN prints it without arguments, one step a
// line.
func (p *readPlan) String() string {
	return strings.Join(p.steps(nil), "\n")
}
