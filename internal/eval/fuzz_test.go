package eval

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/zksql/zksql/parser"
)

// anyArgs answers every placeholder: ?n with a value chosen by n, :name
// with a value chosen by the name's length.
type anyArgs struct{}

var argValues = []any{int64(3), "/a/%", nil, 1.5, []byte(`{"a": [1, 2]}`), "$.a[0]", ctime, true, int64(math.MinInt64), "2026-01-02", int32(-7), "%_\\"}

func (anyArgs) Ordinal(n int) (any, error) { return argValues[(n-1)%len(argValues)], nil }
func (anyArgs) Named(name string) (any, error) {
	return argValues[len(name)%len(argValues)], nil
}

func FuzzEval(f *testing.F) {
	for _, s := range []string{
		"path LIKE '/a/%' AND version > 3",
		"1 + 2 * 3 - 4 / 5 % 6",
		"9223372036854775807 + 1",
		"-9223372036854775807 - 1 - 1",
		"NULL IN (1, NULL) OR NOT NULL",
		"version BETWEEN ? AND ?",
		"path NOT LIKE :p ESCAPE '|'",
		"path LIKE ? ESCAPE ?",
		"name REGEXP '^[a-z]+$'",
		"data->'$.n[last-1]'",
		"data->>'$**.x'",
		"JSON_EXTRACT(data, '$[0 to last]')",
		"JSON_EXTRACT(data, ?)",
		"CAST(data AS JSON)",
		"CAST(? AS SIGNED) + CAST(mtime AS UNSIGNED)",
		"CAST(path AS DATETIME) > ctime",
		"SUBSTRING(path, -2, ?)",
		"CONCAT(path, data, version, ctime)",
		"LOWER(data) = UPPER(name)",
		"LENGTH(?) IS NOT NULL",
		"COUNT(*) + SUM(version) / AVG(czxid) - MIN(path) * MAX(data)",
		"COUNT(DISTINCT mode), name",
		"ctime = '2026-01-02 03:04:05.999999999'",
		"mtime IN ('20260102030405.123', 20260102030405.123)",
		"X'FF' LIKE '_'",
		"'é' LIKE '%\\é'",
		"COALESCE(ttl, data->'$.a', ?) = IFNULL(NULLIF(name, ''), 'x')",
		"IF(version > 1, CONCAT_WS('/', parent, name), HEX(data)) LIKE '%a%'",
		"CASE mode WHEN 'x' THEN UNHEX(name) WHEN ? THEN 1 ELSE NULL END",
		"CASE WHEN data->'$.tag' = 'odd' THEN JSON_KEYS(data) END",
		"JSON_CONTAINS(data, ?, '$.a') + JSON_LENGTH(data, '$[last]') + JSON_VALID(name)",
		"JSON_TYPE(JSON_UNQUOTE(data->'$.x'))",
		"UNIX_TIMESTAMP(mtime) - UNIX_TIMESTAMP() + FROM_UNIXTIME(?) + NOW(3)",
	} {
		f.Add(s)
	}
	f.Fuzz(fuzzOne)
}

// fuzzOne is one FuzzEval iteration.
func fuzzOne(t *testing.T, src string) {
	{
		st, err := parser.Parse("SELECT " + src + " FROM znodes")
		if err != nil {
			return
		}
		sel, ok := st.(*parser.Select)
		if !ok {
			return
		}
		row := stdRow()
		var exprs []parser.Expr
		for _, it := range sel.Items {
			exprs = append(exprs, it.Expr)
		}
		if sel.Where != nil {
			exprs = append(exprs, sel.Where)
		}
		if sel.Having != nil {
			exprs = append(exprs, sel.Having)
		}
		var results []any
		for _, e := range exprs {
			_ = Columns(e)
			_ = InsertedColumns(e)
			if HasAggregate(e) {
				continue
			}
			v, err := evalExpr(e, row, anyArgs{})
			checkResult(t, e, v, err)
			results = append(results, v)
		}
		g := NewGroup(exprs...)
		for range 2 {
			if err := g.add(row, anyArgs{}); err != nil {
				checkResult(t, nil, nil, err)
			}
		}
		for _, e := range exprs {
			v, err := g.eval(e, anyArgs{})
			checkResult(t, e, v, err)
			results = append(results, v)
		}
		for i := range results {
			for j := range results {
				_, _, _ = Compare(results[i], results[j])
				_ = SortLess(results[i], results[j])
			}
			_ = Key(results[i : i+1])
			_ = Truth(results[i])
		}
	}
}

// checkResult asserts a result is in the value set and errors are
// *Error values.
func checkResult(t *testing.T, e parser.Expr, v any, err error) {
	t.Helper()
	if err != nil {
		if !isEvalError(err) || !strings.HasPrefix(err.Error(), "eval: ") {
			t.Fatalf("%v: error %q (%T) is not an *eval.Error", e, err, err)
		}
		return
	}
	switch v.(type) {
	case nil, int64, float64, string, []byte, time.Time:
	default:
		t.Fatalf("%v: result %#v has type %T outside the value set", e, v, v)
	}
}
