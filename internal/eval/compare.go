package eval

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"
	"time"
)

// Compare orders two values the way MySQL compares them:
//
//   - numbers numerically (int64 against float64 exactly, without
//     rounding the integer to a double);
//   - two strings or []byte values bytewise (binary collation, so
//     comparisons are case-sensitive);
//   - a number against a string numerically, the string converted as
//     MySQL does ("12abc" is 12, "abc" is 0);
//   - a time against a time by instant, against a string by parsing the
//     string as a DATETIME literal (an error if it is not one), against a
//     number via the time's numeric form YYYYMMDDhhmmss.
//
// ok is false when either value is NULL. bool counts as 1 or 0.
func Compare(a, b any) (c int, ok bool, err error) {
	a, err = normalize(a)
	if err != nil {
		return 0, false, &Error{Msg: err.Error(), Err: err}
	}
	b, err = normalize(b)
	if err != nil {
		return 0, false, &Error{Msg: err.Error(), Err: err}
	}
	if a == nil || b == nil {
		return 0, false, nil
	}
	c, err = compareValues(a, b)
	return c, err == nil, err
}

// compareValues compares two normalized non-NULL values.
func compareValues(a, b any) (int, error) {
	// Fast paths for the common same-type comparisons.
	switch x := a.(type) {
	case int64:
		if y, ok := b.(int64); ok {
			return cmpInt(x, y), nil
		}
	case string:
		if y, ok := b.(string); ok {
			return strings.Compare(x, y), nil
		}
	}
	_, aJSON := a.(jsonValue)
	_, bJSON := b.(jsonValue)
	if aJSON || bJSON {
		// MySQL converts the other operand to JSON: JSON_EXTRACT(doc,
		// '$.tag') = 'odd' compares the JSON strings "odd" and "odd".
		return compareJSON(toJSONOperand(a), toJSONOperand(b)), nil
	}
	as, aStr := strView(a)
	bs, bStr := strView(b)
	if aStr && bStr {
		return strings.Compare(as, bs), nil
	}
	at, aTime := a.(time.Time)
	bt, bTime := b.(time.Time)
	switch {
	case aTime && bTime:
		return at.Compare(bt), nil
	case aTime && bStr:
		t, err := datetimeOperand(bs, b)
		if err != nil {
			return 0, err
		}
		return at.Compare(t), nil
	case bTime && aStr:
		t, err := datetimeOperand(as, a)
		if err != nil {
			return 0, err
		}
		return t.Compare(bt), nil
	}
	return cmpNum(toNumber(a, false), toNumber(b, false)), nil
}

func datetimeOperand(s string, v any) (time.Time, error) {
	t, ok := parseDatetime(s)
	if !ok {
		return time.Time{}, &Error{Msg: fmt.Sprintf("cannot compare a DATETIME with %s: not a valid DATETIME value (want 'YYYY-MM-DD hh:mm:ss[.fraction]')", quoteSQL(v))}
	}
	return t, nil
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// cmpFloat orders doubles; NaN (which MySQL never produces but a caller's
// argument may hold) sorts before every number and equals itself.
func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	case a == b:
		return 0
	}
	an, bn := math.IsNaN(a), math.IsNaN(b)
	switch {
	case an && bn:
		return 0
	case an:
		return -1
	}
	return 1
}

// cmpIntFloat compares an integer with a double exactly.
func cmpIntFloat(i int64, f float64) int {
	switch {
	case math.IsNaN(f):
		return 1
	case f >= 9223372036854775808.0: // 2^63
		return -1
	case f < -9223372036854775808.0:
		return 1
	}
	t := int64(f) // |f| < 2^63: truncation is exact
	if i != t {
		return cmpInt(i, t)
	}
	frac := f - float64(t)
	switch {
	case frac > 0:
		return -1
	case frac < 0:
		return 1
	}
	return 0
}

func cmpNum(a, b number) int {
	switch {
	case !a.isFloat && !b.isFloat:
		return cmpInt(a.i, b.i)
	case a.isFloat && b.isFloat:
		return cmpFloat(a.f, b.f)
	case !a.isFloat:
		return cmpIntFloat(a.i, b.f)
	}
	return -cmpIntFloat(b.i, a.f)
}

// SortLess is ORDER BY's ordering: NULLs first (MySQL's ascending order),
// then Compare. Values Compare cannot order (a time against a string that
// is no DATETIME) fall back to a fixed order of kinds: numbers, strings,
// times; so sorting never fails.
func SortLess(a, b any) bool {
	if a == nil {
		return b != nil
	}
	if b == nil {
		return false
	}
	c, ok, err := Compare(a, b)
	if err == nil && ok {
		return c < 0
	}
	ra, rb := sortRank(a), sortRank(b)
	if ra != rb {
		return ra < rb
	}
	return toText(a) < toText(b)
}

func sortRank(v any) int {
	switch v.(type) {
	case nil:
		return 0
	case int64, float64, bool:
		return 1
	case string, []byte:
		return 2
	case time.Time:
		return 3
	}
	return 4
}

// Key returns a map key for a tuple of values (a GROUP BY key or a
// DISTINCT value): tuples get equal keys exactly when their values are
// pairwise equal for grouping, i.e. NULL with NULL, numbers by value (1
// and 1.0 alike), string and []byte by bytes, times by instant.
func Key(values []any) string {
	var buf [64]byte
	b := buf[:0]
	for _, v := range values {
		b = appendKey(b, v)
	}
	return string(b)
}

func appendKey(b []byte, v any) []byte {
	if n, err := normalize(v); err == nil {
		v = n
	}
	switch x := v.(type) {
	case nil:
		return append(b, 'n')
	case int64:
		return binary.BigEndian.AppendUint64(append(b, 'i'), uint64(x))
	case float64:
		if x == math.Trunc(x) && x >= -9223372036854775808.0 && x < 9223372036854775808.0 {
			return binary.BigEndian.AppendUint64(append(b, 'i'), uint64(int64(x)))
		}
		if math.IsNaN(x) {
			x = math.NaN()
		}
		return binary.BigEndian.AppendUint64(append(b, 'f'), math.Float64bits(x))
	case string:
		b = binary.AppendUvarint(append(b, 's'), uint64(len(x)))
		return append(b, x...)
	case []byte:
		b = binary.AppendUvarint(append(b, 's'), uint64(len(x)))
		return append(b, x...)
	case time.Time:
		b = binary.BigEndian.AppendUint64(append(b, 't'), uint64(x.Unix()))
		return binary.BigEndian.AppendUint32(b, uint32(x.Nanosecond()))
	case jsonValue:
		s := jsonText(x.doc)
		b = binary.AppendUvarint(append(b, 'j'), uint64(len(s)))
		return append(b, s...)
	}
	s := fmt.Sprintf("%T:%v", v, v)
	b = binary.AppendUvarint(append(b, '?'), uint64(len(s)))
	return append(b, s...)
}
