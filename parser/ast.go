package parser

// Node is any node of the zksql AST. String returns normalized SQL that
// parses back to an equal node, which makes it usable in EXPLAIN output and
// in error messages.
type Node interface {
	String() string
	node()
}

// Statement is one parsed statement. The set of implementations is closed:
// *Select, *Insert, *Update, *Delete, *ShowTables, *Describe, *Explain,
// *Begin, *Commit and *Rollback.
type Statement interface {
	Node
	stmt()
}

// Select is SELECT [DISTINCT] items [FROM table] [WHERE ...] [GROUP BY ...]
// [HAVING ...] [ORDER BY ...] [LIMIT ...].
//
// ORDER BY and GROUP BY items that name a select-list alias or position are
// replaced by the referenced expression (with * expanded in table order),
// so the planner never has to resolve names itself. Aliases used in HAVING
// are resolved the same way, except that there a table column of the same
// name wins. Substituted expressions share nodes with
// Items; treat the tree as read-only.
type Select struct {
	Distinct bool
	Items    []SelectItem
	From     string // table name (lower case); "" when there is no FROM clause
	Where    Expr   // nil when absent
	GroupBy  []Expr
	Having   Expr // nil when absent
	OrderBy  []OrderItem
	Limit    *Limit // nil when absent
}

// SelectItem is one entry of the select list. Expr is *Star for `*`.
type SelectItem struct {
	Expr  Expr
	Alias string // as written (identifiers are compared case-insensitively); "" when absent
}

// Name is the result-column name: the alias if any, else the column name
// for a plain column reference, else the normalized expression text.
func (it SelectItem) Name() string {
	switch {
	case it.Alias != "":
		return it.Alias
	case isColumn(it.Expr):
		return it.Expr.(*Column).Name
	}
	return it.Expr.String()
}

// OrderItem is one ORDER BY key.
type OrderItem struct {
	Expr Expr
	Desc bool
}

// Limit is LIMIT Count [OFFSET Offset]. Count and Offset are each either a
// *Literal holding a non-negative int64 or a *Param.
type Limit struct {
	Count  Expr
	Offset Expr // nil when absent
}

// Insert is INSERT INTO table (columns) VALUES (...), ... [ON DUPLICATE KEY
// UPDATE ...]. Every row has exactly len(Columns) values; the values never
// reference columns. OnDuplicate, when non-nil, makes the statement an
// upsert; its values may reference columns of the existing row and
// VALUES(col) (*InsertedValue) for the row being inserted.
type Insert struct {
	Table string
	// Ignore is INSERT IGNORE: a row whose key already exists is skipped
	// (MySQL turns the duplicate-key error into a warning) instead of
	// failing the statement.
	Ignore      bool
	Columns     []string
	Rows        [][]Expr
	OnDuplicate []Assignment
}

// Assignment is `column = value` in UPDATE ... SET and ON DUPLICATE KEY UPDATE.
type Assignment struct {
	Column string
	Value  Expr
}

// Update is UPDATE table SET assignments [WHERE ...]. For znodes the planner
// treats `version = N` in WHERE as a compare-and-set.
type Update struct {
	Table string
	Set   []Assignment
	Where Expr // nil when absent
}

// Delete is DELETE FROM table [WHERE ...].
type Delete struct {
	Table string
	Where Expr // nil when absent
}

// ShowTables is SHOW TABLES.
type ShowTables struct{}

// Describe is DESCRIBE table, DESC table, EXPLAIN table or SHOW COLUMNS FROM table.
type Describe struct {
	Table string
}

// Explain is EXPLAIN (or DESCRIBE) followed by a SELECT, INSERT, UPDATE or DELETE.
type Explain struct {
	Stmt Statement
}

// Begin is BEGIN or START TRANSACTION.
type Begin struct{}

// Commit is COMMIT.
type Commit struct{}

// Rollback is ROLLBACK.
type Rollback struct{}

func (*Select) node()     {}
func (*Insert) node()     {}
func (*Update) node()     {}
func (*Delete) node()     {}
func (*ShowTables) node() {}
func (*Describe) node()   {}
func (*Explain) node()    {}
func (*Begin) node()      {}
func (*Commit) node()     {}
func (*Rollback) node()   {}

func (*Select) stmt()     {}
func (*Insert) stmt()     {}
func (*Update) stmt()     {}
func (*Delete) stmt()     {}
func (*ShowTables) stmt() {}
func (*Describe) stmt()   {}
func (*Explain) stmt()    {}
func (*Begin) stmt()      {}
func (*Commit) stmt()     {}
func (*Rollback) stmt()   {}
