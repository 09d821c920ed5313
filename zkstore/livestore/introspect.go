package livestore

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/zksql/zksql/zkstore"
)

// Introspection: what Servers, Connections, Watches and Ephemerals report
// comes from each member's AdminServer (HTTP, JSON under /commands/) when
// it answers, and otherwise from the four-letter words on the client port
// (mntr, srvr, conf, cons, wchc, dump), which ZooKeeper answers only when
// 4lw.commands.whitelist lists them. Members are asked concurrently, each
// within the probe timeout, so a dead or hung member costs at most that
// long. What a member refuses, or sends that cannot be read, becomes its
// row's error in our own words: a server's raw reply is never copied
// into an error.

var _ zkstore.Introspector = (*Store)(nil)

// Defaults of the introspection options.
const (
	DefaultAdminPort    = 8080
	DefaultProbeTimeout = 2 * time.Second
)

// AdminPort is the AdminServer's port on every member (ZooKeeper's
// admin.serverPort, default 8080); 0 never asks an AdminServer and reads
// the four-letter words only.
func AdminPort(port int) Option { return func(c *config) { c.adminPort = port } }

// AdminAddr gives the AdminServer address ("host:port") of the member
// whose client address is server, overriding AdminPort for it.
func AdminAddr(server, admin string) Option {
	return func(c *config) {
		if c.adminAddrs == nil {
			c.adminAddrs = map[string]string{}
		}
		c.adminAddrs[server] = admin
	}
}

// ProbeTimeout bounds how long one member is asked for its figures.
// Default 2s.
func ProbeTimeout(d time.Duration) Option { return func(c *config) { c.probeTimeout = d } }

// errNotWhitelisted is a four-letter word the server refuses.
var errNotWhitelisted = errors.New("not in the server's 4lw.commands.whitelist")

// errNotServing is a server up but not serving (no quorum).
var errNotServing = errors.New("the server is not serving requests (no quorum, or still starting)")

// members is the DSN's servers, then the configuration's members with a
// client address not among them.
func (s *Store) members(ctx context.Context) []string {
	addrs, _ := s.membersAndIDs(ctx)
	return addrs
}

// membersAndIDs is members, with the server id the configuration gives
// each client address.
func (s *Store) membersAndIDs(ctx context.Context) ([]string, map[string]int64) {
	addrs := strings.Split(s.servers, ",")
	ids := map[string]int64{}
	cfg, err := s.ensembleConfig(ctx)
	if err == nil {
		s.lastConfig.Store(&cfg)
	} else if errors.Is(err, zkstore.ErrConnectionLoss) && ctx.Err() == nil {
		// Most often the session's own server is the one down: the read
		// is safe to make again, and go-zookeeper is already moving to
		// another member.
		if cfg, err = s.ensembleConfig(ctx); err == nil {
			s.lastConfig.Store(&cfg)
		}
	}
	if err != nil {
		// Membership changes only by reconfig: the last configuration
		// read still names the members a down server's row needs.
		last := s.lastConfig.Load()
		if last == nil {
			return addrs, ids
		}
		cfg = *last
	}
	for _, m := range cfg.Members {
		a := m.ClientAddr()
		if a == "" {
			continue
		}
		ids[a] = m.ID
		if !slices.Contains(addrs, a) {
			addrs = append(addrs, a)
		}
	}
	return addrs, ids
}

// EnsembleConfig reads /zookeeper/config, past the chroot.
func (s *Store) EnsembleConfig(ctx context.Context) (zkstore.EnsembleConfig, error) {
	if err := s.dead(); err != nil {
		return zkstore.EnsembleConfig{}, pathErr("config", zkstore.ConfigPath, err)
	}
	return s.ensembleConfig(ctx)
}

func (s *Store) ensembleConfig(ctx context.Context) (zkstore.EnsembleConfig, error) {
	ctx, cancel := context.WithTimeout(ctx, s.probeTimeout())
	defer cancel()
	data, err := do(s, ctx, func() ([]byte, error) {
		d, _, err := s.conn.Get(zkstore.ConfigPath)
		return d, err
	})
	if err != nil {
		return zkstore.EnsembleConfig{}, s.fail("config", zkstore.ConfigPath, err, false)
	}
	return zkstore.ParseEnsembleConfig(data)
}

func (s *Store) probeTimeout() time.Duration {
	if s.cfg.probeTimeout > 0 {
		return s.cfg.probeTimeout
	}
	return DefaultProbeTimeout
}

// adminAddr is the member's AdminServer address, "" for none.
func (s *Store) adminAddr(member string) string {
	if a, ok := s.cfg.adminAddrs[member]; ok {
		return a
	}
	if s.cfg.adminPort <= 0 {
		return ""
	}
	host, _, err := net.SplitHostPort(member)
	if err != nil {
		return ""
	}
	return net.JoinHostPort(host, strconv.Itoa(s.cfg.adminPort))
}

// eachMember runs f for every member concurrently, each with its own
// probe deadline, and returns the results in member order. It returns
// when every f has.
func eachMember[T any](s *Store, ctx context.Context, f func(ctx context.Context, member string) T) ([]T, error) {
	if err := s.dead(); err != nil {
		return nil, err
	}
	members := s.members(ctx)
	out := make([]T, len(members))
	var wg sync.WaitGroup
	for i, m := range members {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(ctx, s.probeTimeout())
			defer cancel()
			out[i] = f(ctx, m)
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// Servers asks every member for its figures.
// A member that cannot say its id gets the one the configuration gives
// its client address, so a member that is down still shows it.
func (s *Store) Servers(ctx context.Context) ([]zkstore.ServerInfo, error) {
	if err := s.dead(); err != nil {
		return nil, err
	}
	members, ids := s.membersAndIDs(ctx)
	out := make([]zkstore.ServerInfo, len(members))
	var wg sync.WaitGroup
	for i, m := range members {
		wg.Go(func() {
			pctx, cancel := context.WithTimeout(ctx, s.probeTimeout())
			defer cancel()
			out[i] = s.probeServer(pctx, m)
			if id, ok := ids[m]; ok && out[i].ID == nil && out[i].Role != "standalone" {
				out[i].ID = &id
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Store) probeServer(ctx context.Context, member string) zkstore.ServerInfo {
	info := zkstore.ServerInfo{}
	host, port, err := net.SplitHostPort(member)
	if err != nil {
		info.Host, info.Err = member, "not a host:port address"
		return info
	}
	info.Host = host
	info.Port, _ = strconv.Atoi(port)
	var adminErr error
	if a := s.adminAddr(member); a != "" {
		// Half the budget at most, so that a member whose AdminServer
		// hangs still has time to answer the four-letter words.
		actx, cancel := context.WithTimeout(ctx, s.probeTimeout()/2)
		figures, partial, err := adminFigures(actx, a)
		cancel()
		if err == nil {
			info.Source = "admin"
			info.Reachable = true
			figures.fill(&info)
			info.Err = joinErrs(partial)
			return info
		}
		adminErr = fmt.Errorf("AdminServer at %s: %w", a, err)
	}
	figures, reachable, err := fourLetterFigures(ctx, member)
	info.Reachable = reachable
	if reachable {
		info.Source = "4lw"
		figures.fill(&info)
	}
	if err == nil {
		// The four-letter words told everything: a missing AdminServer
		// (off, or not at that port) is no error of the member's.
		adminErr = nil
	}
	info.Err = joinErrs(adminErr, err)
	return info
}

func joinErrs(errs ...error) string {
	var parts []string
	for _, e := range errs {
		if e != nil {
			parts = append(parts, e.Error())
		}
	}
	return strings.Join(parts, "; ")
}

// figures are a member's key/value figures: mntr's (without the zk_
// prefix) or the AdminServer's monitor, plus the last zxid and the server
// id.
type figures struct {
	kv       map[string]string
	zxid     *int64
	serverID *int64
}

func (f figures) int(key string) *int64 {
	v, ok := f.kv[key]
	if !ok {
		return nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return nil
	}
	return &n
}

func (f figures) fill(info *zkstore.ServerInfo) {
	info.Version = f.kv["version"]
	if v, _, ok := strings.Cut(info.Version, ","); ok {
		info.Version = v
	}
	info.Role = f.kv["server_state"]
	info.LastZxid = f.zxid
	if info.Role != "standalone" {
		info.ID = f.serverID
	}
	info.LatencyMin = f.int("min_latency")
	info.LatencyMax = f.int("max_latency")
	if v, ok := f.kv["avg_latency"]; ok {
		if x, err := strconv.ParseFloat(v, 64); err == nil {
			info.LatencyAvg = &x
		}
	}
	info.Outstanding = f.int("outstanding_requests")
	info.Connections = f.int("num_alive_connections")
	info.PacketsReceived = f.int("packets_received")
	info.PacketsSent = f.int("packets_sent")
	info.ZnodeCount = f.int("znode_count")
	info.WatchCount = f.int("watch_count")
	info.Ephemerals = f.int("ephemerals_count")
	info.ApproxDataSize = f.int("approximate_data_size")
	info.OpenFDs = f.int("open_file_descriptor_count")
	info.MaxFDs = f.int("max_file_descriptor_count")
	if ms := f.int("uptime"); ms != nil {
		d := time.Duration(*ms) * time.Millisecond
		info.Uptime = &d
	}
	info.SyncedFollowers = f.int("synced_followers")
	info.PendingSyncs = f.int("pending_syncs")
	info.Quorum = f.int("quorum_size")
}

// fourLetterFigures reads mntr, srvr and conf. reachable is whether the
// member answered anything.
func fourLetterFigures(ctx context.Context, member string) (figures, bool, error) {
	f := figures{kv: map[string]string{}}
	var errs []error
	reachable := false
	mntr, err := fourLetter(ctx, member, "mntr")
	if err == nil {
		reachable = true
		for line := range strings.Lines(mntr) {
			k, v, ok := strings.Cut(strings.TrimRight(line, "\r\n"), "\t")
			if ok {
				f.kv[strings.TrimPrefix(k, "zk_")] = v
			}
		}
	} else {
		reachable = reachable || !isDialError(err)
		errs = append(errs, err)
		if isDialError(err) || ctx.Err() != nil {
			return f, false, err
		}
	}
	if srvr, err := fourLetter(ctx, member, "srvr"); err == nil {
		reachable = true
		for line := range strings.Lines(srvr) {
			if v, ok := strings.CutPrefix(strings.TrimSpace(line), "Zxid: "); ok {
				if n, err := strconv.ParseInt(strings.TrimPrefix(v, "0x"), 16, 64); err == nil {
					f.zxid = &n
				}
			}
			if v, ok := strings.CutPrefix(strings.TrimSpace(line), "Mode: "); ok && f.kv["server_state"] == "" {
				f.kv["server_state"] = v
			}
			if v, ok := strings.CutPrefix(strings.TrimSpace(line), "Zookeeper version: "); ok && f.kv["version"] == "" {
				f.kv["version"] = v
			}
		}
	} else if !errors.Is(err, errNotServing) || len(errs) == 0 {
		errs = append(errs, err)
	}
	if conf, err := fourLetter(ctx, member, "conf"); err == nil {
		reachable = true
		for line := range strings.Lines(conf) {
			if v, ok := strings.CutPrefix(strings.TrimSpace(line), "serverId="); ok {
				if n, err := strconv.ParseInt(v, 10, 64); err == nil {
					f.serverID = &n
				}
			}
		}
	} else {
		errs = append(errs, err)
	}
	return f, reachable, dedupErrs(errs)
}

// dedupErrs joins errors, leaving out repeats of the same text.
func dedupErrs(errs []error) error {
	var out []error
	seen := map[string]bool{}
	for _, e := range errs {
		if e == nil || seen[e.Error()] {
			continue
		}
		seen[e.Error()] = true
		out = append(out, e)
	}
	if len(out) == 0 {
		return nil
	}
	msgs := make([]string, len(out))
	for i, e := range out {
		msgs[i] = e.Error()
	}
	return fmt.Errorf("%s", strings.Join(msgs, "; "))
}

// probeError is a failed request to a member: what was asked, and why it
// failed, in our words.
type probeError struct {
	what string // "4lw mntr", "AdminServer monitor"
	dial bool   // the connection could not be made
	err  error
}

func (e *probeError) Error() string { return e.what + ": " + e.err.Error() }
func (e *probeError) Unwrap() error { return e.err }

func isDialError(err error) bool {
	var pe *probeError
	return errors.As(err, &pe) && pe.dial
}

// maxReply bounds what is read of one reply (wchc and dump grow with the
// watches and ephemerals).
const maxReply = 64 << 20

// fourLetter sends word on the member's client port and returns the reply.
func fourLetter(ctx context.Context, member, word string) (string, error) {
	fail := func(dial bool, err error) error {
		return &probeError{what: "4lw " + word, dial: dial, err: err}
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", member)
	if err != nil {
		return "", fail(true, netReason(ctx, err))
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()
	if _, err := io.WriteString(conn, word); err != nil {
		return "", fail(false, netReason(ctx, err))
	}
	b, err := io.ReadAll(io.LimitReader(conn, maxReply))
	if err != nil {
		return "", fail(false, netReason(ctx, err))
	}
	reply := string(b)
	switch {
	case strings.Contains(reply, "is not executed because it is not in the whitelist"):
		return "", fail(false, errNotWhitelisted)
	case strings.HasPrefix(reply, "This ZooKeeper instance is not currently serving requests"):
		return "", fail(false, errNotServing)
	case reply == "":
		return "", fail(false, errors.New("empty reply (the word is unknown to the server, or it closed the connection)"))
	}
	return reply, nil
}

// netReason says why a network call failed without the addresses Go's
// errors repeat; a context that ended says so. Any other error becomes
// "the connection failed": Go's HTTP client quotes what the server sent
// when it is not HTTP, and a server's raw reply never goes into an error.
func netReason(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return errors.New("no answer within the probe timeout")
		}
		return ctx.Err()
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		var sys *os.SyscallError
		if errors.As(op.Err, &sys) {
			return fmt.Errorf("%s: %w", op.Op, sys.Err)
		}
		return fmt.Errorf("%s: %s", op.Op, "the connection failed")
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return errors.New("the connection closed before a reply")
	}
	return errors.New("the connection failed, or the reply was not what ZooKeeper sends")
}

// adminGet fetches one AdminServer command's JSON into out.
func adminGet(ctx context.Context, admin, command string, out any) error {
	fail := func(dial bool, err error) error {
		return &probeError{what: command, dial: dial, err: err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+admin+"/commands/"+command, nil)
	if err != nil {
		return fail(true, errors.New("bad address"))
	}
	resp, err := adminClient.Do(req)
	if err != nil {
		return fail(true, netReason(ctx, err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxReply))
	if err != nil {
		return fail(false, netReason(ctx, err))
	}
	if resp.StatusCode != http.StatusOK {
		return fail(false, fmt.Errorf("HTTP status %d", resp.StatusCode))
	}
	var envelope struct {
		Error *string `json:"error"`
	}
	body = stripTrailingCommas(body)
	if err := json.Unmarshal(body, &envelope); err != nil {
		return fail(false, errors.New("the reply is not the AdminServer's JSON"))
	}
	if envelope.Error != nil {
		return fail(false, errors.New("the server refused the command"))
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(out); err != nil {
		return fail(false, errors.New("the reply is not the AdminServer's JSON"))
	}
	return nil
}

// adminClient never follows redirects nor keeps connections: each probe
// stands alone, and none outlives its call.
var adminClient = &http.Client{
	Transport: &http.Transport{DisableKeepAlives: true, Proxy: nil},
	CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	},
}

// stripTrailingCommas removes the commas before a closing brace or
// bracket that ZooKeeper 3.8's AdminServer writes when it leaves fields
// out (the connections command), outside strings.
func stripTrailingCommas(b []byte) []byte {
	out := make([]byte, 0, len(b))
	inString, escaped := false, false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if inString {
			out = append(out, c)
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		if c == '"' {
			inString = true
		}
		if c == ',' {
			j := i + 1
			for j < len(b) && (b[j] == ' ' || b[j] == '\n' || b[j] == '\r' || b[j] == '\t') {
				j++
			}
			if j < len(b) && (b[j] == '}' || b[j] == ']') {
				continue
			}
		}
		out = append(out, c)
	}
	return out
}

// adminFigures reads monitor, srvr and conf from the AdminServer; err is
// monitor's failure, partial that of srvr or conf (their figures are then
// missing).
func adminFigures(ctx context.Context, admin string) (f figures, partial, err error) {
	f = figures{kv: map[string]string{}}
	var monitor map[string]any
	if err := adminGet(ctx, admin, "monitor", &monitor); err != nil {
		return f, nil, err
	}
	for k, v := range monitor {
		switch v := v.(type) {
		case string:
			f.kv[k] = v
		case json.Number:
			f.kv[k] = v.String()
		}
	}
	var srvr struct {
		ServerStats struct {
			LastProcessedZxid json.Number `json:"last_processed_zxid"`
		} `json:"server_stats"`
	}
	var errs []error
	if err := adminGet(ctx, admin, "srvr", &srvr); err == nil {
		if n, err := srvr.ServerStats.LastProcessedZxid.Int64(); err == nil {
			f.zxid = &n
		}
	} else {
		errs = append(errs, fmt.Errorf("AdminServer at %s: %w", admin, err))
	}
	var conf struct {
		ServerID json.Number `json:"server_id"`
	}
	if err := adminGet(ctx, admin, "conf", &conf); err == nil {
		if n, err := conf.ServerID.Int64(); err == nil {
			f.serverID = &n
		}
	} else {
		errs = append(errs, fmt.Errorf("AdminServer at %s: %w", admin, err))
	}
	return f, dedupErrs(errs), nil
}

// Connections asks every member for its client connections. A member
// that cannot say is left out; Servers says why.
func (s *Store) Connections(ctx context.Context) ([]zkstore.ConnectionInfo, error) {
	lists, err := eachMember(s, ctx, func(ctx context.Context, member string) []zkstore.ConnectionInfo {
		if a := s.adminAddr(member); a != "" {
			if l, err := adminConnections(ctx, a, member); err == nil {
				return l
			}
		}
		l, _ := fourLetterConnections(ctx, member)
		return l
	})
	if err != nil {
		return nil, err
	}
	return slices.Concat(lists...), nil
}

func ptr[T any](v T) *T { return &v }

func adminConnections(ctx context.Context, admin, member string) ([]zkstore.ConnectionInfo, error) {
	var reply struct {
		Connections []map[string]any `json:"connections"`
	}
	if err := adminGet(ctx, admin, "connections", &reply); err != nil {
		return nil, err
	}
	var out []zkstore.ConnectionInfo
	for _, c := range reply.Connections {
		num := func(k string) *int64 {
			if n, ok := c[k].(json.Number); ok {
				if v, err := n.Int64(); err == nil {
					return &v
				}
			}
			return nil
		}
		ci := zkstore.ConnectionInfo{Server: member}
		ci.ClientAddress, _ = c["remote_socket_address"].(string)
		if id := num("session_id"); id != nil {
			ci.SessionID = *id
		}
		ci.Queued = num("outstanding_requests")
		ci.Received = num("packets_received")
		ci.Sent = num("packets_sent")
		ci.LastOperation, _ = c["last_operation"].(string)
		if to := num("session_timeout"); to != nil {
			ci.SessionTimeout = ptr(time.Duration(*to) * time.Millisecond)
		}
		ci.LastZxid = num("last_zxid")
		if est := num("established"); est != nil {
			ci.Established = ptr(time.UnixMilli(*est))
		}
		ci.LatencyLast = num("last_latency")
		ci.LatencyMin = num("min_latency")
		ci.LatencyAvg = num("avg_latency")
		ci.LatencyMax = num("max_latency")
		out = append(out, ci)
	}
	return out, nil
}

// fourLetterConnections parses cons:
//
//	/127.0.0.1:45198[1](queued=0,recved=5,sent=5,sid=0x1...,lop=EXIS,est=1796357048601,to=5000,lcxid=0x4,lzxid=0x2,lresp=9505390,llat=1,minlat=0,avglat=6,maxlat=17)
//
// The connection the probe itself holds (no session) is left out.
func fourLetterConnections(ctx context.Context, member string) ([]zkstore.ConnectionInfo, error) {
	reply, err := fourLetter(ctx, member, "cons")
	if err != nil {
		return nil, err
	}
	var out []zkstore.ConnectionInfo
	for line := range strings.Lines(reply) {
		line = strings.TrimSpace(line)
		open := strings.Index(line, "(")
		if open < 0 || !strings.HasSuffix(line, ")") {
			continue
		}
		addr := line[:open]
		if i := strings.Index(addr, "["); i >= 0 {
			addr = addr[:i]
		}
		kv := map[string]string{}
		for _, field := range strings.Split(line[open+1:len(line)-1], ",") {
			if k, v, ok := strings.Cut(field, "="); ok {
				kv[k] = v
			}
		}
		num := func(k string) *int64 {
			v, ok := kv[k]
			if !ok {
				return nil
			}
			base := 10
			if h, ok := strings.CutPrefix(v, "0x"); ok {
				v, base = h, 16
			}
			n, err := strconv.ParseInt(v, base, 64)
			if err != nil {
				return nil
			}
			return &n
		}
		sid := num("sid")
		if sid == nil {
			continue // the probe's own connection
		}
		ci := zkstore.ConnectionInfo{
			Server:        member,
			ClientAddress: strings.TrimPrefix(addr, "/"),
			SessionID:     *sid,
			Queued:        num("queued"),
			Received:      num("recved"),
			Sent:          num("sent"),
			LastOperation: kv["lop"],
			LastZxid:      num("lzxid"),
			LatencyLast:   num("llat"),
			LatencyMin:    num("minlat"),
			LatencyAvg:    num("avglat"),
			LatencyMax:    num("maxlat"),
		}
		if to := num("to"); to != nil {
			ci.SessionTimeout = ptr(time.Duration(*to) * time.Millisecond)
		}
		if est := num("est"); est != nil {
			ci.Established = ptr(time.UnixMilli(*est))
		}
		out = append(out, ci)
	}
	return out, nil
}

// Watches asks every member for its watches (ZooKeeper lists data
// watches only; see zkstore.WatchInfo).
func (s *Store) Watches(ctx context.Context) ([]zkstore.WatchInfo, error) {
	lists, err := eachMember(s, ctx, func(ctx context.Context, member string) []zkstore.WatchInfo {
		var bySession map[string][]string
		ok := false
		if a := s.adminAddr(member); a != "" {
			var reply struct {
				Watches map[string][]string `json:"session_id_to_watched_paths"`
			}
			if adminGet(ctx, a, "watches", &reply) == nil {
				bySession, ok = reply.Watches, true
			}
		}
		if !ok {
			reply, err := fourLetter(ctx, member, "wchc")
			if err != nil {
				return nil
			}
			bySession = parseSessionPaths(reply)
		}
		var out []zkstore.WatchInfo
		for sid, paths := range bySession {
			id, ok := parseSessionID(sid)
			if !ok {
				continue
			}
			for _, p := range paths {
				out = append(out, zkstore.WatchInfo{Server: member, SessionID: id, Path: p, Kind: "data"})
			}
		}
		slices.SortFunc(out, func(a, b zkstore.WatchInfo) int {
			return cmp.Or(cmp.Compare(a.Path, b.Path), cmp.Compare(a.SessionID, b.SessionID))
		})
		return out
	})
	if err != nil {
		return nil, err
	}
	return slices.Concat(lists...), nil
}

// parseSessionID reads a session id in decimal (AdminServer) or 0x hex
// (four-letter words).
func parseSessionID(s string) (int64, bool) {
	if h, ok := strings.CutPrefix(s, "0x"); ok {
		u, err := strconv.ParseUint(h, 16, 64)
		return int64(u), err == nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// parseSessionPaths reads the "0xSESSION\n\t/path\n" blocks of wchc and
// of dump's ephemerals section.
func parseSessionPaths(reply string) map[string][]string {
	out := map[string][]string{}
	cur := ""
	sc := bufio.NewScanner(strings.NewReader(reply))
	sc.Buffer(nil, maxReply)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "0x"):
			cur = strings.TrimSuffix(strings.TrimSpace(line), ":")
		case strings.HasPrefix(line, "\t/") && cur != "":
			out[cur] = append(out[cur], strings.TrimPrefix(line, "\t"))
		case line != "" && !strings.HasPrefix(line, "\t"):
			cur = ""
		}
	}
	return out
}

// Ephemerals asks the members for the ephemeral znodes and their owners
// (dump); every member holds the same tree, so each ephemeral is listed
// once, from the first member that answered.
func (s *Store) Ephemerals(ctx context.Context) ([]zkstore.EphemeralInfo, error) {
	lists, err := eachMember(s, ctx, func(ctx context.Context, member string) []zkstore.EphemeralInfo {
		var bySession map[string][]string
		ok := false
		if a := s.adminAddr(member); a != "" {
			var reply struct {
				Ephemerals map[string][]string `json:"session_id_to_ephemeral_paths"`
			}
			if adminGet(ctx, a, "dump", &reply) == nil {
				bySession, ok = reply.Ephemerals, true
			}
		}
		if !ok {
			reply, err := fourLetter(ctx, member, "dump")
			if err != nil {
				return nil
			}
			_, eph, _ := strings.Cut(reply, "ephemeral nodes dump:")
			eph, _, _ = strings.Cut(eph, "Connections dump:")
			bySession = parseSessionPaths(eph)
		}
		var out []zkstore.EphemeralInfo
		for sid, paths := range bySession {
			id, ok := parseSessionID(sid)
			if !ok {
				continue
			}
			for _, p := range paths {
				out = append(out, zkstore.EphemeralInfo{Server: member, SessionID: id, Path: p})
			}
		}
		return out
	})
	if err != nil {
		return nil, err
	}
	type key struct {
		sess int64
		path string
	}
	seen := map[key]bool{}
	var out []zkstore.EphemeralInfo
	for _, l := range lists {
		for _, e := range l {
			if !seen[key{e.SessionID, e.Path}] {
				seen[key{e.SessionID, e.Path}] = true
				out = append(out, e)
			}
		}
	}
	slices.SortFunc(out, func(a, b zkstore.EphemeralInfo) int {
		return cmp.Or(cmp.Compare(a.SessionID, b.SessionID), cmp.Compare(a.Path, b.Path))
	})
	return out, nil
}

// Session describes the store's session. The negotiated timeout and the
// last zxid come from the connected server's own record of the
// connection (cons), when it gives one; otherwise Timeout is the one
// asked for.
func (s *Store) Session(ctx context.Context) (zkstore.SessionInfo, error) {
	s.mu.Lock()
	info := zkstore.SessionInfo{
		SessionID:      s.sessionID,
		State:          s.state,
		Timeout:        s.cfg.sessionTimeout,
		ConnectedSince: s.connectedSince,
		Reconnects:     s.reconnects,
	}
	if s.state == zkstore.StateConnected {
		info.Server = s.server
	}
	s.mu.Unlock()
	if info.Server == "" {
		info.ConnectedSince = time.Time{}
		return info, nil
	}
	pctx, cancel := context.WithTimeout(ctx, s.probeTimeout())
	defer cancel()
	var conns []zkstore.ConnectionInfo
	var err error
	if a := s.adminAddr(info.Server); a != "" {
		conns, err = adminConnections(pctx, a, info.Server)
	}
	if conns == nil {
		conns, err = fourLetterConnections(pctx, info.Server)
	}
	if err := ctx.Err(); err != nil {
		return info, err
	}
	if err == nil {
		for _, c := range conns {
			if c.SessionID == info.SessionID {
				if c.SessionTimeout != nil {
					info.Timeout, info.TimeoutNegotiated = *c.SessionTimeout, true
				}
				info.LastZxid = c.LastZxid
			}
		}
	}
	return info, nil
}
