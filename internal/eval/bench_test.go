package eval

import (
	"fmt"
	"sync"
	"testing"
)

// benchRow is a Row like the executor's: a switch over column names.
type benchRow struct {
	path    any
	version any
}

func (r *benchRow) Value(c string) (any, error) {
	switch c {
	case "path":
		return r.path, nil
	case "version":
		return r.version, nil
	}
	return nil, fmt.Errorf("no column %s", c)
}

func BenchmarkEvalWhere(b *testing.B) {
	e := parseExpr(b, "path LIKE '/a/%' AND version > 3")
	rows := []*benchRow{
		{path: "/a/b/c", version: int64(5)},
		{path: "/a/x", version: int64(1)},
		{path: "/b/c", version: int64(7)},
	}
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for i := 0; b.Loop(); i++ {
		v, err := Eval(e, rows[i%len(rows)], nil)
		if err != nil {
			b.Fatal(err)
		}
		if Truth(v) {
			n++
		}
	}
	_ = n
}

func BenchmarkEvalGeneralLike(b *testing.B) {
	e := parseExpr(b, "path LIKE '/a/%/c_' OR path REGEXP '^/b/.*x$'")
	row := &benchRow{path: "/a/bbbbbbbbbbbbbbbbbbbbbbbb/cd", version: int64(1)}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Eval(e, row, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEvalJSON(b *testing.B) {
	e := parseExpr(b, "data->>'$.n[1]' = '2'")
	row := stdRow()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Eval(e, row, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGroup(b *testing.B) {
	items, _, _ := selectExprs(&testing.T{}, "SELECT name, COUNT(*), SUM(version), MAX(path) FROM znodes")
	row := stdRow()
	b.ReportAllocs()
	for b.Loop() {
		g := NewGroup(items...)
		for range 10 {
			if err := g.Add(row, nil); err != nil {
				b.Fatal(err)
			}
		}
		for _, e := range items {
			if _, err := g.Eval(e, nil); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// TestConcurrentEval runs one statement's expressions from many goroutines,
// as database/sql may; run with -race to check the pattern caches.
func TestConcurrentEval(t *testing.T) {
	exprs := []string{
		"path LIKE '/a/%' AND version > 3",
		"path LIKE ? ESCAPE '|'",
		"path REGEXP '^/a/[a-z]$'",
		"data->>'$.n[1]'",
		"JSON_EXTRACT(data, ?)",
	}
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			row := stdRow()
			for i := range 200 {
				args := testArgs{pos: []any{fmt.Sprintf("/a/%d|_%%", (i+w)%7)}}
				if exprs[(i+w)%len(exprs)] == "JSON_EXTRACT(data, ?)" {
					args.pos[0] = fmt.Sprintf("$.n[%d]", i%4)
				}
				src := exprs[(i+w)%len(exprs)]
				e := parseExpr(t, src)
				if _, err := Eval(e, row, args); err != nil {
					t.Errorf("%s: %v", src, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}
