package parser

import (
	"strings"

	"github.com/xwb1989/sqlparser"
)

// converter turns one sqlparser statement into the zksql AST. It keeps the
// statement's tokens to attach positions to errors.
type converter struct {
	sql     string
	toks    []token // without comments and the trailing semicolon
	ordinal bool    // the statement's placeholders are `?` (else :name)
	depth   int     // current expression depth, see MaxExprDepth
}

// errAt reports an error at a token.
func (c *converter) errAt(kind ErrorKind, t token, format string, args ...any) *Error {
	return newError(kind, c.sql, t.start, c.sql[t.start:t.end], format, args...)
}

// errWords reports an error at the first occurrence of a word sequence,
// falling back to the start of the statement.
func (c *converter) errWords(kind ErrorKind, words []string, format string, args ...any) *Error {
	if t, ok := find(c.toks, words...); ok {
		return c.errAt(kind, t, format, args...)
	}
	if t, ok := find(c.toks, words[:min(1, len(words))]...); ok {
		return c.errAt(kind, t, format, args...)
	}
	return c.errAt(kind, c.toks[0], format, args...)
}

// errNode reports an error about a sqlparser node. Nodes carry no position,
// so it re-tokenizes the node's canonical text and looks for the longest
// prefix (up to three tokens) of it in the statement's tokens.
func (c *converter) errNode(kind ErrorKind, node sqlparser.SQLNode, format string, args ...any) *Error {
	text := sqlparser.String(node)
	var words []string
	tk := sqlparser.NewStringTokenizer(text)
	for len(words) < 3 {
		typ, val := tk.Scan()
		if typ == 0 || typ == sqlparser.LEX_ERROR {
			break
		}
		if typ < 256 {
			words = append(words, string(rune(typ)))
		} else {
			words = append(words, string(val))
		}
	}
	for n := len(words); n > 0; n-- {
		if t, ok := find(c.toks, words[:n]...); ok {
			return c.errAt(kind, t, format, args...)
		}
	}
	return c.errAt(kind, c.toks[0], format, args...)
}

// quote renders a sqlparser node for an error message.
func quote(node sqlparser.SQLNode) string {
	return truncate(oneLine(sqlparser.String(node)), maxQuotedNode)
}

func (c *converter) statement(st sqlparser.Statement) (Statement, *Error) {
	switch st := st.(type) {
	case *sqlparser.Select:
		return c.selectStmt(st)
	case *sqlparser.Union:
		return nil, c.errWords(KindUnsupported, []string{"union"}, "UNION is not supported")
	case *sqlparser.ParenSelect:
		return nil, c.errAt(KindUnsupported, c.toks[0], "parenthesized SELECT is not supported")
	case *sqlparser.Insert:
		return c.insertStmt(st)
	case *sqlparser.Update:
		return c.updateStmt(st)
	case *sqlparser.Delete:
		return c.deleteStmt(st)
	case *sqlparser.Show:
		return c.show(st)
	case *sqlparser.Begin:
		return &Begin{}, nil
	case *sqlparser.Commit:
		return &Commit{}, nil
	case *sqlparser.Rollback:
		return &Rollback{}, nil
	}
	// DDL, SET, USE and friends are normally refused by keyword before
	// parsing; this catches whatever sqlparser accepts that we did not
	// anticipate.
	return nil, c.errAt(KindUnsupported, c.toks[0], "%s statements are not supported", strings.ToUpper(c.toks[0].word()))
}

func (c *converter) show(st *sqlparser.Show) (Statement, *Error) {
	typ := strings.ToLower(st.Type)
	if typ != "tables" {
		return nil, c.errAt(KindUnsupported, c.toks[min(1, len(c.toks)-1)], "SHOW %s is not supported; zksql supports SHOW TABLES and SHOW COLUMNS", strings.ToUpper(typ))
	}
	if opt := st.ShowTablesOpt; opt != nil {
		switch {
		case opt.Extended != "":
			return nil, c.errWords(KindUnsupported, []string{"extended"}, "SHOW EXTENDED TABLES is not supported")
		case opt.Full != "":
			return nil, c.errWords(KindUnsupported, []string{"full"}, "SHOW FULL TABLES is not supported")
		case opt.DbName != "":
			return nil, c.errWords(KindUnsupported, []string{"tables", "from"}, "SHOW TABLES FROM database is not supported: zksql has a single schema")
		case opt.Filter != nil:
			kw := "where"
			if opt.Filter.Like != "" {
				kw = "like"
			}
			return nil, c.errWords(KindUnsupported, []string{kw}, "SHOW TABLES %s is not supported", strings.ToUpper(kw))
		}
	}
	return &ShowTables{}, nil
}

// tableName resolves a table reference that must name a zksql table.
func (c *converter) tableName(tn sqlparser.TableName) (*TableDef, *Error) {
	if !tn.Qualifier.IsEmpty() {
		return nil, c.errWords(KindUnsupported, []string{tn.Qualifier.String(), "."},
			"database-qualified table names are not supported: %s", quote(tn))
	}
	def, ok := LookupTable(tn.Name.String())
	if !ok {
		return nil, c.errWords(KindUnknown, []string{tn.Name.String()}, "unknown table '%s'", tn.Name.String())
	}
	return &def, nil
}

// singleTable resolves FROM / UPDATE / DELETE table expressions, refusing
// joins, subqueries and hints. It returns a nil table for SELECT's implicit
// (or explicit) FROM dual when allowDual is set.
func (c *converter) singleTable(exprs sqlparser.TableExprs, allowDual bool) (*TableDef, string, *Error) {
	if len(exprs) != 1 {
		if len(exprs) > 1 {
			return nil, "", c.errNode(KindUnsupported, exprs[1], "JOIN is not supported (comma-separated tables): %s", quote(exprs))
		}
		return nil, "", c.errAt(KindSyntax, c.toks[0], "missing table")
	}
	switch te := exprs[0].(type) {
	case *sqlparser.JoinTableExpr:
		kw := strings.Fields(te.Join)
		return nil, "", c.errWords(KindUnsupported, kw[:1], "%s is not supported: %s", strings.ToUpper(te.Join), quote(te))
	case *sqlparser.ParenTableExpr:
		return nil, "", c.errNode(KindUnsupported, te, "parenthesized table expressions are not supported: %s", quote(te))
	case *sqlparser.AliasedTableExpr:
		if len(te.Partitions) > 0 {
			return nil, "", c.errWords(KindUnsupported, []string{"partition"}, "PARTITION is not supported")
		}
		if te.Hints != nil {
			return nil, "", c.errWords(KindUnsupported, []string{"index"}, "index hints are not supported: %s", quote(te.Hints))
		}
		switch x := te.Expr.(type) {
		case *sqlparser.Subquery:
			return nil, "", c.errNode(KindUnsupported, x, "subqueries are not supported: %s", quote(x))
		case sqlparser.TableName:
			if allowDual && x.Qualifier.IsEmpty() && strings.EqualFold(x.Name.String(), "dual") {
				return nil, "", nil
			}
			def, err := c.tableName(x)
			if err != nil {
				return nil, "", err
			}
			return def, te.As.String(), nil
		}
	}
	return nil, "", c.errNode(KindUnsupported, exprs[0], "table expression is not supported: %s", quote(exprs[0]))
}
