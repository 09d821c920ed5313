package parser

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestLimits(t *testing.T) {
	cases := []struct {
		name string
		sql  string
		kind ErrorKind
		msg  string
	}{
		{"nested parens", "SELECT " + strings.Repeat("(", 10000) + "1" + strings.Repeat(")", 10000), KindLimit, "parentheses nested more than"},
		{"nested IN lists", "SELECT 1 FROM znodes WHERE path IN " + strings.Repeat("(", 5000) + "1" + strings.Repeat(")", 5000), KindLimit, "parentheses nested"},
		{"unbalanced parens", "SELECT " + strings.Repeat("(", 10000), KindLimit, "parentheses nested"},
		{"NOT chain", "SELECT 1 FROM znodes WHERE " + strings.Repeat("NOT ", 10000) + "path = 'a'", KindLimit, "expression nested more than"},
		{"bang chain", "SELECT " + strings.Repeat("!", 10000) + "1", KindLimit, "expression nested more than"},
		{"minus chain", "SELECT " + strings.Repeat("- ", 10000) + "version FROM znodes", KindLimit, "expression nested more than"},
		{"plus chain", "SELECT 1" + strings.Repeat(" + 1", 10000), KindLimit, "expression nested more than"},
		{"OR chain", "SELECT 1 FROM znodes WHERE " + strings.Repeat("path = 'a' OR ", 10000) + "TRUE", KindLimit, "expression nested more than"},
		{"too long", "SELECT '" + strings.Repeat("x", MaxStatementBytes) + "'", KindLimit, "bytes long"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// A guard against a blow-up (a parse that never ends), not a
			// speed target: those live in benchmarks. The bound is wide
			// because under -race on a loaded 2-core machine these parses
			// have taken 9 s; alone they take under 1 s.
			start := time.Now()
			_, err := Parse(tc.sql)
			if d := time.Since(start); d > time.Minute {
				t.Errorf("took %v", d)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error = %v, want *Error", err)
			}
			if e.Kind != tc.kind || !strings.Contains(e.Msg, tc.msg) {
				t.Errorf("got %v (kind %v), want kind %v and %q", err, e.Kind, tc.kind, tc.msg)
			}
			if e.Offset < 0 || e.Offset > len(tc.sql) {
				t.Errorf("offset %d outside statement of %d bytes", e.Offset, len(tc.sql))
			}
			if len(err.Error()) > 600 {
				t.Errorf("message not truncated: %d bytes", len(err.Error()))
			}
		})
	}
}

// Moderate sizes stay well inside the limits.
func TestWithinLimits(t *testing.T) {
	in := make([]string, 1000)
	for i := range in {
		in[i] = "?"
	}
	sql := "SELECT path FROM znodes WHERE path IN (" + strings.Join(in, ", ") + ") AND " +
		strings.Repeat("(", 50) + "version = 1" + strings.Repeat(")", 50) + " OR " +
		strings.Repeat("path = 'x' OR ", 200) + "FALSE"
	st, err := Parse(sql)
	if err != nil {
		t.Fatal(err)
	}
	if got := ParamsOf(st).Ordinal; got != 1000 {
		t.Errorf("Ordinal = %d, want 1000", got)
	}
}
