package zkstore

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// Introspector is an optional Store capability: what the servers behind a
// session report about themselves, their clients, watches and ephemerals.
// zksql's system tables (servers, connections, session, watches,
// ephemerals) read it. A Store that wraps another should forward it, as
// io.ReaderFrom is forwarded; a Store without it has no system tables.
//
// A member that cannot be reached or refuses a command never fails a
// call: its ServerInfo carries the error, and the other lists simply
// lack its entries (ServerInfo says why). The calls fail only when ctx
// ends or the store is closed. Errors and strings never hold the
// servers' raw replies nor credentials.
type Introspector interface {
	// Servers reports every ensemble member the store knows of, asked
	// concurrently, each within the store's probe timeout.
	Servers(ctx context.Context) ([]ServerInfo, error)
	// Connections lists the client connections each reachable member
	// reports.
	Connections(ctx context.Context) ([]ConnectionInfo, error)
	// Watches lists the watches each reachable member reports.
	Watches(ctx context.Context) ([]WatchInfo, error)
	// Ephemerals lists the session-owned ephemeral znodes, with their
	// owners, as the members report them.
	Ephemerals(ctx context.Context) ([]EphemeralInfo, error)
	// Session describes this store's own session.
	Session(ctx context.Context) (SessionInfo, error)
	// EnsembleConfig is the dynamic configuration in /zookeeper/config
	// (read past any chroot); empty on a standalone server.
	EnsembleConfig(ctx context.Context) (EnsembleConfig, error)
}

// ServerInfo is one ensemble member. Pointers and empty strings are
// figures the member did not give; Err says why.
type ServerInfo struct {
	Host string
	Port int
	// ID is the member's server id (myid); nil when unknown.
	ID *int64
	// Role is "leader", "follower", "observer", "standalone", or ""
	// when the member did not say (not serving, or unreachable).
	Role string
	// Reachable: the member answered at least one command.
	Reachable bool
	// Err says what could not be read and why; "" when everything was.
	Err string
	// Source is how the figures were read: "admin" (AdminServer over
	// HTTP), "4lw" (four-letter words), "memstore".
	Source  string
	Version string
	// LastZxid is the last zxid the member processed.
	LastZxid                              *int64
	LatencyMin, LatencyMax                *int64 // milliseconds
	LatencyAvg                            *float64
	Outstanding, Connections              *int64
	PacketsReceived, PacketsSent          *int64
	ZnodeCount, WatchCount, Ephemerals    *int64
	ApproxDataSize, OpenFDs, MaxFDs       *int64
	Uptime                                *time.Duration
	SyncedFollowers, PendingSyncs, Quorum *int64 // leader only
}

// ConnectionInfo is one client connection a member reports.
type ConnectionInfo struct {
	Server        string // the member, host:port
	ClientAddress string
	SessionID     int64 // 0 before the handshake
	Queued        *int64
	Received      *int64
	Sent          *int64
	LastOperation string
	// SessionTimeout is the negotiated timeout; nil when not reported.
	SessionTimeout *time.Duration
	LastZxid       *int64
	Established    *time.Time
	LatencyLast    *int64
	LatencyMin     *int64
	LatencyAvg     *int64
	LatencyMax     *int64
}

// WatchInfo is one watch: a session watching a path.
type WatchInfo struct {
	Server    string
	SessionID int64
	Path      string
	// Kind is "data" (getData, exists) or "child" (getChildren). A live
	// ZooKeeper reports data watches only (wchc, the AdminServer's
	// watches): its child watches are counted in ServerInfo.WatchCount
	// but never listed.
	Kind string
}

// EphemeralInfo is one ephemeral znode and the session that owns it.
type EphemeralInfo struct {
	Server    string
	SessionID int64
	Path      string
}

// SessionInfo describes one store's session.
type SessionInfo struct {
	SessionID int64
	// Server is the member the session is connected to, "" when none.
	Server string
	State  State
	// Timeout is the negotiated session timeout, or the one asked for
	// when the server could not be asked (TimeoutNegotiated false).
	Timeout           time.Duration
	TimeoutNegotiated bool
	// LastZxid is the last zxid the server reported for the session;
	// nil when unknown.
	LastZxid *int64
	// ConnectedSince is when the session's current connection was
	// established (zero when it has none).
	ConnectedSince time.Time
	// Reconnects counts connections re-established within this session.
	Reconnects int64
}

// ConfigPath is the znode holding the ensemble's dynamic configuration.
const ConfigPath = "/zookeeper/config"

// EnsembleConfig is the dynamic configuration ZooKeeper keeps in
// /zookeeper/config.
type EnsembleConfig struct {
	Members []ConfigMember
	// Version is the configuration's version (hexadecimal in the znode),
	// -1 when the znode has none.
	Version int64
}

// ConfigMember is one server.N line of the configuration:
// server.ID=HOST:QUORUM_PORT:ELECTION_PORT[:ROLE][;[CLIENT_HOST:]CLIENT_PORT].
type ConfigMember struct {
	ID                       int64
	Host                     string
	QuorumPort, ElectionPort int
	// Role is "participant" or "observer".
	Role string
	// ClientHost and ClientPort are the client address; ClientPort is 0
	// when the line has none (a static configuration written without it).
	ClientHost string
	ClientPort int
}

// ClientAddr is the member's client address as host:port, "" when the
// configuration does not give it.
func (m ConfigMember) ClientAddr() string {
	if m.ClientPort == 0 {
		return ""
	}
	h := m.ClientHost
	if h == "" || h == "0.0.0.0" || h == "::" {
		h = m.Host
	}
	return net.JoinHostPort(h, strconv.Itoa(m.ClientPort))
}

// ParseEnsembleConfig parses the data of /zookeeper/config. Lines it does
// not know are skipped, as ZooKeeper's own QuorumVerifier skips them; a
// server line it cannot read is an error naming the line number.
func ParseEnsembleConfig(data []byte) (EnsembleConfig, error) {
	cfg := EnsembleConfig{Version: -1}
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		key, value, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		if key == "version" {
			v, err := strconv.ParseInt(value, 16, 64)
			if err != nil {
				return cfg, fmt.Errorf("zk: /zookeeper/config line %d: bad version", i+1)
			}
			cfg.Version = v
			continue
		}
		idText, ok := strings.CutPrefix(key, "server.")
		if !ok {
			continue
		}
		m, err := parseConfigMember(idText, value)
		if err != nil {
			return cfg, fmt.Errorf("zk: /zookeeper/config line %d: %w", i+1, err)
		}
		cfg.Members = append(cfg.Members, m)
	}
	return cfg, nil
}

func parseConfigMember(idText, value string) (ConfigMember, error) {
	var m ConfigMember
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		return m, fmt.Errorf("bad server id")
	}
	m.ID = id
	quorum, client, _ := strings.Cut(value, ";")
	// HOST may be a bracketed IPv6 address; the ports and role follow
	// the last ']' (or come after the first ':').
	host, rest := quorum, ""
	if strings.HasPrefix(quorum, "[") {
		if end := strings.Index(quorum, "]"); end > 0 {
			host, rest = quorum[1:end], strings.TrimPrefix(quorum[end+1:], ":")
		}
	} else {
		host, rest, _ = strings.Cut(quorum, ":")
	}
	m.Host = host
	parts := strings.Split(rest, ":")
	if len(parts) < 2 {
		return m, fmt.Errorf("server.%d: expected HOST:QUORUM_PORT:ELECTION_PORT", id)
	}
	if m.QuorumPort, err = strconv.Atoi(parts[0]); err != nil {
		return m, fmt.Errorf("server.%d: bad quorum port", id)
	}
	if m.ElectionPort, err = strconv.Atoi(parts[1]); err != nil {
		return m, fmt.Errorf("server.%d: bad election port", id)
	}
	m.Role = "participant"
	if len(parts) > 2 && parts[2] != "" {
		m.Role = parts[2]
	}
	if client = strings.TrimSpace(client); client != "" {
		ch, cp := "", client
		if i := strings.LastIndex(client, ":"); i >= 0 {
			ch, cp = strings.Trim(client[:i], "[]"), client[i+1:]
		}
		if m.ClientPort, err = strconv.Atoi(cp); err != nil {
			return m, fmt.Errorf("server.%d: bad client port", id)
		}
		m.ClientHost = ch
	}
	return m, nil
}
