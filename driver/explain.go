package driver

import (
	"database/sql/driver"
	"fmt"
	"strings"

	"github.com/zksql/zksql/parser"
)

// explain answers EXPLAIN <statement>: one row per step, saying which
// ZooKeeper operations the statement makes and what is done in memory.
// Steps show the statement's own text (placeholders stay `?` or `:name`);
// argument values never appear, since they may be secrets.
func (e *env) explain(st parser.Statement) (*rows, error) {
	var steps []string
	add := func(format string, a ...any) { steps = append(steps, fmt.Sprintf(format, a...)) }
	maxScan := e.cfg.MaxScan
	accessSteps := func(table string, where parser.Expr, level fetchLevel) {
		if parser.IsSystemTable(table) {
			add("%s", explainSystem(table))
			if where != nil {
				add("filter in memory: WHERE %s", where)
			}
			return
		}
		per := ""
		switch {
		case table == parser.TableACLs:
			per = "getACL"
		case level == fetchData:
			per = "getData"
		case level == fetchStat:
			per = "exists"
		}
		var describe func(acc access, indent string)
		describe = func(acc access, indent string) {
			add := func(format string, a ...any) { add(indent+format, a...) }
			walkNote := func() {
				if e.tx == nil && table != parser.TableACLs {
					add("reads up to %d znodes ahead of the rows produced, in walk order (requests pipelined), and the next sibling of each directory it is in; getData, where read, comes first and getChildren only for a znode with children", maxPrefetch)
				}
			}
			switch acc.kind {
			case accessUnion:
				add("union of %d access paths (%s), merged in walk order, each znode once; if one of them reads nothing it is left out, if one needs the whole tree, walk tree / instead:", len(acc.parts), acc.conj)
				for i, p := range acc.parts {
					describe(p, fmt.Sprintf("%s  %d. ", indent, i+1))
				}
			case accessPoints:
				op := per
				if op == "" {
					op = "exists"
				}
				add("%s per path of %s (point reads, %d path(s))", op, acc.conj, len(acc.values))
			case accessChildren:
				add("getChildren %s (child listing)", acc.values[0])
				if per != "" {
					add("%s per child", per)
				}
			case accessSubtree:
				// The executor resolves the pattern (resolve): one without a
				// wildcard is a point read, one that cannot start with '/'
				// reads nothing.
				pointOp := per
				if pointOp == "" {
					pointOp = "exists"
				}
				ra, err := acc.resolve(e.args)
				switch {
				case err == nil && ra.empty:
					add("no read: %s matches no path", acc.pattern)
				case err == nil && ra.kind == accessPoints:
					add("%s %s (point read: the pattern %s has no wildcard)", pointOp, quoteSQL(ra.paths[0]), acc.pattern)
				case err == nil && ra.kind == accessWalk:
					add("walk tree / depth-first, getChildren per znode (max_scan %d)", maxScan)
					if per != "" && per != "exists" {
						add("%s per znode", per)
					}
					walkNote()
				default:
					add("walk subtree under the directory of the prefix of %s, getChildren per znode (max_scan %d)", acc.pattern, maxScan)
					if per != "" && per != "exists" {
						add("%s per znode", per)
					}
					walkNote()
					if err != nil { // the pattern is an argument
						add("(a pattern without a wildcard is read as one path: %s)", pointOp)
					}
				}
			default:
				add("walk tree / depth-first, getChildren per znode (max_scan %d)", maxScan)
				if per != "" && per != "exists" {
					add("%s per znode", per)
				}
				walkNote()
			}
		}
		describe(chooseAccess(where), "")
		if where != nil {
			add("filter in memory: WHERE %s", where)
		}
	}
	switch s := st.(type) {
	case *parser.Select:
		exprs, _, err := outputs(s)
		if err != nil {
			return nil, err
		}
		if s.From == "" {
			add("evaluate the select list (no table)")
			break
		}
		all := append(append([]parser.Expr{}, exprs...), s.Where, s.Having)
		all = append(all, s.GroupBy...)
		for _, o := range s.OrderBy {
			all = append(all, o.Expr)
		}
		if x, ok := eqConst(s.Where, "parent"); ok && e.tx == nil && s.From == parser.TableZnodes && len(s.Items) == 1 && len(s.GroupBy) == 0 && s.Having == nil && !s.Distinct {
			if a, ok := s.Items[0].Expr.(*parser.Aggregate); ok && a.Func == parser.AggCount && a.Arg == nil && !a.Distinct {
				add("exists %s (COUNT(*) from the parent's numChildren; no child is read)", x)
				break
			}
		}
		agg := len(s.GroupBy) > 0 || hasAggregate(s.Having)
		for _, x := range exprs {
			agg = agg || hasAggregate(x)
		}
		for _, o := range s.OrderBy {
			agg = agg || hasAggregate(o.Expr)
		}
		_, lateKeys := lateSortKeys(s, exprs)
		late := !agg && s.Limit != nil && e.tx == nil && lateKeys
		if late {
			accessSteps(s.From, s.Where, fetchName)
		} else {
			accessSteps(s.From, s.Where, levelFor(all...))
		}
		if len(s.GroupBy) > 0 {
			add("group by %s in memory", exprList(s.GroupBy))
		} else if agg {
			add("aggregate all rows in memory")
		}
		if s.Having != nil {
			add("filter groups: HAVING %s", s.Having)
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
			if late {
				op := "exists"
				if levelFor(exprs...) == fetchData {
					op = "getData"
				}
				add("sort the listing in memory by %s, then %s only for the rows the limit keeps", strings.Join(keys, ", "), op)
			} else {
				add("sort in memory by %s", strings.Join(keys, ", "))
			}
		}
		if s.Distinct {
			add("distinct in memory")
		}
		if s.Limit != nil {
			l := "limit " + s.Limit.Count.String()
			if s.Limit.Offset != nil {
				l += " offset " + s.Limit.Offset.String()
			}
			if len(s.OrderBy) == 0 && !agg {
				l += " (stops the scan early)"
			}
			add("%s", l)
		}
	case *parser.Insert:
		if s.Table == parser.TableACLs {
			add("getACL per path, then setACL per path with the aversion read (%d row(s))", len(s.Rows))
			break
		}
		if e.cfg.CreateParents {
			add("exists per missing ancestor; create missing parents (persistent) in the same multi")
		}
		if s.Ignore {
			add("exists per row; rows whose znode exists are skipped (INSERT IGNORE)")
		}
		if hasColumn(s.Columns, "acl") {
			add("each create carries its row's acl in the create request (NULL: %s)", e.defaultACLText())
		} else {
			add("each create carries the ACL %s in the create request", e.defaultACLText())
		}
		if s.OnDuplicate != nil {
			add("getData per row; setData with the version read if the znode exists, else create")
			add("one multi for all rows; retried if a znode changes in between")
		} else if len(s.Rows) > 1 || e.cfg.CreateParents {
			add("multi: create per row (%d row(s)), all or nothing", len(s.Rows))
			if s.Ignore {
				add("a znode another client creates first is dropped from the multi, which is sent again")
			}
		} else {
			add("create (1 row)")
		}
	case *parser.Update:
		if s.Table == parser.TableACLs {
			accessSteps(parser.TableACLs, s.Where, fetchName)
			add("setACL per znode with the aversion read")
			break
		}
		if x, ok := pointUpdateShape(s); ok && e.tx == nil {
			add("setData %s with any version (one request, nothing read: the new data depends on no row; a missing znode affects 0 rows)", x)
			add("if the new data is refused (too large, not a string), exists %s first: a missing znode affects 0 rows, an existing one fails", x)
			break
		}
		exprs := []parser.Expr{versionColumn}
		for _, a := range s.Set {
			exprs = append(exprs, a.Value)
		}
		accessSteps(parser.TableZnodes, s.Where, levelFor(append(exprs, s.Where)...))
		add("multi: setData per matched znode with the version read")
		if versionConjunct(s.Where) {
			add("compare-and-set: a version mismatch affects 0 rows")
		}
	case *parser.Delete:
		if s.Table == parser.TableACLs {
			accessSteps(parser.TableACLs, s.Where, fetchName)
			add("setACL per znode without the matched entries, with the aversion read")
			break
		}
		accessSteps(parser.TableZnodes, s.Where, levelFor(versionColumn, s.Where))
		add("multi: delete per matched znode, deepest first, with the version read")
	default:
		add("%s: no ZooKeeper operation", strings.SplitN(st.String(), " ", 2)[0])
	}
	if e.tx != nil {
		add("inside a transaction: reads are recorded and checked at commit; writes are checked against the transaction's view (exists of each path written and of its parent, getData of a parent whose data is read after its children changed, where the transaction has not read them yet) and buffered")
	}
	cols := []column{
		{name: "step", dbType: "BIGINT", scan: scanInt64, nullable: 2},
		{name: "operation", dbType: "TEXT", scan: scanString, nullable: 2},
	}
	vals := make([][]driver.Value, len(steps))
	for i, s := range steps {
		vals[i] = []driver.Value{int64(i + 1), s}
	}
	return staticRows(cols, vals), nil
}

func exprList(es []parser.Expr) string {
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = e.String()
	}
	return strings.Join(s, ", ")
}

// quoteSQL writes s as an SQL string literal.
func quoteSQL(s string) string {
	return "'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), "'", "''") + "'"
}

func hasColumn(cols []string, name string) bool {
	for _, c := range cols {
		if c == name {
			return true
		}
	}
	return false
}

// defaultACLText shows the ACL of a create without its own: default_acl
// with digest ids redacted, else ZooKeeper's open ACL.
func (e *env) defaultACLText() string {
	if e.cfg.DefaultACL == nil {
		return "world:anyone:cdrwa"
	}
	return "default_acl " + formatACLSpec(e.cfg.DefaultACL, true)
}
