package eval

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/zksql/zksql/parser"
)

// mapRow is a Row over a map; missing columns are errors.
type mapRow map[string]any

func (r mapRow) Value(c string) (any, error) {
	v, ok := r[c]
	if !ok {
		return nil, fmt.Errorf("no column %q in test row", c)
	}
	return v, nil
}

// testArgs resolves ? from pos and :name from named.
type testArgs struct {
	pos   []any
	named map[string]any
}

func (a testArgs) Ordinal(n int) (any, error) {
	if n < 1 || n > len(a.pos) {
		return nil, fmt.Errorf("no argument %d", n)
	}
	return a.pos[n-1], nil
}

func (a testArgs) Named(name string) (any, error) {
	v, ok := a.named[name]
	if !ok {
		return nil, fmt.Errorf("no argument :%s", name)
	}
	return v, nil
}

var (
	ctime = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	mtime = time.Date(2026, 1, 2, 3, 4, 5, 123000000, time.UTC)
)

// stdRow is the row most cases evaluate against.
func stdRow() mapRow {
	return mapRow{
		"path":            "/a/b",
		"name":            "b",
		"parent":          "/a",
		"data":            []byte(`{"k": "v", "n": [1, 2, 3], "o": {"x y": true, "z": null}, "s": "a\"b"}`),
		"version":         int64(5),
		"cversion":        int64(0),
		"aversion":        int64(0),
		"czxid":           int64(math.MaxInt64),
		"mzxid":           int64(-3),
		"pzxid":           int64(7),
		"ctime":           ctime,
		"mtime":           mtime,
		"ephemeral_owner": int64(0),
		"data_length":     int64(60),
		"num_children":    int64(2),
		"mode":            "PERSISTENT",
		"ttl":             nil,
	}
}

// parseExpr parses "SELECT <src> FROM znodes" and returns the first item.
func parseExpr(tb testing.TB, src string) parser.Expr {
	tb.Helper()
	st, err := parser.Parse("SELECT " + src + " FROM znodes")
	if err != nil {
		tb.Fatalf("parse %q: %v", src, err)
	}
	return st.(*parser.Select).Items[0].Expr
}

// sameValue compares results including their Go types.
func sameValue(got, want any) bool {
	switch w := want.(type) {
	case []byte:
		g, ok := got.([]byte)
		return ok && bytes.Equal(g, w)
	case float64:
		g, ok := got.(float64)
		return ok && (g == w || (math.IsNaN(g) && math.IsNaN(w)) || math.Abs(g-w) < 1e-12*math.Max(1, math.Abs(w)))
	case time.Time:
		g, ok := got.(time.Time)
		return ok && g.Equal(w)
	}
	return got == want
}

func isEvalError(err error) bool {
	var ee *Error
	return errors.As(err, &ee)
}
