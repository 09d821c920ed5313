package eval

import (
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"
)

// NoEscape, passed as LikePrefix's escape, means the pattern has no escape
// character (ESCAPE ”).
const NoEscape rune = -1

// likeTok is one element of a compiled LIKE pattern.
type likeTok struct {
	kind byte   // tokLit, tokOne ('_') or tokAny ('%')
	lit  string // tokLit: the literal text (escapes resolved)
}

const (
	tokLit byte = iota
	tokOne
	tokAny
)

// likeKind selects a matcher; the common shapes avoid the general one.
type likeKind byte

const (
	likeGeneral  likeKind = iota
	likeExact             // 'abc'
	likePrefix            // 'abc%'
	likeSuffix            // '%abc'
	likeContains          // '%abc%'
	likeAll               // '%'
)

type likePattern struct {
	kind likeKind
	lit  string
	toks []likeTok
}

// tokenizeLike splits a pattern into literals, '_' and '%' (runs of '%'
// collapse). The escape character makes the next character literal; a
// trailing escape character stands for itself, as in MySQL.
func tokenizeLike(pattern string, escape rune) []likeTok {
	var toks []likeTok
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			toks = append(toks, likeTok{kind: tokLit, lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(pattern); {
		r, w := utf8.DecodeRuneInString(pattern[i:])
		raw := pattern[i : i+w]
		i += w
		switch {
		case escape >= 0 && r == escape && r != utf8.RuneError && i < len(pattern):
			_, w2 := utf8.DecodeRuneInString(pattern[i:])
			lit.WriteString(pattern[i : i+w2])
			i += w2
		case r == '%':
			flush()
			if len(toks) == 0 || toks[len(toks)-1].kind != tokAny {
				toks = append(toks, likeTok{kind: tokAny})
			}
		case r == '_':
			flush()
			toks = append(toks, likeTok{kind: tokOne})
		default:
			lit.WriteString(raw)
		}
	}
	flush()
	return toks
}

func compileLike(pattern string, escape rune) *likePattern {
	toks := tokenizeLike(pattern, escape)
	p := &likePattern{kind: likeGeneral, toks: toks}
	isLit := func(i int) bool { return toks[i].kind == tokLit }
	isAny := func(i int) bool { return toks[i].kind == tokAny }
	switch n := len(toks); {
	case n == 0:
		p.kind = likeExact
	case n == 1 && isLit(0):
		p.kind, p.lit = likeExact, toks[0].lit
	case n == 1 && isAny(0):
		p.kind = likeAll
	case n == 2 && isLit(0) && isAny(1):
		p.kind, p.lit = likePrefix, toks[0].lit
	case n == 2 && isAny(0) && isLit(1):
		p.kind, p.lit = likeSuffix, toks[1].lit
	case n == 3 && isAny(0) && isLit(1) && isAny(2):
		p.kind, p.lit = likeContains, toks[1].lit
	}
	return p
}

// match reports whether s matches. With binary set, '_' matches one byte
// (binary strings); otherwise one UTF-8 character.
func (p *likePattern) match(s string, binary bool) bool {
	switch p.kind {
	case likeExact:
		return s == p.lit
	case likePrefix:
		return strings.HasPrefix(s, p.lit)
	case likeSuffix:
		return strings.HasSuffix(s, p.lit)
	case likeContains:
		return strings.Contains(s, p.lit)
	case likeAll:
		return true
	}
	return matchToks(p.toks, s, binary)
}

// step is the width of the character at s[i:].
func step(s string, i int, binary bool) int {
	if binary || s[i] < utf8.RuneSelf {
		return 1
	}
	_, w := utf8.DecodeRuneInString(s[i:])
	return w
}

// matchToks is the classic linear-space wildcard matcher: on a mismatch it
// backtracks to the last '%' and lets it swallow one more character.
// Every token other than '%' consumes a fixed amount, so this is exact.
func matchToks(toks []likeTok, s string, binary bool) bool {
	ti, si := 0, 0
	starT, starS := -1, 0
	for si < len(s) || ti < len(toks) {
		if ti < len(toks) {
			t := toks[ti]
			switch t.kind {
			case tokLit:
				if strings.HasPrefix(s[si:], t.lit) {
					ti++
					si += len(t.lit)
					continue
				}
			case tokOne:
				if si < len(s) {
					ti++
					si += step(s, si, binary)
					continue
				}
			case tokAny:
				starT, starS = ti, si
				ti++
				continue
			}
		}
		if starT < 0 || starS >= len(s) {
			return false
		}
		starS += step(s, starS, binary)
		ti, si = starT+1, starS
	}
	return true
}

// LikePrefix returns the literal text a LIKE pattern starts with, up to
// its first wildcard, with escapes resolved; exact reports that the
// pattern has no wildcard at all (so LIKE means =). The planner uses the
// prefix to walk only the subtree that can match. escape is the escape
// character: '\\' by default (MySQL), or NoEscape.
//
// Because LIKE is case-sensitive in zksql, every match of the pattern
// starts with prefix.
func LikePrefix(pattern string, escape rune) (prefix string, exact bool) {
	toks := tokenizeLike(pattern, escape)
	if len(toks) == 0 {
		return "", true
	}
	if toks[0].kind != tokLit {
		return "", false
	}
	return toks[0].lit, len(toks) == 1
}

// maxCached bounds each compiled-pattern cache. Patterns usually come from
// statement literals, so the bound is rarely reached; beyond it patterns
// are compiled per use rather than kept forever.
const maxCached = 4096

// patternCache is a bounded concurrent cache of compiled patterns.
type patternCache struct {
	m sync.Map
	n atomic.Int64
}

func (c *patternCache) load(key any) (any, bool) { return c.m.Load(key) }

func (c *patternCache) store(key, v any) {
	if c.n.Load() >= maxCached {
		return
	}
	if _, loaded := c.m.LoadOrStore(key, v); !loaded {
		c.n.Add(1)
	}
}

type likeKey struct {
	pattern string
	escape  rune
}

var (
	// likeDefault caches patterns using the default escape '\', keyed by
	// the pattern string as evaluated (an interface that needs no
	// re-boxing); likeOther caches the rest keyed by likeKey.
	likeDefault patternCache
	likeOther   patternCache
	regexps     patternCache
	jsonPaths   patternCache
)

// cachedLike returns the compiled form of pattern; patVal is the pattern
// value as evaluated (used as the cache key when it is a string).
func cachedLike(pattern string, patVal any, escape rune) *likePattern {
	var key any
	cache := &likeDefault
	if escape == '\\' {
		if _, isStr := patVal.(string); isStr {
			key = patVal
		} else {
			key = strings.Clone(pattern)
		}
	} else {
		cache = &likeOther
		key = likeKey{strings.Clone(pattern), escape}
	}
	if v, ok := cache.load(key); ok {
		return v.(*likePattern)
	}
	p := compileLike(pattern, escape)
	cache.store(key, p)
	return p
}

// regexpEntry caches a compiled regular expression or its compile error.
type regexpEntry struct {
	re  *regexp.Regexp
	err error
}

func cachedRegexp(pattern string, patVal any) (*regexp.Regexp, error) {
	key := patVal
	if _, isStr := patVal.(string); !isStr {
		key = strings.Clone(pattern)
	}
	if v, ok := regexps.load(key); ok {
		e := v.(*regexpEntry)
		return e.re, e.err
	}
	re, err := regexp.Compile(pattern)
	e := &regexpEntry{re: re, err: err}
	regexps.store(key, e)
	return re, err
}
