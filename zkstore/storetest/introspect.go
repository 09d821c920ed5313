package storetest

import (
	"slices"
	"testing"

	"github.com/zksql/zksql/zkstore"
)

// zkstore.Introspector, where the store has it: its own session, watch
// and ephemeral appear, and the member it is connected to reports
// itself. A store without it skips these cases.

func init() {
	register(
		testCase{"Introspect/OwnSession", testIntrospectOwnSession},
		testCase{"Introspect/WatchAndEphemeral", testIntrospectWatchAndEphemeral},
		testCase{"Introspect/Servers", testIntrospectServers},
	)
}

func (f *fixture) introspector(s zkstore.Store) zkstore.Introspector {
	in, ok := s.(zkstore.Introspector)
	if !ok {
		f.t.Skip("the store does not implement zkstore.Introspector")
	}
	return in
}

func testIntrospectOwnSession(t *testing.T, f *fixture) {
	in := f.introspector(f.s)
	info, err := in.Session(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.SessionID != f.s.SessionID() || info.State != zkstore.StateConnected || info.Server == "" || info.ConnectedSince.IsZero() {
		t.Errorf("Session() = %+v, want session 0x%x connected", info, f.s.SessionID())
	}
	// The timeout is the server's answer, within its bounds.
	if !info.TimeoutNegotiated || info.Timeout <= 0 {
		t.Errorf("Session() timeout %v negotiated %v", info.Timeout, info.TimeoutNegotiated)
	}
	conns, err := in.Connections(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, c := range conns {
		if c.SessionID == f.s.SessionID() {
			found++
			if c.SessionTimeout == nil || *c.SessionTimeout != info.Timeout {
				t.Errorf("our connection's timeout %v, session says %v", c.SessionTimeout, info.Timeout)
			}
		}
	}
	if found != 1 {
		t.Errorf("our session 0x%x in %d of %d connections", f.s.SessionID(), found, len(conns))
	}
	// Another session is another connection.
	other := f.open()
	conns, err = in.Connections(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(conns, func(c zkstore.ConnectionInfo) bool { return c.SessionID == other.SessionID() }) {
		t.Errorf("a second session 0x%x is not among the connections", other.SessionID())
	}
}

func testIntrospectWatchAndEphemeral(t *testing.T, f *fixture) {
	in := f.introspector(f.s)
	dir := f.mk(f.p("dir"), nil)
	eph := f.create(f.s, f.p("dir/eph"), nil, zkstore.CreateOptions{Mode: zkstore.ModeEphemeral})
	f.getW(f.s, dir)
	sid := f.s.SessionID()

	watches, err := in.Watches(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(watches, zkstore.WatchInfo{Server: watchServer(watches, sid, dir), SessionID: sid, Path: dir, Kind: "data"}) {
		t.Errorf("data watch of 0x%x on %s not among %d watches", sid, dir, len(watches))
	}
	ephs, err := in.Ephemerals(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	var mine []string
	for _, e := range ephs {
		if e.SessionID == sid {
			mine = append(mine, e.Path)
		}
	}
	if !slices.Equal(mine, []string{eph}) {
		t.Errorf("ephemerals of 0x%x: %q, want %s", sid, mine, eph)
	}

	// A fired watch and a deleted ephemeral are gone.
	f.del(f.s, eph, zkstore.AnyVersion)
	f.set(f.admin, dir, []byte("x"), zkstore.AnyVersion)
	f.sync(f.s)
	watches, err = in.Watches(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range watches {
		if w.SessionID == sid && w.Path == dir {
			t.Errorf("fired watch still listed: %+v", w)
		}
	}
	ephs, err = in.Ephemerals(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ephs {
		if e.SessionID == sid {
			t.Errorf("deleted ephemeral still listed: %+v", e)
		}
	}
}

// watchServer is the Server a listed watch of sid on path names ("" when
// none is listed), so the comparison does not depend on which member the
// session is connected to.
func watchServer(ws []zkstore.WatchInfo, sid int64, path string) string {
	for _, w := range ws {
		if w.SessionID == sid && w.Path == path {
			return w.Server
		}
	}
	return ""
}

func testIntrospectServers(t *testing.T, f *fixture) {
	in := f.introspector(f.s)
	f.mk(f.p("a"), []byte("12345"))
	servers, err := in.Servers(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(servers) == 0 {
		t.Fatal("Servers() listed no member")
	}
	for _, s := range servers {
		if !s.Reachable || s.Err != "" {
			t.Errorf("member %s:%d: reachable %v, error %q", s.Host, s.Port, s.Reachable, s.Err)
			continue
		}
		if s.Role == "" || s.Version == "" || s.LastZxid == nil || s.ZnodeCount == nil || s.Ephemerals == nil ||
			s.WatchCount == nil || s.ApproxDataSize == nil || s.Connections == nil || s.Outstanding == nil {
			t.Errorf("member %s:%d lacks figures: %+v", s.Host, s.Port, s)
			continue
		}
		// Our write and our two sessions are counted.
		if *s.LastZxid < f.stat(f.p("a")).Mzxid || *s.ZnodeCount < 6 || *s.Connections < 2 || *s.ApproxDataSize < 5 {
			t.Errorf("member %s:%d: zxid %d, znodes %d, connections %d, data size %d", s.Host, s.Port, *s.LastZxid, *s.ZnodeCount, *s.Connections, *s.ApproxDataSize)
		}
	}
}
