package memstore

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/zksql/zksql/zkstore"
)

var _ zkstore.Introspector = (*Session)(nil)

// The in-memory server presents itself as one standalone member.
const (
	// MemberHost is the host of the one member Servers reports.
	MemberHost = "memstore"
	// MemberVersion is the version it reports.
	MemberVersion = "memstore"
)

// Servers reports the in-memory server as one standalone member, with
// its own figures: sessions, znodes, watches, ephemerals and the zxid.
func (s *Session) Servers(ctx context.Context) ([]zkstore.ServerInfo, error) {
	if err := s.precheck(ctx, "servers", ""); err != nil {
		return nil, err
	}
	srv := s.srv
	srv.mu.RLock()
	zxid := srv.zxid
	// ZooKeeper's DataTree holds the root under both "" and "/", and its
	// znode count (mntr's zk_znode_count) counts it twice: so does this.
	znodes := int64(len(srv.nodes)) + 1
	var size, ephemerals int64
	for p, n := range srv.nodes {
		// DataTree.approximateDataSize: path plus data lengths.
		size += int64(len(p) + len(n.data))
	}
	for _, paths := range srv.ephemerals {
		ephemerals += int64(len(paths))
	}
	conns := int64(len(srv.sessions))
	srv.mu.RUnlock()
	watches := int64(len(srv.watchList()))
	id := int64(1)
	uptime := time.Since(srv.started)
	return []zkstore.ServerInfo{{
		Host:        MemberHost,
		ID:          &id,
		Role:        "standalone",
		Reachable:   true,
		Source:      "memstore",
		Version:     MemberVersion,
		LastZxid:    &zxid,
		Connections: &conns,
		ZnodeCount:  &znodes,
		WatchCount:  &watches,
		Ephemerals:  &ephemerals,
		// Outstanding requests: a memstore request runs to its end on the
		// caller's goroutine; none is ever queued.
		Outstanding:    new(int64),
		ApproxDataSize: &size,
		Uptime:         &uptime,
	}}, nil
}

// Connections lists one connection per live session.
func (s *Session) Connections(ctx context.Context) ([]zkstore.ConnectionInfo, error) {
	if err := s.precheck(ctx, "connections", ""); err != nil {
		return nil, err
	}
	srv := s.srv
	srv.mu.RLock()
	out := make([]zkstore.ConnectionInfo, 0, len(srv.sessions))
	for id, sess := range srv.sessions {
		to := sess.timeout
		est := sess.opened
		out = append(out, zkstore.ConnectionInfo{
			Server:         MemberHost,
			ClientAddress:  MemberHost,
			SessionID:      id,
			SessionTimeout: &to,
			Established:    &est,
		})
	}
	srv.mu.RUnlock()
	slices.SortFunc(out, func(a, b zkstore.ConnectionInfo) int { return cmp.Compare(a.SessionID, b.SessionID) })
	return out, nil
}

// Watches lists every watch of every live session, data and child
// watches alike; a session that set the same watch twice has one watch,
// as on ZooKeeper.
func (s *Session) Watches(ctx context.Context) ([]zkstore.WatchInfo, error) {
	if err := s.precheck(ctx, "watches", ""); err != nil {
		return nil, err
	}
	return s.srv.watchList(), nil
}

// watchList is the server's watches, deduplicated and sorted by path,
// kind and session.
func (srv *Server) watchList() []zkstore.WatchInfo {
	type key struct {
		path string
		sess int64
		kind string
	}
	seen := map[key]bool{}
	var out []zkstore.WatchInfo
	srv.watchMu.Lock()
	for kind, m := range map[string]map[string]watchSet{"data": srv.dataWatches, "child": srv.childWatches} {
		for path, set := range m {
			for w := range set {
				k := key{path, w.sess.id, kind}
				if seen[k] {
					continue
				}
				seen[k] = true
				out = append(out, zkstore.WatchInfo{Server: MemberHost, SessionID: w.sess.id, Path: path, Kind: kind})
			}
		}
	}
	srv.watchMu.Unlock()
	slices.SortFunc(out, func(a, b zkstore.WatchInfo) int {
		return cmp.Or(cmp.Compare(a.Path, b.Path), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.SessionID, b.SessionID))
	})
	return out
}

// Ephemerals lists every session's ephemeral znodes.
func (s *Session) Ephemerals(ctx context.Context) ([]zkstore.EphemeralInfo, error) {
	if err := s.precheck(ctx, "ephemerals", ""); err != nil {
		return nil, err
	}
	srv := s.srv
	var out []zkstore.EphemeralInfo
	srv.mu.RLock()
	for id, paths := range srv.ephemerals {
		for p := range paths {
			out = append(out, zkstore.EphemeralInfo{Server: MemberHost, SessionID: id, Path: p})
		}
	}
	srv.mu.RUnlock()
	slices.SortFunc(out, func(a, b zkstore.EphemeralInfo) int {
		return cmp.Or(cmp.Compare(a.SessionID, b.SessionID), cmp.Compare(a.Path, b.Path))
	})
	return out, nil
}

// Session describes this session. A memstore session never loses its
// connection, so Reconnects is always 0; LastZxid is the server's, which
// every request of the session sees at once.
func (s *Session) Session(ctx context.Context) (zkstore.SessionInfo, error) {
	if err := ctx.Err(); err != nil {
		return zkstore.SessionInfo{}, err
	}
	info := zkstore.SessionInfo{
		SessionID:         s.id,
		State:             s.State(),
		Timeout:           s.timeout,
		TimeoutNegotiated: true,
	}
	if info.State == zkstore.StateConnected {
		info.Server = MemberHost
		info.ConnectedSince = s.opened
		z := s.srv.Zxid()
		info.LastZxid = &z
	}
	return info, nil
}

// EnsembleConfig parses the server's /zookeeper/config, which like a
// standalone ZooKeeper's is empty unless a test wrote one.
func (s *Session) EnsembleConfig(ctx context.Context) (zkstore.EnsembleConfig, error) {
	if err := s.precheck(ctx, "config", zkstore.ConfigPath); err != nil {
		return zkstore.EnsembleConfig{}, err
	}
	s.srv.mu.RLock()
	var data []byte
	if n := s.srv.nodes[zkstore.ConfigPath]; n != nil {
		data = cloneBytes(n.data)
	}
	s.srv.mu.RUnlock()
	return zkstore.ParseEnsembleConfig(data)
}
