package eval

import (
	"math"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/zksql/zksql/parser"
)

func TestCompare(t *testing.T) {
	for _, c := range []struct {
		a, b any
		want int
		ok   bool
		err  string
	}{
		{int64(1), int64(2), -1, true, ""},
		{int64(2), int64(2), 0, true, ""},
		{int64(3), 2.5, 1, true, ""},
		{2.5, int64(3), -1, true, ""},
		{int64(math.MaxInt64), float64(math.MaxInt64), -1, true, ""},
		{math.NaN(), 1.0, -1, true, ""},
		{math.NaN(), math.NaN(), 0, true, ""},
		{int64(1), math.NaN(), 1, true, ""},
		{"a", "b", -1, true, ""},
		{"b", "a", 1, true, ""},
		{"a", "A", 1, true, ""},
		{"a", []byte("a"), 0, true, ""},
		{[]byte("a"), []byte("b"), -1, true, ""},
		{"10", int64(9), 1, true, ""},
		{int64(9), "10", -1, true, ""},
		{"1.5", 1.5, 0, true, ""},
		{"x", int64(0), 0, true, ""},
		{true, int64(1), 0, true, ""},
		{int32(7), int64(7), 0, true, ""},
		{nil, int64(1), 0, false, ""},
		{int64(1), nil, 0, false, ""},
		{nil, nil, 0, false, ""},
		{ctime, ctime.Add(time.Second), -1, true, ""},
		{ctime, "2026-01-02 03:04:05", 0, true, ""},
		{"2026-01-02 03:04:06", ctime, 1, true, ""},
		{ctime, []byte("2026-01-02"), 1, true, ""},
		{ctime, int64(20260102030405), 0, true, ""},
		{ctime, "garbage", 0, false, "cannot compare a DATETIME with 'garbage'"},
		{struct{}{}, int64(1), 0, false, "unsupported value type"},
	} {
		got, ok, err := Compare(c.a, c.b)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("Compare(%#v, %#v) error = %v, want %q", c.a, c.b, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want || ok != c.ok {
			t.Errorf("Compare(%#v, %#v) = %d, %v, %v; want %d, %v", c.a, c.b, got, ok, err, c.want, c.ok)
		}
	}
}

func TestSortLess(t *testing.T) {
	vals := []any{"b", int64(3), nil, 1.5, "a", int64(-1), nil, "B"}
	sort.SliceStable(vals, func(i, j int) bool { return SortLess(vals[i], vals[j]) })
	// NULLs first; numbers and numeric strings compare numerically,
	// which puts the non-numeric strings ("a", "b", "B" are 0) among them.
	if vals[0] != nil || vals[1] != nil {
		t.Fatalf("NULLs not first: %v", vals)
	}
	if !SortLess(nil, int64(1)) || SortLess(int64(1), nil) || SortLess(nil, nil) {
		t.Error("NULL ordering wrong")
	}
	if !SortLess("a", "b") || SortLess("b", "a") || !SortLess("B", "a") {
		t.Error("string ordering wrong")
	}
	if !SortLess(int64(2), int64(10)) || !SortLess("10", "9") {
		t.Error("numeric/string ordering wrong")
	}
	// Incomparable values still get a fixed order.
	if !SortLess("garbage", ctime) || SortLess(ctime, "garbage") {
		t.Error("fallback ordering wrong")
	}
}

func TestKey(t *testing.T) {
	eq := [][2][]any{
		{{nil}, {nil}},
		{{int64(1)}, {1.0}},
		{{int64(1)}, {true}},
		{{"a"}, {[]byte("a")}},
		{{ctime}, {ctime.In(time.FixedZone("x", 3600))}},
		{{int64(1), "a"}, {int64(1), "a"}},
		{{0.0}, {math.Copysign(0, -1)}},
		{{math.NaN()}, {math.NaN()}},
	}
	for _, p := range eq {
		if Key(p[0]) != Key(p[1]) {
			t.Errorf("Key(%v) != Key(%v)", p[0], p[1])
		}
	}
	ne := [][2][]any{
		{{nil}, {int64(0)}},
		{{nil}, {""}},
		{{""}, {int64(0)}},
		{{"1"}, {int64(1)}},
		{{"a"}, {"A"}},
		{{1.5}, {int64(1)}},
		{{"ab", "c"}, {"a", "bc"}},
		{{"a"}, {"a", nil}},
		{{ctime}, {ctime.Add(time.Nanosecond)}},
		{{int64(math.MaxInt64)}, {float64(math.MaxInt64)}},
	}
	for _, p := range ne {
		if Key(p[0]) == Key(p[1]) {
			t.Errorf("Key(%v) == Key(%v)", p[0], p[1])
		}
	}
}

// selectExprs parses a SELECT and returns its items' and HAVING's exprs.
func selectExprs(t *testing.T, sql string) (items []parser.Expr, having parser.Expr, groupBy []parser.Expr) {
	t.Helper()
	st, err := parser.Parse(sql)
	if err != nil {
		t.Fatal(err)
	}
	sel := st.(*parser.Select)
	for _, it := range sel.Items {
		items = append(items, it.Expr)
	}
	return items, sel.Having, sel.GroupBy
}

func TestGroup(t *testing.T) {
	rows := []mapRow{
		{"path": "/a", "name": "a", "version": int64(1), "data": []byte("x"), "ttl": nil, "mzxid": int64(math.MaxInt64), "mode": "2"},
		{"path": "/b", "name": "b", "version": int64(3), "data": []byte("y"), "ttl": int64(10), "mzxid": int64(1), "mode": "2.5"},
		{"path": "/c", "name": "c", "version": int64(3), "data": nil, "ttl": int64(20), "mzxid": int64(1), "mode": "x"},
		{"path": "/d", "name": "d", "version": int64(-2), "data": []byte("x"), "ttl": nil, "mzxid": int64(1), "mode": "1"},
	}
	items, having, _ := selectExprs(t, `SELECT COUNT(*), COUNT(data), COUNT(DISTINCT data), COUNT(DISTINCT version),
		SUM(version), AVG(version), MIN(version), MAX(version), MIN(path), MAX(data), SUM(ttl), AVG(ttl),
		SUM(DISTINCT version), SUM(mzxid), SUM(mode), MIN(mode), path, name, COUNT(*) + 1, MAX(version) - MIN(version),
		SUM(1.5), CONCAT(name, COUNT(*))
		FROM znodes GROUP BY path HAVING COUNT(*) > 1 AND SUM(version) > 0`) // GROUP BY only to pass ONLY_FULL_GROUP_BY: the rows below form one group
	want := []any{int64(4), int64(3), int64(2), int64(3),
		int64(5), 1.25, int64(-2), int64(3), "/a", []byte("y"), int64(30), 15.0,
		int64(2), float64(math.MaxInt64) + 3, 5.5, "1", "/a", "a", int64(5), int64(5),
		6.0, "a4"}
	exprs := append(slices.Clone(items), having)
	g := NewGroup(exprs...)
	for _, r := range rows {
		if err := g.Add(r, nil); err != nil {
			t.Fatal(err)
		}
	}
	for i, e := range items {
		got, err := g.Eval(e, nil)
		if err != nil || !sameValue(got, want[i]) {
			t.Errorf("%s = %#v, %v; want %#v", e, got, err, want[i])
		}
	}
	if v, err := g.Eval(having, nil); err != nil || !Truth(v) {
		t.Errorf("HAVING = %v, %v", v, err)
	}
	if g.Rows() != 4 {
		t.Errorf("Rows = %d", g.Rows())
	}

	// An aggregate written again (same text, different node) is found.
	again := parseExpr(t, "COUNT(*) * 2")
	if v, err := g.Eval(again, nil); err != nil || v != int64(8) {
		t.Errorf("COUNT(*) * 2 = %v, %v", v, err)
	}
	if _, err := g.Eval(parseExpr(t, "SUM(czxid)"), nil); err == nil || !strings.Contains(err.Error(), "SUM(czxid) was not among the expressions given to NewGroup") {
		t.Errorf("unknown aggregate: %v", err)
	}
	if _, err := g.Eval(parseExpr(t, "parent"), nil); err == nil || !strings.Contains(err.Error(), "not among the expressions given to NewGroup") {
		t.Errorf("unknown column: %v", err)
	}

	// Empty group: COUNT 0, the rest NULL, plain columns NULL.
	empty := g.New()
	for i, e := range items {
		got, err := empty.Eval(e, nil)
		if err != nil {
			t.Errorf("empty %s: %v", e, err)
			continue
		}
		var w any
		switch i {
		case 0, 1, 2, 3:
			w = int64(0)
		}
		if i == 18 { // COUNT(*) + 1
			w = int64(1)
		}
		if !sameValue(got, w) {
			t.Errorf("empty %s = %#v, want %#v", e, got, w)
		}
	}
}

func TestGroupErrors(t *testing.T) {
	items, _, _ := selectExprs(t, "SELECT SUM(version + 1) FROM znodes")
	g := NewGroup(items...)
	if err := g.Add(mapRow{"version": int64(math.MaxInt64)}, nil); err == nil || !strings.Contains(err.Error(), "BIGINT value is out of range in version + 1") {
		t.Errorf("Add error = %v", err)
	}
	items, _, _ = selectExprs(t, "SELECT MIN(ctime) FROM znodes")
	g = NewGroup(items...)
	if err := g.Add(mapRow{"ctime": ctime}, nil); err != nil {
		t.Fatal(err)
	}
	if err := g.Add(mapRow{"ctime": "garbage"}, nil); err == nil || !strings.Contains(err.Error(), "in MIN(ctime)") {
		t.Errorf("MIN error = %v", err)
	}
	g = NewGroup(&parser.Aggregate{Func: parser.AggSum})
	if err := g.Add(mapRow{}, nil); err == nil || !strings.Contains(err.Error(), "SUM needs an argument") {
		t.Errorf("SUM() error = %v", err)
	}
	// Aggregates passed directly (NewGroup(aggs...)).
	a := &parser.Aggregate{Func: parser.AggMax, Arg: &parser.Column{Name: "path"}}
	g = NewGroup(a)
	_ = g.Add(mapRow{"path": "/b"}, nil)
	_ = g.Add(mapRow{"path": "/a"}, nil)
	if v, err := g.Eval(a, nil); err != nil || v != "/b" {
		t.Errorf("MAX(path) = %v, %v", v, err)
	}
}

func TestGroupKeepsBytes(t *testing.T) {
	items, _, _ := selectExprs(t, "SELECT data, MIN(data) FROM znodes GROUP BY data")
	g := NewGroup(items...)
	buf := []byte("abc")
	if err := g.Add(mapRow{"data": buf}, nil); err != nil {
		t.Fatal(err)
	}
	copy(buf, "zzz") // the executor may reuse its buffers
	for _, e := range items {
		if v, _ := g.Eval(e, nil); !sameValue(v, []byte("abc")) {
			t.Errorf("%s = %q", e, v)
		}
	}
}

func TestColumns(t *testing.T) {
	for _, c := range []struct {
		src  string
		want []string
		agg  bool
	}{
		{"path LIKE '/a/%' AND version > 3 OR path = 'x'", []string{"path", "version"}, false},
		{"COUNT(*)", nil, true},
		{"SUM(version) + MIN(czxid)", []string{"version", "czxid"}, true},
		{"1 + 2", nil, false},
		{"data->>'$.a' IN (name, parent)", []string{"data", "name", "parent"}, false},
		{"CAST(mtime AS CHAR) BETWEEN ctime AND ?", []string{"mtime", "ctime"}, false},
		{"COUNT(DISTINCT SUBSTRING(path, 1, 2))", []string{"path"}, true},
	} {
		e := parseExpr(t, c.src)
		if got := Columns(e); !slices.Equal(got, c.want) {
			t.Errorf("Columns(%s) = %v, want %v", c.src, got, c.want)
		}
		if got := HasAggregate(e); got != c.agg {
			t.Errorf("HasAggregate(%s) = %v", c.src, got)
		}
	}
	if Columns(nil) != nil || HasAggregate(nil) {
		t.Error("nil expression")
	}
}
