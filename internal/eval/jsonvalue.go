package eval

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
)

// jsonValue is a value of SQL type JSON inside an evaluation: what
// JSON_EXTRACT, ->, CAST(x AS JSON) and JSON_KEYS yield. It holds the
// decoded document, so comparisons follow MySQL's JSON rules rather than
// comparing text. It never leaves the package: Eval and Group hand out
// its JSON text (see export), as MySQL prints JSON values.
type jsonValue struct {
	doc any // map[string]any, []any, string, json.Number, bool or jsonNull
}

// export converts an evaluation result to the package's public value
// set: a JSON value becomes its text.
func export(v any) any {
	if j, ok := v.(jsonValue); ok {
		return jsonText(j.doc)
	}
	return v
}

// toJSONOperand converts the non-JSON operand of a comparison with a JSON
// value to JSON, as MySQL does: a string (or, in zksql, where binary and
// text strings compare alike, a []byte) becomes a JSON string, not
// parsed; numbers become JSON numbers; a time a JSON string of its
// DATETIME text (MySQL's DATETIME JSON type, which sorts above the
// others, is not modelled).
func toJSONOperand(v any) any {
	switch x := v.(type) {
	case jsonValue:
		return x.doc
	case string:
		return x
	case []byte:
		return string(x)
	case int64:
		return json.Number(strconv.FormatInt(x, 10))
	case float64:
		return json.Number(strconv.FormatFloat(x, 'g', -1, 64))
	case time.Time:
		return formatTime(x)
	}
	return toText(v)
}

// jsonRank is MySQL's order of JSON types for values of different types
// (higher sorts after): NULL < numbers < STRING < OBJECT < ARRAY <
// BOOLEAN.
func jsonRank(v any) int {
	switch v.(type) {
	case jsonNullType, nil:
		return 0
	case json.Number:
		return 1
	case string:
		return 2
	case map[string]any:
		return 3
	case []any:
		return 4
	case bool:
		return 5
	}
	return 6
}

// compareJSON orders two JSON values by MySQL's rules: values of
// different types by jsonRank (so they are never equal: the JSON string
// "1" is not the number 1), numbers numerically, strings bytewise, arrays
// element by element (a prefix first), objects equal when they have the
// same keys with equal values (MySQL leaves the order of unequal objects
// unspecified; here it is deterministic), false before true.
func compareJSON(a, b any) int {
	ra, rb := jsonRank(a), jsonRank(b)
	if ra != rb {
		return cmpInt(int64(ra), int64(rb))
	}
	switch x := a.(type) {
	case json.Number:
		return cmpNum(jsonNumber(x), jsonNumber(b.(json.Number)))
	case string:
		return strings.Compare(x, b.(string))
	case bool:
		y := b.(bool)
		switch {
		case x == y:
			return 0
		case !x:
			return -1
		}
		return 1
	case []any:
		y := b.([]any)
		for i := 0; i < len(x) && i < len(y); i++ {
			if c := compareJSON(nullOr(x[i]), nullOr(y[i])); c != 0 {
				return c
			}
		}
		return cmpInt(int64(len(x)), int64(len(y)))
	case map[string]any:
		y := b.(map[string]any)
		if len(x) != len(y) {
			return cmpInt(int64(len(x)), int64(len(y)))
		}
		kx, ky := sortedKeys(x), sortedKeys(y)
		for i := range kx {
			if kx[i] != ky[i] {
				if len(kx[i]) != len(ky[i]) {
					return cmpInt(int64(len(kx[i])), int64(len(ky[i])))
				}
				return strings.Compare(kx[i], ky[i])
			}
			if c := compareJSON(nullOr(x[kx[i]]), nullOr(y[ky[i]])); c != 0 {
				return c
			}
		}
	}
	return 0
}

// jsonNumber converts a JSON number to an exact integer when it is one,
// else a double.
func jsonNumber(n json.Number) number {
	if i, err := strconv.ParseInt(string(n), 10, 64); err == nil {
		return intNum(i)
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil && math.IsInf(f, 0) {
		f = math.Copysign(math.MaxFloat64, f)
	}
	return floatNum(f)
}

// jsonScalarNumber is a JSON value in numeric context: numbers by value,
// true 1, false and null 0, strings by their numeric prefix, arrays and
// objects 0.
func jsonScalarNumber(doc any) number {
	switch x := doc.(type) {
	case json.Number:
		return jsonNumber(x)
	case bool:
		if x {
			return intNum(1)
		}
		return intNum(0)
	case string:
		return parseNumPrefix(x)
	}
	return intNum(0)
}
