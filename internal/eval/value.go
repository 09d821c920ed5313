package eval

import (
	"database/sql/driver"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unsafe"
)

// Canonical results of predicates. MySQL has no boolean type: TRUE is 1.
var (
	valTrue  any = int64(1)
	valFalse any = int64(0)
)

func boolVal(b bool) any {
	if b {
		return valTrue
	}
	return valFalse
}

// normalize converts a value handed in by a Row, Args or a Literal to the
// evaluator's value set: nil, int64, float64, string, []byte or time.Time.
// bool becomes int64 1/0 (MySQL's TRUE and FALSE). The common types take
// the first, reflection-free branch.
func normalize(v any) (any, error) {
	switch x := v.(type) {
	case nil, int64, float64, string, []byte, time.Time:
		return v, nil
	case bool:
		return boolVal(x), nil
	case int:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case int16:
		return int64(x), nil
	case int8:
		return int64(x), nil
	case uint8:
		return int64(x), nil
	case uint16:
		return int64(x), nil
	case uint32:
		return int64(x), nil
	case uint:
		return uintVal(uint64(x))
	case uint64:
		return uintVal(x)
	case float32:
		return float64(x), nil
	case *time.Time:
		if x == nil {
			return nil, nil
		}
		return *x, nil
	case driver.Valuer:
		if rv := reflect.ValueOf(x); rv.Kind() == reflect.Pointer && rv.IsNil() {
			return nil, nil
		}
		dv, err := x.Value()
		if err != nil {
			return nil, err
		}
		if _, again := dv.(driver.Valuer); again {
			return nil, fmt.Errorf("%T.Value returned another driver.Valuer (%T)", v, dv)
		}
		return normalize(dv)
	}
	return normalizeReflect(v)
}

func uintVal(u uint64) (any, error) {
	if u > math.MaxInt64 {
		return nil, fmt.Errorf("unsigned value %d overflows BIGINT", u)
	}
	return int64(u), nil
}

// normalizeReflect handles named types (type MyID int64, json.RawMessage,
// ...). It is off the hot path: rows and literals never get here.
func normalizeReflect(v any) (any, error) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Bool:
		return boolVal(rv.Bool()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return uintVal(rv.Uint())
	case reflect.Float32, reflect.Float64:
		return rv.Float(), nil
	case reflect.String:
		return rv.String(), nil
	case reflect.Slice:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			if rv.IsNil() {
				return nil, nil
			}
			return rv.Bytes(), nil
		}
	case reflect.Pointer:
		if rv.IsNil() {
			return nil, nil
		}
		return normalize(rv.Elem().Interface())
	}
	return nil, fmt.Errorf("unsupported value type %T", v)
}

// bytesView returns b as a string without copying. The result must not be
// retained beyond the call that produced it, nor b modified meanwhile.
func bytesView(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// strView returns the text of a string or []byte value without copying.
func strView(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case []byte:
		return bytesView(x), true
	}
	return "", false
}

// number is a numeric value: an exact integer or a double.
type number struct {
	i       int64
	f       float64
	isFloat bool
}

func intNum(i int64) number     { return number{i: i} }
func floatNum(f float64) number { return number{f: f, isFloat: true} }

func (n number) float() float64 {
	if n.isFloat {
		return n.f
	}
	return float64(n.i)
}

func (n number) value() any {
	if n.isFloat {
		return n.f
	}
	return n.i
}

// toNumber converts a non-NULL value for numeric use. Strings convert as
// MySQL does (the longest numeric prefix; "1abc" is 1, "abc" is 0); with
// arith set they always become doubles, as in MySQL arithmetic, otherwise
// an integral prefix stays an exact integer (for comparisons). A time
// becomes YYYYMMDDhhmmss[.ffffff].
func toNumber(v any, arith bool) number {
	switch x := v.(type) {
	case int64:
		return intNum(x)
	case float64:
		return floatNum(x)
	case string:
		n := parseNumPrefix(x)
		if arith && !n.isFloat {
			return floatNum(float64(n.i))
		}
		return n
	case []byte:
		n := parseNumPrefix(bytesView(x))
		if arith && !n.isFloat {
			return floatNum(float64(n.i))
		}
		return n
	case time.Time:
		return timeNumber(x)
	case bool:
		if x {
			return intNum(1)
		}
		return intNum(0)
	case jsonValue:
		n := jsonScalarNumber(x.doc)
		if arith && !n.isFloat {
			return floatNum(float64(n.i))
		}
		return n
	}
	return intNum(0)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// scanInt finds the optionally signed run of digits s starts with after
// white space. It returns start, ds and end: s[start:end] is the number,
// s[ds:end] its digits, maybe none.
func scanInt(s string) (int, int, int) {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	start := i
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	ds := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return start, ds, i
}

// parseNumPrefix converts the longest numeric prefix of s (after leading
// white space) the way MySQL converts strings to numbers.
func parseNumPrefix(s string) number {
	start, ds, i := scanInt(s)
	digits := i - ds
	isInt := true
	if i < len(s) && s[i] == '.' {
		j := i + 1
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		if frac := j - i - 1; frac > 0 || digits > 0 {
			digits += frac
			isInt = false
			i = j
		}
	}
	if digits == 0 {
		return intNum(0)
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		k := j
		for k < len(s) && isDigit(s[k]) {
			k++
		}
		if k > j {
			isInt = false
			i = k
		}
	}
	text := s[start:i]
	if isInt {
		if n, err := strconv.ParseInt(text, 10, 64); err == nil {
			return intNum(n)
		}
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil && math.IsInf(f, 0) {
		// MySQL clamps out-of-range strings to the largest double.
		f = math.Copysign(math.MaxFloat64, f)
	}
	return floatNum(f)
}

// timeNumber is MySQL's numeric form of a DATETIME: YYYYMMDDhhmmss, with
// the microseconds as a fraction when there are any.
func timeNumber(t time.Time) number {
	t = t.UTC()
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	if y < 0 || y > 9999 {
		f := float64(y)*1e10 + float64(mo)*1e8 + float64(d)*1e6 + float64(h)*1e4 + float64(mi)*100 + float64(s)
		return floatNum(f)
	}
	n := int64(y)*10000000000 + int64(mo)*100000000 + int64(d)*1000000 + int64(h)*10000 + int64(mi)*100 + int64(s)
	if us := t.Nanosecond() / 1000; us != 0 {
		return floatNum(float64(n) + float64(us)/1e6)
	}
	return intNum(n)
}

// Truth is WHERE's and HAVING's test: true only for a non-NULL value that
// is true or non-zero. Strings convert as MySQL does ("1abc" is 1, "abc"
// is 0, "0.5" is true); a time is true unless it is the zero time.
func Truth(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case int64:
		return x != 0
	case float64:
		return x != 0
	case bool:
		return x
	case string:
		return toNumber(x, false).float() != 0
	case []byte:
		return toNumber(x, false).float() != 0
	case time.Time:
		return !x.IsZero()
	case jsonValue:
		return jsonScalarNumber(x.doc).float() != 0
	}
	// Other types (int32, named types, ...): normalize returns one of the
	// types above, so this recursion ends.
	n, err := normalize(v)
	if err != nil {
		return false
	}
	return Truth(n)
}

// truth3 is three-valued truth: null reports SQL NULL.
func truth3(v any) (t, null bool) {
	if v == nil {
		return false, true
	}
	return Truth(v), false
}

// formatFloat prints a double the way MySQL and MariaDB do (their
// my_gcvt): the shortest digits that round-trip, in positional notation
// when the decimal point falls within 15 places of them (1e-15 <= |f| <
// 1e15, e.g. 1234567.5 and 0.0000001), else as 1e15, 1.5e-16, 1e301.
// The MariaDB differential test checks it.
func formatFloat(f float64) string {
	if f == 0 || math.IsNaN(f) || math.IsInf(f, 0) {
		if f == 0 {
			return "0"
		}
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // d.ddde±XX
	i := strings.IndexByte(e, 'e')
	exp, _ := strconv.Atoi(e[i+1:])
	if decpt := exp + 1; decpt >= -14 && decpt <= 15 {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return e[:i] + "e" + strconv.Itoa(exp)
}

// timeLayout is MySQL's DATETIME text form; the fraction is printed only
// when there is one (up to microseconds, as MySQL stores them).
const timeLayout = "2006-01-02 15:04:05"

func formatTime(t time.Time) string {
	t = t.UTC()
	if us := t.Nanosecond() / 1000; us != 0 {
		return t.Format(timeLayout) + "." + strings.TrimRight(fmt.Sprintf("%06d", us), "0")
	}
	return t.Format(timeLayout)
}

// toText converts a non-NULL value to its string form (CAST AS CHAR).
func toText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return formatFloat(x)
	case time.Time:
		return formatTime(x)
	case jsonValue:
		return jsonText(x.doc)
	case bool:
		if x {
			return "1"
		}
		return "0"
	}
	return fmt.Sprint(v)
}

// textView is toText without copying []byte; see bytesView.
func textView(v any) string {
	if b, ok := v.([]byte); ok {
		return bytesView(b)
	}
	return toText(v)
}

// toInt converts a non-NULL value to an integer as MySQL does for integer
// arguments: doubles round half away from zero, out-of-range values
// saturate.
func toInt(v any) int64 {
	n := toNumber(v, false)
	if !n.isFloat {
		return n.i
	}
	f := math.Round(n.f)
	switch {
	case math.IsNaN(f):
		return 0
	case f >= math.MaxInt64:
		return math.MaxInt64
	case f <= math.MinInt64:
		return math.MinInt64
	}
	return int64(f)
}

// typeName names a value's SQL type for error messages.
func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "NULL"
	case int64:
		return "BIGINT"
	case float64:
		return "DOUBLE"
	case string:
		return "TEXT"
	case []byte:
		return "BLOB"
	case time.Time:
		return "DATETIME"
	case jsonValue:
		return "JSON"
	}
	return fmt.Sprintf("%T", v)
}

// quoteSQL renders a value as a SQL literal for error messages.
func quoteSQL(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case string:
		return "'" + truncate(strings.ReplaceAll(x, "'", "''"), 64) + "'"
	case []byte:
		return "X'" + truncate(fmt.Sprintf("%X", x), 64) + "'"
	case time.Time:
		return "'" + formatTime(x) + "'"
	}
	return toText(v)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
