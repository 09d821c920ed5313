package eval

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// JSON documents are decoded with encoding/json into map[string]any,
// []any, string, json.Number, bool and nil (JSON null).

// jsonNull stands for a JSON null found by a path, as opposed to a path
// that found nothing.
type jsonNullType struct{}

var jsonNull = jsonNullType{}

// parseJSON decodes a document; ok is false when it is not valid JSON
// (exactly one value, white space around it allowed).
func parseJSON(s string) (v any, ok bool) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, false
	}
	if v == nil {
		return jsonNull, true
	}
	return v, true
}

// legKind is one step of a JSON path.
type legKind byte

const (
	legMember      legKind = iota // .key
	legAnyMember                  // .*
	legIndex                      // [n], [last], [last-n]
	legRange                      // [m to n], [*]
	legDescendants                // **
)

// arrayPos is an array position: n, or counted from the end for last-n.
type arrayPos struct {
	n        int
	fromLast bool
}

func (p arrayPos) resolve(length int) int {
	if p.fromLast {
		return length - 1 - p.n
	}
	return p.n
}

type jsonLeg struct {
	kind     legKind
	key      string
	from, to arrayPos
	all      bool // [*]
}

type jsonPath struct {
	legs     []jsonLeg
	wildcard bool // may match several values: the result is an array
}

// parseJSONPath parses a MySQL JSON path: $ followed by legs .key,
// ."quoted key", .*, [n], [last], [last-n], [m to n], [*] and **.
func parseJSONPath(s string) (*jsonPath, error) {
	p := &jsonPath{}
	i := 0
	skip := func() {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
	}
	skip()
	if i >= len(s) || s[i] != '$' {
		return nil, fmt.Errorf("invalid JSON path %s: it must start with $", quoteSQL(s))
	}
	i++
	bad := func(why string) error {
		return fmt.Errorf("invalid JSON path %s at offset %d: %s", quoteSQL(s), i, why)
	}
	for {
		skip()
		if i >= len(s) {
			break
		}
		switch {
		case s[i] == '.':
			i++
			skip()
			if i >= len(s) {
				return nil, bad("member name expected after '.'")
			}
			switch {
			case s[i] == '*':
				i++
				p.legs = append(p.legs, jsonLeg{kind: legAnyMember})
				p.wildcard = true
			case s[i] == '"':
				end, key, err := quotedKey(s, i)
				if err != nil {
					return nil, bad(err.Error())
				}
				i = end
				p.legs = append(p.legs, jsonLeg{kind: legMember, key: key})
			default:
				start := i
				for i < len(s) {
					r, w := utf8.DecodeRuneInString(s[i:])
					if !(r == '_' || r == '$' || unicode.IsLetter(r) || (i > start && unicode.IsDigit(r))) {
						break
					}
					i += w
				}
				if i == start {
					return nil, bad("invalid member name")
				}
				p.legs = append(p.legs, jsonLeg{kind: legMember, key: s[start:i]})
			}
		case s[i] == '[':
			i++
			leg, err := arrayLeg(s, &i)
			if err != nil {
				return nil, bad(err.Error())
			}
			if leg.kind == legRange {
				p.wildcard = true
			}
			p.legs = append(p.legs, leg)
		case strings.HasPrefix(s[i:], "**"):
			i += 2
			p.legs = append(p.legs, jsonLeg{kind: legDescendants})
			p.wildcard = true
		default:
			return nil, bad("'.', '[' or '**' expected")
		}
	}
	if n := len(p.legs); n > 0 && p.legs[n-1].kind == legDescendants {
		return nil, fmt.Errorf("invalid JSON path %s: it must not end with **", quoteSQL(s))
	}
	return p, nil
}

// quotedKey reads a JSON string starting at s[i] == '"'.
func quotedKey(s string, i int) (end int, key string, err error) {
	j := i + 1
	for j < len(s) && s[j] != '"' {
		if s[j] == '\\' {
			j++
		}
		j++
	}
	if j >= len(s) {
		return 0, "", fmt.Errorf("unterminated quoted member name")
	}
	if err := json.Unmarshal([]byte(s[i:j+1]), &key); err != nil {
		return 0, "", fmt.Errorf("invalid quoted member name")
	}
	return j + 1, key, nil
}

func arrayLeg(s string, i *int) (jsonLeg, error) {
	skip := func() {
		for *i < len(s) && isSpace(s[*i]) {
			*i++
		}
	}
	skip()
	if *i < len(s) && s[*i] == '*' {
		*i++
		skip()
		if *i >= len(s) || s[*i] != ']' {
			return jsonLeg{}, fmt.Errorf("']' expected")
		}
		*i++
		return jsonLeg{kind: legRange, all: true}, nil
	}
	from, err := arrayPosAt(s, i)
	if err != nil {
		return jsonLeg{}, err
	}
	skip()
	leg := jsonLeg{kind: legIndex, from: from}
	if strings.HasPrefix(s[*i:], "to") {
		*i += 2
		skip()
		to, err := arrayPosAt(s, i)
		if err != nil {
			return jsonLeg{}, err
		}
		skip()
		if !from.fromLast && !to.fromLast && to.n < from.n {
			return jsonLeg{}, fmt.Errorf("range end before its start")
		}
		leg.kind, leg.to = legRange, to
	}
	if *i >= len(s) || s[*i] != ']' {
		return jsonLeg{}, fmt.Errorf("']' expected")
	}
	*i++
	return leg, nil
}

func arrayPosAt(s string, i *int) (arrayPos, error) {
	var p arrayPos
	if strings.HasPrefix(s[*i:], "last") {
		*i += 4
		p.fromLast = true
		for *i < len(s) && isSpace(s[*i]) {
			*i++
		}
		if *i >= len(s) || s[*i] != '-' {
			return p, nil
		}
		*i++
		for *i < len(s) && isSpace(s[*i]) {
			*i++
		}
	}
	start := *i
	for *i < len(s) && isDigit(s[*i]) {
		*i++
	}
	if *i == start {
		return p, fmt.Errorf("array index expected")
	}
	n, err := strconv.Atoi(s[start:*i])
	if err != nil || n > 1<<30 {
		return p, fmt.Errorf("array index out of range")
	}
	p.n = n
	return p, nil
}

// cachedJSONPath parses a path, caching the result per path text.
func cachedJSONPath(path string, pathVal any) (*jsonPath, error) {
	key := pathVal
	if _, isStr := pathVal.(string); !isStr {
		key = strings.Clone(path)
	}
	if v, ok := jsonPaths.load(key); ok {
		return v.(*jsonPath), nil
	}
	p, err := parseJSONPath(path)
	if err != nil {
		return nil, err
	}
	jsonPaths.store(key, p)
	return p, nil
}

// maxJSONSteps bounds the work one path evaluation may do: paths with
// several ** legs can otherwise take time exponential in their length.
const maxJSONSteps = 1 << 20

// find appends to out every value the path's legs select from v. budget
// counts the steps left; find stops early when it runs out.
func find(v any, legs []jsonLeg, out []any, budget *int) []any {
	if *budget--; *budget < 0 {
		return out
	}
	if len(legs) == 0 {
		return append(out, v)
	}
	leg, rest := legs[0], legs[1:]
	switch leg.kind {
	case legMember:
		if m, ok := v.(map[string]any); ok {
			if c, ok := m[leg.key]; ok {
				out = find(nullOr(c), rest, out, budget)
			}
		}
	case legAnyMember:
		if m, ok := v.(map[string]any); ok {
			for _, k := range sortedKeys(m) {
				out = find(nullOr(m[k]), rest, out, budget)
			}
		}
	case legIndex, legRange:
		arr, isArr := v.([]any)
		if !isArr {
			if leg.all {
				return out
			}
			// MySQL treats a non-array as an array of one element.
			arr = []any{v}
		}
		if leg.kind == legIndex {
			if k := leg.from.resolve(len(arr)); k >= 0 && k < len(arr) {
				out = find(nullOr(arr[k]), rest, out, budget)
			}
			return out
		}
		lo, hi := 0, len(arr)-1
		if !leg.all {
			lo, hi = max(leg.from.resolve(len(arr)), 0), min(leg.to.resolve(len(arr)), len(arr)-1)
		}
		for k := lo; k <= hi; k++ {
			out = find(nullOr(arr[k]), rest, out, budget)
		}
	case legDescendants:
		// ** matches v itself and every value below it.
		out = find(v, rest, out, budget)
		switch x := v.(type) {
		case map[string]any:
			for _, k := range sortedKeys(x) {
				out = find(nullOr(x[k]), legs, out, budget)
			}
		case []any:
			for _, c := range x {
				out = find(nullOr(c), legs, out, budget)
			}
		}
	}
	return out
}

func nullOr(v any) any {
	if v == nil {
		return jsonNull
	}
	return v
}

// sortedKeys orders object keys as MySQL stores them: shorter keys first,
// then bytewise.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if len(keys[i]) != len(keys[j]) {
			return len(keys[i]) < len(keys[j])
		}
		return keys[i] < keys[j]
	})
	return keys
}

// writeJSON serializes v the way MySQL prints JSON values: ", " and ": "
// separators, keys sorted, numbers as written in the document, only '"',
// '\' and control characters escaped.
func writeJSON(b *bytes.Buffer, v any) {
	switch x := v.(type) {
	case jsonNullType, nil:
		b.WriteString("null")
	case bool:
		if x {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case json.Number:
		b.WriteString(string(x))
	case string:
		writeJSONString(b, x)
	case []any:
		b.WriteByte('[')
		for i, c := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			writeJSON(b, c)
		}
		b.WriteByte(']')
	case map[string]any:
		b.WriteByte('{')
		for i, k := range sortedKeys(x) {
			if i > 0 {
				b.WriteString(", ")
			}
			writeJSONString(b, k)
			b.WriteString(": ")
			writeJSON(b, x[k])
		}
		b.WriteByte('}')
	default:
		writeJSONString(b, fmt.Sprint(x))
	}
}

func writeJSONString(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			if c < 0x20 {
				fmt.Fprintf(b, `\u%04x`, c)
			} else {
				b.WriteByte(c)
			}
		}
	}
	b.WriteByte('"')
}

func jsonText(v any) string {
	var b bytes.Buffer
	writeJSON(&b, v)
	return b.String()
}

// jsonDocument converts a non-NULL SQL value to a JSON value. Strings and
// []byte are parsed as JSON text; ok is false when they are not JSON.
// Numbers are JSON numbers; a time is a JSON string.
func jsonDocument(v any) (any, bool) {
	switch x := v.(type) {
	case jsonValue:
		return x.doc, true
	case string:
		return parseJSON(x)
	case []byte:
		return parseJSON(bytesView(x))
	case int64:
		return json.Number(strconv.FormatInt(x, 10)), true
	case float64:
		return json.Number(strconv.FormatFloat(x, 'g', -1, 64)), true
	}
	return toText(v), true
}

// jsonMatch applies a path to a document. found is false when nothing
// matched (SQL NULL). The result is the match, or an array of the matches
// for paths with wildcards or ranges.
func jsonMatch(doc any, p *jsonPath) (any, bool, error) {
	var buf [4]any
	budget := maxJSONSteps
	matches := find(doc, p.legs, buf[:0], &budget)
	if budget < 0 {
		return nil, false, errTooMuchJSON
	}
	if len(matches) == 0 {
		return nil, false, nil
	}
	if p.wildcard {
		return append([]any(nil), matches...), true, nil
	}
	return matches[0], true, nil
}

var errTooMuchJSON = errors.New("JSON path evaluation exceeds its work limit (too many ** legs?)")
