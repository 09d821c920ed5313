package parser

import (
	"strconv"

	"github.com/xwb1989/sqlparser"
)

// checkFullGroupBy applies MySQL's ONLY_FULL_GROUP_BY (on by default since
// MySQL 5.7) to an aggregated SELECT (one with GROUP BY or an aggregate):
// every expression of the select list, HAVING and ORDER BY must be
// grouped, aggregated or built from such parts, since a column that is
// neither has no single value per group (MySQL without the rule, and
// zksql before it, silently took an arbitrary row's). A column is also
// accepted when every primary-key column of the table is grouped (it is
// functionally dependent on them): GROUP BY path makes every znodes
// column usable.
func (c *converter) checkFullGroupBy(sel *sqlparser.Select, out *Select, table *TableDef) *Error {
	aggregated := len(out.GroupBy) > 0 || hasAggregate(out.Having)
	for _, it := range out.Items {
		aggregated = aggregated || hasAggregate(it.Expr)
	}
	for _, o := range out.OrderBy {
		aggregated = aggregated || hasAggregate(o.Expr)
	}
	if !aggregated {
		return nil
	}
	grouped := map[string]bool{}
	for _, g := range out.GroupBy {
		grouped[g.String()] = true
	}
	if table != nil {
		keyGrouped := false
		for _, col := range table.Columns {
			if col.PrimaryKey {
				keyGrouped = grouped[(&Column{Name: col.Name}).String()]
				if !keyGrouped {
					break
				}
			}
		}
		if keyGrouped {
			return nil // every column depends on the grouped key
		}
	}
	// loose names a column of e that is neither grouped nor inside an
	// aggregate nor inside a grouped expression.
	loose := func(e Expr) string {
		bad := ""
		Walk(e, func(n Node) bool {
			if bad != "" {
				return false
			}
			switch x := n.(type) {
			case *Aggregate:
				return false
			case *Column:
				if !grouped[x.String()] {
					bad = x.Name
				}
				return false
			case Expr:
				// A grouped expression may use any column (String is
				// only worth computing when something is grouped).
				return len(grouped) == 0 || !grouped[x.String()]
			}
			return true
		})
		return bad
	}
	why := func(col string) string {
		if len(out.GroupBy) == 0 {
			return "contains the column '" + col + "', which is not aggregated while other expressions are (ONLY_FULL_GROUP_BY, as in MySQL); aggregate it (e.g. MIN(" + col + ")) or add GROUP BY " + col
		}
		return "contains the column '" + col + "', which is neither in GROUP BY nor aggregated (ONLY_FULL_GROUP_BY, as in MySQL); add it to GROUP BY or aggregate it (e.g. MIN(" + col + "))"
	}
	for i, it := range out.Items {
		var col string
		if _, star := it.Expr.(*Star); star && table != nil {
			for _, def := range table.Columns {
				if col = loose(&Column{Name: def.Name}); col != "" {
					break
				}
			}
		} else {
			col = loose(it.Expr)
		}
		if col != "" {
			return c.errNode(KindUnsupported, sel.SelectExprs[i], "expression #%d of the select list (%s) %s", i+1, truncate(it.Expr.String(), maxQuotedNode), why(col))
		}
	}
	if out.Having != nil {
		if col := loose(out.Having); col != "" {
			return c.errNode(KindUnsupported, sel.Having.Expr, "HAVING (%s) %s", truncate(out.Having.String(), maxQuotedNode), why(col))
		}
	}
	for i, o := range out.OrderBy {
		if col := loose(o.Expr); col != "" {
			return c.errNode(KindUnsupported, sel.OrderBy[i].Expr, "expression #%s of ORDER BY (%s) %s", strconv.Itoa(i+1), truncate(o.Expr.String(), maxQuotedNode), why(col))
		}
	}
	return nil
}
