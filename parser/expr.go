package parser

// Expr is an expression. The set of implementations is closed: *Literal,
// *Column, *Param, *Star, *Unary, *Binary, *Like, *Regexp, *In, *Between,
// *IsNull, *Func, *Case, *Cast, *JSONExtract, *Aggregate and
// *InsertedValue.
type Expr interface {
	Node
	expr()
}

// Literal is a constant. Value is always a valid database/sql/driver.Value:
// nil (NULL), bool (TRUE/FALSE), int64, float64, string ('...') or []byte
// (X'..' and 0x.. literals).
type Literal struct {
	Value any
}

// Column references a column of the statement's table. Name is lower case;
// any table qualifier has been checked and dropped.
type Column struct {
	Name string
}

// Param is a placeholder. Exactly one of Ordinal (1-based, for `?`) and
// Name (for `:name`, without the colon) is set. A statement uses either
// `?` or `:name` placeholders, never both.
type Param struct {
	Ordinal int
	Name    string
}

// Star is `*` in a select list; it expands to every column of the table in
// TableDef order. It appears nowhere else (COUNT(*) is an *Aggregate with a
// nil Arg).
type Star struct{}

// UnaryOp is a prefix operator.
type UnaryOp string

// Unary operators. Unary plus is dropped and `!` is read as NOT.
const (
	OpNeg UnaryOp = "-"
	OpNot UnaryOp = "NOT"
)

// Unary is Op X.
type Unary struct {
	Op UnaryOp
	X  Expr
}

// BinaryOp is an infix operator.
type BinaryOp string

// Binary operators. `<>` is normalized to `!=`, `&&` to AND, `||` to OR
// and MOD to `%`.
const (
	OpAnd BinaryOp = "AND"
	OpOr  BinaryOp = "OR"
	OpEq  BinaryOp = "="
	OpNe  BinaryOp = "!="
	OpLt  BinaryOp = "<"
	OpLe  BinaryOp = "<="
	OpGt  BinaryOp = ">"
	OpGe  BinaryOp = ">="
	OpAdd BinaryOp = "+"
	OpSub BinaryOp = "-"
	OpMul BinaryOp = "*"
	OpDiv BinaryOp = "/"
	OpMod BinaryOp = "%"
)

// IsComparison reports whether op is one of = != < <= > >=.
func (op BinaryOp) IsComparison() bool {
	switch op {
	case OpEq, OpNe, OpLt, OpLe, OpGt, OpGe:
		return true
	}
	return false
}

// Binary is L Op R.
type Binary struct {
	Op   BinaryOp
	L, R Expr
}

// Like is X [NOT] LIKE Pattern [ESCAPE Escape].
type Like struct {
	X, Pattern Expr
	Escape     Expr // nil when absent (MySQL's default escape is '\')
	Not        bool
}

// Regexp is X [NOT] REGEXP Pattern.
type Regexp struct {
	X, Pattern Expr
	Not        bool
}

// In is X [NOT] IN (List...). Only value lists are accepted, no subqueries.
type In struct {
	X    Expr
	List []Expr
	Not  bool
}

// Between is X [NOT] BETWEEN Lo AND Hi.
type Between struct {
	X, Lo, Hi Expr
	Not       bool
}

// IsNull is X IS [NOT] NULL.
type IsNull struct {
	X   Expr
	Not bool
}

// FuncName names a scalar function.
type FuncName string

// Scalar functions. SUBSTR is normalized to SUBSTRING; CURRENT_TIMESTAMP,
// LOCALTIME and LOCALTIMESTAMP to NOW.
const (
	FuncLength    FuncName = "LENGTH"    // LENGTH(x): length in bytes
	FuncSubstring FuncName = "SUBSTRING" // SUBSTRING(col, pos[, len]): 1-based
	FuncConcat    FuncName = "CONCAT"    // CONCAT(x, ...)
	FuncLower     FuncName = "LOWER"     // LOWER(x)
	FuncUpper     FuncName = "UPPER"     // UPPER(x)

	FuncCoalesce FuncName = "COALESCE"  // COALESCE(x, ...): the first non-NULL argument
	FuncIfNull   FuncName = "IFNULL"    // IFNULL(x, y)
	FuncNullIf   FuncName = "NULLIF"    // NULLIF(x, y): NULL if x = y, else x
	FuncIf       FuncName = "IF"        // IF(cond, then, else)
	FuncConcatWS FuncName = "CONCAT_WS" // CONCAT_WS(sep, x, ...): skips NULLs
	FuncHex      FuncName = "HEX"       // HEX(x)
	FuncUnhex    FuncName = "UNHEX"     // UNHEX(s): a binary string

	FuncNow           FuncName = "NOW"            // NOW([fsp]): the statement's start, UTC
	FuncUTCTimestamp  FuncName = "UTC_TIMESTAMP"  // UTC_TIMESTAMP()
	FuncUnixTimestamp FuncName = "UNIX_TIMESTAMP" // UNIX_TIMESTAMP([t])
	FuncFromUnixtime  FuncName = "FROM_UNIXTIME"  // FROM_UNIXTIME(n)

	FuncJSONUnquote  FuncName = "JSON_UNQUOTE"  // JSON_UNQUOTE(j)
	FuncJSONType     FuncName = "JSON_TYPE"     // JSON_TYPE(j)
	FuncJSONLength   FuncName = "JSON_LENGTH"   // JSON_LENGTH(j[, path])
	FuncJSONKeys     FuncName = "JSON_KEYS"     // JSON_KEYS(j[, path])
	FuncJSONContains FuncName = "JSON_CONTAINS" // JSON_CONTAINS(target, candidate[, path])
	FuncJSONValid    FuncName = "JSON_VALID"    // JSON_VALID(x)
)

// Func is a scalar function call; the argument count has been checked.
type Func struct {
	Name FuncName
	Args []Expr
}

// Case is CASE [Operand] WHEN ... THEN ... [ELSE Else] END. With an
// Operand (the simple form) each When's Cond is compared with it by =;
// without one (the searched form) each Cond is a truth test. Else is nil
// when absent, which yields NULL.
type Case struct {
	Operand Expr
	Whens   []When
	Else    Expr
}

// When is one WHEN Cond THEN Result arm of a Case.
type When struct {
	Cond, Result Expr
}

// CastType is the target of CAST(x AS type) / CONVERT(x, type).
type CastType string

// Cast targets. `SIGNED INTEGER` and `UNSIGNED INTEGER` are the same as
// SIGNED and UNSIGNED.
const (
	CastChar     CastType = "CHAR"     // to string
	CastBinary   CastType = "BINARY"   // to []byte
	CastSigned   CastType = "SIGNED"   // to int64
	CastUnsigned CastType = "UNSIGNED" // to a non-negative int64
	CastDatetime CastType = "DATETIME" // to time.Time
	CastJSON     CastType = "JSON"     // to a JSON document
)

// Cast is CAST(X AS Type).
type Cast struct {
	X    Expr
	Type CastType
}

// JSONExtract is JSON_EXTRACT(X, Path), X -> Path, or (Unquote) X ->> Path.
type JSONExtract struct {
	X, Path Expr
	Unquote bool
}

// AggFunc names an aggregate function.
type AggFunc string

// Aggregate functions.
const (
	AggCount AggFunc = "COUNT"
	AggSum   AggFunc = "SUM"
	AggMin   AggFunc = "MIN"
	AggMax   AggFunc = "MAX"
	AggAvg   AggFunc = "AVG"
)

// Aggregate is an aggregate call: COUNT(*) (Arg nil), COUNT([DISTINCT] x),
// SUM/MIN/MAX/AVG([DISTINCT] x). Aggregates occur only in the select list,
// HAVING and ORDER BY of a SELECT, and never nest.
type Aggregate struct {
	Func     AggFunc
	Distinct bool
	Arg      Expr // nil for COUNT(*)
}

// InsertedValue is VALUES(col) in ON DUPLICATE KEY UPDATE: the value the
// INSERT tried to write to Column.
type InsertedValue struct {
	Column string
}

func (*Literal) node()       {}
func (*Column) node()        {}
func (*Param) node()         {}
func (*Star) node()          {}
func (*Unary) node()         {}
func (*Binary) node()        {}
func (*Like) node()          {}
func (*Regexp) node()        {}
func (*In) node()            {}
func (*Between) node()       {}
func (*IsNull) node()        {}
func (*Func) node()          {}
func (*Case) node()          {}
func (*Cast) node()          {}
func (*JSONExtract) node()   {}
func (*Aggregate) node()     {}
func (*InsertedValue) node() {}

func (*Literal) expr()       {}
func (*Column) expr()        {}
func (*Param) expr()         {}
func (*Star) expr()          {}
func (*Unary) expr()         {}
func (*Binary) expr()        {}
func (*Like) expr()          {}
func (*Regexp) expr()        {}
func (*In) expr()            {}
func (*Between) expr()       {}
func (*IsNull) expr()        {}
func (*Func) expr()          {}
func (*Case) expr()          {}
func (*Cast) expr()          {}
func (*JSONExtract) expr()   {}
func (*Aggregate) expr()     {}
func (*InsertedValue) expr() {}

func isColumn(e Expr) bool {
	_, ok := e.(*Column)
	return ok
}
