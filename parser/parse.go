package parser

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/xwb1989/sqlparser"

	"github.com/zksql/zksql/internal/panics"
)

// Limits that keep hostile or generated input from exhausting the stack or
// the CPU. sqlparser's LALR parser keeps its own stack on the heap, but the
// conversion, String and the driver's evaluator all recurse over the tree.
const (
	// MaxStatementBytes bounds the statement text. Values belong in
	// placeholders, so real statements are far smaller.
	MaxStatementBytes = 1 << 20
	// MaxParenNesting bounds how deeply parentheses may nest. (sqlparser
	// gives up at 200 on its own.)
	MaxParenNesting = 100
	// MaxExprDepth bounds the depth of an expression tree, which also
	// catches long unparenthesized chains such as NOT NOT NOT ... or
	// a + a + a + ...
	MaxExprDepth = 500
)

// Parse parses exactly one SQL statement (an optional trailing semicolon is
// allowed) into the zksql AST. Every error it returns is an *Error.
func Parse(sql string) (stmt Statement, err error) {
	defer func() {
		// Last resort: sqlparser is a generated parser we do not control.
		// Every panic found so far has been fixed at its cause.
		if r := recover(); r != nil {
			stmt = nil
			pe := newError(KindSyntax, sql, 0, "", "internal parser error: %v", r)
			pe.Cause = panics.New("parser", r)
			err = pe
		}
	}()
	s, perr := parse(sql)
	if perr != nil {
		return nil, perr
	}
	return s, nil
}

// refusedStatements are statement keywords outside the dialect. They are
// refused by name before sqlparser sees them: some it would misparse (its
// lenient DDL handling), others it reports only as "syntax error".
var refusedStatements = map[string]string{
	"create":     "CREATE is not supported: zksql's tables are fixed",
	"alter":      "ALTER is not supported: zksql's tables are fixed",
	"drop":       "DROP is not supported: zksql's tables are fixed",
	"truncate":   "TRUNCATE is not supported: zksql's tables are fixed",
	"rename":     "RENAME is not supported: zksql's tables are fixed",
	"analyze":    "ANALYZE is not supported",
	"optimize":   "OPTIMIZE is not supported",
	"repair":     "REPAIR is not supported",
	"lock":       "LOCK TABLES is not supported",
	"unlock":     "UNLOCK TABLES is not supported",
	"set":        "SET is not supported",
	"use":        "USE is not supported: zksql has a single schema",
	"replace":    "REPLACE is not supported; use INSERT ... ON DUPLICATE KEY UPDATE",
	"grant":      "GRANT is not supported; write ACLs through the acls table",
	"revoke":     "REVOKE is not supported; write ACLs through the acls table",
	"call":       "CALL is not supported",
	"do":         "DO is not supported",
	"handler":    "HANDLER is not supported",
	"load":       "LOAD is not supported",
	"flush":      "FLUSH is not supported",
	"kill":       "KILL is not supported",
	"prepare":    "PREPARE is not supported; use database/sql prepared statements",
	"execute":    "EXECUTE is not supported; use database/sql prepared statements",
	"deallocate": "DEALLOCATE is not supported",
	"savepoint":  "SAVEPOINT is not supported",
	"release":    "RELEASE SAVEPOINT is not supported",
	"xa":         "XA transactions are not supported",
	"with":       "WITH (common table expressions) is not supported",
	"values":     "VALUES statements are not supported",
	"table":      "TABLE statements are not supported; use SELECT * FROM",
	"stream":     "STREAM is not supported",
}

func parse(sql string) (Statement, *Error) {
	if len(sql) > MaxStatementBytes {
		return nil, newError(KindLimit, sql, MaxStatementBytes, "",
			"statement is %d bytes long, the limit is %d; pass values as placeholders", len(sql), MaxStatementBytes)
	}
	toks, err := scan(sql)
	if err != nil {
		return nil, err
	}
	if len(toks) == 0 {
		return nil, newError(KindSyntax, sql, len(sql), "", "empty statement")
	}
	toks, err = checkTokens(sql, toks)
	if err != nil {
		return nil, err
	}
	c := &converter{sql: sql, toks: toks}
	c.ordinal = usesOrdinals(sql, toks)

	first := toks[0]
	switch first.word() {
	case "desc", "describe", "explain":
		return c.describeOrExplain()
	case "show":
		if len(toks) > 1 {
			w := toks[1].word()
			if w == "full" && len(toks) > 2 {
				w = toks[2].word()
			}
			switch w {
			case "columns", "fields":
				return c.showColumns()
			}
		}
	}
	if msg, ok := refusedStatements[first.word()]; ok && first.isWordlike() {
		return nil, c.errAt(KindUnsupported, first, "%s", msg)
	}

	// ParseStrictDDL, never Parse: Parse silently returns half-parsed DDL.
	rewritten, inserted := keepLikeEscapes(genericSubstrings(sql, toks), toks)
	st, perr := sqlparser.ParseStrictDDL(rewritten)
	if perr != nil {
		return nil, c.translate(perr, inserted)
	}
	if st == nil {
		return nil, newError(KindSyntax, sql, len(sql), "", "empty statement")
	}
	return c.statement(st)
}

// checkTokens enforces what the grammar cannot: one statement, a bounded
// parenthesis depth and no mixing of placeholder styles. It returns the
// tokens without trailing semicolons.
func checkTokens(sql string, toks []token) ([]token, *Error) {
	depth := 0
	for _, t := range toks {
		switch t.typ {
		case '(':
			depth++
			if depth > MaxParenNesting {
				return nil, newError(KindLimit, sql, t.start, "(",
					"parentheses nested more than %d deep", MaxParenNesting)
			}
		case ')':
			depth--
		case sqlparser.LIST_ARG:
			return nil, newError(KindUnsupported, sql, t.start, sql[t.start:t.end],
				"list placeholders (::name) are not supported; use one placeholder per IN list value")
		}
	}
	for i, t := range toks {
		if t.typ != ';' {
			continue
		}
		if i == 0 {
			return nil, newError(KindSyntax, sql, t.start, ";", "empty statement")
		}
		if i+1 == len(toks) {
			toks = toks[:i] // a single trailing semicolon is fine
			break
		}
		next := toks[i+1]
		if next.typ == ';' {
			return nil, newError(KindSyntax, sql, next.start, ";", "unexpected ';'")
		}
		return nil, newError(KindUnsupported, sql, next.start, sql[next.start:next.end],
			"only one statement is allowed; found another after ';'")
	}

	var firstQ, firstNamed *token
	for i := range toks {
		t := &toks[i]
		if t.typ != sqlparser.VALUE_ARG {
			continue
		}
		if sql[t.start] == '?' {
			if firstQ == nil {
				firstQ = t
			}
		} else if firstNamed == nil {
			firstNamed = t
		}
	}
	if firstQ != nil && firstNamed != nil {
		later := firstQ
		if firstNamed.start > firstQ.start {
			later = firstNamed
		}
		return nil, newError(KindUnsupported, sql, later.start, sql[later.start:later.end],
			"cannot mix ? and :name placeholders in one statement")
	}
	return toks, nil
}

// usesOrdinals reports whether the statement's placeholders are `?`.
// sqlparser rewrites each `?` to :v1, :v2, ... which would be
// indistinguishable from a user's :v1, hence the ban on mixing styles.
func usesOrdinals(sql string, toks []token) bool {
	for _, t := range toks {
		if t.typ == sqlparser.VALUE_ARG && sql[t.start] == '?' {
			return true
		}
	}
	return false
}

var sqlparserErrRE = regexp.MustCompile(`(?s)^(.*) at position (\d+)(?: near '(.*)')?$`)

// translate turns a sqlparser error ("syntax error at position 17 near
// 'x'") into an *Error. sqlparser's position is one past the end of the
// token it choked on; we report that token's start.
func (c *converter) translate(err error, inserted []int) *Error {
	m := sqlparserErrRE.FindStringSubmatch(err.Error())
	if m == nil {
		return newError(KindSyntax, c.sql, 0, "", "%s", err.Error())
	}
	pos, _ := strconv.Atoi(m[2])
	end := originalOffset(pos-1, inserted)
	kind := KindSyntax
	msg := m[1]
	if strings.Contains(msg, "nesting") {
		kind = KindLimit
		msg = "too deeply nested"
	}
	// sqlparser omits "near" both at the end of input and for tokens
	// without a value, such as punctuation.
	if m[3] != "" || end < len(c.sql) {
		// Prefer the token that ends exactly where sqlparser stopped, else
		// the first token after that point.
		for _, t := range c.toks {
			if t.end == end {
				return c.errAt(kind, t, "%s", unexpected(kind, msg, t.text))
			}
		}
		for _, t := range c.toks {
			if t.start >= end {
				return c.errAt(kind, t, "%s", unexpected(kind, msg, t.text))
			}
		}
	}
	return newError(kind, c.sql, len(c.sql), "", "%s", unexpected(kind, msg, ""))
}

func unexpected(kind ErrorKind, msg, near string) string {
	if kind != KindSyntax {
		return msg
	}
	if near == "" {
		return "unexpected end of statement"
	}
	return "unexpected '" + truncate(near, maxQuotedNode) + "'"
}

// describeOrExplain handles DESC, DESCRIBE and EXPLAIN, which sqlparser
// swallows whole (it returns an empty OtherRead). Following MySQL, a table
// name makes any of them a DESCRIBE and a statement makes them an EXPLAIN.
func (c *converter) describeOrExplain() (Statement, *Error) {
	kw, toks := c.toks[0], c.toks[1:]
	if len(toks) == 0 {
		return nil, newError(KindSyntax, c.sql, len(c.sql), "", "%s needs a table name or a statement", strings.ToUpper(kw.word()))
	}
	next := toks[0]
	switch next.word() {
	case "select", "insert", "update", "delete", "replace", "with", "table", "values":
		return c.explain(next)
	case "format", "extended", "partitions", "analyze":
		return nil, c.errAt(KindUnsupported, next, "%s %s is not supported", strings.ToUpper(kw.word()), strings.ToUpper(next.word()))
	}
	if next.typ == '(' {
		return c.explain(next)
	}
	return c.describeTable(kw, toks)
}

func (c *converter) explain(at token) (Statement, *Error) {
	inner, err := parse(c.sql[at.start:])
	if err != nil {
		return nil, err.shift(c.sql, at.start)
	}
	switch inner.(type) {
	case *Select, *Insert, *Update, *Delete:
		return &Explain{Stmt: inner}, nil
	}
	return nil, c.errAt(KindUnsupported, at, "EXPLAIN supports only SELECT, INSERT, UPDATE and DELETE")
}

// describeTable accepts exactly one table name after the keyword(s).
func (c *converter) describeTable(kw token, toks []token) (Statement, *Error) {
	name := toks[0]
	// SESSION is a keyword to the tokenizer, and also a table.
	if name.typ != sqlparser.ID && !(name.isWordlike() && IsSystemTable(name.word())) {
		return nil, c.errAt(KindSyntax, name, "expected a table name after %s", strings.ToUpper(kw.word()))
	}
	if len(toks) > 1 {
		extra := toks[1]
		if extra.typ == '.' {
			return nil, c.errAt(KindUnsupported, extra, "database-qualified table names are not supported")
		}
		return nil, c.errAt(KindUnsupported, extra, "%s takes only a table name", strings.ToUpper(kw.word()))
	}
	def, ok := LookupTable(name.val)
	if !ok {
		return nil, c.errAt(KindUnknown, name, "unknown table '%s'", name.val)
	}
	return &Describe{Table: def.Name}, nil
}

// showColumns handles SHOW COLUMNS|FIELDS FROM|IN table, which sqlparser
// parses as an empty Show{Type: "columns"}, dropping the table name.
func (c *converter) showColumns() (Statement, *Error) {
	toks := c.toks[1:]
	if toks[0].word() == "full" {
		return nil, c.errAt(KindUnsupported, toks[0], "SHOW FULL is not supported")
	}
	kw := toks[0]
	toks = toks[1:]
	if len(toks) == 0 {
		return nil, newError(KindSyntax, c.sql, len(c.sql), "", "SHOW %s needs FROM table", strings.ToUpper(kw.word()))
	}
	if w := toks[0].word(); w != "from" && w != "in" {
		return nil, c.errAt(KindSyntax, toks[0], "expected FROM after SHOW %s", strings.ToUpper(kw.word()))
	}
	if len(toks) == 1 {
		return nil, newError(KindSyntax, c.sql, len(c.sql), "", "SHOW %s FROM needs a table name", strings.ToUpper(kw.word()))
	}
	if len(toks) > 2 {
		switch w := toks[2].word(); w {
		case "from", "in":
			return nil, c.errAt(KindUnsupported, toks[2], "SHOW COLUMNS FROM table FROM database is not supported: zksql has a single schema")
		case "like", "where":
			return nil, c.errAt(KindUnsupported, toks[2], "SHOW COLUMNS ... %s is not supported", strings.ToUpper(w))
		}
	}
	return c.describeTable(kw, toks[1:])
}
