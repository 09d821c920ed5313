package parser

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/xwb1989/sqlparser"
)

// token is one lexical token of the statement with its byte span. sqlparser
// AST nodes carry no positions, so every position in an *Error comes from
// this token list.
type token struct {
	typ        int    // sqlparser token type (sqlparser.ID, sqlparser.SELECT, '(' ...)
	val        string // as the tokenizer returns it: keywords lower-cased, strings unescaped, `?` as :vN
	text       string // the source text
	start, end int    // byte span in the statement
}

// word is the token compared case-insensitively, for keyword matching.
func (t token) word() string { return strings.ToLower(t.val) }

// isWordlike reports whether the token is a keyword or identifier, i.e. not
// a literal, placeholder or punctuation, so that 'join' in a string never
// matches the JOIN keyword.
func (t token) isWordlike() bool {
	switch t.typ {
	case sqlparser.STRING, sqlparser.INTEGRAL, sqlparser.FLOAT, sqlparser.HEX,
		sqlparser.HEXNUM, sqlparser.BIT_LITERAL, sqlparser.VALUE_ARG, sqlparser.LIST_ARG:
		return false
	}
	return t.typ >= sqlparser.LEX_ERROR
}

func isBlank(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' }

// scan tokenizes sql with sqlparser's own tokenizer, so token boundaries
// agree with what the grammar sees. Comments are dropped. The tokenizer
// tracks Position as one past the index of its look-ahead character, which
// gives each token's end; its start is the first non-blank byte after the
// previous token.
func scan(sql string) ([]token, *Error) {
	tk := sqlparser.NewStringTokenizer(sql)
	var toks []token
	clamp := func(i int) int {
		if i < 0 {
			return 0
		}
		if i > len(sql) {
			return len(sql)
		}
		return i
	}
	for {
		start := clamp(tk.Position - 1)
		for start < len(sql) && isBlank(sql[start]) {
			start++
		}
		if start < len(sql) && sql[start] == 0 {
			// A NUL where a token would begin is outside any quotes:
			// refuse it here, before the tokenizer, which skips it in
			// some states and would then read what follows unchecked
			// (for example a /*! comment, on which it panics).
			return nil, lexError(sql, token{start: start, end: start + 1})
		}
		if strings.HasPrefix(sql[start:], "/*!") {
			// Checked before scanning: the tokenizer splices the comment's
			// contents into the token stream from a nested tokenizer whose
			// positions we cannot map, and sqlparser.ExtractMysqlComment
			// panics (slice bounds out of range) on "/*!*/".
			return nil, newError(KindUnsupported, sql, start, "/*!",
				"MySQL-specific comments /*! ... */ are not supported")
		}
		typ, val := tk.Scan()
		end := clamp(tk.Position - 1)
		if typ == 0 {
			return toks, checkNUL(sql, toks)
		}
		t := token{typ: typ, val: string(val), text: sql[start:end], start: start, end: end}
		switch typ {
		case sqlparser.COMMENT:
			continue
		case sqlparser.LEX_ERROR:
			return nil, lexError(sql, t)
		}
		toks = append(toks, t)
	}
}

// checkNUL refuses a NUL byte anywhere but inside a string literal or
// quoted identifier. The tokenizer reads NUL as the end of input in some
// states and skips it in others, while sqlparser's grammar reads on past
// it: text after a NUL would escape every check made on these tokens (one
// statement, nesting depth, placeholder styles).
func checkNUL(sql string, toks []token) *Error {
	from := 0
	for {
		i := strings.IndexByte(sql[from:], 0)
		if i < 0 {
			return nil
		}
		i += from
		quoted := false
		for _, t := range toks {
			if t.start < i && i < t.end && (t.text[0] == '\'' || t.text[0] == '"' || t.text[0] == '`') {
				quoted = true
				break
			}
		}
		if !quoted {
			return lexError(sql, token{start: i, end: i + 1})
		}
		from = i + 1
	}
}

// lexError explains a token the tokenizer rejected.
func lexError(sql string, t token) *Error {
	text := sql[t.start:t.end]
	var msg string
	if t.start >= len(sql) {
		msg = "unexpected end of statement"
	} else {
		c := sql[t.start]
		switch {
		case c == '\'' || c == '"':
			msg = "unterminated string literal"
		case c == '`':
			msg = "unterminated or empty quoted identifier"
		case c == ':':
			msg = "invalid placeholder name"
		case c == '/' || c == '*':
			msg = "unterminated comment"
		case (c == 'x' || c == 'X' || c == 'b' || c == 'B') && len(text) > 1 && text[1] == '\'':
			msg = "invalid hex or bit literal"
		case c >= '0' && c <= '9' || c == '.':
			msg = "invalid number"
		case c >= 0x80:
			msg = "non-ASCII characters are only allowed in string literals and quoted identifiers"
			if r, size := utf8.DecodeRuneInString(sql[t.start:]); r != utf8.RuneError {
				text = sql[t.start : t.start+size]
			}
		default:
			msg = "unexpected character " + quoteRune(c)
		}
	}
	return newError(KindSyntax, sql, t.start, text, "%s", msg)
}

func quoteRune(c byte) string {
	if c < 0x20 || c == 0x7f {
		return fmt.Sprintf("0x%02X", c)
	}
	return "'" + string(c) + "'"
}

// find returns the first token at which the sequence of words starts
// (compared case-insensitively against keyword and identifier tokens; other
// words, such as "(", compare against the token's value).
func find(toks []token, words ...string) (token, bool) {
	if len(words) == 0 {
		return token{}, false
	}
outer:
	for i := range toks {
		if i+len(words) > len(toks) {
			break
		}
		for j, w := range words {
			if !matches(toks[i+j], w) {
				continue outer
			}
		}
		return toks[i], true
	}
	return token{}, false
}

func matches(t token, w string) bool {
	switch {
	case t.typ > 0 && t.typ < 256: // punctuation is its own type
		return string(rune(t.typ)) == w
	case t.isWordlike() && t.val != "":
		return strings.EqualFold(t.val, w)
	case t.isWordlike(): // operators such as <=> carry no value
		return strings.EqualFold(t.text, w)
	}
	return t.val == w || t.text == w
}
