package eval

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/zksql/zksql/parser"
)

// wantErr marks a case that must fail with an error containing the text.
type wantErr string

type evalCase struct {
	src  string
	want any
}

func runEvalCases(t *testing.T, cases []evalCase, row Row, args Args) {
	t.Helper()
	for _, c := range cases {
		e := parseExpr(t, c.src)
		got, err := Eval(e, row, args)
		if we, ok := c.want.(wantErr); ok {
			if err == nil {
				t.Errorf("%s = %#v, want error containing %q", c.src, got, we)
			} else if !strings.Contains(err.Error(), string(we)) {
				t.Errorf("%s: error %q, want it to contain %q", c.src, err, we)
			} else if !isEvalError(err) || !strings.HasPrefix(err.Error(), "eval: ") {
				t.Errorf("%s: error %q is not an *eval.Error", c.src, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: unexpected error %v", c.src, err)
			continue
		}
		if !sameValue(got, c.want) {
			t.Errorf("%s = %#v (%T), want %#v (%T)", c.src, got, got, c.want, c.want)
		}
	}
}

func TestLiterals(t *testing.T) {
	runEvalCases(t, []evalCase{
		{"1", int64(1)},
		{"-1", int64(-1)},
		{"1.5", 1.5},
		{"1e3", 1000.0},
		{"'abc'", "abc"},
		{"''", ""},
		{"X'4142'", []byte("AB")},
		{"0x41", []byte("A")},
		{"NULL", nil},
		{"TRUE", int64(1)},
		{"FALSE", int64(0)},
		{"9223372036854775807", int64(math.MaxInt64)},
	}, nil, nil)
}

func TestArithmetic(t *testing.T) {
	runEvalCases(t, []evalCase{
		{"1 + 2", int64(3)},
		{"1 - 2", int64(-1)},
		{"3 * 4", int64(12)},
		{"7 / 2", 3.5},
		{"6 / 3", 2.0},
		{"7 % 3", int64(1)},
		{"-7 % 3", int64(-1)},
		{"7 % -3", int64(1)},
		{"7.5 % 2", 1.5},
		{"1 + 1.5", 2.5},
		{"2 * 0.5", 1.0},
		{"1 / 0", nil},
		{"1 % 0", nil},
		{"1.5 / 0", nil},
		{"1.5 % 0", nil},
		{"0 / 0", nil},
		{"1 + NULL", nil},
		{"NULL * 2", nil},
		{"NULL / 0", nil},
		{"-NULL", nil},
		{"'1' + 1", 2.0},
		{"'1abc' + 1", 2.0},
		{"'abc' + 1", 1.0},
		{"' 2.5e1x' * 2", 50.0},
		{"'-3' - 1", -4.0},
		{"X'31' + 1", 2.0},
		{"TRUE + TRUE", int64(2)},
		{"9223372036854775807 + 1", wantErr("BIGINT value is out of range in 9223372036854775807 + 1")},
		{"-9223372036854775807 - 2", wantErr("BIGINT value is out of range")},
		{"9223372036854775807 - -1", wantErr("BIGINT value is out of range")},
		{"4611686018427387904 * 2", wantErr("BIGINT value is out of range")},
		{"-4611686018427387904 * 2", int64(math.MinInt64)},
		{"3037000500 * 3037000500", wantErr("BIGINT value is out of range")},
		{"-1 * -9223372036854775807", int64(math.MaxInt64)},
		{"9223372036854775807 + -1", int64(math.MaxInt64 - 1)},
		{"-9223372036854775807 + -1", int64(math.MinInt64)},
		{"1.5e300 * 1e300", wantErr("DOUBLE value is out of range")},
		{"9223372036854775807 + 1.0", 9223372036854775808.0},
		{"0 * 9223372036854775807", int64(0)},
		{"-(1 + 2)", int64(-3)},
		{"-(1.5)", -1.5},
		{"-'2'", -2.0},
		{"-(-9223372036854775807 - 1)", wantErr("BIGINT value is out of range")},
		{"(-9223372036854775807 - 1) % -1", int64(0)},
		{"(-9223372036854775807 - 1) / -1", 9223372036854775808.0},
	}, nil, nil)
}

func TestComparisons(t *testing.T) {
	row := stdRow()
	runEvalCases(t, []evalCase{
		{"1 = 1", int64(1)},
		{"1 = 2", int64(0)},
		{"1 != 2", int64(1)},
		{"1 <> 1", int64(0)},
		{"1 < 2", int64(1)},
		{"2 <= 2", int64(1)},
		{"3 > 2", int64(1)},
		{"2 >= 3", int64(0)},
		{"1 = 1.0", int64(1)},
		{"1 < 1.5", int64(1)},
		{"2 > 1.5", int64(1)},
		{"9007199254740993 > 9007199254740992.0", int64(1)}, // exact, not via double
		{"9223372036854775807 < 9223372036854775807.0", int64(1)},
		{"-9223372036854775807 - 1 = -9223372036854775808.0", int64(1)},
		{"1 = NULL", nil},
		{"NULL = NULL", nil},
		{"NULL != 1", nil},
		{"'a' = 'a'", int64(1)},
		{"'a' = 'A'", int64(0)}, // binary collation
		{"'a' < 'b'", int64(1)},
		{"'B' < 'a'", int64(1)},
		{"'abc' > 'ab'", int64(1)},
		{"'' < 'a'", int64(1)},
		{"'10' = 10", int64(1)},
		{"'10' < 9", int64(0)},
		{"'10' < '9'", int64(1)}, // two strings: bytewise
		{"'1abc' = 1", int64(1)},
		{"'abc' = 0", int64(1)},
		{"'1.5' = 1.5", int64(1)},
		{"X'61' = 'a'", int64(1)},
		{"X'61' < 'b'", int64(1)},
		{"X'61' = 'A'", int64(0)},
		{"TRUE = 1", int64(1)},
		{"path = '/a/b'", int64(1)},
		{"path = '/A/B'", int64(0)},
		{"data = X'00'", int64(0)},
		{"version = 5", int64(1)},
		{"version = '5'", int64(1)},
		{"version > 3", int64(1)},
		{"ttl = 1", nil},
		{"ttl != 1", nil},
		{"czxid = 9223372036854775807", int64(1)},
		{"mzxid < 0", int64(1)},
		// times
		{"ctime = '2026-01-02 03:04:05'", int64(1)},
		{"ctime = '2026-01-02T03:04:05Z'", int64(1)},
		{"ctime = '2026-01-02 04:04:05+01:00'", int64(1)},
		{"ctime > '2026-01-02'", int64(1)},
		{"ctime < '2026-01-03'", int64(1)},
		{"ctime >= '2026/01/02 03:04:05'", int64(1)},
		{"ctime = '20260102030405'", int64(1)},
		{"mtime = '2026-01-02 03:04:05.123'", int64(1)},
		{"mtime > '2026-01-02 03:04:05.1229'", int64(1)},
		{"mtime > ctime", int64(1)},
		{"mtime = mtime", int64(1)},
		{"ctime = 20260102030405", int64(1)},
		{"ctime > 20260101000000", int64(1)},
		{"mtime > 20260102030405", int64(1)},
		{"ctime = 'yesterday'", wantErr("cannot compare a DATETIME with 'yesterday': not a valid DATETIME value")},
		{"ctime < '2026-02-30'", wantErr("not a valid DATETIME")},
		{"ctime = NULL", nil},
		{"ctime BETWEEN '2026-01-01' AND '2026-12-31'", int64(1)},
		{"ctime IN ('2026-01-02 03:04:05', 'x')", int64(1)},
	}, row, nil)
}

func TestLogic(t *testing.T) {
	runEvalCases(t, []evalCase{
		{"1 AND 1", int64(1)},
		{"1 AND 0", int64(0)},
		{"0 AND NULL", int64(0)},
		{"NULL AND 0", int64(0)},
		{"NULL AND 1", nil},
		{"1 AND NULL", nil},
		{"NULL AND NULL", nil},
		{"1 OR 0", int64(1)},
		{"0 OR 0", int64(0)},
		{"NULL OR 1", int64(1)},
		{"1 OR NULL", int64(1)},
		{"0 OR NULL", nil},
		{"NULL OR NULL", nil},
		{"NOT 1", int64(0)},
		{"NOT 0", int64(1)},
		{"NOT NULL", nil},
		{"!1", int64(0)},
		{"NOT 'abc'", int64(1)},
		{"NOT '1abc'", int64(0)},
		{"NOT 0.5", int64(0)},
		{"'0.5' AND 1", int64(1)},
		{"1 && 2", int64(1)},
		{"0 || 2", int64(1)},
		{"1 = 1 AND 2 = 2 OR 1 / 0", int64(1)},
		{"NOT (1 = NULL)", nil},
	}, nil, nil)

	// Short-circuit: the right side would fail to read a column.
	failing := mapRow{"version": int64(1)}
	runEvalCases(t, []evalCase{
		{"version = 2 AND path = 'x'", int64(0)},
		{"version = 1 OR path = 'x'", int64(1)},
		{"version = 1 AND path = 'x'", wantErr(`reading column path: no column "path"`)},
	}, failing, nil)
}

func TestIsNullInBetween(t *testing.T) {
	runEvalCases(t, []evalCase{
		{"NULL IS NULL", int64(1)},
		{"1 IS NULL", int64(0)},
		{"NULL IS NOT NULL", int64(0)},
		{"ttl IS NULL", int64(1)},
		{"path IS NOT NULL", int64(1)},
		{"1 / 0 IS NULL", int64(1)},
		{"1 IN (1, 2)", int64(1)},
		{"3 IN (1, 2)", int64(0)},
		{"3 IN (1, NULL)", nil},
		{"1 IN (NULL, 1)", int64(1)},
		{"NULL IN (1, 2)", nil},
		{"3 NOT IN (1, 2)", int64(1)},
		{"1 NOT IN (1, 2)", int64(0)},
		{"3 NOT IN (1, NULL)", nil},
		{"1 NOT IN (1, NULL)", int64(0)},
		{"'a' IN ('A', 'a')", int64(1)},
		{"'A' IN ('a')", int64(0)},
		{"1 IN ('1', 'x')", int64(1)},
		{"1.0 IN (1)", int64(1)},
		{"path IN ('/a', '/a/b')", int64(1)},
		{"version IN (1, 2, 5)", int64(1)},
		{"2 BETWEEN 1 AND 3", int64(1)},
		{"1 BETWEEN 1 AND 1", int64(1)},
		{"0 BETWEEN 1 AND 3", int64(0)},
		{"4 BETWEEN 1 AND 3", int64(0)},
		{"2 NOT BETWEEN 1 AND 3", int64(0)},
		{"4 NOT BETWEEN 1 AND 3", int64(1)},
		{"NULL BETWEEN 1 AND 3", nil},
		{"2 BETWEEN NULL AND 3", nil},
		{"5 BETWEEN NULL AND 3", int64(0)},
		{"0 BETWEEN 1 AND NULL", int64(0)},
		{"2 BETWEEN 1 AND NULL", nil},
		{"5 NOT BETWEEN NULL AND 3", int64(1)},
		{"'b' BETWEEN 'a' AND 'c'", int64(1)},
		{"'B' BETWEEN 'a' AND 'c'", int64(0)},
		{"1.5 BETWEEN 1 AND 2", int64(1)},
		{"version BETWEEN 5 AND 5.0", int64(1)},
	}, stdRow(), nil)
}

func TestLike(t *testing.T) {
	row := stdRow()
	row["name"] = "héllo wörld"
	runEvalCases(t, []evalCase{
		{"'abc' LIKE 'abc'", int64(1)},
		{"'abc' LIKE 'ab'", int64(0)},
		{"'abc' LIKE 'a%'", int64(1)},
		{"'abc' LIKE '%c'", int64(1)},
		{"'abc' LIKE '%b%'", int64(1)},
		{"'abc' LIKE '%'", int64(1)},
		{"'' LIKE '%'", int64(1)},
		{"'' LIKE '_'", int64(0)},
		{"'' LIKE ''", int64(1)},
		{"'abc' LIKE '___'", int64(1)},
		{"'abc' LIKE '__'", int64(0)},
		{"'abc' LIKE 'a_c'", int64(1)},
		{"'abc' LIKE '_b_'", int64(1)},
		{"'abc' LIKE 'a%%c'", int64(1)},
		{"'abc' LIKE '%a%b%c%'", int64(1)},
		{"'abc' LIKE '%c%b%'", int64(0)},
		{"'aaab' LIKE '%ab'", int64(1)},
		{"'ababc' LIKE '%abc'", int64(1)},
		{"'mississippi' LIKE 'm%iss%pi'", int64(1)},
		{"'mississippi' LIKE 'm%iss%_pi'", int64(1)},
		{"'mississippi' LIKE 'm%s_s%ppx'", int64(0)},
		{"'abc' LIKE 'ABC'", int64(0)}, // case-sensitive
		{"'ABC' LIKE 'a%'", int64(0)},
		{"'abc' NOT LIKE 'a%'", int64(0)},
		{"'abc' NOT LIKE 'b%'", int64(1)},
		{"NULL LIKE 'a%'", nil},
		{"'a' LIKE NULL", nil},
		{"NULL NOT LIKE 'a%'", nil},
		{"'a' LIKE 'a' ESCAPE NULL", nil},
		// escapes
		{`'a_c' LIKE 'a\_c'`, int64(1)},
		{`'abc' LIKE 'a\_c'`, int64(0)},
		{`'50%' LIKE '50\%'`, int64(1)},
		{`'500' LIKE '50\%'`, int64(0)},
		{`'a_c' LIKE 'a|_c' ESCAPE '|'`, int64(1)},
		{`'abc' LIKE 'a|_c' ESCAPE '|'`, int64(0)},
		{`'a%' LIKE 'a!%' ESCAPE '!'`, int64(1)},
		{`'a|' LIKE 'a|' ESCAPE '|'`, int64(1)}, // trailing escape is literal
		{`'a\\c' LIKE 'a\\\\c'`, int64(1)},
		{`'a_c' LIKE 'a_c' ESCAPE ''`, int64(1)},
		{`'abc' LIKE 'a_c' ESCAPE ''`, int64(1)},
		{`'abc' LIKE 'a\\_c' ESCAPE ''`, int64(0)},
		{`'a\\bc' LIKE 'a\\_c' ESCAPE ''`, int64(1)},
		{`'abc' LIKE 'a%' ESCAPE 'ab'`, wantErr("ESCAPE must be a single character, got 'ab'")},
		{`'aéc' LIKE 'a_c' ESCAPE 'é'`, int64(1)},
		{`'a_c' LIKE 'aé_c' ESCAPE 'é'`, int64(1)},
		// characters, not bytes
		{"'é' LIKE '_'", int64(1)},
		{"name LIKE 'h_llo w_rld'", int64(1)},
		{"name LIKE '%ö%'", int64(1)},
		{"name LIKE '_____ _____'", int64(1)},
		// binary strings match bytes
		{"X'C3A9' LIKE '_'", int64(0)},
		{"X'C3A9' LIKE '__'", int64(1)},
		{"data LIKE '{%}'", int64(1)},
		{"data LIKE '%\"k\"%'", int64(1)},
		{"data LIKE '{\"K%'", int64(0)},
		// columns and non-strings
		{"path LIKE '/a/%'", int64(1)},
		{"path LIKE '/a/_'", int64(1)},
		{"path LIKE '/a'", int64(0)},
		{"path LIKE '/A/%'", int64(0)},
		{"version LIKE '5'", int64(1)},
		{"1.5 LIKE '1._'", int64(1)},
		{"ctime LIKE '2026-01-02%'", int64(1)},
		{"path LIKE CONCAT(parent, '/%')", int64(1)},
	}, row, nil)
}

func TestLikeMatcher(t *testing.T) {
	// Cross-check the general matcher against a simple recursive one.
	ref := func(toks []likeTok, s string) bool {
		var rec func(ti, si int) bool
		rec = func(ti, si int) bool {
			if ti == len(toks) {
				return si == len(s)
			}
			switch t := toks[ti]; t.kind {
			case tokLit:
				return strings.HasPrefix(s[si:], t.lit) && rec(ti+1, si+len(t.lit))
			case tokOne:
				if si >= len(s) {
					return false
				}
				return rec(ti+1, si+step(s, si, false))
			default:
				for k := si; k <= len(s); k++ {
					if rec(ti+1, k) {
						return true
					}
					if k < len(s) {
						k += step(s, k, false) - 1
					}
				}
				return false
			}
		}
		return rec(0, 0)
	}
	patterns := []string{"", "%", "_", "a", "a%", "%a", "%a%", "a_", "_a", "%a_b%", "a%b%c", "%ab%ab", "__%", "%__", "a%a", "%é_", "x\\%y%", "%%%"}
	subjects := []string{"", "a", "ab", "abab", "aab", "abc", "acb", "aXbYc", "ééa", "éab", "x%yz", "xay", "aa", "ba"}
	for _, p := range patterns {
		cp := compileLike(p, '\\')
		for _, s := range subjects {
			if got, want := cp.match(s, false), ref(cp.toks, s); got != want {
				t.Errorf("%q LIKE %q = %v, want %v", s, p, got, want)
			}
		}
	}
}

func TestLikePrefix(t *testing.T) {
	for _, c := range []struct {
		pattern string
		escape  rune
		prefix  string
		exact   bool
	}{
		{"/a/%", '\\', "/a/", false},
		{"/a/b", '\\', "/a/b", true},
		{"", '\\', "", true},
		{"%", '\\', "", false},
		{"_x", '\\', "", false},
		{"/a_b%", '\\', "/a", false},
		{`/a\_b%`, '\\', "/a_b", false},
		{`/a\%b`, '\\', "/a%b", true},
		{`/a\`, '\\', `/a\`, true},
		{"/a|_b%", '|', "/a_b", false},
		{`/a\_b%`, NoEscape, `/a\`, false},
		{"/é/%", '\\', "/é/", false},
	} {
		prefix, exact := LikePrefix(c.pattern, c.escape)
		if prefix != c.prefix || exact != c.exact {
			t.Errorf("LikePrefix(%q, %q) = %q, %v; want %q, %v", c.pattern, c.escape, prefix, exact, c.prefix, c.exact)
		}
	}
}

func TestRegexp(t *testing.T) {
	runEvalCases(t, []evalCase{
		{"path REGEXP '^/a'", int64(1)},
		{"path REGEXP 'b$'", int64(1)},
		{"path REGEXP 'x'", int64(0)},
		{"path REGEXP 'A'", int64(0)},
		{"path REGEXP '(?i)A'", int64(1)},
		{"path NOT REGEXP '^/a'", int64(0)},
		{"path REGEXP '/[a-z]/'", int64(1)},
		{"data REGEXP '\"n\": \\\\[1'", int64(1)},
		{"NULL REGEXP 'a'", nil},
		{"'a' REGEXP NULL", nil},
		{"version REGEXP '^[0-9]+$'", int64(1)},
		{"path REGEXP '('", wantErr("invalid regular expression '(': missing closing )")},
		{"path REGEXP 'a**'", wantErr("invalid regular expression")},
	}, stdRow(), nil)
}

func TestFunctions(t *testing.T) {
	// name, parent, mode, data and version stand in for test values.
	row := mapRow{"name": "héllo", "parent": "Sakila", "mode": "Quadratically", "data": []byte("héllo"), "version": int64(12345), "ttl": nil}
	runEvalCases(t, []evalCase{
		{"LENGTH('abc')", int64(3)},
		{"LENGTH('')", int64(0)},
		{"LENGTH(name)", int64(6)}, // bytes
		{"LENGTH(data)", int64(6)},
		{"LENGTH(NULL)", nil},
		{"LENGTH(12345)", int64(5)},
		{"LENGTH(1.5)", int64(3)},
		{"SUBSTRING(mode, 5)", "ratically"},
		{"SUBSTRING(mode, 5, 6)", "ratica"},
		{"SUBSTRING(parent, -3)", "ila"},
		{"SUBSTRING(parent, -5, 3)", "aki"},
		{"SUBSTRING(parent, 0)", ""},
		{"SUBSTRING(parent, 0, 3)", ""},
		{"SUBSTRING(parent, 7)", ""},
		{"SUBSTRING(parent, 6)", "a"},
		{"SUBSTRING(parent, -6)", "Sakila"},
		{"SUBSTRING(parent, -7)", ""},
		{"SUBSTRING(parent, 2, 0)", ""},
		{"SUBSTRING(parent, 2, -1)", ""},
		{"SUBSTRING(parent, 2, 100)", "akila"},
		{"SUBSTRING(parent, 2, 9223372036854775807)", "akila"},
		{"SUBSTRING(parent, -9223372036854775807 - 1)", ""},
		{"SUBSTRING(parent, 1.5)", "akila"}, // rounds like MySQL
		{"SUBSTRING(parent, '2')", "akila"},
		{"SUBSTR(parent, 2, 2)", "ak"},
		{"SUBSTRING(parent FROM 2 FOR 3)", "aki"},
		{"SUBSTRING(name, 2, 1)", "é"},
		{"SUBSTRING(name, -4)", "éllo"},
		{"SUBSTRING(name, 2)", "éllo"},
		{"SUBSTRING(data, 2, 2)", []byte("é")},
		{"SUBSTRING(data, 2, 1)", []byte{0xc3}},
		{"SUBSTRING(version, 2, 2)", "23"},
		{"SUBSTRING(ttl, 1)", nil},
		{"SUBSTRING(parent, NULL)", nil},
		{"SUBSTRING(parent, 1, NULL)", nil},
		{"CONCAT('a', 'b', 'c')", "abc"},
		{"CONCAT('a')", "a"},
		{"CONCAT('a', NULL)", nil},
		{"CONCAT(NULL, 'a')", nil},
		{"CONCAT('v', 1, 1.5)", "v11.5"},
		{"CONCAT(X'41', 'b')", []byte("Ab")},
		{"CONCAT('a', data)", []byte("ahéllo")},
		{"LOWER('AbC')", "abc"},
		{"UPPER('AbC')", "ABC"},
		{"UPPER(name)", "HÉLLO"},
		{"LOWER(NULL)", nil},
		{"UPPER(data)", []byte("HÉLLO")},
		{"LOWER(X'41')", []byte("a")},
		{"LOWER(12)", "12"},
	}, row, nil)
	runEvalCases(t, []evalCase{
		{"LENGTH(data)", int64(70)},
		{"LENGTH(ctime)", int64(19)},
		{"CONCAT(path, '/', name)", "/a/b/b"},
		{"CONCAT(ctime)", "2026-01-02 03:04:05"},
		{"CONCAT(mtime)", "2026-01-02 03:04:05.123"},
		{"LENGTH(CONCAT(path, name))", int64(5)},
	}, stdRow(), nil)
}

func TestFuncArity(t *testing.T) {
	col := &parser.Column{Name: "a"}
	cases := []struct {
		e    parser.Expr
		want string
	}{
		{&parser.Func{Name: parser.FuncLength, Args: []parser.Expr{col, col}}, "eval: LENGTH takes 1 argument, got 2 in LENGTH(a, a)"},
		{&parser.Func{Name: parser.FuncLength}, "eval: LENGTH takes 1 argument, got 0 in LENGTH()"},
		{&parser.Func{Name: parser.FuncSubstring, Args: []parser.Expr{col}}, "eval: SUBSTRING takes 2 to 3 arguments, got 1 in SUBSTRING(a)"},
		{&parser.Func{Name: parser.FuncConcat}, "eval: CONCAT takes at least 1 argument, got 0 in CONCAT()"},
		{&parser.Func{Name: parser.FuncUpper, Args: []parser.Expr{col, col, col}}, "eval: UPPER takes 1 argument, got 3"},
		{&parser.Func{Name: "NOPE", Args: []parser.Expr{col}}, "eval: unknown function NOPE"},
		{&parser.Func{Name: parser.FuncLength, Args: []parser.Expr{nil}}, "missing argument"},
	}
	for _, c := range cases {
		_, err := Eval(c.e, mapRow{"a": "x"}, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Eval(%s) error = %v, want %q", exprString(c.e), err, c.want)
		}
	}
	// SUBSTRING on literals, which sqlparser refuses, built by hand.
	sub := func(args ...any) parser.Expr {
		f := &parser.Func{Name: parser.FuncSubstring}
		for _, a := range args {
			f.Args = append(f.Args, &parser.Literal{Value: a})
		}
		return f
	}
	for _, c := range []struct {
		e    parser.Expr
		want any
	}{
		{sub("Sakila", int64(-5), int64(3)), "aki"},
		{sub("abc", int64(2)), "bc"},
		{sub([]byte("abc"), int64(-1)), []byte("c")},
		{sub("abc", "x"), ""},
	} {
		got, err := Eval(c.e, nil, nil)
		if err != nil || !sameValue(got, c.want) {
			t.Errorf("Eval(%s) = %#v, %v; want %#v", exprString(c.e), got, err, c.want)
		}
	}
}

func TestCast(t *testing.T) {
	runEvalCases(t, []evalCase{
		{"CAST(1 AS CHAR)", "1"},
		{"CAST(1.5 AS CHAR)", "1.5"},
		{"CAST(1e20 AS CHAR)", "1e20"},
		{"CAST(0.1 + 0.2 AS CHAR)", "0.30000000000000004"},
		{"CAST(3.0 AS CHAR)", "3"},
		{"CAST(1e-7 AS CHAR)", "0.0000001"}, // as MySQL and MariaDB print it (the differential test)
		{"CAST(1e-16 AS CHAR)", "1e-16"},
		{"CAST(1234567.5 AS CHAR)", "1234567.5"},
		{"CAST(1e15 AS CHAR)", "1e15"},
		{"CAST(999999999999999.9 AS CHAR)", "999999999999999.9"},
		{"CAST(data AS CHAR)", string(stdRow()["data"].([]byte))},
		{"CAST(ctime AS CHAR)", "2026-01-02 03:04:05"},
		{"CAST(NULL AS CHAR)", nil},
		{"CAST('ab' AS BINARY)", []byte("ab")},
		{"CAST(12 AS BINARY)", []byte("12")},
		{"CAST(data AS BINARY) = data", int64(1)},
		{"CAST('12' AS SIGNED)", int64(12)},
		{"CAST(' -12abc' AS SIGNED)", int64(-12)},
		{"CAST('1.9' AS SIGNED)", int64(1)},
		{"CAST('abc' AS SIGNED)", int64(0)},
		{"CAST(1.5 AS SIGNED)", int64(2)},
		{"CAST(-1.5 AS SIGNED)", int64(-2)},
		{"CAST(1.4 AS SIGNED INTEGER)", int64(1)},
		{"CAST(X'3132' AS SIGNED)", int64(12)},
		{"CAST(ctime AS SIGNED)", int64(20260102030405)},
		{"CAST('99999999999999999999' AS SIGNED)", wantErr("out of range for SIGNED")},
		{"CAST(1e19 AS SIGNED)", wantErr("value 1e19 is out of range for SIGNED")},
		{"CAST(5 AS UNSIGNED)", int64(5)},
		{"CAST(-1 AS UNSIGNED)", wantErr("negative value -1 cannot be cast to UNSIGNED")},
		{"CAST('2026-01-02 03:04:05' AS DATETIME)", ctime},
		{"CAST('2026-01-02' AS DATETIME)", time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)},
		{"CAST('2026-01-02 03:04:05.5' AS DATETIME)", ctime.Add(500 * time.Millisecond)},
		{"CAST('26-1-2 3:4:5' AS DATETIME)", ctime},
		{"CAST('not a date' AS DATETIME)", nil},
		{"CAST('2026-13-01' AS DATETIME)", nil},
		{"CAST('2026-02-29' AS DATETIME)", nil},
		{"CAST('2024-02-29' AS DATETIME)", time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)},
		{"CAST(20260102030405 AS DATETIME)", ctime},
		{"CAST(20260102 AS DATETIME)", time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)},
		{"CAST(-1 AS DATETIME)", nil},
		{"CAST(ctime AS DATETIME)", ctime},
		{"CAST('{\"b\":1,\"a\":[true,null]}' AS JSON)", `{"a": [true, null], "b": 1}`},
		{"CAST('not json' AS JSON)", nil},
		{"CAST(12 AS JSON)", "12"},
		{"CAST(ctime AS JSON)", `"2026-01-02 03:04:05"`},
		{"CAST(NULL AS JSON)", nil},
	}, stdRow(), nil)
}

func TestJSON(t *testing.T) {
	docs := map[string]any{
		"txt":   "hello",
		"arr":   `[10, [20, 21], {"a": 30}]`,
		"deep":  `{"a": {"b": {"c": 1}, "c": 2}, "c": 3}`,
		"str":   `"just a string"`,
		"num":   `42`,
		"empty": []byte{},
		"keys":  `{"bb": 1, "a": 2, "ccc": 3, "ab": 4}`,
	}
	// Cases on the documents above name them; they are evaluated with the
	// document in the mode column.
	var rest []evalCase
	for _, c := range []evalCase{
		{"data->'$.k'", `"v"`},
		{"data->>'$.k'", "v"},
		{"JSON_EXTRACT(data, '$.k')", `"v"`},
		{"data->'$.n'", "[1, 2, 3]"},
		{"data->>'$.n'", "[1, 2, 3]"},
		{"data->'$.n[0]'", "1"},
		{"data->'$.n[2]'", "3"},
		{"data->'$.n[3]'", nil},
		{"data->'$.n[last]'", "3"},
		{"data->'$.n[last-1]'", "2"},
		{"data->'$.n[last-5]'", nil},
		{"data->'$.n[0 to 1]'", "[1, 2]"},
		{"data->'$.n[1 to last]'", "[2, 3]"},
		{"data->'$.n[*]'", "[1, 2, 3]"},
		{"data->'$.o'", `{"z": null, "x y": true}`},
		{`data->'$.o."x y"'`, "true"},
		{`data->>'$.o."x y"'`, "true"},
		{"data->'$.o.z'", "null"},
		{"data->>'$.o.z'", "null"},
		{"data->'$.o.missing'", nil},
		{"data->'$.s'", `"a\"b"`},
		{"data->>'$.s'", `a"b`},
		{"data->'$'", `{"k": "v", "n": [1, 2, 3], "o": {"z": null, "x y": true}, "s": "a\"b"}`},
		{"data->'$.*'", `["v", [1, 2, 3], {"z": null, "x y": true}, "a\"b"]`},
		{"data->'$.k[0]'", `"v"`}, // a scalar is a one-element array
		{"data->'$.k[1]'", nil},
		{"data->'$.k[*]'", nil},
		{"data->'$.n.x'", nil},
		{"data->>'$.n[1]' + 1", 3.0},
		{"data->>'$.k' = 'v'", int64(1)},
		{"data->'$.n[0]' = 1", int64(1)},
		{"arr->'$[1][0]'", "20"},
		{"arr->'$[2].a'", "30"},
		{"arr->'$[*][1]'", "[21]"},
		{"deep->'$**.c'", "[3, 2, 1]"},
		{"deep->'$.a**.c'", "[2, 1]"},
		{"keys->'$'", `{"a": 2, "ab": 4, "bb": 1, "ccc": 3}`},
		{"str->'$'", `"just a string"`},
		{"str->>'$'", "just a string"},
		{"num->'$'", "42"},
		{"num->'$[0]'", "42"},
		// not JSON: NULL
		{"txt->'$'", nil},
		{"txt->>'$.a'", nil},
		{"empty->'$'", nil},
		{"JSON_EXTRACT('{\"a\": 1} x', '$.a')", nil},
		{"JSON_EXTRACT(NULL, '$.a')", nil},
		{"JSON_EXTRACT(data, NULL)", nil},
		{"JSON_EXTRACT(12, '$')", "12"},
		{"JSON_EXTRACT('{\"a\": {\"b\": 1}}', '$.a.b')", "1"},
		{"JSON_EXTRACT('[1, 2]', '$[1]')", "2"},
		{"JSON_EXTRACT('{\"a\": 1.50}', '$.a')", "1.50"},
		{"JSON_EXTRACT('{\"a\": \"\\\\u00e9\\\\n\"}', '$.a')", "\"é\\n\""},
		{"JSON_EXTRACT('{\"$a\": 1}', '$.$a')", "1"},
		{"JSON_EXTRACT('{\"a\": 1}', ' $ . a ')", "1"},
		// invalid paths are errors, even on non-JSON data
		{"data->'a'", wantErr("invalid JSON path 'a': it must start with $")},
		{"txt->'$.'", wantErr("member name expected")},
		{"data->'$['", wantErr("array index expected")},
		{"data->'$[1'", wantErr("']' expected")},
		{"data->'$[-1]'", wantErr("array index expected")},
		{"data->'$[3 to 1]'", wantErr("range end before its start")},
		{"data->'$**'", wantErr("must not end with **")},
		{"data->'$.\"unterminated'", wantErr("unterminated quoted member name")},
		{"data->'$.1a'", wantErr("invalid member name")},
		{"data->'$x'", wantErr("'.', '[' or '**' expected")},
	} {
		if name, path, ok := strings.Cut(c.src, "->"); ok && docs[name] != nil {
			runEvalCases(t, []evalCase{{"mode->" + path, c.want}}, mapRow{"mode": docs[name]}, nil)
			continue
		}
		rest = append(rest, c)
	}
	runEvalCases(t, rest, stdRow(), nil)
}

func TestParams(t *testing.T) {
	type myInt int16
	args := testArgs{pos: []any{int32(5), "/a/%", nil, uint64(math.MaxUint64), true, myInt(7), float32(1.5), []byte("x")}}
	row := stdRow()
	for _, c := range []evalCase{
		{"?", int64(5)},
		{"version = ?", int64(1)},
		{"? + 1", int64(6)},
	} {
		runEvalCases(t, []evalCase{c}, row, args)
	}
	e, err := parser.Parse("SELECT ?, ?, ?, ?, ?, ?, ?, ?, ? FROM znodes")
	if err != nil {
		t.Fatal(err)
	}
	items := e.(*parser.Select).Items
	want := []any{int64(5), "/a/%", nil, wantErr("unsigned value 18446744073709551615 overflows BIGINT"), int64(1), int64(7), 1.5, []byte("x"), wantErr("placeholder ?9: no argument 9")}
	for i, w := range want {
		got, err := Eval(items[i].Expr, row, args)
		if we, ok := w.(wantErr); ok {
			if err == nil || !strings.Contains(err.Error(), string(we)) {
				t.Errorf("arg %d: got %v, %v; want error %q", i+1, got, err, we)
			}
			continue
		}
		if err != nil || !sameValue(got, w) {
			t.Errorf("arg %d: got %#v, %v; want %#v", i+1, got, err, w)
		}
	}
	named := testArgs{named: map[string]any{"p": "/a/b"}}
	runEvalCases(t, []evalCase{
		{"path = :p", int64(1)},
		{"path LIKE :p", int64(1)},
		{"path = :q", wantErr("placeholder :q: no argument :q")},
	}, row, named)
	runEvalCases(t, []evalCase{{"?", wantErr("no arguments were given for placeholder ?1")}}, row, nil)
}

func TestErrors(t *testing.T) {
	col := &parser.Column{Name: "path"}
	var nilLit *parser.Literal
	cases := []struct {
		e    parser.Expr
		row  Row
		want string
	}{
		{nil, nil, "eval: missing expression"},
		{nilLit, nil, "missing expression"},
		{&parser.Binary{Op: parser.OpAdd, L: col}, stdRow(), "malformed binary expression"},
		{&parser.Binary{Op: "^", L: &parser.Literal{Value: int64(1)}, R: &parser.Literal{Value: int64(1)}}, nil, "unknown operator ^"},
		{&parser.Unary{Op: "~", X: &parser.Literal{Value: int64(1)}}, nil, "unknown operator ~"},
		{&parser.Like{X: col}, stdRow(), "malformed LIKE"},
		{&parser.In{X: col, List: []parser.Expr{nil}}, stdRow(), "malformed IN list"},
		{&parser.Star{}, nil, "* is not a value"},
		{col, nil, "column path referenced without a row"},
		{&parser.Literal{Value: struct{}{}}, nil, "invalid literal: unsupported value type struct {}"},
		{&parser.Aggregate{Func: parser.AggCount}, nil, "aggregate COUNT can only be evaluated over a group (eval.Group) in COUNT(*)"},
		{&parser.InsertedValue{Column: "data"}, stdRow(), "VALUES(data) is only available in ON DUPLICATE KEY UPDATE"},
		{&parser.Cast{X: col, Type: "FLOAT"}, stdRow(), "unsupported CAST target FLOAT"},
		{&parser.JSONExtract{X: col}, stdRow(), "malformed JSON_EXTRACT"},
		{&parser.Column{Name: "nope"}, stdRow(), `eval: reading column nope: no column "nope" in test row in nope`},
	}
	for _, c := range cases {
		_, err := Eval(c.e, c.row, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Eval(%s) error = %v, want %q", exprString(c.e), err, c.want)
		}
	}
}

type insertedRow struct {
	mapRow
	inserted map[string]any
}

func (r insertedRow) Inserted(c string) (any, error) { return r.inserted[c], nil }

func TestInsertedValue(t *testing.T) {
	st, err := parser.Parse("INSERT INTO znodes (path, data) VALUES ('/a', 'x') ON DUPLICATE KEY UPDATE data = CONCAT(data, VALUES(data))")
	if err != nil {
		t.Fatal(err)
	}
	e := st.(*parser.Insert).OnDuplicate[0].Value
	got, err := Eval(e, insertedRow{mapRow{"data": []byte("old")}, map[string]any{"data": "new"}}, nil)
	if err != nil || !sameValue(got, []byte("oldnew")) {
		t.Fatalf("got %#v, %v", got, err)
	}
	if cols := Columns(e); len(cols) != 1 || cols[0] != "data" {
		t.Errorf("Columns = %v", cols)
	}
	if cols := InsertedColumns(e); len(cols) != 1 || cols[0] != "data" {
		t.Errorf("InsertedColumns = %v", cols)
	}
}

func TestTruth(t *testing.T) {
	for _, c := range []struct {
		v    any
		want bool
	}{
		{nil, false}, {int64(0), false}, {int64(1), true}, {int64(-1), true},
		{0.0, false}, {0.5, true}, {"", false}, {"0", false}, {"1", true},
		{"1abc", true}, {"abc", false}, {"0.0", false}, {"0.5", true}, {" 2", true},
		{[]byte("1"), true}, {[]byte("x"), false}, {true, true}, {false, false},
		{int32(3), true}, {uint8(0), false}, {ctime, true}, {time.Time{}, false},
		{struct{}{}, false},
	} {
		if got := Truth(c.v); got != c.want {
			t.Errorf("Truth(%#v) = %v, want %v", c.v, got, c.want)
		}
	}
}

func TestJSONWorkLimit(t *testing.T) {
	doc := strings.Repeat("[", 100) + strings.Repeat("]", 100)
	e := parseExpr(t, "mode->'$**[0]**[0]**[0]**[0]**[0]**[0]**[0]'")
	_, err := Eval(e, mapRow{"mode": doc}, nil)
	if err == nil || !strings.Contains(err.Error(), "exceeds its work limit") {
		t.Fatalf("err = %v", err)
	}
}
