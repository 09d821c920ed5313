package eval

import (
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zksql/zksql/internal/testkit/mariadbtest"
	"github.com/zksql/zksql/parser"
)

// The differential test: random expressions from the function set zksql
// supports, over random strings, numbers, NULLs, JSON documents and binary
// strings, evaluated by this package and by a real MariaDB server
// (SELECT expr); values and NULL-ness must agree, and so must refusal (an
// expression one side rejects, the other must reject too). Where MySQL 8
// and MariaDB differ, zksql follows MySQL, and each such case is matched
// by an entry of diffExceptions, which says why, and is counted.
//
// CI runs the default seed, so its expressions are the same on every run;
// other seeds explore others:
//
//	go test ./internal/eval -run TestDifferentialMariaDB -zksql.eval.n=100000 -zksql.eval.seed=0
var (
	diffN    = flag.Int("zksql.eval.n", 3000, "number of random expressions the MariaDB differential test compares")
	diffShow = flag.Bool("zksql.eval.show", false, "log every case the differential test skips as a known difference")
	diffSeed = flag.Uint64("zksql.eval.seed", 1, "seed of the differential test's expressions (0: one from the clock, which the test logs)")
)

// diffCase is one expression and what both sides made of it.
type diffCase struct {
	sql     string
	tags    map[string]bool // constructs the generator used (see exceptions)
	ev      any
	evErr   error
	my      []byte // nil: NULL
	myType  string
	myErr   error
	myValid bool // my / myErr are set
	fixed   bool // one of issue 11's reports: no exception may excuse it
}

// diffExceptions are the known differences between MySQL 8 (which zksql
// follows) and MariaDB 10.11. One applies only when the two sides
// disagree on a case; the first that matches takes it (the specific ones
// come first), and the test counts the cases each skips.
var diffExceptions = []struct {
	name, reason string
	match        func(c *diffCase) bool
}{
	{"bytes that are not UTF-8 in text",
		"MariaDB refuses to convert a binary string that is not valid UTF-8 to text where a function mixes it with text (error 1300); zksql has no character sets and passes the bytes through",
		func(c *diffCase) bool {
			return c.myErr != nil && strings.Contains(c.myErr.Error(), "Invalid utf8mb4 character string")
		}},
	{"JSON_TYPE of numbers with an exponent",
		"MySQL reads a JSON number written with an exponent (1e3) as a DOUBLE; MariaDB's JSON_TYPE calls it INTEGER",
		func(c *diffCase) bool {
			return strings.Contains(c.sql, "JSON_TYPE(") && textView(c.ev) == "DOUBLE" && string(c.my) == "INTEGER"
		}},
	{"MariaDB drops JSON_TYPE's text in CONCAT",
		"MariaDB 10.11 loses JSON_TYPE's result when it is CONCAT's first argument (CONCAT(JSON_TYPE('42'), 'x') is 'x' there, 'INTEGERx' in MySQL and zksql)",
		func(c *diffCase) bool {
			return strings.Contains(c.sql, "CONCAT") && strings.Contains(c.sql, "JSON_TYPE(")
		}},
	{"JSON_TYPE's collation",
		"MariaDB's JSON_TYPE result has the case-insensitive collation utf8mb3_general_ci (JSON_TYPE(...) LIKE '%b%' matches OBJECT); MySQL's is utf8mb4_bin, and zksql compares everything bytewise",
		func(c *diffCase) bool {
			return strings.Contains(c.sql, "JSON_TYPE(") && (c.tags["compare"] || c.tags["like"])
		}},
	{"FROM_UNIXTIME after 2038",
		"MySQL 8.0.28 and later on 64-bit platforms accept FROM_UNIXTIME up to 32536771199 (3001-01-18); MariaDB 10.11 gives NULL past 2147483647 (2038-01-19)",
		func(c *diffCase) bool { return c.tags["post-2038"] }},
	{"UNIX_TIMESTAMP before 1970",
		"MySQL 8 gives 0 for a DATETIME outside the TIMESTAMP range (its manual: 'If you pass an out-of-range date to UNIX_TIMESTAMP(), it returns 0'); MariaDB gives NULL",
		func(c *diffCase) bool { return c.tags["pre-epoch"] }},
	{"JSON_CONTAINS with a path that matches nothing",
		"MySQL (and zksql) give NULL when JSON_CONTAINS's path identifies no part of the document; MariaDB gives 0",
		func(c *diffCase) bool { return c.tags["json-contains-path"] }},
	{"array legs on non-arrays",
		"MySQL (and zksql) read a scalar or an object as an array of one element for [0] and [last] ($[0] of 'false' is false); MariaDB finds nothing (NULL)",
		func(c *diffCase) bool { return c.tags["array-leg"] }},
	{"invalid JSON documents",
		"MySQL refuses a document that is not JSON and zksql gives NULL (znode data is often not JSON); MariaDB answers some functions on such text (JSON_LENGTH('12abc') is 1 while JSON_VALID('12abc') is 0)",
		func(c *diffCase) bool { return c.tags["json-invalid"] }},
	{"MariaDB's JSON_VALID accepts malformed numbers",
		"MariaDB's JSON_VALID accepts some text that is no JSON (JSON_VALID('-4.') is 1 there); MySQL's parser, like zksql's, requires a digit after the point",
		func(c *diffCase) bool {
			return strings.Contains(c.sql, "JSON_VALID(") && c.ev == int64(0) && string(c.my) == "1"
		}},
	{"JSON_UNQUOTE of text that is no JSON string",
		"MySQL returns text unchanged unless it both starts and ends with a double quote (and refuses a quoted text that is no JSON string, where zksql returns it unchanged); MariaDB unquotes text that only starts with one",
		func(c *diffCase) bool { return c.tags["unquote-text"] }},
	{"lenient DATETIME text",
		"MySQL and MariaDB read a DATETIME from text with extra leading zeros or trailing characters ('2026-01-02x'), with a warning; zksql reads only well-formed DATETIME text and gives NULL otherwise, as its CAST does (documented in package eval)",
		func(c *diffCase) bool { return c.tags["datetime-text"] }},
	{"fractional digits of FROM_UNIXTIME(decimal)",
		"MySQL and MariaDB print as many fractional second digits as a DECIMAL argument's scale (FROM_UNIXTIME(5.0) is '... 00:00:05.0'); zksql has no DECIMAL type, its doubles print only the digits a time has",
		func(c *diffCase) bool { return c.tags["decimal-seconds"] }},
	{"DECIMAL text read back",
		"a DECIMAL prints with its scale (0.5 * 86400 is '43200.0' in MySQL, 43200 in zksql); HEX, UNHEX or a JSON function reading that text then sees other characters",
		func(c *diffCase) bool {
			return c.tags["decimal"] && (strings.Contains(c.sql, "HEX(") || strings.Contains(c.sql, "JSON_"))
		}},
	{"DECIMAL arithmetic",
		"MySQL reads 1.5 as an exact DECIMAL and computes with it, printing its scale (2.5 * 2 is 5.0); zksql computes with doubles (documented in package eval): results that agree as numbers can differ in their digits once printed as text, or past a double's 53 bits",
		func(c *diffCase) bool {
			return (c.tags["decimal"] || c.tags["big-int"]) && c.evErr == nil && c.myErr == nil && c.ev != nil && c.my != nil &&
				numeralsMasked(textView(c.ev)) == numeralsMasked(string(c.my))
		}},
	{"upper/lower of binary strings",
		"zksql's LOWER and UPPER map the letters of a binary string (the data column is one); MySQL and MariaDB leave binary strings unchanged (documented in package eval)",
		func(c *diffCase) bool { return c.tags["case-binary"] }},
	{"JSON comparison",
		"MySQL compares a JSON value with a non-JSON operand as JSON (a string becomes a JSON string, so '1' is not the JSON number 1, and JSON values of different types are never equal); MariaDB's JSON is text and compares as text or numbers",
		func(c *diffCase) bool { return c.tags["json-compare"] }},
	{"overflow in an operand the result does not need",
		"MySQL and MariaDB fold constant expressions before running a statement and refuse one that overflows BIGINT even where the result does not need it (COALESCE(0, 9223372036854775807 + 1)); zksql evaluates lazily and refuses only overflows it computes, and it evaluates both operands of arithmetic where MariaDB stops at a NULL",
		func(c *diffCase) bool { return c.tags["big-int"] && outOfRange(c.evErr) != outOfRange(c.myErr) }},
}

// Pools the generator draws from. JSON documents keep their object keys
// in MySQL's order (shorter first, then bytewise), the order in which
// MySQL prints them: MariaDB keeps a document's own order.
var (
	diffStrings = []string{"", "a", "abc", "ABC", "odd", "Odd", "héllo", "1", "12abc", " 3", "-4.5", "1e3",
		"a'b", `a\b`, "%", "_x", "a%c", "2026-01-02 03:04:05", "1970-01-01 00:00:10", "2038-01-19 03:14:07",
		"20260102", "4142", "zz", "F", "not json", "x y", "0", "0.0", "null", "true"}
	diffJSON = []string{`{"n": 1, "tag": "odd"}`, `{"n": "1", "tag": "even"}`, `[1, "x", [2, 3], {"k": "v"}]`,
		`"s"`, `42`, `null`, `true`, `false`, `{"a": {"b": 2}, "c": [1, 2]}`, `[]`, `{}`, `[1, 2, 3]`,
		`{"a": null, "b": [true, false]}`, `"odd"`, `-7`, `{"k": "v", "tag": "odd"}`}
	diffPaths = []string{"$", "$.tag", "$.n", "$.a", "$.a.b", "$.c", "$[0]", "$[1]", "$[2]", "$[2][1]", "$[3].k",
		"$.k", "$.missing", "$[last]", "$.b[0]"}
	diffWildPaths = []string{"$[*]", "$.*", "$**.b", "$[0 to 1]"}
	diffInts      = []int64{0, 1, -1, 2, 3, 7, 10, 42, 255, -255, 1000, 86400, 1700000000, 2147483647, 65, 97}
	diffBigInts   = []int64{math.MaxInt64, math.MinInt64 + 1, 4294967296, 9007199254740993}
	diffFloats    = []string{"0.5", "1.5", "-2.25", "2.5", "1e3", "3.75"}
	diffBins      = []string{"X'41'", "X''", "X'00FF'", "X'616263'", "X'7B7D'", "X'3432'"}
	likePatterns  = []string{"'a%'", "'%b%'", "'_'", "'%'", "'a\\_%'", "'h_llo'", "'%c'", "''"}
)

type exprGen struct {
	r    *rand.Rand
	tags map[string]bool
}

func (g *exprGen) pick(n int) int { return g.r.IntN(n) }

func (g *exprGen) chance(p float64) bool { return g.r.Float64() < p }

func lit(v any) string { return (&parser.Literal{Value: v}).String() }

// kinds of generated expressions.
const (
	kStr  = iota // a string
	kInt         // an integer
	kNum         // any number
	kBool        // a predicate
	kJSON        // a JSON value (JSON_EXTRACT, JSON_KEYS)
	kBin         // a binary string
	kTime        // a DATETIME
	kinds
)

func (g *exprGen) any(depth int) string { return g.expr(g.pick(kinds), depth) }

// scalar is any kind but JSON: what string functions take.
func (g *exprGen) scalar(depth int) string {
	for {
		if k := g.pick(kinds); k != kJSON {
			return g.expr(k, depth)
		}
	}
}

func (g *exprGen) doc(depth int) string {
	if depth > 0 && g.chance(0.2) {
		return g.expr(kJSON, depth-1)
	}
	if g.chance(0.05) {
		return "NULL"
	}
	if g.chance(0.1) {
		s := diffStrings[g.pick(len(diffStrings))] // mostly not JSON
		if !json.Valid([]byte(s)) {
			g.tags["json-invalid"] = true
		}
		return lit(s)
	}
	return lit(diffJSON[g.pick(len(diffJSON))])
}

func (g *exprGen) path() string {
	p := diffPaths[g.pick(len(diffPaths))]
	if strings.Contains(p, "[") {
		g.tags["array-leg"] = true
	}
	return lit(p)
}

func (g *exprGen) expr(kind, depth int) string {
	if depth <= 0 || g.chance(0.25) {
		return g.leaf(kind)
	}
	d := depth - 1
	switch kind {
	case kStr:
		switch g.pick(16) {
		case 0:
			return "CONCAT(" + g.scalar(d) + ", " + g.scalar(d) + ")"
		case 1:
			return "CONCAT_WS(" + g.expr(kStr, d) + ", " + g.scalar(d) + ", " + g.scalar(d) + ", " + g.scalar(d) + ")"
		case 2:
			if g.chance(0.5) {
				return "SUBSTRING(" + g.expr(kStr, d) + ", " + g.expr(kInt, d) + ")"
			}
			return "SUBSTRING(" + g.expr(kStr, d) + ", " + g.expr(kInt, d) + ", " + g.expr(kInt, d) + ")"
		case 3, 4:
			fn := "LOWER"
			if g.chance(0.5) {
				fn = "UPPER"
			}
			x := g.scalar(d)
			if strings.Contains(x, "X'") || strings.Contains(x, "UNHEX") || strings.Contains(x, "BINARY") {
				g.tags["case-binary"] = true
			}
			return fn + "(" + x + ")"
		case 5:
			return "HEX(" + g.scalar(d) + ")"
		case 6:
			if g.chance(0.5) {
				return "JSON_UNQUOTE(" + g.expr(kJSON, d) + ")"
			}
			g.tags["unquote-text"] = true
			return "JSON_UNQUOTE(" + g.expr(kStr, d) + ")"
		case 7:
			return "JSON_TYPE(" + g.doc(d) + ")"
		case 8:
			return "COALESCE(" + g.expr(kStr, d) + ", " + g.expr(kStr, d) + ")"
		case 9:
			return "IFNULL(" + g.expr(kStr, d) + ", " + g.expr(kStr, d) + ")"
		case 10:
			g.tags["compare"] = true
			return "NULLIF(" + g.expr(kStr, d) + ", " + g.expr(kStr, d) + ")"
		case 11:
			return "IF(" + g.expr(kBool, d) + ", " + g.expr(kStr, d) + ", " + g.expr(kStr, d) + ")"
		case 12:
			return "CASE WHEN " + g.expr(kBool, d) + " THEN " + g.expr(kStr, d) + " WHEN " + g.expr(kBool, d) + " THEN " + g.expr(kStr, d) + " ELSE " + g.expr(kStr, d) + " END"
		case 13:
			g.tags["compare"] = true
			return "CASE " + g.expr(kStr, d) + " WHEN " + g.expr(kStr, d) + " THEN " + g.expr(kStr, d) + " WHEN " + g.leaf(kStr) + " THEN " + g.expr(kStr, d) + " END"
		case 14:
			return "CAST(" + g.expr(kInt, d) + " AS CHAR)"
		default:
			return "JSON_UNQUOTE(JSON_EXTRACT(" + g.doc(d) + ", " + g.path() + "))"
		}
	case kInt:
		switch g.pick(13) {
		case 0:
			return "LENGTH(" + g.scalar(d) + ")"
		case 1:
			if g.chance(0.5) {
				return "JSON_LENGTH(" + g.doc(d) + ")"
			}
			return "JSON_LENGTH(" + g.doc(d) + ", " + g.path() + ")"
		case 2:
			cand := lit(diffJSON[g.pick(len(diffJSON))])
			if g.chance(0.5) {
				return "JSON_CONTAINS(" + g.doc(d) + ", " + cand + ")"
			}
			g.tags["json-contains-path"] = true
			return "JSON_CONTAINS(" + g.doc(d) + ", " + cand + ", " + g.path() + ")"
		case 3:
			return "JSON_VALID(" + g.expr(kStr, d) + ")"
		case 4:
			ops := []string{" + ", " - ", " * "}
			return "(" + g.expr(kInt, d) + ops[g.pick(3)] + g.expr(kInt, d) + ")"
		case 5:
			g.tags["cast-signed"] = true
			return "CAST(" + g.scalar(d) + " AS SIGNED)"
		case 6:
			return "UNIX_TIMESTAMP(" + g.timeText(d) + ")"
		case 7:
			return "COALESCE(" + g.expr(kInt, d) + ", " + g.expr(kInt, d) + ")"
		case 8:
			return "IF(" + g.expr(kBool, d) + ", " + g.expr(kInt, d) + ", " + g.expr(kInt, d) + ")"
		case 9:
			g.tags["compare"] = true
			return "CASE " + g.expr(kInt, d) + " WHEN " + g.expr(kInt, d) + " THEN " + g.expr(kInt, d) + " ELSE " + g.expr(kInt, d) + " END"
		case 10:
			g.tags["compare"] = true
			return "NULLIF(" + g.expr(kInt, d) + ", " + g.expr(kInt, d) + ")"
		case 11:
			return "(" + g.expr(kInt, d) + " % " + g.expr(kInt, d) + ")"
		default:
			return "-(" + g.expr(kInt, d) + ")"
		}
	case kNum:
		if g.chance(0.5) {
			return g.expr(kInt, depth)
		}
		ops := []string{" + ", " - ", " * "}
		return "(" + g.expr(kNum, d) + ops[g.pick(3)] + g.expr(kNum, d) + ")"
	case kBool:
		switch g.pick(9) {
		case 0, 1, 2:
			return g.comparison(d)
		case 3:
			not := ""
			if g.chance(0.3) {
				not = "NOT "
			}
			return g.any(d) + " IS " + not + "NULL"
		case 4:
			g.tags["compare"] = true
			k := g.compareKind()
			not := ""
			if g.chance(0.3) {
				not = "NOT "
			}
			x := g.operand(k, d)
			return x + " " + not + "IN (" + g.operand(k, d) + ", " + g.operand(k, d) + ", " + g.leaf(k) + ")"
		case 5:
			g.tags["compare"] = true
			k := g.compareKind()
			return g.operand(k, d) + " BETWEEN " + g.operand(k, d) + " AND " + g.operand(k, d)
		case 6:
			return "NOT (" + g.expr(kBool, d) + ")"
		case 7:
			op := " AND "
			if g.chance(0.5) {
				op = " OR "
			}
			return "(" + g.expr(kBool, d) + op + g.expr(kBool, d) + ")"
		default:
			not := ""
			if g.chance(0.3) {
				not = "NOT "
			}
			g.tags["like"] = true
			return g.expr(kStr, d) + " " + not + "LIKE " + likePatterns[g.pick(len(likePatterns))]
		}
	case kJSON:
		switch g.pick(4) {
		case 0:
			if g.chance(0.5) {
				return "JSON_KEYS(" + g.doc(d) + ")"
			}
			return "JSON_KEYS(" + g.doc(d) + ", " + g.path() + ")"
		case 1:
			return "JSON_EXTRACT(" + g.doc(d) + ", " + lit(diffWildPaths[g.pick(len(diffWildPaths))]) + ")"
		default:
			return "JSON_EXTRACT(" + g.doc(d) + ", " + g.path() + ")"
		}
	case kBin:
		switch g.pick(4) {
		case 0:
			return "UNHEX(" + g.expr(kStr, d) + ")"
		case 1:
			return "CONCAT(" + g.expr(kBin, d) + ", " + g.expr(kStr, d) + ")"
		case 2:
			return "CAST(" + g.expr(kStr, d) + " AS BINARY)"
		default:
			return "IFNULL(" + g.expr(kBin, d) + ", " + g.expr(kBin, d) + ")"
		}
	case kTime:
		var arg string
		if g.chance(0.5) {
			arg = g.expr(kInt, d)
		} else {
			g.tags["decimal-seconds"] = true // a DECIMAL carries its scale into the text
			arg = g.expr(kNum, d)
		}
		g.tagPost2038(arg)
		return "FROM_UNIXTIME(" + arg + ")"
	}
	return g.leaf(kind)
}

// tagPost2038 tags a case whose FROM_UNIXTIME argument reaches past
// MariaDB's TIMESTAMP range, evaluating the argument with zksql.
func (g *exprGen) tagPost2038(arg string) {
	st, err := parser.Parse("SELECT " + arg)
	if err != nil {
		return // the test reports the whole expression
	}
	v, err := Eval(st.(*parser.Select).Items[0].Expr, nil, nil)
	if err != nil || (v != nil && toNumber(v, false).float() >= 2147483648) {
		g.tags["post-2038"] = true
	}
}

// timeText is a DATETIME string or number for UNIX_TIMESTAMP.
func (g *exprGen) timeText(depth int) string {
	switch g.pick(4) {
	case 0:
		return g.expr(kTime, depth)
	case 1:
		g.tags["datetime-text"] = true
		return g.expr(kStr, depth)
	}
	t := []string{"2026-01-02 03:04:05", "1970-01-01 00:00:10", "2000-02-29", "2038-01-19 03:14:07", "1969-12-31 23:59:59", "2026-01-02 03:04:05.25"}[g.pick(6)]
	if t < "1970" {
		g.tags["pre-epoch"] = true
	}
	if strings.Contains(t, ".") {
		g.tags["decimal"] = true // UNIX_TIMESTAMP gives a DECIMAL
	}
	return lit(t)
}

// compareKind is the kind of the operands of a comparison.
func (g *exprGen) compareKind() int {
	return []int{kStr, kStr, kInt, kInt, kNum, kJSON, kBin, kTime}[g.pick(8)]
}

// operand is an operand of a comparison of kind k. A JSON operand tags
// the case: its comparison follows MySQL's JSON rules.
func (g *exprGen) operand(k, depth int) string {
	if k == kJSON && g.chance(0.5) {
		g.tags["json-compare"] = true
		return g.expr(kJSON, depth)
	}
	if k == kJSON {
		return g.expr(kStr, depth)
	}
	return g.expr(k, depth)
}

func (g *exprGen) comparison(depth int) string {
	g.tags["compare"] = true
	ops := []string{" = ", " != ", " < ", " <= ", " > ", " >= "}
	k := g.compareKind()
	if k == kTime && g.chance(0.5) {
		// A DATETIME against a DATETIME literal string.
		return g.expr(kTime, depth) + ops[g.pick(len(ops))] + lit("1970-01-01 00:00:42")
	}
	l, r := g.operand(k, depth), g.operand(k, depth)
	if k == kJSON && g.chance(0.5) {
		g.tags["json-compare"] = true
		r = lit(diffStrings[g.pick(len(diffStrings))])
	}
	return l + ops[g.pick(len(ops))] + r
}

func (g *exprGen) leaf(kind int) string {
	if g.chance(0.08) {
		return "NULL"
	}
	switch kind {
	case kStr:
		if g.chance(0.2) {
			return lit(diffJSON[g.pick(len(diffJSON))])
		}
		return lit(diffStrings[g.pick(len(diffStrings))])
	case kInt:
		if g.chance(0.05) {
			g.tags["big-int"] = true
			return lit(diffBigInts[g.pick(len(diffBigInts))])
		}
		return lit(diffInts[g.pick(len(diffInts))])
	case kNum:
		if g.chance(0.5) {
			g.tags["decimal"] = true
			return diffFloats[g.pick(len(diffFloats))]
		}
		return lit(diffInts[g.pick(len(diffInts))])
	case kBool:
		return []string{"TRUE", "FALSE", "1", "0"}[g.pick(4)]
	case kJSON:
		return "JSON_EXTRACT(" + lit(diffJSON[g.pick(len(diffJSON))]) + ", " + g.path() + ")"
	case kBin:
		return diffBins[g.pick(len(diffBins))]
	case kTime:
		return "FROM_UNIXTIME(" + lit(diffInts[g.pick(len(diffInts))]) + ")"
	}
	return "NULL"
}

// TestDifferentialMariaDB compares Eval with MariaDB on random
// expressions (see the comment on diffN).
func TestDifferentialMariaDB(t *testing.T) {
	if testing.Short() {
		t.Skip("the MariaDB differential test is skipped in -short mode")
	}
	_, db := mariadbtest.Start(t)
	db.SetMaxOpenConns(1)

	seed := *diffSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (rerun with -zksql.eval.seed=%d)", seed, seed)
	r := rand.New(rand.NewPCG(seed, 0x5eed))

	// The fixed cases come first: the reports of issue 11.
	var cases []*diffCase
	for _, s := range []string{
		`JSON_EXTRACT('{"tag": "odd"}', '$.tag') = 'odd'`,
		`JSON_UNQUOTE(JSON_EXTRACT('{"tag": "odd"}', '$.tag'))`,
		`COALESCE(NULL, 'x')`, `IFNULL(NULL, 2)`, `NULLIF(1, 1)`, `IF(1 > 2, 'a', 'b')`,
		`CASE 2 WHEN 1 THEN 'one' WHEN 2 THEN 'two' END`, `CASE WHEN NULL THEN 1 ELSE 2 END`,
		`CONCAT_WS('/', 'a', NULL, 'b')`, `HEX('abc')`, `HEX(255)`, `UNHEX('4142')`, `UNHEX('zz')`,
		`UNIX_TIMESTAMP('2026-01-02 03:04:05')`, `FROM_UNIXTIME(1700000000)`,
		`JSON_TYPE('{"a": 1}')`, `JSON_LENGTH('[1, 2, 3]')`, `JSON_KEYS('{"a": 1, "bb": 2}')`,
		`JSON_CONTAINS('[1, 2, 3]', '2')`, `JSON_VALID('{')`,
	} {
		cases = append(cases, &diffCase{sql: s, tags: map[string]bool{}, fixed: true})
	}
	for len(cases) < *diffN {
		g := &exprGen{r: r, tags: map[string]bool{}}
		cases = append(cases, &diffCase{sql: g.any(1 + r.IntN(4)), tags: g.tags})
	}

	for _, c := range cases {
		st, err := parser.Parse("SELECT " + c.sql)
		if err != nil {
			t.Fatalf("the generator wrote what zksql does not parse: %s: %v", c.sql, err)
		}
		c.ev, c.evErr = Eval(st.(*parser.Select).Items[0].Expr, nil, nil)
	}
	runOnMariaDB(t, db, cases)

	skipped := make([]int, len(diffExceptions))
	compared, agreed, failures := 0, 0, 0
	for _, c := range cases {
		compared++
		ok, why := agree(c)
		if ok {
			agreed++
			continue
		}
		excepted := false
		for i, ex := range diffExceptions {
			if c.fixed {
				break
			}
			if ex.match(c) {
				skipped[i]++
				excepted = true
				if *diffShow {
					t.Logf("skipped (%s): SELECT %s\n\tzksql:   %s\n\tMariaDB: %s", ex.name, c.sql, showEval(c), showMaria(c))
				}
				break
			}
		}
		if excepted {
			continue
		}
		failures++
		if failures <= 25 {
			t.Errorf("SELECT %s\n\tzksql:   %s\n\tMariaDB: %s\n\t(%s)", c.sql, showEval(c), showMaria(c), why)
		}
	}
	total := 0
	var lines []string
	for i, ex := range diffExceptions {
		total += skipped[i]
		lines = append(lines, fmt.Sprintf("  %5d  %s: %s", skipped[i], ex.name, ex.reason))
	}
	t.Logf("compared %d expressions with MariaDB: %d agree, %d skipped as known MySQL/MariaDB differences, %d disagree", compared, agreed, total, failures)
	t.Logf("exceptions (cases skipped, name: reason):\n%s", strings.Join(lines, "\n"))
	if failures > 25 {
		t.Errorf("... and %d more disagreements", failures-25)
	}
}

// runOnMariaDB evaluates the cases with SELECT, in batches; a batch that
// fails (one expression is refused) is retried case by case.
func runOnMariaDB(t *testing.T, db *sql.DB, cases []*diffCase) {
	const batch = 40
	for lo := 0; lo < len(cases); lo += batch {
		part := cases[lo:min(lo+batch, len(cases))]
		if err := selectBatch(db, part); err == nil {
			continue
		}
		for _, c := range part {
			if err := selectBatch(db, []*diffCase{c}); err != nil {
				c.myErr, c.myValid = err, true
			}
		}
	}
	for _, c := range cases {
		if !c.myValid {
			t.Fatalf("no MariaDB result for %s", c.sql)
		}
	}
}

func selectBatch(db *sql.DB, cases []*diffCase) error {
	exprs := make([]string, len(cases))
	for i, c := range cases {
		exprs[i] = c.sql
	}
	rows, err := db.Query("SELECT " + strings.Join(exprs, ", "))
	if err != nil {
		return err
	}
	defer rows.Close()
	types, err := rows.ColumnTypes()
	if err != nil {
		return err
	}
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return fmt.Errorf("no row")
	}
	raw := make([]sql.RawBytes, len(cases))
	ptrs := make([]any, len(cases))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		return err
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for i, c := range cases {
		c.my, c.myType, c.myErr, c.myValid = nil, types[i].DatabaseTypeName(), nil, true
		if raw[i] != nil {
			c.my = append([]byte{}, raw[i]...)
		}
	}
	return nil
}

func isNumericType(t string) bool {
	switch t {
	case "TINYINT", "SMALLINT", "MEDIUMINT", "INT", "BIGINT", "UNSIGNED BIGINT", "UNSIGNED INT", "DECIMAL", "DOUBLE", "FLOAT", "YEAR":
		return true
	}
	return strings.HasPrefix(t, "UNSIGNED")
}

// agree reports whether zksql and MariaDB agree on a case.
func agree(c *diffCase) (bool, string) {
	switch {
	case c.evErr != nil && c.myErr != nil:
		return true, ""
	case c.evErr != nil:
		return false, "only zksql refuses it"
	case c.myErr != nil:
		return false, "only MariaDB refuses it"
	case (c.ev == nil) != (c.my == nil):
		return false, "NULL on one side only"
	case c.ev == nil:
		return true, ""
	}
	my := string(c.my)
	switch v := c.ev.(type) {
	case time.Time:
		t, ok := parseDatetime(my)
		if !ok {
			return false, "MariaDB's value is no DATETIME"
		}
		return t.Equal(v), "different times"
	case int64, float64:
		return numbersAgree(toNumber(v, false).float(), my), "different numbers"
	}
	text := textView(c.ev)
	if isNumericType(c.myType) {
		return numbersAgree(toNumber(c.ev, false).float(), my), "different numbers"
	}
	if text == my {
		return true, ""
	}
	// Both JSON: compare as documents (MariaDB keeps spacing of its input
	// in places MySQL normalizes).
	if a, ok := parseJSON(text); ok && (strings.HasPrefix(c.myType, "JSON") || c.tags["json"]) {
		if b, ok := parseJSON(my); ok && reflect.DeepEqual(a, b) {
			return true, ""
		}
	}
	return false, "different strings"
}

// outOfRange reports whether err is a BIGINT overflow (zksql's or
// MariaDB's error 1690).
func outOfRange(err error) bool {
	return err != nil && (strings.Contains(err.Error(), "out of range") || strings.Contains(err.Error(), "Error 1690"))
}

// numeralsMasked replaces each run of a number's characters (digits, '.',
// '-', 'e') by '#', so texts that differ only in how numbers are written
// compare equal.
func numeralsMasked(s string) string {
	var b strings.Builder
	in := false
	for _, r := range s {
		if r >= '0' && r <= '9' || r == '.' || r == '-' || r == 'e' {
			if !in {
				b.WriteByte('#')
			}
			in = true
			continue
		}
		in = false
		b.WriteRune(r)
	}
	return b.String()
}

// numbersAgree compares zksql's number with MariaDB's text, allowing for
// MariaDB's DECIMAL arithmetic where zksql uses doubles.
func numbersAgree(f float64, my string) bool {
	g, err := strconv.ParseFloat(strings.TrimSpace(my), 64)
	if err != nil {
		return false
	}
	if f == g {
		return true
	}
	return math.Abs(f-g) <= 1e-9*math.Max(1, math.Max(math.Abs(f), math.Abs(g)))
}

func showEval(c *diffCase) string {
	if c.evErr != nil {
		return "error: " + c.evErr.Error()
	}
	if c.ev == nil {
		return "NULL"
	}
	return fmt.Sprintf("%s (%T)", quoteSQL(c.ev), c.ev)
}

func showMaria(c *diffCase) string {
	if c.myErr != nil {
		return "error: " + c.myErr.Error()
	}
	if c.my == nil {
		return "NULL"
	}
	return fmt.Sprintf("%q (%s)", c.my, c.myType)
}
