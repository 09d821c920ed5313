package main

import "strings"

// splitter gathers input lines into statements, as the mysql client does:
// a ';' outside quotes and comments ends a statement, wherever it stands
// on the line, so `SELECT 1; SELECT 2;` is two statements. Quotes ('...',
// "...", `...`, with SQL's doubled quotes and MySQL's backslash escapes)
// and /* */ comments may span lines; -- and # comment out the rest of a
// line. Text after the last ';' of a line waits for the next lines.
type splitter struct {
	buf     strings.Builder
	quote   byte // the open quote character, 0 outside quotes
	comment bool // inside a /* */ comment
	content bool // buf holds more than blanks and comments
	lines   int  // lines in buf
}

// add takes one line (without its newline) and returns the statements it
// completes, without their ';', in order.
func (s *splitter) add(line string) []string {
	if s.lines > 0 {
		s.buf.WriteByte('\n')
	}
	s.lines++
	var done []string
	escaped := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case s.comment:
			if c == '*' && i+1 < len(line) && line[i+1] == '/' {
				s.comment = false
				s.buf.WriteString("*/")
				i++
				continue
			}
		case s.quote != 0:
			switch {
			case escaped:
				escaped = false
			case c == '\\' && s.quote != '`':
				escaped = true
			case c == s.quote:
				// A doubled quote closes and reopens: same state after
				// two characters.
				s.quote = 0
			}
		case c == '\'' || c == '"' || c == '`':
			s.quote = c
			s.content = true
		case c == '/' && i+1 < len(line) && line[i+1] == '*':
			s.comment = true
			s.buf.WriteString("/*")
			i++
			continue
		case c == '#' || c == '-' && strings.HasPrefix(line[i:], "-- ") || line[i:] == "--":
			s.buf.WriteString(line[i:])
			i = len(line)
			continue
		case c == ';':
			if s.content {
				done = append(done, strings.TrimSpace(s.buf.String()))
			}
			s.buf.Reset()
			s.content = false
			s.lines = 1
			continue
		case c != ' ' && c != '\t' && c != '\r':
			s.content = true
		}
		s.buf.WriteByte(c)
	}
	if !s.content && !s.comment && s.quote == 0 {
		s.reset() // only blanks and comments: nothing has begun
	}
	return done
}

// pending reports whether a statement has begun.
func (s *splitter) pending() bool { return s.content || s.comment || s.quote != 0 }

// inQuote reports whether the text so far ends inside a quoted string.
func (s *splitter) inQuote() bool { return s.quote != 0 }

// flush returns whatever statement is unfinished, for end of input.
func (s *splitter) flush() string {
	text, content := strings.TrimSpace(s.buf.String()), s.content
	s.reset()
	if !content {
		return ""
	}
	return text
}

func (s *splitter) reset() {
	s.buf.Reset()
	s.quote = 0
	s.comment = false
	s.content = false
	s.lines = 0
}

// isComment reports whether a line outside any statement is a comment
// only (-- or #), which scripts may carry between statements.
func isComment(line string) bool {
	t := strings.TrimSpace(line)
	return strings.HasPrefix(t, "--") || strings.HasPrefix(t, "#")
}
