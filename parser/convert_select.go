package parser

import (
	"strconv"
	"strings"

	"github.com/xwb1989/sqlparser"
)

func (c *converter) selectStmt(sel *sqlparser.Select) (Statement, *Error) {
	switch {
	case sel.Cache != "":
		w := strings.TrimSpace(sel.Cache)
		return nil, c.errWords(KindUnsupported, []string{w}, "%s is not supported", strings.ToUpper(w))
	case sel.Hints != "":
		return nil, c.errWords(KindUnsupported, []string{"straight_join"}, "STRAIGHT_JOIN is not supported")
	case sel.Lock == sqlparser.ForUpdateStr:
		return nil, c.errWords(KindUnsupported, []string{"for", "update"}, "SELECT ... FOR UPDATE is not supported")
	case sel.Lock != "":
		return nil, c.errWords(KindUnsupported, []string{"lock", "in"}, "SELECT ... LOCK IN SHARE MODE is not supported")
	}
	table, alias, err := c.singleTable(sel.From, true)
	if err != nil {
		return nil, err
	}
	out := &Select{Distinct: sel.Distinct != ""}
	if table != nil {
		out.From = table.Name
	}
	base := scope{table: table, alias: alias}

	items := base
	items.clause = "the select list"
	items.aggregates = true
	for _, se := range sel.SelectExprs {
		switch se := se.(type) {
		case *sqlparser.StarExpr:
			if table == nil {
				return nil, c.errWords(KindSyntax, []string{"*"}, "SELECT * needs a FROM clause")
			}
			if q := se.TableName; !q.IsEmpty() {
				if !q.Qualifier.IsEmpty() || !(strings.EqualFold(q.Name.String(), table.Name) || (alias != "" && strings.EqualFold(q.Name.String(), alias))) {
					return nil, c.errNode(KindUnknown, se, "unknown table in %s", quote(se))
				}
			}
			out.Items = append(out.Items, SelectItem{Expr: &Star{}})
		case *sqlparser.AliasedExpr:
			x, err := c.expr(se.Expr, &items)
			if err != nil {
				return nil, err
			}
			out.Items = append(out.Items, SelectItem{Expr: x, Alias: se.As.String()})
		default:
			return nil, c.errNode(KindUnsupported, se, "select expression is not supported: %s", quote(se))
		}
	}

	if sel.Where != nil {
		where := base
		where.clause = "WHERE"
		if out.Where, err = c.expr(sel.Where.Expr, &where); err != nil {
			return nil, err
		}
	}

	aliases, ambiguous := selectAliases(out.Items)
	for _, g := range sel.GroupBy {
		x, err := c.selectRef(g, out, table, "GROUP BY", &base)
		if err != nil {
			return nil, err
		}
		if hasAggregate(x) {
			return nil, c.errNode(KindUnsupported, g, "GROUP BY cannot refer to an aggregate: %s", quote(g))
		}
		out.GroupBy = append(out.GroupBy, x)
	}

	if sel.Having != nil {
		having := base
		having.clause = "HAVING"
		having.aggregates = true
		having.aliases = aliases
		having.ambiguous = ambiguous
		if out.Having, err = c.expr(sel.Having.Expr, &having); err != nil {
			return nil, err
		}
	}

	order := base
	order.aggregates = true
	for _, o := range sel.OrderBy {
		x, err := c.selectRef(o.Expr, out, table, "ORDER BY", &order)
		if err != nil {
			return nil, err
		}
		out.OrderBy = append(out.OrderBy, OrderItem{Expr: x, Desc: o.Direction == sqlparser.DescScr})
	}
	if err := c.checkFullGroupBy(sel, out, table); err != nil {
		return nil, err
	}

	if out.Limit, err = c.limit(sel.Limit); err != nil {
		return nil, err
	}
	return out, nil
}

// selectAliases indexes the select list's aliases (case-insensitively),
// remembering those defined twice.
func selectAliases(items []SelectItem) (map[string]Expr, map[string]bool) {
	aliases := map[string]Expr{}
	ambiguous := map[string]bool{}
	for _, it := range items {
		if it.Alias == "" {
			continue
		}
		k := strings.ToLower(it.Alias)
		if _, dup := aliases[k]; dup {
			ambiguous[k] = true
		}
		aliases[k] = it.Expr
	}
	return aliases, ambiguous
}

// selectRef converts a GROUP BY or ORDER BY item. As in MySQL, a bare
// integer is a 1-based position in the select list and a bare name that is
// a select-list alias refers to that item; either way the item's
// expression is substituted. Anything else is an ordinary expression.
func (c *converter) selectRef(e sqlparser.Expr, sel *Select, table *TableDef, clause string, s *scope) (Expr, *Error) {
	if v, ok := e.(*sqlparser.SQLVal); ok {
		switch v.Type {
		case sqlparser.IntVal:
			expanded := expandStar(sel.Items, table)
			n, err := strconv.Atoi(string(v.Val))
			if err != nil || n < 1 || n > len(expanded) {
				return nil, c.errWords(KindUnknown, strings.Fields(clause), "%s position %s is not in the select list (it has %d columns)", clause, string(v.Val), len(expanded))
			}
			return expanded[n-1], nil
		case sqlparser.ValArg:
			return nil, c.errWords(KindUnsupported, []string{string(v.Val)}, "placeholders are not allowed in %s (a column cannot be a parameter)", clause)
		}
	}
	if col, ok := e.(*sqlparser.ColName); ok && col.Qualifier.IsEmpty() {
		var found Expr
		for _, it := range sel.Items {
			if it.Alias == "" || !strings.EqualFold(it.Alias, col.Name.String()) {
				continue
			}
			if found != nil && found.String() != it.Expr.String() {
				return nil, c.errWords(KindUnsupported, []string{col.Name.String()}, "%s alias '%s' is ambiguous", clause, col.Name.String())
			}
			found = it.Expr
		}
		if found != nil {
			return found, nil
		}
	}
	inner := *s
	inner.clause = clause
	return c.expr(e, &inner)
}

// expandStar lists the select items' expressions with * replaced by the
// table's columns.
func expandStar(items []SelectItem, table *TableDef) []Expr {
	var out []Expr
	for _, it := range items {
		if _, ok := it.Expr.(*Star); ok && table != nil {
			for _, col := range table.Columns {
				out = append(out, &Column{Name: col.Name})
			}
			continue
		}
		out = append(out, it.Expr)
	}
	return out
}

func hasAggregate(e Expr) bool {
	found := false
	Walk(e, func(n Node) bool {
		if _, ok := n.(*Aggregate); ok {
			found = true
		}
		return !found
	})
	return found
}

// limit converts LIMIT/OFFSET, whose operands must be non-negative integer
// literals or placeholders.
func (c *converter) limit(l *sqlparser.Limit) (*Limit, *Error) {
	if l == nil {
		return nil, nil
	}
	count, err := c.limitOperand(l.Rowcount)
	if err != nil {
		return nil, err
	}
	out := &Limit{Count: count}
	if l.Offset != nil {
		if out.Offset, err = c.limitOperand(l.Offset); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (c *converter) limitOperand(e sqlparser.Expr) (Expr, *Error) {
	if v, ok := e.(*sqlparser.SQLVal); ok {
		switch v.Type {
		case sqlparser.IntVal:
			n, err := strconv.ParseInt(string(v.Val), 10, 64)
			if err != nil || n < 0 {
				return nil, c.errWords(KindSyntax, []string{"limit"}, "LIMIT and OFFSET must be non-negative integers, got %s", string(v.Val))
			}
			return &Literal{Value: n}, nil
		case sqlparser.ValArg:
			return c.param(string(v.Val))
		}
	}
	return nil, c.errWords(KindUnsupported, []string{"limit"}, "LIMIT and OFFSET must be integer literals or placeholders, got %s", quote(e))
}
