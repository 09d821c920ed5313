//go:build unix

package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/zksql/zksql/driver"
	"github.com/zksql/zksql/internal/testkit/zkserver"
	"github.com/zksql/zksql/zkstore"
)

// ownWatchAndEphemeral creates an ephemeral znode under a fresh directory
// and sets a data watch on the directory, through db's session. It
// returns the directory, the ephemeral's path and the session id.
func ownWatchAndEphemeral(t *testing.T, db *sql.DB) (dir, eph string, sid int64) {
	t.Helper()
	dir = fmt.Sprintf("/systables-%d", time.Now().UnixNano())
	eph = dir + "/lock"
	mustExec(t, db, "INSERT INTO znodes (path) VALUES (?)", dir)
	mustExec(t, db, "INSERT INTO znodes (path, mode) VALUES (?, 'ephemeral')", eph)
	t.Cleanup(func() {
		db.Exec("DELETE FROM znodes WHERE path = ?", eph)
		db.Exec("DELETE FROM znodes WHERE path = ?", dir)
	})
	rawStore(t, db, func(st zkstore.Store) {
		sid = st.SessionID()
		if _, _, _, err := st.GetW(context.Background(), dir); err != nil {
			t.Fatal(err)
		}
	})
	return dir, eph, sid
}

// checkOwnSession checks that the session, connections, watches and
// ephemerals tables show db's own session, its watch and its ephemeral.
func checkOwnSession(t *testing.T, db *sql.DB, dir, eph string, sid int64, servers []string) {
	t.Helper()
	id := strconv.FormatInt(sid, 10)
	row := queryOne(t, db, "SELECT session_id, server, state, timeout_negotiated, timeout_ms > 0, last_zxid IS NOT NULL FROM session")
	parts := strings.Split(row, "|")
	if parts[0] != id || !slices.Contains(servers, parts[1]) || parts[2] != "connected" || parts[3] != "1" || parts[4] != "1" || parts[5] != "1" {
		t.Errorf("session row %q: want session %s connected to one of %q, negotiated timeout and last zxid known", row, id, servers)
	}
	conn := queryRows(t, db, "SELECT server, session_timeout_ms > 0, last_operation IS NOT NULL FROM connections WHERE session_id = ?", sid)
	if len(conn) != 1 || conn[0] != parts[1]+"|1|1" {
		t.Errorf("our session in connections: %q, want one connection on %s", conn, parts[1])
	}
	if got := queryRows(t, db, "SELECT path, kind FROM watches WHERE session_id = ? AND path = ?", sid, dir); !slices.Equal(got, []string{dir + "|data"}) {
		t.Errorf("our watch on %s: %q", dir, got)
	}
	if got := queryRows(t, db, "SELECT path FROM ephemerals WHERE session_id = ?", sid); !slices.Equal(got, []string{eph}) {
		t.Errorf("our ephemerals: %q, want %s", got, eph)
	}
}

func TestSystemTablesLive(t *testing.T) {
	// A server of its own: the shared one holds other tests' znodes,
	// some unreadable, which a walk could not count.
	addr := zkserver.StartTB(t).Addr()
	db := openDB(t, "zk://"+addr+"?admin_port=0")
	dir, eph, sid := ownWatchAndEphemeral(t, db)

	row := queryOne(t, db, "SELECT host, port, server_id, role, reachable, error, source, version IS NOT NULL, uptime_ms > 0, alive_connections > 0 FROM servers")
	host, port, _ := net.SplitHostPort(addr)
	if want := host + "|" + port + "|NULL|standalone|1|NULL|4lw|1|1|1"; row != want {
		t.Errorf("servers = %q, want %q", row, want)
	}
	version := queryOne(t, db, "SELECT version FROM servers")
	if got, want := queryOne(t, db, "SELECT version_warning FROM servers"), driver.VersionWarning(version); got != want && !(want == "" && got == "NULL") {
		t.Errorf("version %s: warning %q, want %q", version, got, want)
	}
	t.Logf("server version %s: %s", version, driver.VersionWarning(version))

	// The server's znode count is a walk's plus one (its root is counted
	// twice).
	count := queryOne(t, db, "SELECT znode_count FROM servers")
	walk, _ := strconv.Atoi(queryOne(t, db, "SELECT COUNT(*) FROM znodes"))
	if count != strconv.Itoa(walk+1) {
		t.Errorf("znode_count %s, walk %d (+1 for the root counted twice)", count, walk)
	}
	checkOwnSession(t, db, dir, eph, sid, []string{addr})
}

// reconnects counts the connections lost and re-established within the
// session.
func TestSystemTablesLiveReconnects(t *testing.T) {
	p, err := zkserver.NewProxy(zkserver.SharedAddr(t))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	db := openDB(t, "zk://"+p.Addr()+"?admin_port=0")
	before := queryOne(t, db, "SELECT session_id, server, reconnects, connected_since FROM session")
	if f := strings.Split(before, "|"); f[1] != p.Addr() || f[2] != "0" || f[3] == "NULL" {
		t.Fatalf("session before: %q", before)
	}
	p.DropConnections()
	id, _, _ := strings.Cut(before, "|")
	deadline := time.Now().Add(30 * time.Second)
	for {
		got, err := tryQuery(db, "SELECT session_id, state, reconnects, timeout_negotiated FROM session")
		if err == nil && len(got) == 1 && got[0] == id+"|connected|1|1" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("session after a dropped connection: %q, %v; want %s connected, one reconnect", got, err, id)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestSystemTablesLiveNotWhitelisted(t *testing.T) {
	srv := zkserver.StartTB(t, zkserver.Options{FourLetterWords: "srvr"})
	db := openDB(t, "zk://"+srv.Addr()+"?admin_port=0")
	row := queryOne(t, db, "SELECT role, reachable, source, error FROM servers")
	t.Logf("servers: %s", row)
	if !strings.HasPrefix(row, "standalone|1|4lw|") ||
		!strings.Contains(row, "4lw mntr: not in the server's 4lw.commands.whitelist") ||
		!strings.Contains(row, "4lw conf: not in the server's 4lw.commands.whitelist") {
		t.Errorf("servers with only srvr whitelisted: %q", row)
	}
	// What the server refuses is missing, never an error of the query.
	for _, table := range []string{"watches", "ephemerals", "connections"} {
		if got := queryRows(t, db, "SELECT * FROM "+table); len(got) != 0 {
			t.Errorf("%s without the 4lw that lists them: %q", table, got)
		}
	}
}

// serverRows is the identity of each member as the servers table shows
// it: port, server id, role, reachable, source.
func serverRows(t *testing.T, db *sql.DB) []string {
	t.Helper()
	return queryRows(t, db, "SELECT port, server_id, role, reachable, source FROM servers ORDER BY server_id")
}

func TestSystemTablesEnsemble(t *testing.T) {
	e := zkserver.StartEnsembleTB(t, 3, zkserver.Options{AdminServer: true, ClientPortsInConfig: true})
	var ports []string
	for _, s := range e.Servers() {
		_, p, _ := net.SplitHostPort(s.AdminAddr())
		ports = append(ports, p)
	}
	// A generous probe timeout: the first requests to a fresh JVM's
	// AdminServer can take seconds on a loaded machine.
	admin := openDB(t, "zk://"+e.ConnectString()+"?probe_timeout=10s&admin_port="+strings.Join(ports, ","))
	fourLetter := openDB(t, "zk://"+e.ConnectString()+"?probe_timeout=10s&admin_port=0")

	// Exactly one leader, by both paths, with the same rows.
	viaAdmin := serverRows(t, admin)
	viaFourLetter := serverRows(t, fourLetter)
	t.Logf("servers via the AdminServer: %q; via 4lw: %q", viaAdmin, viaFourLetter)
	leaders := 0
	for i, r := range viaAdmin {
		f := strings.Split(r, "|")
		if f[1] != strconv.Itoa(i+1) || f[3] != "1" || f[4] != "admin" {
			t.Errorf("member %d via the AdminServer: %q", i+1, r)
		}
		if f[2] == "leader" {
			leaders++
		} else if f[2] != "follower" {
			t.Errorf("member %d: role %s", i+1, f[2])
		}
		if want := strings.TrimSuffix(r, "admin") + "4lw"; i >= len(viaFourLetter) || viaFourLetter[i] != want {
			t.Errorf("member %d via 4lw: %q, via the AdminServer %q", i+1, viaFourLetter, r)
		}
	}
	if leaders != 1 || len(viaAdmin) != 3 {
		t.Fatalf("servers = %q: want 3 members, exactly one leader", viaAdmin)
	}
	for _, db := range []*sql.DB{admin, fourLetter} {
		if got := queryOne(t, db, "SELECT COUNT(*) FROM servers WHERE error IS NULL AND znode_count > 0 AND last_zxid > 0 AND version IS NOT NULL AND latency_avg IS NOT NULL"); got != "3" {
			t.Errorf("members with every figure: %s of 3", got)
		}
	}
	cfg := queryRows(t, admin, "SELECT server_id, host, role, quorum_port > 0, election_port > 0, client_host, client_port, config_version >= 0 FROM ensemble_config ORDER BY server_id")
	var wantCfg []string
	for i, s := range e.Servers() {
		_, p, _ := net.SplitHostPort(s.Addr())
		wantCfg = append(wantCfg, fmt.Sprintf("%d|127.0.0.1|participant|1|1|127.0.0.1|%s|1", i+1, p))
	}
	if !slices.Equal(cfg, wantCfg) {
		t.Errorf("ensemble_config = %q, want %q", cfg, wantCfg)
	}
	// A DSN naming one member finds the others in /zookeeper/config.
	one := openDB(t, "zk://"+e.Addrs()[0]+"?admin_port=0")
	if got := serverRows(t, one); !slices.Equal(got, viaFourLetter) {
		t.Errorf("servers from a DSN naming member 1 only: %q, want %q", got, viaFourLetter)
	}

	// Our session, watch and ephemeral, by both paths.
	for name, db := range map[string]*sql.DB{"admin": admin, "4lw": fourLetter} {
		t.Run(name, func(t *testing.T) {
			dir, eph, sid := ownWatchAndEphemeral(t, db)
			checkOwnSession(t, db, dir, eph, sid, e.Addrs())
		})
	}

	// Kill a follower: its row says so, and the query still succeeds.
	leader, err := e.Leader(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	victim := (leader + 1) % 3
	// A database whose session is on the victim: once it is killed, that
	// session cannot read /zookeeper/config, and the ids come from the
	// last configuration it read (CI once saw the admin database's
	// session on the victim and its row without an id).
	pinned := openDB(t, "zk://"+e.Addrs()[victim]+"?probe_timeout=2s&admin_port=0")
	if got := serverRows(t, pinned); !slices.Equal(got, viaFourLetter) {
		t.Errorf("servers from a DSN naming member %d only: %q, want %q", victim+1, got, viaFourLetter)
	}
	if err := e.Kill(victim); err != nil {
		t.Fatal(err)
	}
	_, victimPort, _ := net.SplitHostPort(e.Server(victim).Addr())
	for name, db := range map[string]*sql.DB{"admin": admin, "4lw": fourLetter, "session on the victim": pinned} {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		start := time.Now()
		rows, err := tryQueryContext(ctx, db, "SELECT port, reachable, role, error, server_id FROM servers ORDER BY server_id")
		cancel()
		if err != nil {
			t.Fatalf("%s: servers with a member down: %v", name, err)
		}
		t.Logf("%s: servers with member %d down answered in %v: %q", name, victim+1, time.Since(start), rows)
		up := 0
		for _, r := range rows {
			f := strings.Split(r, "|")
			if f[0] == victimPort {
				// Its id comes from /zookeeper/config.
				if f[1] != "0" || f[2] != "NULL" || !strings.Contains(f[3], "connection refused") || f[4] != strconv.Itoa(victim+1) {
					t.Errorf("%s: killed member's row %q, want unreachable with the error", name, r)
				}
				continue
			}
			if f[1] == "1" {
				up++
			}
		}
		if len(rows) != 3 || up != 2 {
			t.Errorf("%s: rows %q: want the two live members reachable", name, rows)
		}
	}

	// Back after a restart.
	defer func() {
		if t.Failed() {
			for _, r := range queryRows(t, admin, "SELECT * FROM servers") {
				t.Log(r)
			}
		}
	}()
	if err := e.Restart(context.Background(), victim); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		got := queryOne(t, admin, "SELECT reachable, role, source FROM servers WHERE port = ?", victimPort)
		if got == "1|follower|admin" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("restarted member: %q, want it reachable again", got)
		}
		time.Sleep(200 * time.Millisecond)
	}

	// A hung member (SIGSTOP) costs at most the probe timeout (1s here).
	// The database names the other two members, so its session is on a
	// live one; it finds the hung member in /zookeeper/config.
	var others []string
	for i, a := range e.Addrs() {
		if i != victim {
			others = append(others, a)
		}
	}
	quick := openDB(t, "zk://"+strings.Join(others, ",")+"?probe_timeout=1s&admin_port=0")
	if err := quick.Ping(); err != nil {
		t.Fatal(err)
	}
	pid := e.Server(victim).PID()
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	defer syscall.Kill(pid, syscall.SIGCONT)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	start := time.Now()
	rows, err := tryQueryContext(ctx, quick, "SELECT reachable, error FROM servers WHERE port = ?", victimPort)
	if err != nil {
		t.Fatalf("servers with a hung member: %v", err)
	}
	t.Logf("servers with a hung member answered in %v: %q", time.Since(start), rows)
	if len(rows) != 1 || !strings.Contains(rows[0], "no answer within the probe timeout") {
		t.Errorf("hung member's row %q, want the probe timeout named", rows)
	}
}
