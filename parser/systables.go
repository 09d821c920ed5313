package parser

// The system tables: read-only views of the ensemble (its servers, their
// client connections, this database's own session, watches, ephemerals
// and the dynamic configuration), answered by a store that can tell (see
// zkstore.Introspector).
const (
	TableServers        = "servers"
	TableConnections    = "connections"
	TableSession        = "session"
	TableWatches        = "watches"
	TableEphemerals     = "ephemerals"
	TableEnsembleConfig = "ensemble_config"
)

// IsSystemTable reports whether name is one of the system tables.
func IsSystemTable(name string) bool {
	switch name {
	case TableServers, TableConnections, TableSession, TableWatches, TableEphemerals, TableEnsembleConfig:
		return true
	}
	return false
}

func sysCol(name string, t Type) ColumnDef { return ColumnDef{Name: name, Type: t} }

func sysNull(name string, t Type) ColumnDef { return ColumnDef{Name: name, Type: t, Nullable: true} }

func sysKey(name string, t Type) ColumnDef { return ColumnDef{Name: name, Type: t, PrimaryKey: true} }

var systemTables = []TableDef{
	{Name: TableServers, ReadOnly: true, Columns: []ColumnDef{
		sysKey("host", TypeText),
		sysKey("port", TypeInt32),
		sysNull("server_id", TypeBigInt),
		sysNull("role", TypeText),
		sysCol("reachable", TypeInt32),
		sysNull("error", TypeText),
		sysNull("source", TypeText),
		sysNull("version", TypeText),
		sysNull("version_warning", TypeText),
		sysNull("last_zxid", TypeBigInt),
		sysNull("latency_min", TypeBigInt),
		sysNull("latency_avg", TypeDouble),
		sysNull("latency_max", TypeBigInt),
		sysNull("outstanding_requests", TypeBigInt),
		sysNull("alive_connections", TypeBigInt),
		sysNull("packets_received", TypeBigInt),
		sysNull("packets_sent", TypeBigInt),
		sysNull("znode_count", TypeBigInt),
		sysNull("watch_count", TypeBigInt),
		sysNull("ephemerals_count", TypeBigInt),
		sysNull("approximate_data_size", TypeBigInt),
		sysNull("open_fds", TypeBigInt),
		sysNull("max_fds", TypeBigInt),
		sysNull("uptime_ms", TypeBigInt),
		sysNull("synced_followers", TypeBigInt),
	}},
	{Name: TableConnections, ReadOnly: true, Columns: []ColumnDef{
		sysKey("server", TypeText),
		sysKey("client_address", TypeText),
		sysCol("session_id", TypeBigInt),
		sysNull("queued", TypeBigInt),
		sysNull("received", TypeBigInt),
		sysNull("sent", TypeBigInt),
		sysNull("last_operation", TypeText),
		sysNull("session_timeout_ms", TypeBigInt),
		sysNull("last_zxid", TypeBigInt),
		sysNull("established", TypeTimestamp),
		sysNull("latency_last", TypeBigInt),
		sysNull("latency_min", TypeBigInt),
		sysNull("latency_avg", TypeBigInt),
		sysNull("latency_max", TypeBigInt),
	}},
	{Name: TableSession, ReadOnly: true, Columns: []ColumnDef{
		sysKey("session_id", TypeBigInt),
		sysNull("server", TypeText),
		sysCol("state", TypeText),
		sysCol("timeout_ms", TypeBigInt),
		sysCol("timeout_negotiated", TypeInt32),
		sysNull("last_zxid", TypeBigInt),
		sysNull("connected_since", TypeTimestamp),
		sysCol("reconnects", TypeBigInt),
		sysCol("replaced_sessions", TypeBigInt),
	}},
	{Name: TableWatches, ReadOnly: true, Columns: []ColumnDef{
		sysCol("server", TypeText),
		sysKey("session_id", TypeBigInt),
		sysKey("path", TypeText),
		sysKey("kind", TypeText),
	}},
	{Name: TableEphemerals, ReadOnly: true, Columns: []ColumnDef{
		sysCol("server", TypeText),
		sysKey("session_id", TypeBigInt),
		sysKey("path", TypeText),
	}},
	{Name: TableEnsembleConfig, ReadOnly: true, Columns: []ColumnDef{
		sysKey("server_id", TypeBigInt),
		sysCol("host", TypeText),
		sysCol("quorum_port", TypeInt32),
		sysCol("election_port", TypeInt32),
		sysCol("role", TypeText),
		sysNull("client_host", TypeText),
		sysNull("client_port", TypeInt32),
		sysCol("config_version", TypeBigInt),
	}},
}

func init() { tables = append(tables, systemTables...) }

// readOnly refuses a write to a read-only table.
func (c *converter) readOnly(table *TableDef, verb string) *Error {
	if table == nil || !table.ReadOnly {
		return nil
	}
	return c.errWords(KindUnsupported, []string{table.Name}, "%s on table %s: the system tables are read-only", verb, table.Name)
}
