package parser

import "strings"

// sqlparser's grammar only takes a column as SUBSTRING's first argument
// (SUBSTRING(LOWER(name), 1) is a syntax error there), while its generic
// function call takes any expressions. So a SUBSTRING or SUBSTR call
// written with commas is renamed, before sqlparser sees it, to a generic
// function of the same length (zk_substr, zk_sub), which keeps every byte
// offset - and so every error position - as the caller wrote it; the
// converter maps the names back. The FROM ... FOR form is left to
// sqlparser's own rule.
var substringAliases = map[string]string{"substring": "zk_substr", "substr": "zk_sub"}

// substringNames maps the aliases back to the name the caller wrote, for
// error messages and positions.
var substringNames = map[string]string{"zk_substr": "SUBSTRING", "zk_sub": "SUBSTR"}

func genericSubstrings(sql string, toks []token) string {
	var b []byte
	for i, t := range toks {
		alias, ok := substringAliases[t.word()]
		if !ok || i+1 >= len(toks) || toks[i+1].typ != '(' || usesFromFor(toks[i+2:]) {
			continue
		}
		if b == nil {
			b = []byte(sql)
		}
		copy(b[t.start:t.end], alias)
	}
	if b == nil {
		return sql
	}
	return string(b)
}

// usesFromFor reports whether the call whose arguments start at toks (just
// after its '(') has a FROM or FOR at its own nesting level.
func usesFromFor(toks []token) bool {
	depth := 0
	for _, t := range toks {
		switch {
		case t.typ == '(':
			depth++
		case t.typ == ')':
			if depth == 0 {
				return false
			}
			depth--
		case depth == 0 && (strings.EqualFold(t.text, "from") || strings.EqualFold(t.text, "for")):
			return true
		}
	}
	return false
}
