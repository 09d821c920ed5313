package parser

import (
	"strings"

	"github.com/xwb1989/sqlparser"
)

// MySQL keeps the backslash in the string escapes \% and \_ (so that
// LIKE 'a\_%' matches a literal underscore), but sqlparser's tokenizer
// drops it, silently turning the pattern into 'a_%'. Before handing the
// statement to sqlparser we therefore double those backslashes: '\\_'
// decodes to the two characters MySQL would have produced.
//
// keepLikeEscapes returns the rewritten statement and, for mapping
// sqlparser's error positions back, the offsets (in the rewritten text) of
// the backslashes it inserted.
func keepLikeEscapes(sql string, toks []token) (string, []int) {
	var b strings.Builder
	var inserted []int
	last := 0
	for _, t := range toks {
		if t.typ != sqlparser.STRING {
			continue
		}
		raw := sql[t.start:t.end]
		if !strings.Contains(raw, `\%`) && !strings.Contains(raw, `\_`) {
			continue
		}
		for i := 0; i < len(raw); i++ {
			if raw[i] != '\\' || i+1 >= len(raw) {
				continue
			}
			if next := raw[i+1]; next == '%' || next == '_' {
				b.WriteString(sql[last : t.start+i])
				inserted = append(inserted, b.Len())
				b.WriteByte('\\')
				last = t.start + i
			}
			i++ // skip the escaped character
		}
	}
	if inserted == nil {
		return sql, nil
	}
	b.WriteString(sql[last:])
	return b.String(), inserted
}

// originalOffset maps an offset in the rewritten statement back to the
// statement the caller gave.
func originalOffset(off int, inserted []int) int {
	n := 0
	for _, ins := range inserted {
		if ins < off {
			n++
		}
	}
	return off - n
}
