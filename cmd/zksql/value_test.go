package main

import (
	"strings"
	"testing"
	"time"
)

func TestCellText(t *testing.T) {
	tests := []struct {
		v     any
		width int
		want  string
	}{
		{nil, 0, "NULL"},
		{[]byte{}, 0, ""},
		{[]byte("plain text"), 0, "plain text"},
		{[]byte("héllo 世界"), 0, "héllo 世界"},
		{[]byte("a\nb\tc"), 0, `a\nb\tc`},
		{[]byte("\x1b[31mred"), 0, `\x1b[31mred`}, // no escape sequence reaches the terminal
		{[]byte{0xff, 0x00, 0x10}, 0, "0xff0010"},
		{"x\u202ey", 0, `x\u202ey`}, // a bidi override is not printable
		{int64(-7), 0, "-7"},
		{1.5, 0, "1.5"},
		{true, 0, "true"},
		{time.Date(2024, 2, 3, 4, 5, 6, 7_000_000, time.FixedZone("x", 3600)), 0, "2024-02-03 03:05:06.007"},
		{[]byte("abcdefghij"), 5, "abcd…"},
		{[]byte("abcde"), 5, "abcde"},
		{"世界世界", 5, "世界…"}, // wide characters count two
		{[]byte(strings.Repeat("\x00", 40)), 10, "0x0000000…"},
	}
	for _, tt := range tests {
		if got := cellText(tt.v, tt.width); got != tt.want {
			t.Errorf("cellText(%#v, %d) = %q, want %q", tt.v, tt.width, got, tt.want)
		}
		if tt.width > 0 && displayWidth(cellText(tt.v, tt.width)) > tt.width {
			t.Errorf("cellText(%#v, %d) is wider than %d", tt.v, tt.width, tt.width)
		}
	}
}

func TestCaretLines(t *testing.T) {
	tests := []struct {
		sql         string
		off         int
		line, caret string
	}{
		{"SELECT x FROM", 7, "SELECT x FROM", "       ^"},
		{"SELECT x\nFROM y JOIN z", 16, "FROM y JOIN z", "       ^"},
		{"SELECT 1", 8, "SELECT 1", "        ^"}, // end of statement
		{"SELECT 'é' x", 11, "SELECT 'é' x", "          ^"},
		{"SELECT\tx", 7, "SELECT\tx", "      \t^"},
		{"a\r\nbad", 3, "bad", "^"},
	}
	for _, tt := range tests {
		line, caret, ok := caretLines(tt.sql, tt.off)
		if !ok || line != tt.line || caret != tt.caret {
			t.Errorf("caretLines(%q, %d) = %q, %q, %v; want %q, %q", tt.sql, tt.off, line, caret, ok, tt.line, tt.caret)
		}
	}
	// A long line is cut around the position, which stays under the caret.
	long := "SELECT " + strings.Repeat("a, ", 100) + "JOIN " + strings.Repeat("b, ", 100)
	off := strings.Index(long, "JOIN")
	line, caret, ok := caretLines(long, off)
	if !ok || displayWidth(line) > caretWindow+2 {
		t.Fatalf("long line not cut: %d columns", displayWidth(line))
	}
	col := displayWidth(strings.TrimSuffix(caret, "^"))
	if !strings.HasPrefix(string([]rune(line)[col:]), "JOIN") {
		t.Errorf("caret at %d not under JOIN in %q", col, line)
	}
	if _, _, ok := caretLines("x", 5); ok {
		t.Error("an offset past the end gave a caret")
	}
}
