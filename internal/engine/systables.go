package engine

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/zksql/zksql/internal/eval"
	"github.com/zksql/zksql/parser"
	"github.com/zksql/zksql/zkstore"
)

// The system tables (servers, connections, session, watches, ephemerals,
// ensemble_config) are read-only rows built from what the store reports
// through zkstore.Introspector. They are small (one row per member,
// connection, watch or ephemeral), so each statement asks the store once
// and then filters, groups and sorts the rows in memory like any other:
// the whole SELECT dialect applies. EXPLAIN describes them
// (explainSystem).

// ErrNoIntrospection is the error of a system table on a store that
// cannot report on its servers (a zkstore.Store without
// zkstore.Introspector, or a wrapper that does not forward it).
var ErrNoIntrospection = errors.New("zksql: this store cannot report on its servers (it does not implement zkstore.Introspector)")

func init() {
	for _, t := range parser.Tables() {
		if parser.IsSystemTable(t.Name) {
			knownTables[t.Name] = t
		}
	}
}

// systemNullable reports whether a system table's column can be NULL.
func systemNullable(table, col string) bool {
	if !parser.IsSystemTable(table) {
		return false
	}
	if c, ok := knownTables[table].Column(col); ok {
		return c.Nullable
	}
	return false
}

// sysRow is one row of a system table: column name to value, a missing
// column being NULL.
type sysRow map[string]any

func (r sysRow) Value(col string) (any, error) { return r[col], nil }

// systemSource reads a system table and yields the rows where holds.
func (e *env) systemSource(table string, where parser.Expr) (rowIter, error) {
	rs, err := e.systemRows(table)
	if err != nil {
		return nil, fmt.Errorf("zksql: reading table %s: %w", table, err)
	}
	i := 0
	return func() (eval.Row, error) {
		for i < len(rs) {
			r := rs[i]
			i++
			if where == nil {
				return r, nil
			}
			v, err := eval.Eval(where, r, e.args)
			if err != nil {
				return nil, err
			}
			if eval.Truth(v) {
				return r, nil
			}
		}
		return nil, nil
	}, nil
}

func (e *env) systemRows(table string) ([]sysRow, error) {
	var replaced int64
	if e.c != nil && e.c.c != nil {
		e.c.c.mu.Lock()
		replaced = e.c.c.replaced
		e.c.c.mu.Unlock()
	}
	return systemRows(e.ctx, e.st, table, replaced)
}

// SystemTable reads a system table (parser.IsSystemTable) from st as
// SELECT * would: each row has one value per column of the table's
// definition (parser.LookupTable), in order, nil for NULL; INT32 and
// BIGINT values are int64, DOUBLE float64, TIMESTAMP time.Time. The
// session table's replaced_sessions is 0: st is one session. For
// programs that serve the tables their own way, such as cmd/zkgw.
func SystemTable(ctx context.Context, st zkstore.Store, table string) ([][]any, error) {
	def, ok := knownTables[table]
	if !ok || !parser.IsSystemTable(table) {
		return nil, zerrorf("unknown system table %s", table)
	}
	rs, err := systemRows(ctx, st, table, 0)
	if err != nil {
		return nil, fmt.Errorf("zksql: reading table %s: %w", table, err)
	}
	out := make([][]any, len(rs))
	for i, r := range rs {
		vals := make([]any, len(def.Columns))
		for j, c := range def.Columns {
			vals[j] = r[c.Name]
		}
		out[i] = vals
	}
	return out, nil
}

func systemRows(ctx context.Context, st zkstore.Store, table string, replaced int64) ([]sysRow, error) {
	in, ok := st.(zkstore.Introspector)
	if !ok {
		return nil, ErrNoIntrospection
	}
	switch table {
	case parser.TableServers:
		return serverRows(ctx, in)
	case parser.TableConnections:
		cs, err := in.Connections(ctx)
		if err != nil {
			return nil, err
		}
		out := make([]sysRow, len(cs))
		for i, c := range cs {
			out[i] = sysRow{
				"server":             c.Server,
				"client_address":     c.ClientAddress,
				"session_id":         c.SessionID,
				"queued":             nullInt(c.Queued),
				"received":           nullInt(c.Received),
				"sent":               nullInt(c.Sent),
				"last_operation":     nullText(c.LastOperation),
				"session_timeout_ms": nullMillis(c.SessionTimeout),
				"last_zxid":          nullInt(c.LastZxid),
				"established":        nullTime(c.Established),
				"latency_last":       nullInt(c.LatencyLast),
				"latency_min":        nullInt(c.LatencyMin),
				"latency_avg":        nullInt(c.LatencyAvg),
				"latency_max":        nullInt(c.LatencyMax),
			}
		}
		return out, nil
	case parser.TableSession:
		info, err := in.Session(ctx)
		if err != nil {
			return nil, err
		}
		r := sysRow{
			"session_id":         info.SessionID,
			"server":             nullText(info.Server),
			"state":              info.State.String(),
			"timeout_ms":         info.Timeout.Milliseconds(),
			"timeout_negotiated": boolInt(info.TimeoutNegotiated),
			"last_zxid":          nullInt(info.LastZxid),
			"reconnects":         info.Reconnects,
			"replaced_sessions":  replaced,
		}
		if !info.ConnectedSince.IsZero() {
			r["connected_since"] = info.ConnectedSince
		}
		return []sysRow{r}, nil
	case parser.TableWatches:
		ws, err := in.Watches(ctx)
		if err != nil {
			return nil, err
		}
		out := make([]sysRow, len(ws))
		for i, w := range ws {
			out[i] = sysRow{"server": w.Server, "session_id": w.SessionID, "path": w.Path, "kind": w.Kind}
		}
		return out, nil
	case parser.TableEphemerals:
		es, err := in.Ephemerals(ctx)
		if err != nil {
			return nil, err
		}
		out := make([]sysRow, len(es))
		for i, x := range es {
			out[i] = sysRow{"server": x.Server, "session_id": x.SessionID, "path": x.Path}
		}
		return out, nil
	case parser.TableEnsembleConfig:
		cfg, err := in.EnsembleConfig(ctx)
		if err != nil {
			return nil, err
		}
		out := make([]sysRow, len(cfg.Members))
		for i, m := range cfg.Members {
			r := sysRow{
				"server_id":      m.ID,
				"host":           m.Host,
				"quorum_port":    int64(m.QuorumPort),
				"election_port":  int64(m.ElectionPort),
				"role":           m.Role,
				"client_host":    nullText(m.ClientHost),
				"config_version": cfg.Version,
			}
			if m.ClientPort != 0 {
				r["client_port"] = int64(m.ClientPort)
			}
			out[i] = r
		}
		return out, nil
	}
	return nil, zerrorf("unknown table %s", table)
}

func serverRows(ctx context.Context, in zkstore.Introspector) ([]sysRow, error) {
	ss, err := in.Servers(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]sysRow, len(ss))
	for i, s := range ss {
		r := sysRow{
			"host":                  s.Host,
			"port":                  int64(s.Port),
			"server_id":             nullInt(s.ID),
			"role":                  nullText(s.Role),
			"reachable":             boolInt(s.Reachable),
			"error":                 nullText(s.Err),
			"source":                nullText(s.Source),
			"version":               nullText(s.Version),
			"version_warning":       nullText(VersionWarning(s.Version)),
			"last_zxid":             nullInt(s.LastZxid),
			"latency_min":           nullInt(s.LatencyMin),
			"latency_max":           nullInt(s.LatencyMax),
			"outstanding_requests":  nullInt(s.Outstanding),
			"alive_connections":     nullInt(s.Connections),
			"packets_received":      nullInt(s.PacketsReceived),
			"packets_sent":          nullInt(s.PacketsSent),
			"znode_count":           nullInt(s.ZnodeCount),
			"watch_count":           nullInt(s.WatchCount),
			"ephemerals_count":      nullInt(s.Ephemerals),
			"approximate_data_size": nullInt(s.ApproxDataSize),
			"open_fds":              nullInt(s.OpenFDs),
			"max_fds":               nullInt(s.MaxFDs),
			"uptime_ms":             nullMillis(s.Uptime),
			"synced_followers":      nullInt(s.SyncedFollowers),
		}
		if s.LatencyAvg != nil {
			r["latency_avg"] = *s.LatencyAvg
		}
		out[i] = r
	}
	return out, nil
}

// VersionWarning names the known bugs that can lose acknowledged writes
// in a ZooKeeper server version ("3.8.0", as the servers table's version
// column shows it), or returns "" when none is known. Follower
// synchronisation could lose or truncate committed transactions until
// ZOOKEEPER-4394, -4643 and -4646 were fixed (merged for 3.9.3,
// apache/zookeeper#2188); 3.9.3 brought ZOOKEEPER-4925 (a follower's
// committed log with holes), fixed in 3.9.4. A version that cannot be
// read gives "".
func VersionWarning(version string) string {
	v, ok := parseVersion(version)
	if !ok {
		return ""
	}
	switch {
	case v.less(version3(3, 5, 0)):
		return ""
	case v.less(version3(3, 9, 3)):
		return "ZOOKEEPER-4394, ZOOKEEPER-4643, ZOOKEEPER-4646: a follower's sync with the leader can lose acknowledged writes; upgrade to 3.9.4 or later"
	case v == version3(3, 9, 3):
		return "ZOOKEEPER-4925: a stale follower can propagate a committed log with holes and lose acknowledged writes; upgrade to 3.9.4 or later"
	}
	return ""
}

type semver [3]int

func version3(a, b, c int) semver { return semver{a, b, c} }

func (v semver) less(w semver) bool {
	for i := range v {
		if v[i] != w[i] {
			return v[i] < w[i]
		}
	}
	return false
}

// parseVersion reads the leading MAJOR.MINOR.PATCH of a version string
// such as "3.8.0-${mvngit.commit.id}".
func parseVersion(s string) (semver, bool) {
	var v semver
	parts := strings.SplitN(s, ".", 3)
	if len(parts) != 3 {
		return v, false
	}
	end := strings.IndexFunc(parts[2], func(r rune) bool { return r < '0' || r > '9' })
	if end >= 0 {
		parts[2] = parts[2][:end]
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil {
			return v, false
		}
		v[i] = n
	}
	return v, true
}

func nullInt(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

func nullText(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullMillis(d *time.Duration) any {
	if d == nil {
		return nil
	}
	return d.Milliseconds()
}

func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return *t
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// explainSystem is EXPLAIN's step for reading a system table.
func explainSystem(table string) string {
	what := map[string]string{
		parser.TableServers:        "ask every member concurrently (AdminServer monitor, srvr, conf; else the four-letter words mntr, srvr, conf), each within the probe timeout",
		parser.TableConnections:    "ask every member concurrently for its connections (AdminServer connections; else cons)",
		parser.TableSession:        "this session's own state; the connected server's record of it (AdminServer connections; else cons)",
		parser.TableWatches:        "ask every member concurrently for its watches (AdminServer watches; else wchc)",
		parser.TableEphemerals:     "ask every member concurrently for the ephemerals (AdminServer dump; else dump)",
		parser.TableEnsembleConfig: "getData /zookeeper/config",
	}[table]
	return fmt.Sprintf("read system table %s: %s", table, what)
}
