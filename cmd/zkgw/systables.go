package main

import (
	"fmt"
	"io"
	"time"

	"github.com/dolthub/go-mysql-server/sql"
	"github.com/dolthub/go-mysql-server/sql/types"

	"github.com/zksql/zksql/driver"
	"github.com/zksql/zksql/parser"
)

// The system tables (servers, connections, session, watches, ephemerals,
// ensemble_config): read-only, their rows read from the store's
// zkstore.Introspector by driver.SystemTable with each scan, so that
// dashboards (Superset's datasets) see the ensemble like any table.

var systemTableComments = map[string]string{
	parser.TableServers:        "one row per ensemble member: role, reachability, version, latency and counts",
	parser.TableConnections:    "client connections each reachable server reports",
	parser.TableSession:        "the gateway's own ZooKeeper session",
	parser.TableWatches:        "watches the servers report (a live ZooKeeper lists data watches only)",
	parser.TableEphemerals:     "ephemeral znodes and their owning sessions",
	parser.TableEnsembleConfig: "members of the dynamic configuration in /zookeeper/config",
}

// sysTable is one system table.
type sysTable struct {
	gw     *gateway
	def    parser.TableDef
	schema sql.Schema
}

var (
	_ sql.Table          = (*sysTable)(nil)
	_ sql.CommentedTable = (*sysTable)(nil)
)

// systemTables builds every system table for gw.
func systemTables(gw *gateway) []*sysTable {
	var out []*sysTable
	for _, def := range parser.Tables() {
		if !parser.IsSystemTable(def.Name) {
			continue
		}
		t := &sysTable{gw: gw, def: def}
		for _, c := range def.Columns {
			t.schema = append(t.schema, &sql.Column{
				Name:       c.Name,
				Type:       sysType(c.Type),
				Nullable:   c.Nullable,
				Source:     def.Name,
				PrimaryKey: c.PrimaryKey,
			})
		}
		out = append(out, t)
	}
	return out
}

func sysType(t parser.Type) sql.Type {
	switch t {
	case parser.TypeInt32:
		return types.Int32
	case parser.TypeBigInt:
		return types.Int64
	case parser.TypeDouble:
		return types.Float64
	case parser.TypeTimestamp:
		return datetimeType
	}
	return pathType
}

func (t *sysTable) Name() string               { return t.def.Name }
func (t *sysTable) String() string             { return t.def.Name }
func (t *sysTable) Comment() string            { return systemTableComments[t.def.Name] }
func (t *sysTable) Schema() sql.Schema         { return t.schema }
func (t *sysTable) Collation() sql.CollationID { return sql.Collation_utf8mb4_0900_bin }

func (t *sysTable) Partitions(*sql.Context) (sql.PartitionIter, error) {
	return sql.PartitionsToPartitionIter(partition{}), nil
}

func (t *sysTable) PartitionRows(ctx *sql.Context, _ sql.Partition) (sql.RowIter, error) {
	qctx, cancel := t.gw.queryContext(ctx)
	defer cancel()
	vals, err := driver.SystemTable(qctx, t.gw.store, t.def.Name)
	if err != nil {
		return nil, t.gw.storeErr(qctx, err)
	}
	rows := make([]sql.Row, len(vals))
	for i, v := range vals {
		r := make(sql.Row, len(v))
		for j, x := range v {
			r[j], err = sysValue(t.def.Columns[j].Type, x)
			if err != nil {
				return nil, fmt.Errorf("zkgw: table %s column %s: %w", t.def.Name, t.def.Columns[j].Name, err)
			}
		}
		rows[i] = r
	}
	return &sysRowIter{rows: rows}, nil
}

// sysValue converts a driver value to the column type's Go type.
func sysValue(t parser.Type, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch t {
	case parser.TypeInt32:
		n, ok := v.(int64)
		if !ok {
			return nil, fmt.Errorf("value of type %T", v)
		}
		return int32(n), nil
	case parser.TypeTimestamp:
		tm, ok := v.(time.Time)
		if !ok {
			return nil, fmt.Errorf("value of type %T", v)
		}
		return tm.UTC(), nil
	}
	return v, nil
}

type sysRowIter struct{ rows []sql.Row }

func (it *sysRowIter) Next(*sql.Context) (sql.Row, error) {
	if len(it.rows) == 0 {
		return nil, io.EOF
	}
	r := it.rows[0]
	it.rows = it.rows[1:]
	return r, nil
}

func (it *sysRowIter) Close(*sql.Context) error { return nil }
