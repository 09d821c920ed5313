package parser

import "strings"

// Type is the SQL type of a column. The set is deliberately tiny: every
// column maps onto one field of a ZooKeeper Stat, ACL or znode, and the
// driver converts values with these types in mind.
type Type int

// Column types.
const (
	TypeText      Type = iota + 1 // string
	TypeBlob                      // []byte
	TypeInt32                     // int32 (reported as int64 by the driver)
	TypeBigInt                    // int64
	TypeTimestamp                 // time.Time (milliseconds since the epoch in ZooKeeper)
	TypeDouble                    // float64 (system tables: average latencies)
)

// String returns the type's SQL name, as shown by DESCRIBE.
func (t Type) String() string {
	switch t {
	case TypeText:
		return "TEXT"
	case TypeBlob:
		return "BLOB"
	case TypeInt32:
		return "INT32"
	case TypeBigInt:
		return "BIGINT"
	case TypeTimestamp:
		return "TIMESTAMP"
	case TypeDouble:
		return "DOUBLE"
	}
	return "UNKNOWN"
}

// ColumnDef describes one column of a zksql table. The flags encode which
// statements may mention the column, so the whole write surface of the
// dialect is visible here rather than scattered through the converter.
type ColumnDef struct {
	Name       string // lower case
	Type       Type
	PrimaryKey bool // part of the row's identity
	Insertable bool // may appear in an INSERT column list
	Required   bool // must appear in an INSERT column list
	Updatable  bool // may be assigned by UPDATE / ON DUPLICATE KEY UPDATE
	Nullable   bool // may be NULL (system tables; znodes' are known to the driver)
}

// TableDef describes one zksql table.
type TableDef struct {
	Name    string // lower case
	Columns []ColumnDef
	// ReadOnly tables (the system tables, systables.go) refuse INSERT,
	// UPDATE and DELETE.
	ReadOnly bool
}

// Column returns the named column (case-insensitive).
func (t TableDef) Column(name string) (ColumnDef, bool) {
	name = strings.ToLower(name)
	for _, c := range t.Columns {
		if c.Name == name {
			return c, true
		}
	}
	return ColumnDef{}, false
}

// ColumnNames returns the column names in table order, which is also the
// order in which SELECT * expands.
func (t TableDef) ColumnNames() []string {
	out := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		out[i] = c.Name
	}
	return out
}

// Table names.
const (
	TableZnodes = "znodes"
	TableACLs   = "acls"
)

// tables is the schema. It is unexported so that callers cannot mutate it;
// Tables and LookupTable hand out copies.
var tables = []TableDef{
	{Name: TableZnodes, Columns: []ColumnDef{
		{Name: "path", Type: TypeText, PrimaryKey: true, Insertable: true, Required: true},
		{Name: "name", Type: TypeText},
		{Name: "parent", Type: TypeText},
		{Name: "data", Type: TypeBlob, Insertable: true, Updatable: true},
		{Name: "version", Type: TypeInt32},
		{Name: "cversion", Type: TypeInt32},
		{Name: "aversion", Type: TypeInt32},
		{Name: "czxid", Type: TypeBigInt},
		{Name: "mzxid", Type: TypeBigInt},
		{Name: "pzxid", Type: TypeBigInt},
		{Name: "ctime", Type: TypeTimestamp},
		{Name: "mtime", Type: TypeTimestamp},
		{Name: "ephemeral_owner", Type: TypeBigInt},
		{Name: "data_length", Type: TypeInt32},
		{Name: "num_children", Type: TypeInt32},
		{Name: "mode", Type: TypeText, Insertable: true},
		{Name: "ttl", Type: TypeBigInt, Insertable: true},
	}},
	{Name: TableACLs, Columns: []ColumnDef{
		{Name: "path", Type: TypeText, PrimaryKey: true, Insertable: true, Required: true},
		{Name: "scheme", Type: TypeText, PrimaryKey: true, Insertable: true, Required: true, Updatable: true},
		{Name: "id", Type: TypeText, PrimaryKey: true, Insertable: true, Required: true, Updatable: true},
		{Name: "perms", Type: TypeText, Insertable: true, Required: true, Updatable: true},
	}},
}

// Tables returns a copy of the schema: every table zksql exposes.
func Tables() []TableDef {
	out := make([]TableDef, len(tables))
	for i, t := range tables {
		out[i] = TableDef{Name: t.Name, Columns: append([]ColumnDef(nil), t.Columns...), ReadOnly: t.ReadOnly}
	}
	return out
}

// LookupTable returns the named table (case-insensitive).
func LookupTable(name string) (TableDef, bool) {
	name = strings.ToLower(name)
	for _, t := range tables {
		if t.Name == name {
			return TableDef{Name: t.Name, Columns: append([]ColumnDef(nil), t.Columns...), ReadOnly: t.ReadOnly}, true
		}
	}
	return TableDef{}, false
}
