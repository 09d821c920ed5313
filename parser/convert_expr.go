package parser

import (
	"encoding/hex"
	"math"
	"strconv"
	"strings"
	"unicode"

	"github.com/xwb1989/sqlparser"
)

// scope says what an expression may reference where it appears.
type scope struct {
	clause     string          // for messages: "WHERE", "the select list", ...
	table      *TableDef       // nil when there is no FROM clause
	alias      string          // the table's alias, if any
	noColumns  bool            // column references are refused (INSERT values)
	aggregates bool            // aggregates are allowed
	inAgg      bool            // inside an aggregate's argument
	aliases    map[string]Expr // select-list aliases visible here (HAVING), lower-cased
	values     map[string]bool // columns VALUES(col) may name; nil refuses VALUES()
	ambiguous  map[string]bool // aliases defined more than once
}

func (s *scope) tableColumn(name string) (ColumnDef, bool) {
	if s.table == nil {
		return ColumnDef{}, false
	}
	return s.table.Column(name)
}

func (c *converter) expr(e sqlparser.Expr, s *scope) (Expr, *Error) {
	c.depth++
	defer func() { c.depth-- }()
	if c.depth > MaxExprDepth {
		return nil, c.errAt(KindLimit, c.toks[0], "expression nested more than %d levels deep", MaxExprDepth)
	}
	switch e := e.(type) {
	case *sqlparser.ParenExpr:
		return c.expr(e.Expr, s)
	case *sqlparser.AndExpr:
		return c.binary(OpAnd, e.Left, e.Right, s)
	case *sqlparser.OrExpr:
		return c.binary(OpOr, e.Left, e.Right, s)
	case *sqlparser.NotExpr:
		x, err := c.expr(e.Expr, s)
		if err != nil {
			return nil, err
		}
		return &Unary{Op: OpNot, X: x}, nil
	case *sqlparser.ComparisonExpr:
		return c.comparison(e, s)
	case *sqlparser.RangeCond:
		return c.between(e, s)
	case *sqlparser.IsExpr:
		switch e.Operator {
		case sqlparser.IsNullStr, sqlparser.IsNotNullStr:
			x, err := c.expr(e.Expr, s)
			if err != nil {
				return nil, err
			}
			return &IsNull{X: x, Not: e.Operator == sqlparser.IsNotNullStr}, nil
		}
		return nil, c.errWords(KindUnsupported, []string{"is"}, "%s is not supported; only IS [NOT] NULL", strings.ToUpper(e.Operator))
	case *sqlparser.SQLVal:
		return c.literal(e)
	case *sqlparser.NullVal:
		return &Literal{Value: nil}, nil
	case sqlparser.BoolVal:
		return &Literal{Value: bool(e)}, nil
	case *sqlparser.ColName:
		return c.column(e, s)
	case *sqlparser.BinaryExpr:
		return c.arith(e, s)
	case *sqlparser.UnaryExpr:
		return c.unary(e, s)
	case *sqlparser.FuncExpr:
		return c.funcCall(e, s)
	case *sqlparser.SubstrExpr:
		return c.substr(e, s)
	case *sqlparser.ConvertExpr:
		return c.cast(e, s)
	case *sqlparser.ValuesFuncExpr:
		return c.valuesFunc(e, s)
	case *sqlparser.Subquery:
		return nil, c.errNode(KindUnsupported, e, "subqueries are not supported: %s", quote(e))
	case *sqlparser.ExistsExpr:
		return nil, c.errWords(KindUnsupported, []string{"exists"}, "EXISTS subqueries are not supported: %s", quote(e))
	case sqlparser.ValTuple:
		return nil, c.errNode(KindUnsupported, e, "row constructors are not supported: %s", quote(e))
	case sqlparser.ListArg:
		return nil, c.errNode(KindUnsupported, e, "list placeholders are not supported")
	case *sqlparser.CaseExpr:
		return c.caseExpr(e, s)
	case *sqlparser.IntervalExpr:
		return nil, c.errWords(KindUnsupported, []string{"interval"}, "INTERVAL is not supported")
	case *sqlparser.CollateExpr:
		return nil, c.errWords(KindUnsupported, []string{"collate"}, "COLLATE is not supported")
	case *sqlparser.MatchExpr:
		return nil, c.errWords(KindUnsupported, []string{"match"}, "MATCH ... AGAINST is not supported")
	case *sqlparser.GroupConcatExpr:
		return nil, c.errWords(KindUnsupported, []string{"group_concat"}, "GROUP_CONCAT is not supported")
	case *sqlparser.ConvertUsingExpr:
		return nil, c.errWords(KindUnsupported, []string{"convert"}, "CONVERT ... USING is not supported")
	case *sqlparser.Default:
		return nil, c.errWords(KindUnsupported, []string{"default"}, "DEFAULT is not supported")
	}
	return nil, c.errNode(KindUnsupported, e, "expression is not supported: %s", quote(e))
}

func (c *converter) caseExpr(e *sqlparser.CaseExpr, s *scope) (Expr, *Error) {
	out := &Case{Whens: make([]When, 0, len(e.Whens))}
	var err *Error
	if e.Expr != nil {
		if out.Operand, err = c.expr(e.Expr, s); err != nil {
			return nil, err
		}
	}
	for _, w := range e.Whens {
		var arm When
		if arm.Cond, err = c.expr(w.Cond, s); err != nil {
			return nil, err
		}
		if arm.Result, err = c.expr(w.Val, s); err != nil {
			return nil, err
		}
		out.Whens = append(out.Whens, arm)
	}
	if e.Else != nil {
		if out.Else, err = c.expr(e.Else, s); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (c *converter) binary(op BinaryOp, l, r sqlparser.Expr, s *scope) (Expr, *Error) {
	left, err := c.expr(l, s)
	if err != nil {
		return nil, err
	}
	right, err := c.expr(r, s)
	if err != nil {
		return nil, err
	}
	return &Binary{Op: op, L: left, R: right}, nil
}

var comparisonOps = map[string]BinaryOp{
	sqlparser.EqualStr:        OpEq,
	sqlparser.NotEqualStr:     OpNe,
	sqlparser.LessThanStr:     OpLt,
	sqlparser.LessEqualStr:    OpLe,
	sqlparser.GreaterThanStr:  OpGt,
	sqlparser.GreaterEqualStr: OpGe,
}

func (c *converter) comparison(e *sqlparser.ComparisonExpr, s *scope) (Expr, *Error) {
	if op, ok := comparisonOps[e.Operator]; ok {
		return c.binary(op, e.Left, e.Right, s)
	}
	switch e.Operator {
	case sqlparser.InStr, sqlparser.NotInStr:
		return c.in(e, s)
	case sqlparser.LikeStr, sqlparser.NotLikeStr, sqlparser.RegexpStr, sqlparser.NotRegexpStr:
	default:
		return nil, c.errWords(KindUnsupported, []string{e.Operator}, "operator %s is not supported", e.Operator)
	}
	x, err := c.expr(e.Left, s)
	if err != nil {
		return nil, err
	}
	pat, err := c.expr(e.Right, s)
	if err != nil {
		return nil, err
	}
	switch e.Operator {
	case sqlparser.RegexpStr, sqlparser.NotRegexpStr:
		return &Regexp{X: x, Pattern: pat, Not: e.Operator == sqlparser.NotRegexpStr}, nil
	}
	like := &Like{X: x, Pattern: pat, Not: e.Operator == sqlparser.NotLikeStr}
	if e.Escape != nil {
		if like.Escape, err = c.expr(e.Escape, s); err != nil {
			return nil, err
		}
	}
	return like, nil
}

func (c *converter) in(e *sqlparser.ComparisonExpr, s *scope) (Expr, *Error) {
	x, err := c.expr(e.Left, s)
	if err != nil {
		return nil, err
	}
	tuple, ok := e.Right.(sqlparser.ValTuple)
	if !ok {
		if sq, isSub := e.Right.(*sqlparser.Subquery); isSub {
			return nil, c.errNode(KindUnsupported, sq, "subqueries are not supported: %s", quote(sq))
		}
		return nil, c.errNode(KindUnsupported, e.Right, "IN takes a parenthesized list of values: %s", quote(e.Right))
	}
	in := &In{X: x, Not: e.Operator == sqlparser.NotInStr, List: make([]Expr, 0, len(tuple))}
	for _, v := range tuple {
		item, err := c.expr(v, s)
		if err != nil {
			return nil, err
		}
		in.List = append(in.List, item)
	}
	return in, nil
}

func (c *converter) between(e *sqlparser.RangeCond, s *scope) (Expr, *Error) {
	x, err := c.expr(e.Left, s)
	if err != nil {
		return nil, err
	}
	lo, err := c.expr(e.From, s)
	if err != nil {
		return nil, err
	}
	hi, err := c.expr(e.To, s)
	if err != nil {
		return nil, err
	}
	return &Between{X: x, Lo: lo, Hi: hi, Not: e.Operator == sqlparser.NotBetweenStr}, nil
}

var arithOps = map[string]BinaryOp{
	sqlparser.PlusStr:  OpAdd,
	sqlparser.MinusStr: OpSub,
	sqlparser.MultStr:  OpMul,
	sqlparser.DivStr:   OpDiv,
	sqlparser.ModStr:   OpMod,
}

func (c *converter) arith(e *sqlparser.BinaryExpr, s *scope) (Expr, *Error) {
	if op, ok := arithOps[e.Operator]; ok {
		return c.binary(op, e.Left, e.Right, s)
	}
	switch e.Operator {
	case sqlparser.JSONExtractOp, sqlparser.JSONUnquoteExtractOp:
		x, err := c.expr(e.Left, s)
		if err != nil {
			return nil, err
		}
		path, err := c.expr(e.Right, s)
		if err != nil {
			return nil, err
		}
		return &JSONExtract{X: x, Path: path, Unquote: e.Operator == sqlparser.JSONUnquoteExtractOp}, nil
	}
	op := e.Operator
	return nil, c.errWords(KindUnsupported, []string{op}, "operator %s is not supported", strings.ToUpper(op))
}

func (c *converter) unary(e *sqlparser.UnaryExpr, s *scope) (Expr, *Error) {
	switch e.Operator {
	case sqlparser.UPlusStr:
		return c.expr(e.Expr, s)
	case sqlparser.BangStr:
		x, err := c.expr(e.Expr, s)
		if err != nil {
			return nil, err
		}
		return &Unary{Op: OpNot, X: x}, nil
	case sqlparser.UMinusStr:
		x, err := c.expr(e.Expr, s)
		if err != nil {
			return nil, err
		}
		// Fold negative numeric literals (sqlparser already folds integers
		// written directly after '-').
		if lit, ok := x.(*Literal); ok {
			switch v := lit.Value.(type) {
			case int64:
				if v != math.MinInt64 {
					return &Literal{Value: -v}, nil
				}
			case float64:
				return &Literal{Value: -v}, nil
			}
		}
		return &Unary{Op: OpNeg, X: x}, nil
	}
	op := strings.TrimSpace(e.Operator)
	return nil, c.errWords(KindUnsupported, []string{op}, "operator %s is not supported", strings.ToUpper(op))
}

func (c *converter) literal(v *sqlparser.SQLVal) (Expr, *Error) {
	text := string(v.Val)
	switch v.Type {
	case sqlparser.StrVal:
		return &Literal{Value: text}, nil
	case sqlparser.IntVal:
		n, err := strconv.ParseInt(text, 10, 64)
		if err != nil {
			return nil, c.errWords(KindUnsupported, []string{text}, "integer literal %s is out of range for BIGINT", text)
		}
		return &Literal{Value: n}, nil
	case sqlparser.FloatVal:
		f, err := strconv.ParseFloat(text, 64)
		if err != nil {
			return nil, c.errWords(KindUnsupported, []string{text}, "number %s is out of range", text)
		}
		return &Literal{Value: f}, nil
	case sqlparser.HexNum: // 0xABC
		digits := text[2:]
		if len(digits)%2 == 1 {
			digits = "0" + digits
		}
		b, err := hex.DecodeString(digits)
		if err != nil || len(text) < 3 {
			return nil, c.errWords(KindSyntax, []string{text}, "invalid hex literal %s", text)
		}
		return &Literal{Value: b}, nil
	case sqlparser.HexVal: // X'ABCD'
		b, err := v.HexDecode()
		if err != nil {
			return nil, c.errNode(KindSyntax, v, "invalid hex literal %s", quote(v))
		}
		return &Literal{Value: b}, nil
	case sqlparser.ValArg:
		return c.param(text)
	}
	return nil, c.errNode(KindUnsupported, v, "literal %s is not supported", quote(v))
}

// param maps sqlparser's bind variable back to a placeholder: with `?`
// placeholders sqlparser named them :v1, :v2, ... in source order.
func (c *converter) param(name string) (Expr, *Error) {
	name = strings.TrimPrefix(name, ":")
	if c.ordinal {
		n, err := strconv.Atoi(strings.TrimPrefix(name, "v"))
		if err != nil || n < 1 {
			return nil, c.errWords(KindSyntax, []string{":" + name}, "invalid placeholder")
		}
		return &Param{Ordinal: n}, nil
	}
	if !validParamName(name) {
		return nil, c.errWords(KindSyntax, []string{":" + name}, "invalid placeholder name :%s: a name begins with a letter and holds only letters, digits and _ (what sql.Named accepts)", name)
	}
	return &Param{Name: name}, nil
}

// validParamName reports whether name is one database/sql accepts for
// sql.Named (database/sql's validateNamedValueName): a placeholder that
// no argument could be named for is refused where it is written.
func validParamName(name string) bool {
	for i, r := range name {
		if !unicode.IsLetter(r) && (i == 0 || r != '_' && !unicode.IsDigit(r)) {
			return false
		}
	}
	return name != ""
}

func (c *converter) column(e *sqlparser.ColName, s *scope) (Expr, *Error) {
	name := e.Name.Lowered()
	if strings.HasPrefix(name, "@") {
		return nil, c.errWords(KindUnsupported, []string{e.Name.String()}, "variables (%s) are not supported", e.Name.String())
	}
	if !e.Qualifier.Qualifier.IsEmpty() {
		return nil, c.errNode(KindUnsupported, e, "database-qualified column names are not supported: %s", quote(e))
	}
	if q := e.Qualifier.Name.String(); q != "" {
		if s.table == nil || !(strings.EqualFold(q, s.table.Name) || (s.alias != "" && strings.EqualFold(q, s.alias))) {
			return nil, c.errWords(KindUnknown, []string{q, "."}, "unknown table '%s' in column reference %s", q, quote(e))
		}
	} else if _, isColumn := s.tableColumn(name); s.aliases != nil && !isColumn {
		// In HAVING a real column wins over a select-list alias of the
		// same name; that keeps String's output unambiguous.
		if s.ambiguous[name] {
			return nil, c.errWords(KindUnsupported, []string{name}, "alias '%s' is ambiguous", e.Name.String())
		}
		if x, ok := s.aliases[name]; ok {
			if hasOrdinalParam(x) {
				// Substituted, the item's `?` would appear twice and
				// print back as two arguments; there is no position to
				// print instead, as in ORDER BY and GROUP BY.
				return nil, c.errWords(KindUnsupported, []string{e.Name.String()}, "alias '%s' names an expression with a ? placeholder, which %s cannot refer to; repeat the expression or use a :name placeholder", e.Name.String(), s.clause)
			}
			return x, nil
		}
	}
	if s.noColumns {
		return nil, c.errWords(KindUnsupported, []string{e.Name.String()}, "column reference %s is not allowed in %s", quote(e), s.clause)
	}
	if s.table == nil {
		return nil, c.errWords(KindUnknown, []string{e.Name.String()}, "unknown column '%s' (there is no FROM clause)", e.Name.String())
	}
	col, ok := s.table.Column(name)
	if !ok {
		return nil, c.errWords(KindUnknown, []string{e.Name.String()}, "unknown column '%s' in table %s", e.Name.String(), s.table.Name)
	}
	return &Column{Name: col.Name}, nil
}

var scalarFuncs = map[string]struct {
	name     FuncName
	min, max int // argument count; max < 0 means unbounded
}{
	"length": {FuncLength, 1, 1},
	"concat": {FuncConcat, 1, -1},
	"lower":  {FuncLower, 1, 1},
	"upper":  {FuncUpper, 1, 1},

	"coalesce":  {FuncCoalesce, 1, -1},
	"ifnull":    {FuncIfNull, 2, 2},
	"nullif":    {FuncNullIf, 2, 2},
	"if":        {FuncIf, 3, 3},
	"concat_ws": {FuncConcatWS, 2, -1},
	"hex":       {FuncHex, 1, 1},
	"unhex":     {FuncUnhex, 1, 1},

	"now":               {FuncNow, 0, 1},
	"current_timestamp": {FuncNow, 0, 0},
	"localtime":         {FuncNow, 0, 0},
	"localtimestamp":    {FuncNow, 0, 0},
	"utc_timestamp":     {FuncUTCTimestamp, 0, 0},
	"unix_timestamp":    {FuncUnixTimestamp, 0, 1},
	"from_unixtime":     {FuncFromUnixtime, 1, 1},

	"json_unquote":  {FuncJSONUnquote, 1, 1},
	"json_type":     {FuncJSONType, 1, 1},
	"json_length":   {FuncJSONLength, 1, 2},
	"json_keys":     {FuncJSONKeys, 1, 2},
	"json_contains": {FuncJSONContains, 2, 3},
	"json_valid":    {FuncJSONValid, 1, 1},
	// SUBSTRING and SUBSTR with any first argument (see substring.go).
	"zk_substr": {FuncSubstring, 2, 3},
	"zk_sub":    {FuncSubstring, 2, 3},
}

var aggFuncs = map[string]AggFunc{
	"count": AggCount,
	"sum":   AggSum,
	"min":   AggMin,
	"max":   AggMax,
	"avg":   AggAvg,
}

func (c *converter) funcCall(e *sqlparser.FuncExpr, s *scope) (Expr, *Error) {
	name := e.Name.Lowered()
	display := strings.ToUpper(e.Name.String())
	if written, ok := substringNames[name]; ok {
		display = written
	}
	at := []string{display, "("}
	if !e.Qualifier.IsEmpty() {
		return nil, c.errWords(KindUnsupported, []string{e.Qualifier.String(), "."}, "qualified function names are not supported: %s", quote(e))
	}
	if agg, ok := aggFuncs[name]; ok {
		return c.aggregate(agg, e, s)
	}
	if e.Distinct {
		return nil, c.errWords(KindUnsupported, at, "DISTINCT is only allowed in aggregate functions")
	}
	spec, ok := scalarFuncs[name]
	isJSON := name == "json_extract"
	if !ok && !isJSON {
		if sqlparser.Aggregates[name] {
			return nil, c.errWords(KindUnsupported, at, "aggregate function %s is not supported", display)
		}
		return nil, c.errWords(KindUnknown, at, "unknown function %s", display)
	}
	args, err := c.args(e, s)
	if err != nil {
		return nil, err
	}
	if isJSON {
		if len(args) != 2 {
			return nil, c.errWords(KindUnsupported, at, "JSON_EXTRACT takes exactly 2 arguments (a document and one path), got %d", len(args))
		}
		return &JSONExtract{X: args[0], Path: args[1]}, nil
	}
	if len(args) < spec.min || (spec.max >= 0 && len(args) > spec.max) {
		return nil, c.errWords(KindSyntax, at, "%s takes %s, got %d", display, arity(spec.min, spec.max), len(args))
	}
	if len(args) == 0 {
		args = nil // NOW() and NOW parse to the same tree
	}
	return &Func{Name: spec.name, Args: args}, nil
}

func arity(min, max int) string {
	switch {
	case max < 0:
		return "at least " + plural(min, "argument")
	case min == max:
		return "exactly " + plural(min, "argument")
	}
	return strconv.Itoa(min) + " to " + strconv.Itoa(max) + " arguments"
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// args converts a call's arguments, which sqlparser models as select
// expressions (so it accepts `*` and aliases there).
func (c *converter) args(e *sqlparser.FuncExpr, s *scope) ([]Expr, *Error) {
	out := make([]Expr, 0, len(e.Exprs))
	for _, se := range e.Exprs {
		ae, ok := se.(*sqlparser.AliasedExpr)
		if !ok {
			return nil, c.errWords(KindUnsupported, []string{e.Name.String(), "("}, "%s is not a valid argument of %s", quote(se), strings.ToUpper(e.Name.String()))
		}
		if !ae.As.IsEmpty() {
			return nil, c.errWords(KindSyntax, []string{ae.As.String()}, "function arguments cannot have aliases")
		}
		x, err := c.expr(ae.Expr, s)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, nil
}

func (c *converter) aggregate(agg AggFunc, e *sqlparser.FuncExpr, s *scope) (Expr, *Error) {
	at := []string{e.Name.String(), "("}
	switch {
	case s.inAgg:
		return nil, c.errWords(KindUnsupported, at, "aggregate functions cannot be nested")
	case !s.aggregates:
		return nil, c.errWords(KindUnsupported, at, "aggregate %s is not allowed in %s", agg, s.clause)
	case len(e.Exprs) != 1:
		return nil, c.errWords(KindSyntax, at, "%s takes exactly 1 argument", agg)
	}
	out := &Aggregate{Func: agg, Distinct: e.Distinct}
	if star, ok := e.Exprs[0].(*sqlparser.StarExpr); ok {
		if agg != AggCount || e.Distinct || !star.TableName.IsEmpty() {
			return nil, c.errWords(KindSyntax, at, "only COUNT(*) accepts *")
		}
		return out, nil
	}
	inner := *s
	inner.inAgg = true
	inner.clause = "an aggregate argument"
	args, err := c.args(e, &inner)
	if err != nil {
		return nil, err
	}
	out.Arg = args[0]
	return out, nil
}

func (c *converter) substr(e *sqlparser.SubstrExpr, s *scope) (Expr, *Error) {
	col, err := c.expr(e.Name, s)
	if err != nil {
		return nil, err
	}
	from, err := c.expr(e.From, s)
	if err != nil {
		return nil, err
	}
	args := []Expr{col, from}
	if e.To != nil {
		to, err := c.expr(e.To, s)
		if err != nil {
			return nil, err
		}
		args = append(args, to)
	}
	return &Func{Name: FuncSubstring, Args: args}, nil
}

var castTypes = map[string]CastType{
	"char":     CastChar,
	"binary":   CastBinary,
	"signed":   CastSigned,
	"unsigned": CastUnsigned,
	"datetime": CastDatetime,
	"json":     CastJSON,
}

func (c *converter) cast(e *sqlparser.ConvertExpr, s *scope) (Expr, *Error) {
	t := e.Type
	typ, ok := castTypes[strings.ToLower(t.Type)]
	if !ok {
		return nil, c.errWords(KindUnsupported, []string{t.Type}, "CAST to %s is not supported; use CHAR, BINARY, SIGNED, UNSIGNED, DATETIME or JSON", strings.ToUpper(t.Type))
	}
	if t.Length != nil || t.Scale != nil || t.Charset != "" {
		return nil, c.errWords(KindUnsupported, []string{t.Type}, "CAST type modifiers are not supported: %s", quote(t))
	}
	x, err := c.expr(e.Expr, s)
	if err != nil {
		return nil, err
	}
	return &Cast{X: x, Type: typ}, nil
}

func (c *converter) valuesFunc(e *sqlparser.ValuesFuncExpr, s *scope) (Expr, *Error) {
	if s.values == nil {
		return nil, c.errWords(KindUnsupported, []string{"values", "("}, "VALUES() is only allowed in ON DUPLICATE KEY UPDATE")
	}
	name := e.Name.Name.Lowered()
	if !e.Name.Qualifier.IsEmpty() {
		return nil, c.errNode(KindUnsupported, e, "qualified column names are not supported in VALUES(): %s", quote(e))
	}
	if !s.values[name] {
		return nil, c.errWords(KindUnknown, []string{"values", "(", e.Name.Name.String()}, "VALUES(%s) must name a column of the INSERT column list", e.Name.Name.String())
	}
	return &InsertedValue{Column: name}, nil
}
