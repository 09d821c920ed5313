package main

import (
	"context"
	"unicode/utf8"

	"github.com/dolthub/go-mysql-server/sql"
	"github.com/dolthub/go-mysql-server/sql/types"
	"github.com/dolthub/vitess/go/sqltypes"
	"github.com/dolthub/vitess/go/vt/proto/query"

	"github.com/zksql/zksql/zkstore"
)

// Column types. Paths compare as binary UTF-8 (utf8mb4_0900_bin), which is
// ZooKeeper's order and what makes a LIKE prefix a range of paths.
var (
	pathType     = types.MustCreateString(sqltypes.VarChar, 4096, sql.Collation_utf8mb4_0900_bin)
	shortText    = types.MustCreateString(sqltypes.VarChar, 64, sql.Collation_utf8mb4_0900_bin)
	datetimeType = types.MustCreateDatetimeType(query.Type_DATETIME, 3)
)

// Column positions in the znodes schema.
const (
	colPath = iota
	colName
	colParent
	colData
	colDataText
	colVersion
	colCversion
	colAversion
	colCzxid
	colMzxid
	colPzxid
	colCtime
	colMtime
	colEphemeralOwner
	colDataLength
	colNumChildren
	colMode
)

func znodesSchema() sql.Schema {
	c := func(name string, typ sql.Type, nullable bool, comment string) *sql.Column {
		return &sql.Column{Name: name, Type: typ, Nullable: nullable, Source: "znodes", Comment: comment}
	}
	s := sql.Schema{
		c("path", pathType, false, "absolute path; the primary key"),
		c("name", pathType, false, "last path element; empty for /"),
		c("parent", pathType, true, "parent path; NULL for /"),
		c("data", types.LongBlob, false, "the znode's data"),
		c("data_text", types.LongText, true, "data as UTF-8 text; NULL when it is not valid UTF-8"),
		c("version", types.Int32, false, "data version"),
		c("cversion", types.Int32, false, "children version"),
		c("aversion", types.Int32, false, "ACL version"),
		c("czxid", types.Int64, false, "zxid of the create"),
		c("mzxid", types.Int64, false, "zxid of the last data change"),
		c("pzxid", types.Int64, false, "zxid of the last children change"),
		c("ctime", datetimeType, false, "creation time, UTC"),
		c("mtime", datetimeType, false, "last data change, UTC"),
		c("ephemeral_owner", types.Int64, false, "owning session of an ephemeral, else 0"),
		c("data_length", types.Int32, false, "length of data"),
		c("num_children", types.Int32, false, "number of children"),
		c("mode", shortText, false, "persistent or ephemeral, as the Stat tells"),
	}
	s[colPath].PrimaryKey = true
	// Only path is required: an INSERT names path and data (or data_text)
	// and perhaps mode; ZooKeeper fills in the rest.
	for _, col := range s[1:] {
		col.Nullable = true
	}
	return s
}

// znodeRow is one znode as a row of znodesSchema.
func znodeRow(path string, data []byte, st zkstore.Stat) sql.Row {
	var parent, text any
	if path != "/" {
		parent = zkstore.Parent(path)
	}
	if data == nil {
		data = []byte{}
	}
	if utf8.Valid(data) {
		text = string(data)
	}
	mode := "persistent"
	if st.Kind() == zkstore.KindEphemeral {
		mode = "ephemeral"
	}
	name := ""
	if path != "/" {
		name = zkstore.Base(path)
	}
	return sql.Row{
		path, name, parent, data, text,
		st.Version, st.Cversion, st.Aversion,
		st.Czxid, st.Mzxid, st.Pzxid,
		st.CreateTime(), st.ModifyTime(),
		st.EphemeralOwner, st.DataLength, st.NumChildren, mode,
	}
}

// table is znodes or acls: the two differ in schema, indexes and what one
// znode contributes.
type table struct {
	gw      *gateway
	name    string
	comment string
	schema  sql.PrimaryKeySchema
	indexes []*zkIndex
	fetch   func(gw *gateway) fetchFunc
	lookup  *sql.IndexLookup // set on the IndexedTable handed out by IndexedAccess
}

var (
	_ sql.Table                 = (*table)(nil)
	_ sql.IndexAddressableTable = (*table)(nil)
	_ sql.IndexedTable          = (*table)(nil)
	_ sql.PrimaryKeyTable       = (*table)(nil)
	_ sql.CommentedTable        = (*table)(nil)
)

func newZnodesTable(gw *gateway) *table {
	s := znodesSchema()
	return &table{
		gw:      gw,
		name:    "znodes",
		comment: "one row per znode",
		schema:  sql.NewPrimaryKeySchema(s, colPath),
		indexes: []*zkIndex{
			{db: gw.cfg.Database, table: "znodes", id: "PRIMARY", column: "path", typ: pathType, unique: true},
			{db: gw.cfg.Database, table: "znodes", id: "parent", column: "parent", typ: pathType},
		},
		fetch: func(gw *gateway) fetchFunc {
			return func(ctx context.Context, path string) ([]sql.Row, error) {
				data, st, err := gw.store.Get(ctx, path)
				if err != nil {
					return nil, err
				}
				return []sql.Row{znodeRow(path, data, st)}, nil
			}
		},
	}
}

func (t *table) Name() string                           { return t.name }
func (t *table) String() string                         { return t.name }
func (t *table) Comment() string                        { return t.comment }
func (t *table) Schema() sql.Schema                     { return t.schema.Schema }
func (t *table) PrimaryKeySchema() sql.PrimaryKeySchema { return t.schema }
func (t *table) Collation() sql.CollationID             { return sql.Collation_utf8mb4_0900_bin }

// partition is the one partition of a scan; the work is in the tasks.
type partition struct{ tasks []task }

func (partition) Key() []byte { return []byte("zk") }

func (t *table) Partitions(*sql.Context) (sql.PartitionIter, error) {
	if t.lookup != nil {
		return t.LookupPartitions(nil, *t.lookup)
	}
	return sql.PartitionsToPartitionIter(partition{tasks: []task{{path: "/", kind: walkTree}}}), nil
}

func (t *table) PartitionRows(_ *sql.Context, p sql.Partition) (sql.RowIter, error) {
	return newScanIter(t.gw, t.fetch(t.gw), p.(partition).tasks), nil
}

func (t *table) GetIndexes(*sql.Context) ([]sql.Index, error) {
	out := make([]sql.Index, len(t.indexes))
	for i, x := range t.indexes {
		out[i] = x
	}
	return out, nil
}

// PreciseMatch is false: lookups read supersets (see lookupTasks) and the
// engine must keep filtering.
func (t *table) PreciseMatch() bool { return false }

func (t *table) IndexedAccess(_ *sql.Context, lookup sql.IndexLookup) sql.IndexedTable {
	if _, ok := lookup.Index.(*zkIndex); !ok {
		return nil
	}
	c := *t
	c.lookup = &lookup
	return &c
}

func (t *table) LookupPartitions(_ *sql.Context, lookup sql.IndexLookup) (sql.PartitionIter, error) {
	idx, ok := lookup.Index.(*zkIndex)
	if !ok {
		return sql.PartitionsToPartitionIter(partition{tasks: []task{{path: "/", kind: walkTree}}}), nil
	}
	return sql.PartitionsToPartitionIter(partition{tasks: lookupTasks(idx, lookup)}), nil
}

func validPath(p string) bool { return zkstore.ValidatePath(p, false) == nil }
