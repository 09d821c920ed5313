package eval

import (
	"fmt"
	"math"
	"regexp/syntax"
	"unicode/utf8"

	"github.com/zksql/zksql/internal/panics"
	"github.com/zksql/zksql/parser"
)

// Row gives a column's value by (lower-case) name. The executor fetches
// columns lazily, so Value may do I/O and fail.
type Row interface {
	Value(column string) (any, error)
}

// InsertedRow is implemented by the Row of an ON DUPLICATE KEY UPDATE
// evaluation: Inserted returns the value the INSERT tried to write to
// column, which is what VALUES(column) (*parser.InsertedValue) yields.
// Evaluating VALUES(column) against a Row without it is an error.
type InsertedRow interface {
	Row
	Inserted(column string) (any, error)
}

// Args resolves placeholders (parser.Param): Ordinal is 1-based.
type Args interface {
	Ordinal(n int) (any, error)
	Named(name string) (any, error)
}

// evaluator carries what an expression is evaluated against. It lives on
// the caller's stack.
type evaluator struct {
	row   Row
	args  Args
	group *Group // set by Group.Eval: aggregates take their results here
}

// Eval evaluates e against row (which may be nil for expressions without
// columns) and args (nil when the statement has no placeholders). The
// result is nil (SQL NULL), int64, float64, string, []byte or time.Time;
// predicates yield int64 1 or 0, as in MySQL. Aggregates cannot be
// evaluated here: use a Group.
func Eval(e parser.Expr, row Row, args Args) (v any, err error) {
	defer func() {
		if r := recover(); r != nil {
			v, err = nil, errorf(e, "%w", panics.New("eval", r))
		}
	}()
	return evalExpr(e, row, args)
}

// evalExpr is Eval without the recover safety net (the fuzz test calls it
// so that panics surface).
func evalExpr(e parser.Expr, row Row, args Args) (any, error) {
	ev := evaluator{row: row, args: args}
	v, err := ev.eval(e)
	return export(v), err
}

var errNil = &Error{Msg: "missing expression"}

func (ev *evaluator) eval(e parser.Expr) (any, error) {
	switch e := e.(type) {
	case *parser.Column:
		if e == nil {
			return nil, errNil
		}
		return ev.column(e)
	case *parser.Literal:
		if e == nil {
			return nil, errNil
		}
		v, err := normalize(e.Value)
		if err != nil {
			return nil, errorf(e, "invalid literal: %v", err)
		}
		return v, nil
	case *parser.Binary:
		if e == nil || e.L == nil || e.R == nil {
			return nil, errorf(e, "malformed binary expression")
		}
		return ev.binary(e)
	case *parser.Like:
		if e == nil || e.X == nil || e.Pattern == nil {
			return nil, errorf(e, "malformed LIKE")
		}
		return ev.like(e)
	case *parser.Param:
		if e == nil {
			return nil, errNil
		}
		return ev.param(e)
	case *parser.Unary:
		if e == nil || e.X == nil {
			return nil, errorf(e, "malformed unary expression")
		}
		return ev.unary(e)
	case *parser.In:
		if e == nil || e.X == nil {
			return nil, errorf(e, "malformed IN")
		}
		return ev.in(e)
	case *parser.Between:
		if e == nil || e.X == nil || e.Lo == nil || e.Hi == nil {
			return nil, errorf(e, "malformed BETWEEN")
		}
		return ev.between(e)
	case *parser.IsNull:
		if e == nil || e.X == nil {
			return nil, errorf(e, "malformed IS NULL")
		}
		v, err := ev.eval(e.X)
		if err != nil {
			return nil, err
		}
		return boolVal((v == nil) != e.Not), nil
	case *parser.Regexp:
		if e == nil || e.X == nil || e.Pattern == nil {
			return nil, errorf(e, "malformed REGEXP")
		}
		return ev.regexp(e)
	case *parser.Func:
		if e == nil {
			return nil, errNil
		}
		return ev.funcCall(e)
	case *parser.Case:
		if e == nil {
			return nil, errNil
		}
		return ev.caseExpr(e)
	case *parser.Cast:
		if e == nil || e.X == nil {
			return nil, errorf(e, "malformed CAST")
		}
		return ev.cast(e)
	case *parser.JSONExtract:
		if e == nil {
			return nil, errNil
		}
		return ev.jsonExtract(e)
	case *parser.Aggregate:
		if e == nil {
			return nil, errNil
		}
		if ev.group == nil {
			return nil, errorf(e, "aggregate %s can only be evaluated over a group (eval.Group)", e.Func)
		}
		return ev.group.result(e)
	case *parser.InsertedValue:
		if e == nil {
			return nil, errNil
		}
		ir, ok := ev.row.(InsertedRow)
		if !ok {
			return nil, errorf(e, "VALUES(%s) is only available in ON DUPLICATE KEY UPDATE", e.Column)
		}
		v, err := ir.Inserted(e.Column)
		if err != nil {
			return nil, errorf(e, "reading inserted value of %s: %w", e.Column, err)
		}
		if v, err = normalize(v); err != nil {
			return nil, errorf(e, "inserted value of %s: %w", e.Column, err)
		}
		return v, nil
	case *parser.Star:
		return nil, errorf(e, "* is not a value")
	case nil:
		return nil, errNil
	}
	return nil, errorf(nil, "unsupported expression type %T", e)
}

func (ev *evaluator) column(e *parser.Column) (any, error) {
	if ev.row == nil {
		return nil, errorf(e, "column %s referenced without a row", e.Name)
	}
	v, err := ev.row.Value(e.Name)
	if err != nil {
		return nil, errorf(e, "reading column %s: %w", e.Name, err)
	}
	switch v.(type) {
	case nil, int64, string, []byte, float64:
		return v, nil
	}
	if v, err = normalize(v); err != nil {
		return nil, errorf(e, "column %s: %w", e.Name, err)
	}
	return v, nil
}

func (ev *evaluator) param(e *parser.Param) (any, error) {
	if ev.args == nil {
		return nil, errorf(e, "no arguments were given for placeholder %s", paramName(e))
	}
	var v any
	var err error
	if e.Name != "" {
		v, err = ev.args.Named(e.Name)
	} else {
		v, err = ev.args.Ordinal(e.Ordinal)
	}
	if err != nil {
		return nil, errorf(e, "placeholder %s: %w", paramName(e), err)
	}
	if v, err = normalize(v); err != nil {
		return nil, errorf(e, "placeholder %s: %w", paramName(e), err)
	}
	return v, nil
}

func paramName(e *parser.Param) string {
	if e.Name != "" {
		return ":" + e.Name
	}
	return fmt.Sprintf("?%d", e.Ordinal)
}

func (ev *evaluator) binary(e *parser.Binary) (any, error) {
	switch e.Op {
	case parser.OpAnd, parser.OpOr:
		return ev.logic(e)
	}
	l, err := ev.eval(e.L)
	if err != nil {
		return nil, err
	}
	if l == nil && e.Op.IsComparison() {
		// As MySQL's comparator: a NULL left operand decides, and the
		// right one is not evaluated (so its errors do not surface).
		return nil, nil
	}
	r, err := ev.eval(e.R)
	if err != nil {
		return nil, err
	}
	if e.Op.IsComparison() {
		if r == nil {
			return nil, nil
		}
		c, err := compareValues(l, r)
		if err != nil {
			return nil, locate(err, e)
		}
		return boolVal(cmpResult(e.Op, c)), nil
	}
	return arith(e, e.Op, l, r)
}

func cmpResult(op parser.BinaryOp, c int) bool {
	switch op {
	case parser.OpEq:
		return c == 0
	case parser.OpNe:
		return c != 0
	case parser.OpLt:
		return c < 0
	case parser.OpLe:
		return c <= 0
	case parser.OpGt:
		return c > 0
	}
	return c >= 0 // OpGe
}

// logic is three-valued AND / OR. The right operand is not evaluated when
// the left one decides the result, which saves fetching its columns.
func (ev *evaluator) logic(e *parser.Binary) (any, error) {
	l, err := ev.eval(e.L)
	if err != nil {
		return nil, err
	}
	lt, lnull := truth3(l)
	and := e.Op == parser.OpAnd
	if !lnull && lt != and { // FALSE AND x, TRUE OR x
		return boolVal(lt), nil
	}
	r, err := ev.eval(e.R)
	if err != nil {
		return nil, err
	}
	rt, rnull := truth3(r)
	switch {
	case !rnull && rt != and:
		return boolVal(rt), nil
	case lnull || rnull:
		return nil, nil
	}
	return boolVal(and), nil
}

func (ev *evaluator) unary(e *parser.Unary) (any, error) {
	v, err := ev.eval(e.X)
	if err != nil || v == nil {
		return nil, err
	}
	switch e.Op {
	case parser.OpNot:
		return boolVal(!Truth(v)), nil
	case parser.OpNeg:
		n := toNumber(v, true)
		if !n.isFloat {
			if n.i == math.MinInt64 {
				return nil, errorf(e, "BIGINT value is out of range")
			}
			return -n.i, nil
		}
		return -n.f, nil
	}
	return nil, errorf(e, "unknown operator %s", string(e.Op))
}

// arith is + - * / % on non-NULL numbers. Integer results that overflow
// BIGINT are errors; division or modulo by zero is NULL (MySQL); / always
// yields a double; strings convert to doubles.
func arith(e parser.Expr, op parser.BinaryOp, l, r any) (any, error) {
	if l == nil || r == nil {
		return nil, nil
	}
	a, b := toNumber(l, true), toNumber(r, true)
	if !a.isFloat && !b.isFloat && op != parser.OpDiv {
		x, y := a.i, b.i
		switch op {
		case parser.OpAdd:
			s := x + y
			if (s > x) != (y > 0) {
				return nil, errorf(e, "BIGINT value is out of range")
			}
			return s, nil
		case parser.OpSub:
			s := x - y
			if (s < x) != (y > 0) {
				return nil, errorf(e, "BIGINT value is out of range")
			}
			return s, nil
		case parser.OpMul:
			if x == 0 || y == 0 {
				return int64(0), nil
			}
			p := x * y
			if p/y != x || (x == -1 && y == math.MinInt64) || (y == -1 && x == math.MinInt64) {
				return nil, errorf(e, "BIGINT value is out of range")
			}
			return p, nil
		case parser.OpMod:
			if y == 0 {
				return nil, nil
			}
			if y == -1 {
				return int64(0), nil
			}
			return x % y, nil
		}
		return nil, errorf(e, "unknown operator %s", string(op))
	}
	x, y := a.float(), b.float()
	var f float64
	switch op {
	case parser.OpAdd:
		f = x + y
	case parser.OpSub:
		f = x - y
	case parser.OpMul:
		f = x * y
	case parser.OpDiv:
		if y == 0 {
			return nil, nil
		}
		f = x / y
	case parser.OpMod:
		if y == 0 {
			return nil, nil
		}
		f = math.Mod(x, y)
	default:
		return nil, errorf(e, "unknown operator %s", string(op))
	}
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, errorf(e, "DOUBLE value is out of range")
	}
	return f, nil
}

func (ev *evaluator) in(e *parser.In) (any, error) {
	x, err := ev.eval(e.X)
	if err != nil {
		return nil, err
	}
	if x == nil {
		return nil, nil
	}
	sawNull := false
	for _, item := range e.List {
		if item == nil {
			return nil, errorf(e, "malformed IN list")
		}
		v, err := ev.eval(item)
		if err != nil {
			return nil, err
		}
		if v == nil {
			sawNull = true
			continue
		}
		c, err := compareValues(x, v)
		if err != nil {
			return nil, locate(err, e)
		}
		if c == 0 {
			return boolVal(!e.Not), nil
		}
	}
	if sawNull {
		return nil, nil
	}
	return boolVal(e.Not), nil
}

// between is x >= lo AND x <= hi under three-valued logic.
func (ev *evaluator) between(e *parser.Between) (any, error) {
	x, err := ev.eval(e.X)
	if err != nil {
		return nil, err
	}
	lo, err := ev.eval(e.Lo)
	if err != nil {
		return nil, err
	}
	hi, err := ev.eval(e.Hi)
	if err != nil {
		return nil, err
	}
	// 0: false, 1: true, 2: NULL
	test := func(bound any, ge bool) (int, error) {
		if x == nil || bound == nil {
			return 2, nil
		}
		c, err := compareValues(x, bound)
		if err != nil {
			return 0, locate(err, e)
		}
		if (ge && c >= 0) || (!ge && c <= 0) {
			return 1, nil
		}
		return 0, nil
	}
	a, err := test(lo, true)
	if err != nil {
		return nil, err
	}
	b, err := test(hi, false)
	if err != nil {
		return nil, err
	}
	switch {
	case a == 0 || b == 0:
		return boolVal(e.Not), nil
	case a == 2 || b == 2:
		return nil, nil
	}
	return boolVal(!e.Not), nil
}

func (ev *evaluator) like(e *parser.Like) (any, error) {
	x, err := ev.eval(e.X)
	if err != nil {
		return nil, err
	}
	p, err := ev.eval(e.Pattern)
	if err != nil {
		return nil, err
	}
	escape := '\\'
	if e.Escape != nil {
		esc, err := ev.eval(e.Escape)
		if err != nil {
			return nil, err
		}
		if esc == nil {
			return nil, nil
		}
		s := textView(esc)
		switch n := utf8.RuneCountInString(s); n {
		case 0:
			escape = NoEscape
		case 1:
			escape, _ = utf8.DecodeRuneInString(s)
		default:
			return nil, errorf(e, "ESCAPE must be a single character, got %s", quoteSQL(esc))
		}
	}
	if x == nil || p == nil {
		return nil, nil
	}
	_, xBin := x.([]byte)
	_, pBin := p.([]byte)
	cp := cachedLike(textView(p), p, escape)
	return boolVal(cp.match(textView(x), xBin || pBin) != e.Not), nil
}

func (ev *evaluator) regexp(e *parser.Regexp) (any, error) {
	x, err := ev.eval(e.X)
	if err != nil {
		return nil, err
	}
	p, err := ev.eval(e.Pattern)
	if err != nil {
		return nil, err
	}
	if x == nil || p == nil {
		return nil, nil
	}
	re, err := cachedRegexp(textView(p), p)
	if err != nil {
		return nil, errorf(e, "invalid regular expression %s: %s", quoteSQL(p), regexpReason(err))
	}
	return boolVal(re.MatchString(textView(x)) != e.Not), nil
}

func regexpReason(err error) string {
	if se, ok := err.(*syntax.Error); ok {
		return string(se.Code) + ": " + truncate(se.Expr, 64)
	}
	return err.Error()
}
