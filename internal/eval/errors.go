package eval

import (
	"errors"
	"fmt"

	"github.com/zksql/zksql/parser"
)

// Error is an evaluation error. Its text says what went wrong and, when
// known, in which expression: `eval: LENGTH takes 1 argument, got 2 in
// LENGTH(a, b)`. Err, when set, is the underlying cause (for example the
// error a Row returned); errors.Is and errors.As see through it.
type Error struct {
	Msg  string // what went wrong
	Expr string // the expression (normalized SQL); "" when unknown
	Err  error  // underlying cause, or nil
}

func (e *Error) Error() string {
	s := "eval: " + e.Msg
	if e.Expr != "" {
		s += " in " + e.Expr
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// maxExprText bounds the expression text quoted in messages.
const maxExprText = 200

// exprString is e.String(), shortened, and safe on malformed trees.
func exprString(e parser.Expr) (s string) {
	if e == nil {
		return "<nil>"
	}
	defer func() {
		if recover() != nil {
			s = fmt.Sprintf("<malformed %T>", e)
		}
	}()
	return truncate(e.String(), maxExprText)
}

// errorf makes an *Error located at e (which may be nil).
func errorf(e parser.Expr, format string, args ...any) error {
	cause := fmt.Errorf(format, args...)
	err := &Error{Msg: cause.Error(), Err: errors.Unwrap(cause)}
	if e != nil {
		err.Expr = exprString(e)
	}
	return err
}

// locate gives an *Error that does not yet say where it happened the
// location e. Errors from deeper expressions keep their (more precise)
// location.
func locate(err error, e parser.Expr) error {
	var ee *Error
	if errors.As(err, &ee) {
		if ee.Expr != "" {
			return err
		}
		cp := *ee
		cp.Expr = exprString(e)
		return &cp
	}
	return &Error{Msg: err.Error(), Expr: exprString(e), Err: err}
}
