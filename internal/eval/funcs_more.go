package eval

import (
	"encoding/hex"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/zksql/zksql/parser"
)

// funcSpec is a scalar function beyond the original few: its argument
// count (max < 0: unbounded) and its evaluation.
type funcSpec struct {
	min, max int
	eval     func(ev *evaluator, e *parser.Func) (any, error)
}

// moreFuncs is filled by init: its functions call ev.eval, which reads
// the table, and Go refuses such an initialization cycle in a var.
var moreFuncs map[parser.FuncName]funcSpec

func init() {
	moreFuncs = map[parser.FuncName]funcSpec{
		parser.FuncCoalesce: {1, -1, (*evaluator).coalesce},
		parser.FuncIfNull:   {2, 2, (*evaluator).coalesce},
		parser.FuncNullIf:   {2, 2, (*evaluator).nullIf},
		parser.FuncIf:       {3, 3, (*evaluator).ifFunc},
		parser.FuncConcatWS: {2, -1, (*evaluator).concatWS},
		parser.FuncHex:      {1, 1, (*evaluator).hexFunc},
		parser.FuncUnhex:    {1, 1, (*evaluator).unhex},

		parser.FuncNow:           {0, 1, (*evaluator).nowFunc},
		parser.FuncUTCTimestamp:  {0, 0, (*evaluator).nowFunc},
		parser.FuncUnixTimestamp: {0, 1, (*evaluator).unixTimestamp},
		parser.FuncFromUnixtime:  {1, 1, (*evaluator).fromUnixtime},

		parser.FuncJSONUnquote:  {1, 1, (*evaluator).jsonUnquote},
		parser.FuncJSONType:     {1, 1, (*evaluator).jsonType},
		parser.FuncJSONLength:   {1, 2, (*evaluator).jsonLength},
		parser.FuncJSONKeys:     {1, 2, (*evaluator).jsonKeys},
		parser.FuncJSONContains: {2, 3, (*evaluator).jsonContains},
		parser.FuncJSONValid:    {1, 1, (*evaluator).jsonValid},
	}
}

// Clock may be implemented by the Args of an evaluation: NOW and the
// other clock functions then read Now, so that every row of a statement
// sees the same time, as in MySQL (where NOW is the statement's start).
// Without it (or when it returns the zero time) they read the system
// clock at each call.
type Clock interface {
	Now() time.Time
}

func (ev *evaluator) now() time.Time {
	if c, ok := ev.args.(Clock); ok {
		if t := c.Now(); !t.IsZero() {
			return t.UTC()
		}
	}
	return time.Now().UTC()
}

// coalesce is COALESCE and IFNULL: the first non-NULL argument; the
// arguments after it are not evaluated.
func (ev *evaluator) coalesce(e *parser.Func) (any, error) {
	for _, a := range e.Args {
		v, err := ev.eval(a)
		if err != nil || v != nil {
			return v, err
		}
	}
	return nil, nil
}

// nullIf is NULLIF(x, y): NULL when x = y is true, else x.
func (ev *evaluator) nullIf(e *parser.Func) (any, error) {
	x, err := ev.eval(e.Args[0])
	if err != nil || x == nil {
		return nil, err
	}
	y, err := ev.eval(e.Args[1])
	if err != nil || y == nil {
		return x, err
	}
	c, err := compareValues(x, y)
	if err != nil {
		return nil, locate(err, e)
	}
	if c == 0 {
		return nil, nil
	}
	return x, nil
}

// ifFunc is IF(cond, then, else); only the chosen branch is evaluated.
func (ev *evaluator) ifFunc(e *parser.Func) (any, error) {
	c, err := ev.eval(e.Args[0])
	if err != nil {
		return nil, err
	}
	if Truth(c) {
		return ev.eval(e.Args[1])
	}
	return ev.eval(e.Args[2])
}

// caseExpr is CASE: the simple form compares the operand with each WHEN
// value by = (a NULL operand matches nothing), the searched form tests
// each WHEN condition; the first match's THEN is the result, else ELSE's,
// else NULL. Arms after the match are not evaluated.
func (ev *evaluator) caseExpr(e *parser.Case) (any, error) {
	var operand any
	if e.Operand != nil {
		v, err := ev.eval(e.Operand)
		if err != nil {
			return nil, err
		}
		operand = v
	}
	for _, w := range e.Whens {
		if w.Cond == nil || w.Result == nil {
			return nil, errorf(e, "malformed CASE")
		}
		c, err := ev.eval(w.Cond)
		if err != nil {
			return nil, err
		}
		match := false
		if e.Operand == nil {
			match = Truth(c)
		} else if operand != nil && c != nil {
			cmp, err := compareValues(operand, c)
			if err != nil {
				return nil, locate(err, e)
			}
			match = cmp == 0
		}
		if match {
			return ev.eval(w.Result)
		}
	}
	if e.Else == nil {
		return nil, nil
	}
	return ev.eval(e.Else)
}

// concatWS is CONCAT_WS(sep, x, ...): NULL when sep is NULL; NULL
// arguments are skipped; a []byte when sep or an argument is one.
func (ev *evaluator) concatWS(e *parser.Func) (any, error) {
	sep, err := ev.eval(e.Args[0])
	if err != nil || sep == nil {
		return nil, err
	}
	_, binary := sep.([]byte)
	sepText := toText(sep)
	buf := []byte{}
	first := true
	for _, a := range e.Args[1:] {
		v, err := ev.eval(a)
		if err != nil {
			return nil, err
		}
		if v == nil {
			continue
		}
		if _, ok := v.([]byte); ok {
			binary = true
		}
		if !first {
			buf = append(buf, sepText...)
		}
		first = false
		buf = append(buf, textView(v)...)
	}
	if binary {
		return buf, nil
	}
	return string(buf), nil
}

// hexFunc is HEX(x): the upper-case hex digits of a string's bytes, or of
// a number's 64-bit two's complement value (doubles rounded first, as in
// MySQL).
func (ev *evaluator) hexFunc(e *parser.Func) (any, error) {
	v, err := ev.eval(e.Args[0])
	if err != nil || v == nil {
		return nil, err
	}
	switch x := v.(type) {
	case int64:
		return strings.ToUpper(strconv.FormatUint(uint64(x), 16)), nil
	case float64:
		return strings.ToUpper(strconv.FormatUint(doubleToUint64(x), 16)), nil
	}
	return strings.ToUpper(hex.EncodeToString([]byte(textView(v)))), nil
}

// doubleToUint64 converts as MySQL's HEX does: rounded, negative values
// as two's complement, values beyond the range clamped.
func doubleToUint64(f float64) uint64 {
	r := math.Round(f)
	switch {
	case math.IsNaN(r):
		return 0
	case r >= 18446744073709551616.0: // 2^64
		return math.MaxUint64
	case r <= -9223372036854775808.0:
		return 1 << 63
	case r < 0:
		return uint64(int64(r))
	}
	return uint64(r)
}

// unhex is UNHEX(s): the bytes the hex digits of s spell (an odd count is
// read with a leading 0), NULL when s holds anything else.
func (ev *evaluator) unhex(e *parser.Func) (any, error) {
	v, err := ev.eval(e.Args[0])
	if err != nil || v == nil {
		return nil, err
	}
	s := toText(v)
	if len(s)%2 == 1 {
		s = "0" + s
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, nil
	}
	if b == nil {
		b = []byte{}
	}
	return b, nil
}

// nowFunc is NOW([fsp]) and UTC_TIMESTAMP: the current time in UTC
// (zksql's session time zone), truncated to fsp fractional digits (0 by
// default).
func (ev *evaluator) nowFunc(e *parser.Func) (any, error) {
	fsp := int64(0)
	if len(e.Args) == 1 {
		v, err := ev.eval(e.Args[0])
		if err != nil {
			return nil, err
		}
		n, isInt := v.(int64)
		if !isInt || n < 0 || n > 6 {
			return nil, errorf(e, "the precision of %s must be an integer from 0 to 6, got %s", e.Name, quoteSQL(v))
		}
		fsp = n
	}
	unit := time.Duration(math.Pow10(9 - int(fsp)))
	return ev.now().Truncate(unit), nil
}

// Bounds of MySQL 8's TIMESTAMP range on 64-bit platforms, which
// UNIX_TIMESTAMP and FROM_UNIXTIME accept.
const maxUnixSeconds = 32536771199 // 3001-01-18 23:59:59 UTC

// unixTimestamp is UNIX_TIMESTAMP([t]): seconds since the epoch, now or
// at t (a DATETIME, a DATETIME string or a YYYYMMDD[hhmmss] number, in
// UTC). A t outside the TIMESTAMP range gives 0 and one that is no
// DATETIME NULL, as in MySQL. With microseconds the result is a double.
func (ev *evaluator) unixTimestamp(e *parser.Func) (any, error) {
	if len(e.Args) == 0 {
		return ev.now().Unix(), nil
	}
	v, err := ev.eval(e.Args[0])
	if err != nil || v == nil {
		return nil, err
	}
	t, ok := castDatetime(v).(time.Time)
	if !ok {
		return nil, nil
	}
	secs := t.Unix()
	if secs < 0 || secs > maxUnixSeconds {
		return int64(0), nil
	}
	if us := t.Nanosecond() / 1000; us != 0 {
		return float64(secs) + float64(us)/1e6, nil
	}
	return secs, nil
}

// fromUnixtime is FROM_UNIXTIME(n): the DATETIME (UTC) n seconds after
// the epoch, with n's fraction to the microsecond; NULL when n is
// negative or beyond the TIMESTAMP range.
func (ev *evaluator) fromUnixtime(e *parser.Func) (any, error) {
	v, err := ev.eval(e.Args[0])
	if err != nil || v == nil {
		return nil, err
	}
	n := toNumber(v, false)
	if !n.isFloat {
		if n.i < 0 || n.i > maxUnixSeconds {
			return nil, nil
		}
		return time.Unix(n.i, 0).UTC(), nil
	}
	f := n.f
	if math.IsNaN(f) || f < 0 || f >= maxUnixSeconds+1 {
		return nil, nil
	}
	secs := math.Floor(f)
	us := math.Round((f - secs) * 1e6)
	return time.Unix(int64(secs), int64(us)*1000).UTC(), nil
}

// jsonArg evaluates a JSON argument. ok is false for SQL NULL and for
// text that is not JSON (NULL too: see the package documentation).
func (ev *evaluator) jsonArg(a parser.Expr) (doc any, ok bool, err error) {
	v, err := ev.eval(a)
	if err != nil || v == nil {
		return nil, false, err
	}
	doc, ok = jsonDocument(v)
	return doc, ok, nil
}

// jsonAt evaluates a document and, when the call has one, applies the
// path argument at index i, which must not hold wildcards. ok is false
// when the result is NULL.
func (ev *evaluator) jsonAt(e *parser.Func, i int) (doc any, ok bool, err error) {
	doc, ok, err = ev.jsonArg(e.Args[0])
	if err != nil || len(e.Args) <= i {
		return doc, ok, err
	}
	pv, err := ev.eval(e.Args[i])
	if err != nil || pv == nil {
		return nil, false, err
	}
	path, err := cachedJSONPath(textView(pv), pv)
	if err != nil {
		return nil, false, errorf(e, "%s", err.Error())
	}
	if path.wildcard {
		return nil, false, errorf(e, "the path of %s must not contain * or ** or a range: %s", e.Name, quoteSQL(pv))
	}
	if !ok {
		return nil, false, nil
	}
	m, found, err := jsonMatch(doc, path)
	if err != nil {
		return nil, false, errorf(e, "%s", err.Error())
	}
	return m, found, nil
}

// jsonUnquote is JSON_UNQUOTE(j): a JSON string's contents; other JSON
// values as their text; text that is not a quoted JSON string unchanged.
func (ev *evaluator) jsonUnquote(e *parser.Func) (any, error) {
	v, err := ev.eval(e.Args[0])
	if err != nil || v == nil {
		return nil, err
	}
	if j, ok := v.(jsonValue); ok {
		if s, isStr := j.doc.(string); isStr {
			return s, nil
		}
		return jsonText(j.doc), nil
	}
	s := toText(v)
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		var out string
		if json.Unmarshal([]byte(s), &out) == nil {
			return out, nil
		}
	}
	return s, nil
}

// jsonType is JSON_TYPE(j): OBJECT, ARRAY, STRING, INTEGER, DOUBLE,
// BOOLEAN or NULL.
func (ev *evaluator) jsonType(e *parser.Func) (any, error) {
	doc, ok, err := ev.jsonArg(e.Args[0])
	if err != nil || !ok {
		return nil, err
	}
	switch x := doc.(type) {
	case map[string]any:
		return "OBJECT", nil
	case []any:
		return "ARRAY", nil
	case string:
		return "STRING", nil
	case bool:
		return "BOOLEAN", nil
	case json.Number:
		if !strings.ContainsAny(string(x), ".eE") {
			if _, err := strconv.ParseInt(string(x), 10, 64); err == nil {
				return "INTEGER", nil
			}
			if _, err := strconv.ParseUint(string(x), 10, 64); err == nil {
				return "UNSIGNED INTEGER", nil
			}
		}
		return "DOUBLE", nil
	}
	return "NULL", nil
}

// jsonLength is JSON_LENGTH(j[, path]): the number of elements of an
// array, members of an object, or 1 for a scalar.
func (ev *evaluator) jsonLength(e *parser.Func) (any, error) {
	doc, ok, err := ev.jsonAt(e, 1)
	if err != nil || !ok {
		return nil, err
	}
	switch x := doc.(type) {
	case map[string]any:
		return int64(len(x)), nil
	case []any:
		return int64(len(x)), nil
	}
	return int64(1), nil
}

// jsonKeys is JSON_KEYS(j[, path]): a JSON array of an object's keys (in
// MySQL's order: shorter first); NULL for anything but an object.
func (ev *evaluator) jsonKeys(e *parser.Func) (any, error) {
	doc, ok, err := ev.jsonAt(e, 1)
	if err != nil || !ok {
		return nil, err
	}
	m, isObj := doc.(map[string]any)
	if !isObj {
		return nil, nil
	}
	keys := sortedKeys(m)
	arr := make([]any, len(keys))
	for i, k := range keys {
		arr[i] = k
	}
	return jsonValue{doc: arr}, nil
}

// jsonContains is JSON_CONTAINS(target, candidate[, path]): 1 when the
// candidate document is contained in the target (at path), by MySQL's
// rules (see contains).
func (ev *evaluator) jsonContains(e *parser.Func) (any, error) {
	cand, ok, err := ev.jsonArg(e.Args[1])
	if err != nil || !ok {
		return nil, err
	}
	target, ok, err := ev.jsonAt(e, 2)
	if err != nil || !ok {
		return nil, err
	}
	return boolVal(contains(target, nullOr(cand))), nil
}

// contains is MySQL's containment (its contains_wr): scalars are
// contained when equal (compareJSON); an object target contains a
// candidate object when each candidate key is present with a containing
// value; an array target contains each element of a candidate array (a
// candidate scalar or object counts as an array of one): an array element
// when one of the target's arrays contains it, anything else when a
// target element equals it or, being an array or object, contains it.
func contains(target, cand any) bool {
	target = nullOr(target)
	switch t := target.(type) {
	case []any:
		elems, isArr := cand.([]any)
		if !isArr {
			elems = []any{cand}
		}
		for _, c := range elems {
			c = nullOr(c)
			_, cArr := c.([]any)
			found := false
			for _, x := range t {
				x = nullOr(x)
				switch {
				case cArr:
					_, xArr := x.([]any)
					found = xArr && contains(x, c)
				case !isScalarJSON(x):
					found = contains(x, c)
				default:
					found = compareJSON(x, c) == 0
				}
				if found {
					break
				}
			}
			if !found {
				return false
			}
		}
		return true
	case map[string]any:
		c, ok := cand.(map[string]any)
		if !ok {
			return false
		}
		for k, cv := range c {
			tv, present := t[k]
			if !present || !contains(tv, nullOr(cv)) {
				return false
			}
		}
		return true
	}
	switch cand.(type) {
	case []any, map[string]any:
		return false
	}
	return compareJSON(target, cand) == 0
}

// jsonValid is JSON_VALID(x): 1 when x is a valid JSON document.
func (ev *evaluator) jsonValid(e *parser.Func) (any, error) {
	v, err := ev.eval(e.Args[0])
	if err != nil || v == nil {
		return nil, err
	}
	switch v.(type) {
	case jsonValue, int64, float64:
		return valTrue, nil
	}
	_, ok := parseJSON(textView(v))
	return boolVal(ok), nil
}

func isScalarJSON(v any) bool {
	switch v.(type) {
	case []any, map[string]any:
		return false
	}
	return true
}
