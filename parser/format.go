package parser

import (
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/xwb1989/sqlparser"
)

// Precedence levels used to decide where String must add parentheses so
// that the printed SQL parses back to the same tree. They follow MySQL (and
// sqlparser's grammar): higher binds tighter.
const (
	precLowest  = iota // JSON operators: always parenthesized as operands, see JSONExtract.String
	precOr             // OR
	precAnd            // AND
	precNot            // NOT
	precCompare        // = != < <= > >= LIKE REGEXP IN BETWEEN IS
	precAdd            // + -
	precMul            // * / %
	precUnary          // unary -
	precPrimary        // literals, columns, calls
)

func prec(e Expr) int {
	switch e := e.(type) {
	case *Binary:
		switch e.Op {
		case OpOr:
			return precOr
		case OpAnd:
			return precAnd
		case OpAdd, OpSub:
			return precAdd
		case OpMul, OpDiv, OpMod:
			return precMul
		}
		return precCompare
	case *Unary:
		if e.Op == OpNot {
			return precNot
		}
		return precUnary
	case *Like, *Regexp, *In, *Between, *IsNull:
		return precCompare
	case *JSONExtract:
		if e.usesArrow() {
			return precLowest
		}
	case *Literal:
		// A negative number printed after another operator reads like a
		// unary minus; treat it as one so "- -1" and "a - -1" stay apart.
		switch v := e.Value.(type) {
		case int64:
			if v < 0 {
				return precUnary
			}
		case float64:
			if v < 0 || (v == 0 && math.Signbit(v)) {
				return precUnary
			}
		}
	}
	return precPrimary
}

// sub prints e, parenthesized when its precedence is below min.
func sub(b *strings.Builder, e Expr, min int) {
	if prec(e) < min {
		b.WriteByte('(')
		b.WriteString(e.String())
		b.WriteByte(')')
		return
	}
	b.WriteString(e.String())
}

func (e *Literal) String() string {
	switch v := e.Value.(type) {
	case nil:
		return "NULL"
	case bool:
		if v {
			return "TRUE"
		}
		return "FALSE"
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		s := strconv.FormatFloat(v, 'g', -1, 64)
		if !strings.ContainsAny(s, ".eEnN") {
			// Keep it a float literal when parsed back.
			s += ".0"
		}
		return s
	case string:
		return quoteString(v)
	case []byte:
		if len(v) == 0 {
			return "X''"
		}
		return "X'" + strings.ToUpper(hex.EncodeToString(v)) + "'"
	}
	return fmt.Sprintf("/* invalid literal %T */ NULL", e.Value)
}

// quoteString produces a single-quoted MySQL string literal. Backslash is
// an escape character in MySQL (and sqlparser), so it must be doubled.
func quoteString(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\'':
			b.WriteString(`\'`)
		case '\\':
			b.WriteString(`\\`)
		case 0:
			b.WriteString(`\0`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case 0x1a:
			b.WriteString(`\Z`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// quoteIdent backquotes an identifier unless sqlparser's own tokenizer
// reads it back as the same plain identifier, which catches keywords
// without us keeping a copy of sqlparser's keyword table.
func quoteIdent(s string) string {
	if s != "" && isPlainIdent(s) {
		tk := sqlparser.NewStringTokenizer(s)
		typ, val := tk.Scan()
		if typ == sqlparser.ID && string(val) == s {
			if next, _ := tk.Scan(); next == 0 {
				return s
			}
		}
	}
	return "`" + strings.ReplaceAll(s, "`", "``") + "`"
}

func isPlainIdent(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
		if !letter && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return true
}

func (e *Column) String() string { return quoteIdent(e.Name) }

func (e *Param) String() string {
	if e.Name != "" {
		return ":" + e.Name
	}
	// Ordinals print as `?`; they are numbered by position, so a printed
	// statement reparses with the same ordinals.
	return "?"
}

func (*Star) String() string { return "*" }

func (e *Unary) String() string {
	var b strings.Builder
	if e.Op == OpNot {
		b.WriteString("NOT ")
		sub(&b, e.X, precNot)
		return b.String()
	}
	b.WriteString(string(e.Op))
	// "--" would start a comment, so a nested minus is always parenthesized.
	sub(&b, e.X, precPrimary)
	return b.String()
}

func (e *Binary) String() string {
	var b strings.Builder
	p := prec(e)
	left, right := p, p+1 // left-associative
	if p == precCompare {
		left = p + 1 // comparisons do not chain
	}
	sub(&b, e.L, left)
	b.WriteByte(' ')
	b.WriteString(string(e.Op))
	b.WriteByte(' ')
	sub(&b, e.R, right)
	return b.String()
}

func notKw(n bool) string {
	if n {
		return "NOT "
	}
	return ""
}

func (e *Like) String() string {
	var b strings.Builder
	sub(&b, e.X, precCompare+1)
	b.WriteString(" " + notKw(e.Not) + "LIKE ")
	sub(&b, e.Pattern, precCompare+1)
	if e.Escape != nil {
		b.WriteString(" ESCAPE ")
		sub(&b, e.Escape, precCompare+1)
	}
	return b.String()
}

func (e *Regexp) String() string {
	var b strings.Builder
	sub(&b, e.X, precCompare+1)
	b.WriteString(" " + notKw(e.Not) + "REGEXP ")
	sub(&b, e.Pattern, precCompare+1)
	return b.String()
}

func (e *In) String() string {
	var b strings.Builder
	sub(&b, e.X, precCompare+1)
	b.WriteString(" " + notKw(e.Not) + "IN (")
	writeExprs(&b, e.List)
	b.WriteByte(')')
	return b.String()
}

func (e *Between) String() string {
	var b strings.Builder
	sub(&b, e.X, precCompare+1)
	b.WriteString(" " + notKw(e.Not) + "BETWEEN ")
	sub(&b, e.Lo, precCompare+1)
	b.WriteString(" AND ")
	sub(&b, e.Hi, precCompare+1)
	return b.String()
}

func (e *IsNull) String() string {
	var b strings.Builder
	sub(&b, e.X, precCompare+1)
	b.WriteString(" IS " + notKw(e.Not) + "NULL")
	return b.String()
}

func writeExprs(b *strings.Builder, es []Expr) {
	for i, x := range es {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(x.String())
	}
}

func (e *Func) String() string {
	var b strings.Builder
	b.WriteString(string(e.Name))
	b.WriteByte('(')
	writeExprs(&b, e.Args)
	b.WriteByte(')')
	return b.String()
}

func (e *Case) String() string {
	var b strings.Builder
	b.WriteString("CASE")
	if e.Operand != nil {
		b.WriteByte(' ')
		b.WriteString(e.Operand.String())
	}
	for _, w := range e.Whens {
		b.WriteString(" WHEN ")
		b.WriteString(w.Cond.String())
		b.WriteString(" THEN ")
		b.WriteString(w.Result.String())
	}
	if e.Else != nil {
		b.WriteString(" ELSE ")
		b.WriteString(e.Else.String())
	}
	b.WriteString(" END")
	return b.String()
}

func (e *Cast) String() string {
	return "CAST(" + e.X.String() + " AS " + string(e.Type) + ")"
}

// usesArrow reports whether the node prints with -> / ->>, which sqlparser
// only accepts with a column on the left and a literal or placeholder on
// the right.
func (e *JSONExtract) usesArrow() bool {
	if e.Unquote {
		return true
	}
	if !isColumn(e.X) {
		return false
	}
	switch p := e.Path.(type) {
	case *Literal:
		_, ok := p.Value.(string)
		return ok
	case *Param:
		return true
	}
	return false
}

func (e *JSONExtract) String() string {
	if !e.usesArrow() {
		return "JSON_EXTRACT(" + e.X.String() + ", " + e.Path.String() + ")"
	}
	op := " -> "
	if e.Unquote {
		op = " ->> "
	}
	return e.X.String() + op + e.Path.String()
}

func (e *Aggregate) String() string {
	if e.Arg == nil {
		return string(e.Func) + "(*)"
	}
	d := ""
	if e.Distinct {
		d = "DISTINCT "
	}
	return string(e.Func) + "(" + d + e.Arg.String() + ")"
}

func (e *InsertedValue) String() string { return "VALUES(" + quoteIdent(e.Column) + ")" }

// Statements.

func (s *Select) String() string {
	var b strings.Builder
	b.WriteString("SELECT ")
	if s.Distinct {
		b.WriteString("DISTINCT ")
	}
	for i, it := range s.Items {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(it.Expr.String())
		if it.Alias != "" {
			b.WriteString(" AS " + quoteIdent(it.Alias))
		}
	}
	if s.From != "" {
		b.WriteString(" FROM " + quoteIdent(s.From))
	}
	if s.Where != nil {
		b.WriteString(" WHERE " + s.Where.String())
	}
	for i, g := range s.GroupBy {
		if i == 0 {
			b.WriteString(" GROUP BY ")
		} else {
			b.WriteString(", ")
		}
		b.WriteString(s.refString(g))
	}
	if s.Having != nil {
		b.WriteString(" HAVING " + s.Having.String())
	}
	for i, o := range s.OrderBy {
		if i == 0 {
			b.WriteString(" ORDER BY ")
		} else {
			b.WriteString(", ")
		}
		b.WriteString(s.refString(o.Expr))
		if o.Desc {
			b.WriteString(" DESC")
		}
	}
	if s.Limit != nil {
		b.WriteString(" " + s.Limit.String())
	}
	return b.String()
}

// refString prints a GROUP BY or ORDER BY item so that it is not read
// back as a reference, nor refused: a bare integer would be a position, a
// bare placeholder is refused there, and a bare column whose name is also a
// select-list alias would be the alias. Parentheses make them all plain
// expressions.
func (s *Select) refString(e Expr) string {
	if hasOrdinalParam(e) {
		// An item referred to by position or alias whose expression has
		// a `?`: printed again, the `?` would be another argument. Its
		// position reads back as the same item (* counting as the
		// table's columns, as selectRef reads it: expandStar).
		var table *TableDef
		if t, ok := LookupTable(s.From); ok {
			table = &t
		}
		for i, x := range expandStar(s.Items, table) {
			if x == e {
				return strconv.Itoa(i + 1)
			}
		}
	}
	switch e := e.(type) {
	case *Param:
		// A :name the item refers to by position or alias: bare, it
		// would be refused as a parameter in ORDER BY.
		return "(" + e.String() + ")"
	case *Literal:
		if _, isInt := e.Value.(int64); isInt {
			return "(" + e.String() + ")"
		}
	case *Column:
		for _, it := range s.Items {
			if strings.EqualFold(it.Alias, e.Name) {
				return "(" + e.String() + ")"
			}
		}
	}
	return e.String()
}

// hasOrdinalParam reports whether e holds a `?` placeholder.
func hasOrdinalParam(e Expr) bool {
	found := false
	Walk(e, func(n Node) bool {
		if p, ok := n.(*Param); ok && p.Ordinal > 0 {
			found = true
		}
		return !found
	})
	return found
}

// String prints the LIMIT clause.
func (l *Limit) String() string {
	s := "LIMIT " + l.Count.String()
	if l.Offset != nil {
		s += " OFFSET " + l.Offset.String()
	}
	return s
}

func (s *Insert) String() string {
	var b strings.Builder
	b.WriteString("INSERT ")
	if s.Ignore {
		b.WriteString("IGNORE ")
	}
	b.WriteString("INTO " + quoteIdent(s.Table) + " (")
	for i, c := range s.Columns {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quoteIdent(c))
	}
	b.WriteString(") VALUES ")
	for i, row := range s.Rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		writeExprs(&b, row)
		b.WriteByte(')')
	}
	if s.OnDuplicate != nil {
		b.WriteString(" ON DUPLICATE KEY UPDATE ")
		writeAssignments(&b, s.OnDuplicate)
	}
	return b.String()
}

func writeAssignments(b *strings.Builder, as []Assignment) {
	for i, a := range as {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quoteIdent(a.Column) + " = " + a.Value.String())
	}
}

func (s *Update) String() string {
	var b strings.Builder
	b.WriteString("UPDATE " + quoteIdent(s.Table) + " SET ")
	writeAssignments(&b, s.Set)
	if s.Where != nil {
		b.WriteString(" WHERE " + s.Where.String())
	}
	return b.String()
}

func (s *Delete) String() string {
	out := "DELETE FROM " + quoteIdent(s.Table)
	if s.Where != nil {
		out += " WHERE " + s.Where.String()
	}
	return out
}

func (*ShowTables) String() string { return "SHOW TABLES" }
func (s *Describe) String() string { return "DESCRIBE " + quoteIdent(s.Table) }
func (s *Explain) String() string  { return "EXPLAIN " + s.Stmt.String() }
func (*Begin) String() string      { return "BEGIN" }
func (*Commit) String() string     { return "COMMIT" }
func (*Rollback) String() string   { return "ROLLBACK" }
