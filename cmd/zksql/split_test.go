package main

import (
	"slices"
	"testing"
)

func TestSplitter(t *testing.T) {
	tests := []struct {
		name  string
		lines []string
		want  []string // statements completed, in order
		rest  string   // what flush returns at the end
	}{
		{"one line", []string{"SELECT 1;"}, []string{"SELECT 1"}, ""},
		{"trailing blanks", []string{"SELECT 1;  \t"}, []string{"SELECT 1"}, ""},
		{"spans lines", []string{"SELECT", "  1", ";"}, []string{"SELECT\n  1"}, ""},
		{"semicolon mid-line", []string{"SELECT 1; SELECT 2"}, []string{"SELECT 1"}, "SELECT 2"},
		{"two on one line", []string{"SELECT 1; SELECT 2;"}, []string{"SELECT 1", "SELECT 2"}, ""},
		{"quoted semicolon mid-line", []string{"SELECT 'a;b', 1; SELECT 2;"}, []string{"SELECT 'a;b', 1", "SELECT 2"}, ""},
		{"empty statements", []string{";;SELECT 1;;"}, []string{"SELECT 1"}, ""},
		{"line comment", []string{"SELECT 1; -- a; b", "SELECT 2;"}, []string{"SELECT 1", "SELECT 2"}, ""},
		{"hash comment only", []string{"# nothing; here"}, nil, ""},
		{"block comment", []string{"SELECT /* a;", "b */ 1;"}, []string{"SELECT /* a;\nb */ 1"}, ""},
		{"minus is not a comment", []string{"SELECT 3-1;"}, []string{"SELECT 3-1"}, ""},
		{"quoted semicolon at line end", []string{"SELECT 'a;", "b';"}, []string{"SELECT 'a;\nb'"}, ""},
		{"double quotes", []string{`SELECT "x;`, `";`}, []string{"SELECT \"x;\n\""}, ""},
		{"backquotes", []string{"SELECT `a;", "`;"}, []string{"SELECT `a;\n`"}, ""},
		{"doubled quote", []string{"SELECT 'it''s;", "';"}, []string{"SELECT 'it''s;\n'"}, ""},
		{"backslash escape", []string{`SELECT 'a\';`, `';`}, []string{"SELECT 'a\\';\n'"}, ""},
		{"backslash in backquotes is plain", []string{"SELECT `a\\`;"}, []string{"SELECT `a\\`"}, ""},
		{"other quote inside", []string{`SELECT '"';`}, []string{`SELECT '"'`}, ""},
		{"unterminated at end", []string{"SELECT 2"}, nil, "SELECT 2"},
		{"two statements", []string{"SELECT 1;", "SELECT 2;"}, []string{"SELECT 1", "SELECT 2"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var sp splitter
			var got []string
			for _, l := range tt.lines {
				got = append(got, sp.add(l)...)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("statements %q, want %q", got, tt.want)
			}
			if rest := sp.flush(); rest != tt.rest {
				t.Errorf("flush = %q, want %q", rest, tt.rest)
			}
		})
	}
	var sp splitter
	sp.add("SELECT 'open")
	if !sp.inQuote() || !sp.pending() {
		t.Errorf("an open quote: inQuote %v, pending %v", sp.inQuote(), sp.pending())
	}
}

func TestLeadingKeywords(t *testing.T) {
	for text, want := range map[string]string{
		"select 1":                 "select",
		"  EXPLAIN\n SELECT 1":     "explain select",
		"/* hi */ SHOW TABLES":     "show tables",
		"-- note\nDESCRIBE znodes": "describe znodes",
		"(SELECT 1)":               "select",
		"START TRANSACTION":        "start transaction",
		"explain znodes":           "explain znodes",
		"":                         "",
		"/* unterminated":          "",
	} {
		if got := leadingKeywords(text, 2); got != want {
			t.Errorf("leadingKeywords(%q) = %q, want %q", text, got, want)
		}
	}
}
