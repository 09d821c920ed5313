package eval

import (
	"testing"
	"time"
)

func TestConditionalFunctions(t *testing.T) {
	runEvalCases(t, []evalCase{
		{"COALESCE(NULL, NULL, 3, 4)", int64(3)},
		{"COALESCE(NULL)", nil},
		{"COALESCE(NULL, 'a')", "a"},
		{"COALESCE(1, 1 / 0)", int64(1)},
		{"COALESCE(1, -9223372036854775807 - 2)", int64(1)}, // later arguments are not evaluated
		{"IFNULL(NULL, X'41')", []byte("A")},
		{"IFNULL(0, 1)", int64(0)},
		{"NULLIF(1, 1)", nil},
		{"NULLIF(1, 2)", int64(1)},
		{"NULLIF(NULL, 1)", nil},
		{"NULLIF(1, NULL)", int64(1)},
		{"NULLIF('a', 'A')", "a"}, // binary collation
		{"IF(1 > 0, 'y', 'n')", "y"},
		{"IF(NULL, 'y', 'n')", "n"},
		{"IF('0.0', 'y', 'n')", "n"},
		{"IF(1, 2, -9223372036854775807 - 2)", int64(2)},
		{"CASE WHEN 1 = 2 THEN 'a' WHEN 2 = 2 THEN 'b' ELSE 'c' END", "b"},
		{"CASE WHEN NULL THEN 'a' END", nil},
		{"CASE WHEN 0 THEN 'a' ELSE 'z' END", "z"},
		{"CASE 2 WHEN 1 THEN 'one' WHEN 2 THEN 'two' END", "two"},
		{"CASE NULL WHEN NULL THEN 'null' ELSE 'no' END", "no"},
		{"CASE '2' WHEN 2 THEN 'num' END", "num"},
		{"CASE 1 WHEN 1 THEN 'x' WHEN -9223372036854775807 - 2 THEN 'y' END", "x"},
		// A comparison with a NULL left operand does not evaluate its right
		// one, as in MySQL (found by the MariaDB differential test).
		{"NULL >= 9223372036854775807 * 2", nil},
		{"1 >= 9223372036854775807 * 2", wantErr("BIGINT value is out of range")},
	}, nil, nil)
}

func TestStringFunctionsMore(t *testing.T) {
	runEvalCases(t, []evalCase{
		{"CONCAT_WS('/', 'a', NULL, 'b')", "a/b"},
		{"CONCAT_WS(NULL, 'a')", nil},
		{"CONCAT_WS(',', NULL)", ""},
		{"CONCAT_WS(',', 1, 2.5)", "1,2.5"},
		{"CONCAT_WS(',', 'a', X'42')", []byte("a,B")},
		{"HEX('abc')", "616263"},
		{"HEX(X'00FF')", "00FF"},
		{"HEX(255)", "FF"},
		{"HEX(-1)", "FFFFFFFFFFFFFFFF"},
		{"HEX(1.5)", "2"},
		{"HEX('')", ""},
		{"HEX(NULL)", nil},
		{"UNHEX('4142')", []byte("AB")},
		{"UNHEX('F')", []byte{0x0f}},
		{"UNHEX('zz')", nil},
		{"UNHEX('')", []byte{}},
		{"UNHEX(41)", []byte("A")},
		{"UNHEX(HEX('héllo'))", []byte("héllo")},
	}, nil, nil)
}

type clockArgs struct {
	testArgs
	now time.Time
}

func (c clockArgs) Now() time.Time { return c.now }

func TestTimeFunctions(t *testing.T) {
	now := time.Date(2026, 12, 4, 5, 6, 7, 123456789, time.UTC)
	args := clockArgs{now: now}
	runEvalCases(t, []evalCase{
		{"NOW()", time.Date(2026, 12, 4, 5, 6, 7, 0, time.UTC)},
		{"NOW(3)", time.Date(2026, 12, 4, 5, 6, 7, 123000000, time.UTC)},
		{"NOW(6)", time.Date(2026, 12, 4, 5, 6, 7, 123456000, time.UTC)},
		{"NOW(7)", wantErr("precision of NOW must be an integer from 0 to 6")},
		{"CURRENT_TIMESTAMP", time.Date(2026, 12, 4, 5, 6, 7, 0, time.UTC)},
		{"UTC_TIMESTAMP()", time.Date(2026, 12, 4, 5, 6, 7, 0, time.UTC)},
		{"NOW() = '2026-12-04 05:06:07'", int64(1)},
		{"NOW() + 0", int64(20261204050607)},
		{"UNIX_TIMESTAMP()", now.Unix()},
		{"UNIX_TIMESTAMP('1970-01-01 00:00:10')", int64(10)},
		{"UNIX_TIMESTAMP('1970-01-01 00:00:10.5')", 10.5},
		{"UNIX_TIMESTAMP(19700102)", int64(86400)},
		{"UNIX_TIMESTAMP('1969-12-31 23:59:59')", int64(0)},
		{"UNIX_TIMESTAMP('nonsense')", nil},
		{"UNIX_TIMESTAMP(NULL)", nil},
		{"FROM_UNIXTIME(0)", time.Unix(0, 0).UTC()},
		{"FROM_UNIXTIME(1.25)", time.Unix(1, 250000000).UTC()},
		{"FROM_UNIXTIME('86400')", time.Unix(86400, 0).UTC()},
		{"FROM_UNIXTIME(-1)", nil},
		{"FROM_UNIXTIME(32536771200)", nil},
		{"UNIX_TIMESTAMP(FROM_UNIXTIME(1700000000))", int64(1700000000)},
	}, nil, args)

	// Without a Clock, NOW reads the system clock.
	before := time.Now().UTC().Truncate(time.Second)
	v, err := Eval(parseExpr(t, "NOW()"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := v.(time.Time); !ok || got.Before(before) || got.After(time.Now().UTC()) {
		t.Errorf("NOW() = %v, want a time between %v and now", v, before)
	}
}

func TestJSONFunctions(t *testing.T) {
	row := mapRow{"data": []byte(`{"tag": "odd", "n": 1, "f": 1.5, "b": true, "z": null, "a": [1, "x", [2, 3], {"k": "v"}], "o": {"bb": 1, "a": 2}}`)}
	runEvalCases(t, []evalCase{
		// Comparisons: the non-JSON operand becomes JSON (issue 11).
		{"JSON_EXTRACT(data, '$.tag') = 'odd'", int64(1)},
		{"data->'$.tag' = 'odd'", int64(1)},
		{"'odd' = data->'$.tag'", int64(1)},
		{"data->'$.tag' != 'even'", int64(1)},
		{"data->'$.tag' IN ('even', 'odd')", int64(1)},
		{"data->'$.tag' = '\"odd\"'", int64(0)},
		{"data->>'$.tag' = 'odd'", int64(1)},
		{"data->'$.n' = 1", int64(1)},
		{"data->'$.n' = 1.0", int64(1)},
		{"data->'$.n' = '1'", int64(0)}, // a JSON number is not the JSON string "1"
		{"data->'$.f' > 1", int64(1)},
		{"data->'$.b' = data->'$.b'", int64(1)},
		{"data->'$.a' = CAST('[1, \"x\", [2, 3], {\"k\": \"v\"}]' AS JSON)", int64(1)},
		{"data->'$.o' = CAST('{\"a\": 2, \"bb\": 1}' AS JSON)", int64(1)},
		{"data->'$.z' = 'null'", int64(0)},
		{"data->'$.missing' = 'odd'", nil},
		{"data->'$.n' + 1", 2.0},
		{"data->'$.tag'", `"odd"`},
		{"COALESCE(data->'$.missing', data->'$.tag')", `"odd"`},
		{"CONCAT(data->'$.tag', '!')", `"odd"!`},

		{"JSON_UNQUOTE(data->'$.tag')", "odd"},
		{"JSON_UNQUOTE(data->'$.a')", `[1, "x", [2, 3], {"k": "v"}]`},
		{"JSON_UNQUOTE('\"a\\\\tb\"')", "a\tb"},
		{"JSON_UNQUOTE('plain')", "plain"},
		{"JSON_UNQUOTE(NULL)", nil},
		{"JSON_TYPE(data)", "OBJECT"},
		{"JSON_TYPE(data->'$.a')", "ARRAY"},
		{"JSON_TYPE(data->'$.tag')", "STRING"},
		{"JSON_TYPE(data->'$.n')", "INTEGER"},
		{"JSON_TYPE(data->'$.f')", "DOUBLE"},
		{"JSON_TYPE(data->'$.b')", "BOOLEAN"},
		{"JSON_TYPE(data->'$.z')", "NULL"},
		{"JSON_TYPE('not json')", nil},
		{"JSON_LENGTH(data)", int64(7)},
		{"JSON_LENGTH(data, '$.a')", int64(4)},
		{"JSON_LENGTH(data, '$.tag')", int64(1)},
		{"JSON_LENGTH(data, '$.missing')", nil},
		{"JSON_LENGTH(data, '$.a[*]')", wantErr("must not contain")},
		{"JSON_LENGTH(data, 'a')", wantErr("invalid JSON path")},
		{"JSON_KEYS(data->'$.o')", `["a", "bb"]`},
		{"JSON_KEYS(data, '$.o')", `["a", "bb"]`},
		{"JSON_KEYS(data, '$.a')", nil},
		{"JSON_KEYS(data, '$.o') = CAST('[\"a\", \"bb\"]' AS JSON)", int64(1)},
		{"JSON_CONTAINS(data, '\"odd\"', '$.tag')", int64(1)},
		{"JSON_CONTAINS(data, '{\"tag\": \"odd\"}')", int64(1)},
		{"JSON_CONTAINS(data, '{\"tag\": \"even\"}')", int64(0)},
		{"JSON_CONTAINS(data, '1', '$.a')", int64(1)},
		{"JSON_CONTAINS(data, '[1, \"x\"]', '$.a')", int64(1)},
		{"JSON_CONTAINS(data, '2', '$.a')", int64(1)}, // found in the nested array [2, 3], as in MySQL
		{"JSON_CONTAINS(data, '[2]', '$.a')", int64(1)},
		{"JSON_CONTAINS('[1, {\"k\": [2]}]', '[[2]]')", int64(0)}, // an array element is looked for among the arrays only
		{"JSON_CONTAINS(data, '\"v\"', '$.a')", int64(0)},
		{"JSON_CONTAINS('[{\"k\": [1, 2]}]', '{\"k\": 2}')", int64(1)},
		{"JSON_CONTAINS(data, '[[2, 3]]', '$.a')", int64(1)},
		{"JSON_CONTAINS(data, '{\"k\": \"v\"}', '$.a')", int64(1)},
		{"JSON_CONTAINS(data, '1.0', '$.n')", int64(1)},
		{"JSON_CONTAINS(data, '1', '$.missing')", nil},
		{"JSON_CONTAINS(data, 'not json')", nil},
		{"JSON_VALID(data)", int64(1)},
		{"JSON_VALID('{')", int64(0)},
		{"JSON_VALID('')", int64(0)},
		{"JSON_VALID(NULL)", nil},
		{"JSON_VALID('\"s\"')", int64(1)},
	}, row, nil)
}
