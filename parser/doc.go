// Package parser turns one SQL statement into zksql's own small, closed
// AST, refusing everything outside the zksql dialect with an *Error that
// names the construct and its byte offset.
//
// It is the only package of zksql that imports
// github.com/xwb1989/sqlparser; no sqlparser type appears in its API. The
// driver plans the AST (Statement, Expr and their concrete types) into
// ZooKeeper operations.
//
// # Tables
//
// The schema is fixed (see Tables and LookupTable):
//
//	znodes: path TEXT (primary key), name TEXT, parent TEXT, data BLOB,
//	        version INT32, cversion INT32, aversion INT32,
//	        czxid BIGINT, mzxid BIGINT, pzxid BIGINT,
//	        ctime TIMESTAMP, mtime TIMESTAMP, ephemeral_owner BIGINT,
//	        data_length INT32, num_children INT32, mode TEXT, ttl BIGINT
//	acls:   path TEXT, scheme TEXT, id TEXT, perms TEXT
//
// Table and column names are case-insensitive and may be backquoted;
// columns may be qualified by the table name or its alias.
//
// # Statements
//
//	SELECT [DISTINCT] items [FROM table [[AS] alias]] [WHERE cond]
//	       [GROUP BY expr, ...] [HAVING cond] [ORDER BY expr [ASC|DESC], ...]
//	       [LIMIT n | LIMIT offset, n | LIMIT n OFFSET offset]
//	INSERT INTO table (col, ...) VALUES (...), ... [ON DUPLICATE KEY UPDATE col = expr, ...]
//	UPDATE table SET col = expr, ... [WHERE cond]
//	DELETE FROM table [WHERE cond]
//	SHOW TABLES
//	DESCRIBE table | DESC table | EXPLAIN table | SHOW COLUMNS|FIELDS FROM|IN table
//	EXPLAIN|DESCRIBE SELECT|INSERT|UPDATE|DELETE ...
//	BEGIN | START TRANSACTION | COMMIT | ROLLBACK
//
// Select items are `*`, `table.*` or expressions with optional aliases.
// ORDER BY and GROUP BY accept expressions, select-list aliases and 1-based
// positions (an alias wins over a column of the same name); HAVING accepts
// aliases (there a column wins). LIMIT operands are integer literals or
// placeholders. INSERT needs a column list: znodes accepts path (required),
// data, mode and ttl; acls needs all four columns. UPDATE and ON DUPLICATE
// KEY UPDATE may assign znodes.data and acls.scheme, id and perms;
// VALUES(col) in ON DUPLICATE KEY UPDATE names the value being inserted.
// For znodes, the planner reads `version = N` in an UPDATE's WHERE as a
// compare-and-set. WHERE is optional everywhere; refusing unbounded writes
// is the planner's decision.
//
// # Expressions
//
//   - literals: 'string' and "string", integers, decimals and floats,
//     X'hex' and 0xhex (both []byte), NULL, TRUE, FALSE;
//   - placeholders: ? (numbered 1, 2, ... in order) or :name — not both in one
//     statement; a name begins with a letter and holds letters, digits and _
//     (what sql.Named accepts); see ParamsOf;
//   - AND, OR, NOT (and !), = != <> < <= > >=, [NOT] LIKE ... [ESCAPE ...],
//     [NOT] REGEXP, [NOT] IN (value, ...), [NOT] BETWEEN ... AND ...,
//     IS [NOT] NULL, + - * / % (and MOD), unary minus;
//   - LENGTH(x), SUBSTRING(col, pos[, len]) / SUBSTR / SUBSTRING(col FROM pos FOR len),
//     CONCAT(x, ...), LOWER(x), UPPER(x), CAST(x AS CHAR|BINARY|SIGNED|UNSIGNED|DATETIME|JSON)
//     (CONVERT(x, type) too), JSON_EXTRACT(doc, path), col -> path, col ->> path;
//   - COALESCE(x, ...), IFNULL(x, y), NULLIF(x, y), IF(c, x, y),
//     CASE [x] WHEN ... THEN ... [ELSE ...] END (both forms), CONCAT_WS(sep, x, ...),
//     HEX(x), UNHEX(s), NOW([fsp]) (also CURRENT_TIMESTAMP, LOCALTIME,
//     LOCALTIMESTAMP), UTC_TIMESTAMP, UNIX_TIMESTAMP([t]), FROM_UNIXTIME(n),
//     JSON_UNQUOTE(j), JSON_TYPE(j), JSON_LENGTH(j[, path]), JSON_KEYS(j[, path]),
//     JSON_CONTAINS(j, candidate[, path]), JSON_VALID(x);
//   - aggregates in the select list, HAVING and ORDER BY: COUNT(*),
//     COUNT([DISTINCT] x), SUM, MIN, MAX, AVG([DISTINCT] x).
//
// # Refused
//
// JOINs of any kind (and comma joins), subqueries, EXISTS, UNION, DDL
// (CREATE, ALTER, DROP, TRUNCATE, RENAME), SET, USE, LOCK, REPLACE, INSERT
// IGNORE, INSERT ... SELECT, UPDATE/DELETE with ORDER BY or LIMIT,
// multi-table DELETE, SELECT ... FOR UPDATE, index hints, partitions,
// INTERVAL, COLLATE, bit operators, <=>, DIV, IS TRUE/FALSE, row
// constructors, variables, bit literals, list placeholders (::name),
// MySQL-specific /*! */ comments, unknown functions, tables and columns,
// and a second statement after ';'.
//
// # Errors and limits
//
// Every error is an *Error carrying the statement, the byte offset (plus
// line and column) of the offending token, that token's text, an
// ErrorKind and a message, e.g.
//
//	zksql: syntax error at position 21 near 'JOIN': JOIN is not supported: ... (statement: SELECT ...)
//
// Statements longer than MaxStatementBytes, parentheses nested deeper than
// MaxParenNesting and expression trees deeper than MaxExprDepth are refused
// (KindLimit), so hostile input cannot exhaust the stack.
//
// # sqlparser quirks handled here
//
// sqlparser rewrites ? to :v1, :v2, ...; Parse maps them back to ordinals.
// It drops the backslash of the \% and \_ string escapes, which MySQL
// keeps for LIKE; Parse preserves it. It cannot parse DESCRIBE, EXPLAIN or
// SHOW COLUMNS usefully, so Parse reads those itself. Its SUBSTRING only
// accepts a column as the first argument; Parse hands comma-form SUBSTRING
// calls to sqlparser as generic function calls, so any expression works
// there. Parse always uses sqlparser.ParseStrictDDL: the lenient
// sqlparser.Parse silently accepts half-parsed DDL.
package parser
