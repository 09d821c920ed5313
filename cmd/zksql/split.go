package main

import "strings"

// splitter gathers input lines into statements. A statement ends at a
// line whose last non-blank character is a ';' outside quotes; quotes
// ('...', "...", `...`, with SQL's doubled quotes and MySQL's backslash
// escapes) may span lines. A ';' in the middle of a line does not end a
// statement, so `SELECT 'a;b'` and one-line scripts with several
// statements behave alike: the driver sees the whole text.
type splitter struct {
	buf   strings.Builder
	quote byte // the open quote character, 0 outside quotes
	lines int  // lines in buf
}

// add takes one line (without its newline). It returns the completed
// statement, without the final ';', and true when the line ends one.
func (s *splitter) add(line string) (string, bool) {
	if s.lines > 0 {
		s.buf.WriteByte('\n')
	}
	s.buf.WriteString(line)
	s.lines++
	escaped := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case s.quote == 0:
			if c == '\'' || c == '"' || c == '`' {
				s.quote = c
			}
		case escaped:
			escaped = false
		case c == '\\' && s.quote != '`':
			escaped = true
		case c == s.quote:
			// A doubled quote closes and reopens: same state after
			// two characters.
			s.quote = 0
		}
	}
	if s.quote != 0 {
		return "", false
	}
	text := strings.TrimRight(s.buf.String(), " \t\r")
	if !strings.HasSuffix(text, ";") {
		return "", false
	}
	s.reset()
	return strings.TrimSpace(strings.TrimSuffix(text, ";")), true
}

// pending reports whether a statement has begun.
func (s *splitter) pending() bool { return strings.TrimSpace(s.buf.String()) != "" }

// inQuote reports whether the text so far ends inside a quoted string.
func (s *splitter) inQuote() bool { return s.quote != 0 }

// flush returns whatever statement is unfinished, for end of input.
func (s *splitter) flush() string {
	text := strings.TrimSpace(s.buf.String())
	s.reset()
	return strings.TrimSpace(strings.TrimSuffix(text, ";"))
}

func (s *splitter) reset() {
	s.buf.Reset()
	s.quote = 0
	s.lines = 0
}

// isComment reports whether a line outside any statement is a comment
// only (-- or #), which scripts may carry between statements.
func isComment(line string) bool {
	t := strings.TrimSpace(line)
	return strings.HasPrefix(t, "--") || strings.HasPrefix(t, "#")
}
