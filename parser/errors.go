package parser

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// ErrorKind classifies an *Error. All kinds are reported as "syntax error"
// in the message because they map to the same SQLSTATE class (42000, syntax
// error or access rule violation); the kind lets callers tell them apart.
type ErrorKind int

// Error kinds.
const (
	KindSyntax      ErrorKind = iota + 1 // not valid SQL
	KindUnsupported                      // valid MySQL, but outside the zksql dialect
	KindUnknown                          // unknown table, column or function
	KindLimit                            // statement too long or too deeply nested
)

// String names the kind.
func (k ErrorKind) String() string {
	switch k {
	case KindSyntax:
		return "syntax"
	case KindUnsupported:
		return "unsupported"
	case KindUnknown:
		return "unknown name"
	case KindLimit:
		return "limit exceeded"
	}
	return "unknown kind"
}

// Error is the only error type Parse returns.
type Error struct {
	Kind   ErrorKind
	SQL    string // the whole statement as given to Parse
	Offset int    // byte offset of the offending construct, 0 <= Offset <= len(SQL)
	Line   int    // 1-based line of Offset
	Column int    // 1-based column of Offset, counted in bytes
	Near   string // source text of the offending token; "" at end of statement
	Msg    string // what is wrong, e.g. "JOIN is not supported"
	// Cause is set when the parser itself failed (a recovered panic, with
	// its stack): errors.Is(err, panics.ErrInternal) then holds.
	Cause error
}

// Unwrap gives Cause.
func (e *Error) Unwrap() error { return e.Cause }

const (
	maxQuotedStatement = 120 // bytes of the statement repeated in Error()
	maxQuotedNode      = 60  // bytes of a construct quoted in a message
)

// Error formats as
//
//	zksql: syntax error at position 17 near 'JOIN': JOIN is not supported (statement: SELECT …)
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "zksql: syntax error at position %d", e.Offset)
	if e.Line > 1 {
		fmt.Fprintf(&b, " (line %d, column %d)", e.Line, e.Column)
	}
	if e.Near != "" {
		fmt.Fprintf(&b, " near '%s'", truncate(e.Near, maxQuotedNode))
	} else {
		b.WriteString(" at end of statement")
	}
	fmt.Fprintf(&b, ": %s (statement: %s)", e.Msg, truncate(oneLine(e.SQL), maxQuotedStatement))
	return b.String()
}

// truncate shortens s to at most n bytes (plus an ellipsis) without
// splitting a UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// oneLine collapses runs of whitespace so a multi-line statement fits in a
// one-line error message.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// newError builds an *Error at a byte offset of sql, filling in the line,
// column and the source text of the token found there.
func newError(kind ErrorKind, sql string, offset int, near string, format string, args ...any) *Error {
	if offset < 0 {
		offset = 0
	}
	if offset > len(sql) {
		offset = len(sql)
	}
	line := 1 + strings.Count(sql[:offset], "\n")
	col := offset + 1
	if i := strings.LastIndexByte(sql[:offset], '\n'); i >= 0 {
		col = offset - i
	}
	return &Error{
		Kind:   kind,
		SQL:    sql,
		Offset: offset,
		Line:   line,
		Column: col,
		Near:   near,
		Msg:    fmt.Sprintf(format, args...),
	}
}

// shift re-anchors an error found in a suffix of sql (the statement after
// EXPLAIN) to the whole statement.
func (e *Error) shift(sql string, base int) *Error {
	return newError(e.Kind, sql, base+e.Offset, e.Near, "%s", e.Msg)
}
