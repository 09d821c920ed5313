package eval

import (
	"bytes"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/zksql/zksql/parser"
)

func (ev *evaluator) funcCall(e *parser.Func) (any, error) {
	switch e.Name {
	case parser.FuncLength:
		if err := arity(e, 1, 1); err != nil {
			return nil, err
		}
		v, err := ev.eval(e.Args[0])
		if err != nil || v == nil {
			return nil, err
		}
		if s, ok := strView(v); ok {
			return int64(len(s)), nil
		}
		return int64(len(toText(v))), nil
	case parser.FuncSubstring:
		if err := arity(e, 2, 3); err != nil {
			return nil, err
		}
		return ev.substring(e)
	case parser.FuncConcat:
		if err := arity(e, 1, -1); err != nil {
			return nil, err
		}
		return ev.concat(e)
	case parser.FuncLower, parser.FuncUpper:
		if err := arity(e, 1, 1); err != nil {
			return nil, err
		}
		v, err := ev.eval(e.Args[0])
		if err != nil || v == nil {
			return nil, err
		}
		lower := e.Name == parser.FuncLower
		if b, ok := v.([]byte); ok {
			if lower {
				return bytes.ToLower(b), nil
			}
			return bytes.ToUpper(b), nil
		}
		if lower {
			return strings.ToLower(toText(v)), nil
		}
		return strings.ToUpper(toText(v)), nil
	}
	if fn, ok := moreFuncs[e.Name]; ok {
		if err := arity(e, fn.min, fn.max); err != nil {
			return nil, err
		}
		// A copy: handing ev itself to a function value would make every
		// evaluator escape to the heap (one allocation per Eval, on every
		// statement), where the copy is allocated only here.
		cp := *ev
		return fn.eval(&cp, e)
	}
	return nil, errorf(e, "unknown function %s", string(e.Name))
}

// arity checks a call's argument count (max < 0: unbounded). The parser
// already checks it; hand-built trees may not.
func arity(e *parser.Func, min, max int) error {
	n := len(e.Args)
	if n >= min && (max < 0 || n <= max) {
		for _, a := range e.Args {
			if a == nil {
				return errorf(e, "%s has a missing argument", e.Name)
			}
		}
		return nil
	}
	var want string
	switch {
	case max < 0:
		want = "at least " + plural(min, "argument")
	case min == max:
		want = plural(min, "argument")
	default:
		want = strconv.Itoa(min) + " to " + strconv.Itoa(max) + " arguments"
	}
	return errorf(e, "%s takes %s, got %d", e.Name, want, n)
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// substring implements SUBSTRING(s, pos[, len]) with MySQL's rules:
// positions are 1-based, a negative pos counts from the end, pos 0 or a
// length below 1 give ”. Strings count characters, []byte counts bytes.
func (ev *evaluator) substring(e *parser.Func) (any, error) {
	var vals [3]any
	for i, a := range e.Args {
		v, err := ev.eval(a)
		if err != nil || v == nil {
			return nil, err
		}
		vals[i] = v
	}
	pos := toInt(vals[1])
	length := int64(math.MaxInt64)
	if len(e.Args) == 3 {
		length = toInt(vals[2])
	}
	if b, ok := vals[0].([]byte); ok {
		lo, hi := substrRange(int64(len(b)), pos, length)
		return append([]byte{}, b[lo:hi]...), nil
	}
	s := toText(vals[0])
	if isASCII(s) {
		lo, hi := substrRange(int64(len(s)), pos, length)
		return s[lo:hi], nil
	}
	lo, hi := substrRange(int64(utf8.RuneCountInString(s)), pos, length)
	return s[runeOffset(s, lo):runeOffset(s, hi)], nil
}

// substrRange returns the [lo, hi) unit range SUBSTRING selects from a
// string of n units.
func substrRange(n, pos, length int64) (lo, hi int64) {
	var start int64
	switch {
	case pos > 0:
		start = pos - 1
	case pos < 0:
		start = n + pos
		if start < 0 {
			return 0, 0
		}
	default:
		return 0, 0
	}
	if start >= n || length < 1 {
		return 0, 0
	}
	if length > n-start {
		return start, n
	}
	return start, start + length
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// runeOffset is the byte offset of the k-th character of s.
func runeOffset(s string, k int64) int {
	i := 0
	for ; k > 0 && i < len(s); k-- {
		_, w := utf8.DecodeRuneInString(s[i:])
		i += w
	}
	return i
}

// concat is CONCAT: NULL if any argument is NULL; a []byte (binary
// string) if any argument is one, else a string.
func (ev *evaluator) concat(e *parser.Func) (any, error) {
	var buf []byte
	binary := false
	for _, a := range e.Args {
		v, err := ev.eval(a)
		if err != nil || v == nil {
			return nil, err
		}
		switch x := v.(type) {
		case []byte:
			binary = true
			buf = append(buf, x...)
		case string:
			buf = append(buf, x...)
		default:
			buf = append(buf, toText(v)...)
		}
	}
	if binary {
		if buf == nil {
			buf = []byte{}
		}
		return buf, nil
	}
	return string(buf), nil
}

func (ev *evaluator) cast(e *parser.Cast) (any, error) {
	v, err := ev.eval(e.X)
	if err != nil || v == nil {
		return nil, err
	}
	switch e.Type {
	case parser.CastChar:
		return toText(v), nil
	case parser.CastBinary:
		if b, ok := v.([]byte); ok {
			return b, nil
		}
		return []byte(toText(v)), nil
	case parser.CastSigned, parser.CastUnsigned:
		return castInt(e, v)
	case parser.CastDatetime:
		return castDatetime(v), nil
	case parser.CastJSON:
		doc, ok := jsonDocument(v)
		if !ok {
			return nil, nil
		}
		// Text is parsed as JSON; numbers stay numbers, a time becomes a
		// JSON string.
		return jsonValue{doc: doc}, nil
	}
	return nil, errorf(e, "unsupported CAST target %s", string(e.Type))
}

// castInt is CAST(x AS SIGNED|UNSIGNED). Strings take their integer
// prefix ('1.9' is 1, as in MySQL), doubles round half away from zero,
// values outside BIGINT (or negative for UNSIGNED, which zksql cannot
// represent above BIGINT's range) are errors rather than MySQL's
// clamping or wrapping.
func castInt(e *parser.Cast, v any) (any, error) {
	var n int64
	switch x := v.(type) {
	case int64:
		n = x
	case float64:
		r := math.Round(x)
		if math.IsNaN(r) || r >= 9223372036854775808.0 || r < -9223372036854775808.0 {
			return nil, errorf(e, "value %s is out of range for %s", formatFloat(x), e.Type)
		}
		n = int64(r)
	case time.Time:
		tn := timeNumber(x)
		n = tn.i
		if tn.isFloat {
			n = int64(math.Round(tn.f))
		}
	default:
		s := textView(v)
		num := parseIntPrefix(s)
		if num.isFloat {
			return nil, errorf(e, "value %s is out of range for %s", quoteSQL(v), e.Type)
		}
		n = num.i
	}
	if e.Type == parser.CastUnsigned && n < 0 {
		return nil, errorf(e, "negative value %d cannot be cast to UNSIGNED", n)
	}
	return n, nil
}

// parseIntPrefix reads the integer prefix of s; isFloat reports overflow.
func parseIntPrefix(s string) number {
	start, ds, i := scanInt(s)
	if i == ds {
		return intNum(0)
	}
	n, err := strconv.ParseInt(s[start:i], 10, 64)
	if err != nil {
		return floatNum(0)
	}
	return intNum(n)
}

// castDatetime is CAST(x AS DATETIME): NULL when x is no valid DATETIME,
// as in MySQL. Numbers are read as YYYYMMDD[hhmmss].
func castDatetime(v any) any {
	switch x := v.(type) {
	case time.Time:
		return x.UTC()
	case int64:
		if x < 0 {
			return nil
		}
		if t, ok := parseDatetime(strconv.FormatInt(x, 10)); ok {
			return t
		}
		return nil
	case float64:
		if x < 0 || math.IsNaN(x) || math.IsInf(x, 0) {
			return nil
		}
		if t, ok := parseDatetime(strconv.FormatFloat(x, 'f', -1, 64)); ok {
			return t
		}
		return nil
	}
	s := textView(v)
	if t, ok := parseDatetime(s); ok {
		return t
	}
	return nil
}

func (ev *evaluator) jsonExtract(e *parser.JSONExtract) (any, error) {
	if e.X == nil || e.Path == nil {
		return nil, errorf(e, "malformed JSON_EXTRACT")
	}
	docVal, err := ev.eval(e.X)
	if err != nil {
		return nil, err
	}
	pathVal, err := ev.eval(e.Path)
	if err != nil || pathVal == nil {
		return nil, err
	}
	path, err := cachedJSONPath(textView(pathVal), pathVal)
	if err != nil {
		return nil, errorf(e, "%s", err.Error())
	}
	if docVal == nil {
		return nil, nil
	}
	doc, ok := jsonDocument(docVal)
	if !ok {
		return nil, nil // not JSON: NULL, so queries over mixed trees work
	}
	m, found, err := jsonMatch(doc, path)
	if err != nil {
		return nil, errorf(e, "%s", err.Error())
	}
	if !found {
		return nil, nil
	}
	if e.Unquote {
		if s, isStr := m.(string); isStr {
			return s, nil
		}
		return jsonText(m), nil
	}
	return jsonValue{doc: m}, nil
}
