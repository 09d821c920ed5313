package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/zksql/zksql/parser"
)

// reportError prints err as the driver gives it and, when it carries a
// position (*parser.Error), the statement line with a caret under it.
func (s *shell) reportError(text string, err error) {
	fmt.Fprintln(s.errOut, "ERROR:", safeText(err.Error()))
	var ie *interruptedError
	if errors.As(err, &ie) {
		if ie.write {
			// The driver never retries a write whose outcome is unknown;
			// nor should the user, without looking first.
			fmt.Fprintln(s.errOut, "canceled by Ctrl-C: the write may or may not have been applied; check before running it again")
		} else {
			fmt.Fprintln(s.errOut, "canceled by Ctrl-C")
		}
	}
	var pe *parser.Error
	if errors.As(err, &pe) {
		sql := pe.SQL
		if sql == "" {
			sql = text
		}
		if line, caret, ok := caretLines(sql, pe.Offset); ok {
			fmt.Fprintln(s.errOut, "  "+line)
			fmt.Fprintln(s.errOut, "  "+caret)
		}
	}
}

// caretWindow is the most of a long line shown around the caret.
const caretWindow = 100

// caretLines returns the line of sql holding byte offset off, made safe
// to print, and a line with a caret under that position. Tabs in the
// line are kept in the caret line's padding so the caret lines up
// whatever the tab width; wide characters count two columns. Very long
// lines are cut around the position, the cuts marked "…".
func caretLines(sql string, off int) (line, caret string, ok bool) {
	if off < 0 || off > len(sql) {
		return "", "", false
	}
	start := strings.LastIndexByte(sql[:off], '\n') + 1
	end := strings.IndexByte(sql[off:], '\n')
	if end < 0 {
		end = len(sql)
	} else {
		end += off
	}
	before, after := sql[start:off], sql[off:end]
	before = strings.ReplaceAll(before, "\r", "")
	after = strings.TrimRight(after, "\r")
	// Keep the line printable: escape control characters but tabs.
	esc := func(s string) string {
		parts := strings.Split(s, "\t")
		for i, p := range parts {
			parts[i] = safeText(p)
		}
		return strings.Join(parts, "\t")
	}
	before, after = esc(before), esc(after)
	if displayWidth(before) > caretWindow/2 {
		r := []rune(before)
		for displayWidth(string(r)) > caretWindow/2-1 {
			r = r[1:]
		}
		before = "…" + string(r)
	}
	if displayWidth(after) > caretWindow/2 {
		after = truncate(after, caretWindow/2)
	}
	var pad strings.Builder
	for _, r := range before {
		if r == '\t' {
			pad.WriteByte('\t')
			continue
		}
		pad.WriteString(strings.Repeat(" ", displayWidth(string(r))))
	}
	return before + after, pad.String() + "^", true
}
