package engine

import (
	"database/sql/driver"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/zksql/zksql/parser"
)

// args are a statement's bound arguments: what `?` and `:name`
// placeholders evaluate to.
type args struct {
	vals   []driver.NamedValue
	params parser.Params
	now    time.Time // what NOW() reads (eval.Clock): set at its first call in the statement
}

// init sets the arguments and checks them against the placeholders.
func (a *args) init(params parser.Params, vals []driver.NamedValue) error {
	a.vals, a.params = vals, params
	a.now = time.Time{} // read on first use: most statements never call NOW()
	named := 0
	for _, v := range vals {
		if v.Name != "" {
			named++
		}
	}
	if named > 0 && a.params.Ordinal > 0 {
		return zerrorf("sql.Named arguments given for a statement with ? placeholders; use :name placeholders")
	}
	// A named argument no placeholder uses is a mistake (often a quoted
	// placeholder, ':p'), never something to ignore.
	for _, v := range vals {
		if v.Name != "" && !slices.Contains(a.params.Named, v.Name) {
			return zerrorf("argument %q matches no :%s placeholder in the statement", v.Name, v.Name)
		}
	}
	if named == 0 && len(vals) != a.params.NumInput() {
		return zerrorf("statement has %d placeholders but %d arguments were given", a.params.NumInput(), len(vals))
	}
	return nil
}

// Now is the time of the statement's first NOW() (or UTC_TIMESTAMP, ...),
// so every row of the statement reads the same (eval.Clock). Evaluation
// runs on the statement's goroutine only.
func (a *args) Now() time.Time {
	if a.now.IsZero() {
		a.now = time.Now()
	}
	return a.now
}

// Ordinal returns the value of the n-th `?` (1-based).
func (a *args) Ordinal(n int) (any, error) {
	for _, v := range a.vals {
		if v.Ordinal == n && v.Name == "" {
			return v.Value, nil
		}
	}
	if n >= 1 && n <= len(a.vals) && a.vals[n-1].Name == "" {
		return a.vals[n-1].Value, nil
	}
	return nil, zerrorf("no argument for placeholder %d", n)
}

// Named returns the value of `:name`: the sql.Named argument of that name
// or, when the arguments carry no names, the positional argument in the
// order the names first appear in the statement.
func (a *args) Named(name string) (any, error) {
	for _, v := range a.vals {
		if v.Name == name {
			return v.Value, nil
		}
	}
	for i, n := range a.params.Named {
		if n == name && i < len(a.vals) && a.vals[i].Name == "" {
			return a.vals[i].Value, nil
		}
	}
	return nil, zerrorf("no argument for placeholder :%s; pass sql.Named(%q, value)", name, name)
}

// noArgs is used where a statement has no arguments (EXPLAIN display).
var noArgs = &args{}

// checkValue is the NamedValueChecker: driver.Values pass, other values
// convert as database/sql's default converter does.
func checkValue(nv *driver.NamedValue) error {
	switch v := nv.Value.(type) {
	case nil, int64, float64, bool, []byte, string, time.Time:
		return nil
	case int32:
		nv.Value = int64(v)
		return nil
	case uint64:
		if v > math.MaxInt64 {
			return zerrorf("argument %d: uint64 %d overflows int64", nv.Ordinal, v)
		}
		nv.Value = int64(v)
		return nil
	}
	v, err := driver.DefaultParameterConverter.ConvertValue(nv.Value)
	if err != nil {
		return zerrorf("argument %d: %w", nv.Ordinal, err)
	}
	nv.Value = v
	return nil
}

// toBytes converts a value written to the data column: []byte and string
// as they are, NULL as empty data, numbers and times in their SQL text form.
func toBytes(v any) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return []byte{}, nil
	case []byte:
		return append([]byte{}, v...), nil
	case string:
		return []byte(v), nil
	case int64:
		return strconv.AppendInt(nil, v, 10), nil
	case uint64:
		return strconv.AppendUint(nil, v, 10), nil
	case float64:
		return strconv.AppendFloat(nil, v, 'g', -1, 64), nil
	case bool:
		if v {
			return []byte("1"), nil
		}
		return []byte("0"), nil
	case time.Time:
		return []byte(v.UTC().Format("2006-01-02 15:04:05.999999")), nil
	}
	return nil, zerrorf("cannot store a %T as data", v)
}

// toText converts a value for a text column (path, mode, scheme, perms...).
func toText(col string, v any) (string, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case []byte:
		return string(v), nil
	case nil:
		return "", zerrorf("column %s cannot be NULL", col)
	case int64, float64, uint64:
		return fmt.Sprint(v), nil
	}
	return "", zerrorf("column %s wants text, got %T", col, v)
}

// toInt converts a value for an integer column.
func toInt(col string, v any) (int64, bool, error) {
	switch v := v.(type) {
	case nil:
		return 0, false, nil
	case int64:
		return v, true, nil
	case uint64:
		if v > math.MaxInt64 {
			return 0, false, zerrorf("column %s: %d out of range", col, v)
		}
		return int64(v), true, nil
	case float64:
		if v != math.Trunc(v) || math.Abs(v) > 1<<62 {
			return 0, false, zerrorf("column %s wants an integer, got %v", col, v)
		}
		return int64(v), true, nil
	case bool:
		if v {
			return 1, true, nil
		}
		return 0, true, nil
	case string, []byte:
		var s string
		if b, ok := v.([]byte); ok {
			s = string(b)
		} else {
			s = v.(string)
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, false, zerrorf("column %s wants an integer, got %q", col, truncate(s, 40))
		}
		return n, true, nil
	}
	return 0, false, zerrorf("column %s wants an integer, got %T", col, v)
}
