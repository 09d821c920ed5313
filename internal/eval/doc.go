// Package eval evaluates zksql expressions (parser.Expr) over rows with
// MySQL-compatible semantics, as far as zksql's small dialect reaches.
//
// # Values
//
// Values are nil (SQL NULL), int64, float64, string, []byte and
// time.Time. Values handed in by a Row, by Args or by a parser.Literal are
// normalized: other integer types become int64 (an unsigned value above
// BIGINT's range is an error), float32 becomes float64, driver.Valuer is
// called, and bool becomes int64 1 or 0 — MySQL has no boolean type, and
// likewise every predicate (comparisons, AND/OR/NOT, LIKE, IN, ...)
// yields int64 1, 0 or NULL. Truth is the test WHERE and HAVING apply.
//
// # Collation: everything is binary
//
// MySQL's default collation compares strings case-insensitively. zksql
// compares ZooKeeper paths, which are case-sensitive, so every string
// comparison here is binary (bytewise): =, <, IN, BETWEEN, MIN/MAX,
// GROUP BY keys, ORDER BY, LIKE and REGEXP. 'ABC' = 'abc' is false.
// string and []byte compare by their bytes, so data = 'x' works on the
// []byte data column.
//
// # Conversions
//
// As in MySQL: a number compared with a string compares numerically, the
// string converted by its longest numeric prefix ("12abc" is 12, "abc" is
// 0); strings in arithmetic become doubles ('1' + 1 is 2.0); a time
// compared with a string parses the string as a DATETIME literal
// ('2026-01-02', '2026-01-02 03:04:05.123', '20260102030405', an optional
// Z or +hh:mm offset) in UTC, and a string that is no DATETIME is an
// error rather than MySQL's warning; a time compared with or added to a
// number uses its numeric form YYYYMMDDhhmmss. An int64 compares with a
// float64 exactly (MySQL compares some such pairs as doubles).
//
// # Arithmetic
//
// + - * and % on integers give int64; a result outside BIGINT's range is
// an error ("BIGINT value is out of range"), never a wrapped value. /
// always gives a float64 (MySQL gives DECIMAL). Division and modulo by
// zero give NULL. A double result that overflows is an error. NULL
// operands give NULL.
//
// # Three-valued logic
//
// Comparisons with NULL are NULL (a NULL left operand decides without
// evaluating the right one, as MySQL's comparator does); AND, OR and NOT follow SQL's
// three-valued logic and evaluate their right operand only when the left
// one does not decide the result. x IN (list) is 1 if some element equals
// x, else NULL if x or some element is NULL, else 0; NOT IN negates that.
// x BETWEEN lo AND hi is x >= lo AND x <= hi.
//
// # LIKE and REGEXP
//
// LIKE supports % and _, the default escape character \ and ESCAPE 'c'
// (an empty ESCAPE string means no escape character, as in MySQL; longer escapes are
// errors; a NULL escape makes the result NULL). It is case-sensitive (see
// above). _ matches one UTF-8 character, except when the subject or the
// pattern is a []byte: binary strings match byte by byte, as in MySQL.
// Compiled patterns are cached per pattern text (bounded, safe for
// concurrent use), so a statement's literal pattern is compiled once.
// LikePrefix gives the planner the literal prefix of a pattern.
//
// REGEXP uses Go's RE2 syntax (package regexp), case-sensitive, unanchored;
// an invalid pattern is an error naming the problem. Patterns are cached.
//
// # Functions
//
// LENGTH counts bytes. SUBSTRING(s, pos[, len]) follows MySQL: 1-based,
// negative pos counts from the end, pos 0 gives the empty string; it counts characters
// in strings and bytes in []byte. CONCAT is NULL if any argument is NULL,
// and a []byte if any argument is a []byte (a binary string), else a
// string. LOWER and UPPER map a []byte's UTF-8 letters and return a
// []byte; unlike MySQL, where they leave binary strings unchanged, since
// the data column would otherwise be untouchable by them.
//
// COALESCE and IFNULL give their first non-NULL argument, NULLIF(x, y)
// NULL when x = y, IF(c, x, y) and CASE (both forms; the simple form
// compares with =, so a NULL operand matches no WHEN) the chosen branch;
// arguments and arms after the deciding one are not evaluated. Their
// result is the chosen value as it is (MySQL would convert it to the
// type common to all branches, e.g. IF(c, 1, 'a') gives '1'; the
// differential test compares values, not such types). CONCAT_WS(sep, ...)
// skips NULL arguments and is NULL only for a NULL separator. HEX gives
// the upper-case hex of a string's bytes or of a number (doubles rounded,
// negative numbers as 64-bit two's complement); UNHEX the []byte the
// digits spell, NULL for anything but hex digits.
//
// NOW([fsp]) and UTC_TIMESTAMP give the current time in UTC (zksql's
// session time zone), truncated to fsp fractional digits. When Args
// implements Clock, they read its Now, so every row of a statement sees
// the same time, as in MySQL. UNIX_TIMESTAMP([t]) gives seconds since the
// epoch (a double when t has microseconds; 0 for a t outside 1970 to
// 3001, NULL for a t that is no DATETIME); FROM_UNIXTIME(n) the DATETIME
// n seconds after the epoch, NULL outside that range.
//
// CAST(x AS CHAR) gives a string, BINARY a []byte, DATETIME a time.Time
// (NULL when x is no valid DATETIME, as in MySQL). SIGNED gives an int64:
// strings take their integer prefix, doubles round half away from zero,
// and out-of-range values are errors rather than MySQL's clamping.
// UNSIGNED is SIGNED that also rejects negative values (zksql's value set
// has no unsigned type, so MySQL's wrap-around is not reproduced).
// CAST(x AS JSON) gives the JSON text of x (see below).
//
// # JSON
//
// JSON_EXTRACT(doc, path), doc -> path and doc ->> path take MySQL paths:
// $, .key, ."quoted key", .*, [n], [last], [last-n], [m to n], [*] and **.
// A path with a wildcard or range yields a JSON array of its matches; a
// path that matches nothing yields NULL; an invalid path is an error. A
// non-array value counts as a one-element array for [0] and [last], as in
// MySQL. The result is JSON text as MySQL prints it (a string): strings
// quoted, objects with keys sorted and ", " / ": " separators, numbers as
// written in the document. ->> unquotes a matched JSON string.
//
// A path evaluation that would take more than about a million steps
// (several ** legs over a large document) is an error.
//
// Unlike MySQL, a document that is not valid JSON gives NULL instead of an
// error, for JSON_EXTRACT, -> , ->> and CAST(x AS JSON) alike, and for the
// JSON_ functions below: znode data is often not JSON, and queries over
// mixed trees must still work.
//
// JSON_EXTRACT, ->, CAST(x AS JSON) and JSON_KEYS yield values of type
// JSON (handed out as their text). Comparing a JSON value with another
// value follows MySQL 8: the other operand is converted to JSON (a string
// becomes a JSON string, not parsed; numbers JSON numbers), so
// JSON_EXTRACT(data, '$.tag') = 'odd' is true for {"tag": "odd"}, and
// data->'$.n' = '1' is false for {"n": 1}. JSON values of different types
// are never equal and sort NULL < numbers < strings < objects < arrays <
// booleans; numbers compare numerically, strings bytewise, arrays element
// by element, objects by equal keys and values. A []byte operand converts
// like a string (MySQL would make it an opaque value equal to nothing),
// keeping zksql's rule that binary and text strings compare alike. ->>
// and JSON_UNQUOTE give plain strings.
//
// JSON_UNQUOTE(j) gives a JSON string's contents (text that is not a
// quoted JSON string unchanged); JSON_TYPE(j) OBJECT, ARRAY, STRING,
// INTEGER, DOUBLE, BOOLEAN or NULL; JSON_LENGTH(j[, path]) the elements
// of an array, members of an object or 1; JSON_KEYS(j[, path]) an
// object's keys as a JSON array (NULL for others); JSON_CONTAINS(j,
// candidate[, path]) 1 when candidate (JSON text) is contained in j by
// MySQL's rules; JSON_VALID(x) 1 for valid JSON text. Their paths may not
// hold wildcards or ranges; a path that matches nothing gives NULL.
//
// # Aggregates
//
// A Group evaluates aggregates over the rows added to it. COUNT(*) counts
// rows, COUNT(x) non-NULL values, COUNT(DISTINCT x) distinct ones (under
// Key's equality). SUM gives an int64 while every value is an integer and
// the total fits, else a float64 (MySQL gives DECIMAL); AVG gives a
// float64; MIN and MAX use Compare. Over no rows COUNT is 0 and the others
// NULL. Plain columns in a grouped expression take the group's first row's
// value. The parser refuses queries where that value would be arbitrary
// (MySQL's ONLY_FULL_GROUP_BY): a plain column is grouped, or every key
// column of the table is.
//
// # VALUES(col)
//
// VALUES(col) in ON DUPLICATE KEY UPDATE reads the value being inserted
// from the Row, which must implement InsertedRow. Columns does not list
// such columns (they are not read from the stored row); InsertedColumns
// does.
//
// # Errors
//
// Errors are *Error values whose text names the problem and the expression
// it occurred in, e.g. `eval: LENGTH takes 1 argument, got 2 in LENGTH(a,
// b)`. Evaluation never panics: malformed trees are reported as errors.
package eval
