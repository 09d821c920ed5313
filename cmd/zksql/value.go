package main

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/chzyer/readline"
)

// timeLayout shows ZooKeeper's millisecond times.
const timeLayout = "2006-01-02 15:04:05.000"

// cellText is how a value appears in a table cell: one line, safe to
// print on a terminal, at most width display columns (0: no limit).
// Printable text is shown as is; text with control characters is shown
// Go-escaped (\n, \t, \x00); bytes that are not UTF-8 as 0x and hex.
// A cut value ends in "…".
func cellText(v any, width int) string {
	var s string
	switch x := v.(type) {
	case nil:
		return "NULL"
	case []byte:
		s = safeBytes(x)
	case string:
		s = safeText(x)
	case time.Time:
		s = x.UTC().Format(timeLayout)
	case bool:
		s = strconv.FormatBool(x)
	case int64:
		s = strconv.FormatInt(x, 10)
	case float64:
		s = strconv.FormatFloat(x, 'g', -1, 64)
	default:
		s = safeText(fmt.Sprint(x))
	}
	return truncate(s, width)
}

// safeBytes renders data: text when it is printable UTF-8, escaped when
// it is UTF-8 with a few control characters, hex otherwise (not UTF-8, or
// mostly control characters, as binary formats are).
func safeBytes(b []byte) string {
	if utf8.Valid(b) && !mostlyControl(b) {
		return safeText(string(b))
	}
	return "0x" + hex.EncodeToString(b)
}

// mostlyControl reports whether more than a quarter of b's characters are
// control characters other than line breaks and tabs.
func mostlyControl(b []byte) bool {
	n, ctl := 0, 0
	for _, r := range string(b) {
		n++
		if r != '\n' && r != '\r' && r != '\t' && unicode.IsControl(r) {
			ctl++
		}
	}
	return ctl*4 > n
}

// safeText escapes what a terminal would act on (control characters,
// ESC sequences, line breaks) and leaves all other text alone.
func safeText(s string) string {
	clean := true
	for _, r := range s {
		if !unicode.IsPrint(r) && r != ' ' {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}

// truncate cuts s to width display columns, marking the cut with "…".
func truncate(s string, width int) string {
	if width <= 0 || displayWidth(s) <= width {
		return s
	}
	var b strings.Builder
	w := 0
	for _, r := range s {
		rw := readline.Runes{}.Width(r)
		if w+rw > width-1 {
			break
		}
		b.WriteRune(r)
		w += rw
	}
	b.WriteString("…")
	return b.String()
}

// displayWidth is the number of terminal columns s takes (wide East Asian
// characters take two).
func displayWidth(s string) int {
	return readline.Runes{}.WidthAll([]rune(s))
}

// isNumeric reports whether a column's values are right-aligned.
func isNumeric(v any) bool {
	switch v.(type) {
	case int64, float64, int32, int, uint64:
		return true
	}
	return false
}
