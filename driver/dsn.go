package driver

import (
	"encoding/json"
	"github.com/zksql/zksql/zkstore"

	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Default values of the Config fields. FormatDSN leaves out options whose
// value equals the default.
const (
	DefaultPort           = 2181
	DefaultSessionTimeout = 10 * time.Second
	DefaultConnectTimeout = 5 * time.Second
	DefaultMaxScan        = 100000
	DefaultMaxData        = 1 << 20 // 1 MiB
	// DefaultMaxRequest is ZooKeeper's default jute.maxbuffer, 1048575
	// bytes: the largest request a server reads.
	DefaultMaxRequest        = zkstore.DefaultMaxRequestSize
	DefaultProtectSequential = false
)

// MinSessionTimeout and MaxSessionTimeout bound the session timeout a DSN
// (or Config) may ask for. ZooKeeper grants a timeout
// between its minSessionTimeout and maxSessionTimeout (2 and 20 ticks by
// default: 4s and 40s with the usual tickTime of 2s) and clamps anything
// else into that range, so a value far outside it is a mistake that the
// server would silently turn into something else. Below 1s a session
// cannot outlive one lost TCP segment (Linux retransmits after 200ms at
// the earliest, and go-zookeeper gives up a read after 2/3 of the
// timeout); above 10m a crashed client's ephemeral znodes would linger
// longer than any server is configured to allow.
const (
	MinSessionTimeout = time.Second
	MaxSessionTimeout = 10 * time.Minute
)

// Limits enforced on Config values.
const (
	maxTimeout  = 24 * time.Hour
	maxMemName  = 128
	maxHostName = 253
)

// redactedPassword replaces passwords in every form of a Config or
// Credential meant for display.
const redactedPassword = "xxxxx"

// Config is a configuration parsed from a DSN string by ParseDSN.
// Create a new Config with NewConfig, which sets the defaults; a zero
// Config is not valid.
//
// Config implements fmt.Formatter, fmt.Stringer, fmt.GoStringer and
// slog.LogValuer so that passwords in Auth are redacted however a Config
// is printed or logged. Only FormatDSN writes the real passwords.
type Config struct {
	// Servers lists the ZooKeeper servers as "host:port", with IPv6
	// addresses in brackets. It is empty for a mem: store.
	Servers []string
	// Chroot is the absolute ZooKeeper path every statement is relative
	// to, or "" for none.
	Chroot string
	// Mem selects an in-memory store instead of a ZooKeeper ensemble.
	Mem bool
	// MemName names an in-memory store shared by every sql.DB in the
	// process that opens it; "" means a store private to one sql.DB.
	MemName string
	// SessionTimeout is the ZooKeeper session timeout the client asks
	// for (the server may negotiate it). Whole milliseconds.
	SessionTimeout time.Duration
	// ConnectTimeout bounds how long opening a connection waits for a
	// ZooKeeper session. Whole milliseconds.
	ConnectTimeout time.Duration
	// Auth holds the credentials added to each session, in order.
	Auth []Credential
	// CreateParents makes creates also create missing parent znodes.
	CreateParents bool
	// CreateChroot makes opening a session create the chroot, and its
	// missing ancestors, when it does not exist; otherwise a missing
	// chroot fails the opening with ErrNoChroot. Only with a chroot.
	CreateChroot bool
	// ReadOnly rejects statements that would modify znodes.
	ReadOnly bool
	// ProtectSequential makes sequential creates carry a unique
	// protection prefix (Curator's "_c_<id>-") so that a create whose
	// outcome is unknown (for example after a connection loss) can be
	// resolved. Off by default: the prefix changes the znode's name, and
	// without it the created path is exactly the given prefix plus the
	// ten-digit LastInsertId, which other ZooKeeper clients expect.
	ProtectSequential bool
	// MaxScan is the most znodes a single statement may visit.
	MaxScan int
	// MaxData is the largest znode data, in bytes, a statement may write.
	MaxData int
	// MaxRequest is the largest request, in bytes as the server counts
	// them, the session sends: the servers' jute.maxbuffer. A statement
	// whose request would be larger (a DELETE of many znodes is one multi)
	// fails with zkstore.ErrRequestTooLarge before anything is sent, where
	// the server would drop the connection and leave the outcome unknown.
	MaxRequest int
	// SkipUnreadable makes a SELECT leave out the znodes the session may
	// not read (ZooKeeper answers ErrNoAuth) instead of failing, and end
	// its rows with an *UnreadableError naming them. Writes and
	// transactions never skip.
	SkipUnreadable bool
	// DefaultACL is the ACL of every znode a statement creates (parents
	// made by CreateParents included) unless an INSERT gives a row its own
	// in the acl column; nil means world:anyone:cdrwa, ZooKeeper's
	// OPEN_ACL_UNSAFE. Set in the DSN as default_acl (see ParseDSN).
	// Digest ids are password hashes: every display form redacts them.
	DefaultACL []zkstore.ACL
	// AdminPorts is where the system tables find each server's
	// AdminServer: one port for every server, or one per server in
	// Servers order; 0 means none (four-letter words only). nil means
	// ZooKeeper's default, 8080 (systables_dsn.go).
	AdminPorts []int
	// ProbeTimeout bounds how long the system tables wait for one
	// server's figures. Whole milliseconds.
	ProbeTimeout time.Duration
	// Cache names the subtrees whose reads the driver answers from
	// memory, kept current by a persistent recursive watch per subtree
	// (see "Read cache" in the package doc): absolute paths, relative to
	// the chroot like every path, sorted, none inside another. nil means
	// no cache. Set in the DSN as cache=/PATH[,/PATH...].
	Cache []string
	// StaleReads lets cached reads answer from memory while the session
	// is disconnected, instead of failing with the connection error. Only
	// with Cache.
	StaleReads bool
	// SyncReads makes every SELECT sync the session's server with the
	// ZooKeeper leader before it reads, as WithSync does for one
	// statement: the read sees every write acknowledged anywhere before
	// it began, for one more round trip.
	SyncReads bool

	// Logger receives what the driver has to say outside any statement's
	// result: that a session expired and a new one was opened. It is not
	// part of the DSN; nil means slog.Default().
	Logger *slog.Logger
}

// Credential is one auth option: a ZooKeeper authentication scheme and
// its user and password. Only the "digest" scheme is supported.
//
// Credential implements fmt.Formatter, fmt.Stringer, fmt.GoStringer and
// slog.LogValuer; all of them redact the password.
type Credential struct {
	Scheme   string
	User     string
	Password string
}

// NewConfig returns a new Config with every option at its default. It
// names no servers: set Servers, or Mem, before using it.
func NewConfig() *Config {
	return &Config{
		SessionTimeout:    DefaultSessionTimeout,
		ConnectTimeout:    DefaultConnectTimeout,
		MaxScan:           DefaultMaxScan,
		MaxData:           DefaultMaxData,
		MaxRequest:        DefaultMaxRequest,
		ProtectSequential: DefaultProtectSequential,
		ProbeTimeout:      DefaultProbeTimeout,
	}
}

// Clone returns a deep copy of cfg.
func (cfg *Config) Clone() *Config {
	if cfg == nil {
		return nil
	}
	c := *cfg
	if cfg.Servers != nil {
		c.Servers = append([]string(nil), cfg.Servers...)
	}
	if cfg.Auth != nil {
		c.Auth = append([]Credential(nil), cfg.Auth...)
	}
	if cfg.DefaultACL != nil {
		c.DefaultACL = append([]zkstore.ACL(nil), cfg.DefaultACL...)
	}
	if cfg.AdminPorts != nil {
		c.AdminPorts = append([]int(nil), cfg.AdminPorts...)
	}
	if cfg.Cache != nil {
		c.Cache = append([]string(nil), cfg.Cache...)
	}
	return &c
}

// FormatDSN formats cfg as a DSN that ParseDSN turns back into an equal
// Config. It always uses the zk:// or mem: form and writes only options
// whose value differs from the default, sorted by name.
//
// FormatDSN writes passwords in clear text: use it to re-open a database,
// never for display. Use Redacted (or String) to show a DSN.
func (cfg *Config) FormatDSN() string {
	return cfg.format(false)
}

// Redacted returns the DSN of cfg like FormatDSN, but with every password
// replaced by "xxxxx". Use it to display or log a DSN.
func (cfg *Config) Redacted() string {
	return cfg.format(true)
}

func (cfg *Config) format(redact bool) string {
	var b strings.Builder
	if cfg.Mem {
		b.WriteString("mem:")
		b.WriteString(cfg.MemName)
	} else {
		b.WriteString("zk://")
		b.WriteString(strings.Join(cfg.Servers, ","))
		b.WriteString(escape(cfg.Chroot, chrootSafe))
	}

	// Options in name order.
	sep := byte('?')
	opt := func(name, value string) {
		b.WriteByte(sep)
		sep = '&'
		b.WriteString(name)
		b.WriteByte('=')
		b.WriteString(value)
	}
	for _, c := range cfg.Auth {
		if redact {
			c = c.redacted()
		}
		opt("auth", escape(c.Scheme+":"+c.User+":"+c.Password, valueSafe))
	}
	if v := formatAdminPorts(cfg.AdminPorts); v != "" {
		opt("admin_port", v)
	}
	if cfg.Cache != nil {
		opt("cache", formatCache(cfg.Cache))
	}
	if cfg.ConnectTimeout != DefaultConnectTimeout {
		opt("connect_timeout", cfg.ConnectTimeout.String())
	}
	if cfg.CreateChroot {
		opt("create_chroot", "true")
	}
	if cfg.CreateParents {
		opt("create_parents", "true")
	}
	if cfg.DefaultACL != nil {
		opt("default_acl", escape(formatACLSpec(cfg.DefaultACL, redact), valueSafe))
	}
	if cfg.MaxData != DefaultMaxData {
		opt("max_data", strconv.Itoa(cfg.MaxData))
	}
	if cfg.MaxRequest != DefaultMaxRequest {
		opt("max_request", strconv.Itoa(cfg.MaxRequest))
	}
	if cfg.MaxScan != DefaultMaxScan {
		opt("max_scan", strconv.Itoa(cfg.MaxScan))
	}
	if cfg.ProbeTimeout != DefaultProbeTimeout {
		opt("probe_timeout", cfg.ProbeTimeout.String())
	}
	if cfg.ProtectSequential != DefaultProtectSequential {
		opt("protect_sequential", strconv.FormatBool(cfg.ProtectSequential))
	}
	if cfg.ReadOnly {
		opt("read_only", "true")
	}
	if cfg.SessionTimeout != DefaultSessionTimeout {
		opt("session_timeout", cfg.SessionTimeout.String())
	}
	if cfg.SkipUnreadable {
		opt("skip_unreadable", "true")
	}
	if cfg.StaleReads {
		opt("stale_reads", "true")
	}
	if cfg.SyncReads {
		opt("sync_reads", "true")
	}
	return b.String()
}

// String returns the redacted DSN of cfg, the same as Redacted.
func (cfg Config) String() string {
	return cfg.Redacted()
}

// configFields has the fields of Config but none of its methods, so that
// fmt prints it as a struct.
type configFields Config

// GoString returns a Go-syntax representation of cfg with every password
// replaced by "xxxxx". It implements the %#v verb.
func (cfg Config) GoString() string {
	// The Auth elements redact themselves through Credential.Format.
	cfg.DefaultACL = redactACL(cfg.DefaultACL)
	s := fmt.Sprintf("%#v", configFields(cfg))
	_, rest, _ := strings.Cut(s, "{")
	return "driver.Config{" + rest
}

// Format implements fmt.Formatter so that no verb prints a password:
// %+v prints the fields, %#v calls GoString, and every other verb
// formats the redacted DSN.
func (cfg Config) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		io.WriteString(f, cfg.GoString())
	case verb == 'v' && f.Flag('+'):
		cfg.DefaultACL = redactACL(cfg.DefaultACL)
		fmt.Fprintf(f, "%+v", configFields(cfg))
	default:
		fmt.Fprintf(f, fmt.FormatString(f, verb), cfg.Redacted())
	}
}

// LogValue implements slog.LogValuer: a Config is logged as its redacted
// DSN.
func (cfg Config) LogValue() slog.Value {
	return slog.StringValue(cfg.Redacted())
}

func (c Credential) redacted() Credential {
	if c.Password != "" {
		c.Password = redactedPassword
	}
	return c
}

// String returns "scheme:user:xxxxx", hiding the password.
func (c Credential) String() string {
	c = c.redacted()
	return c.Scheme + ":" + c.User + ":" + c.Password
}

// GoString returns a Go-syntax representation of c with the password
// replaced by "xxxxx". It implements the %#v verb.
func (c Credential) GoString() string {
	c = c.redacted()
	return fmt.Sprintf("driver.Credential{Scheme:%q, User:%q, Password:%q}", c.Scheme, c.User, c.Password)
}

type credentialFields Credential

// Format implements fmt.Formatter so that no verb prints the password.
func (c Credential) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		io.WriteString(f, c.GoString())
	case verb == 'v' && f.Flag('+'):
		fmt.Fprintf(f, "%+v", credentialFields(c.redacted()))
	default:
		fmt.Fprintf(f, fmt.FormatString(f, verb), c.String())
	}
}

// MarshalJSON hides the password: a Config dumped as JSON (into a log, a
// status page) must not carry it.
func (c Credential) MarshalJSON() ([]byte, error) {
	return json.Marshal(credentialFields(c.redacted()))
}

// LogValue implements slog.LogValuer, hiding the password.
func (c Credential) LogValue() slog.Value {
	return slog.StringValue(c.String())
}

// errorf returns an error starting with "invalid DSN: ".
func errorf(format string, args ...any) error {
	return errors.New("invalid DSN: " + fmt.Sprintf(format, args...))
}

// Option names, sorted.
var optionNames = []string{
	"admin_port",
	"auth",
	"cache",
	"connect_timeout",
	"create_chroot",
	"create_parents",
	"default_acl",
	"max_data",
	"max_request",
	"max_scan",
	"probe_timeout",
	"protect_sequential",
	"read_only",
	"session_timeout",
	"skip_unreadable",
	"stale_reads",
	"sync_reads",
}

// ParseDSN parses a DSN into a Config. It accepts three forms:
//
//	mem:[NAME][?OPTIONS]
//	zk://HOST[:PORT][,HOST[:PORT]...][/CHROOT][?OPTIONS]
//	HOST[:PORT][,HOST[:PORT]...][/CHROOT][?OPTIONS]
//
// "mem:" opens an in-memory store private to one sql.DB; "mem:NAME" opens
// the in-memory store of that name, shared by every sql.DB in the process
// that names it. NAME may contain letters, digits, '.', '_' and '-'.
//
// The zk:// form and the bare form, as written in ZooKeeper's own
// connection strings, name a ZooKeeper ensemble. A HOST without a port
// gets port 2181; write IPv6 addresses in brackets, as in [::1]:2181.
// CHROOT is an absolute ZooKeeper path (no trailing '/', no empty, "." or
// ".." segments) that every statement is relative to; "/" means none.
// CHROOT is percent-decoded; '?' and '@' in it must be written %3F and
// %40. Credentials may not be given as user:password@host: use auth.
//
// OPTIONS are NAME=VALUE pairs separated by '&'. Values are
// percent-decoded ('+' stays a plus; write '&' as %26 and '%' as %25).
// Unknown options, and options other than auth given twice, are errors.
//
//	auth=digest:USER:PASSWORD
//		adds a credential to each session; repeatable. The password may
//		contain ':'. Only the digest scheme is supported.
//	session_timeout=DURATION (default 10s)
//		session timeout asked of ZooKeeper, from 1s to 10m (servers
//		grant 4s to 40s by default and clamp what they are asked into
//		their range). Not for mem: stores.
//	connect_timeout=DURATION (default 5s)
//		how long to wait for a session when connecting. Not for mem:.
//	create_chroot=BOOL (default false)
//		when the chroot does not exist, create it (and its missing
//		ancestors, persistent, open ACL) when a session opens. Without it
//		a missing chroot fails Ping and the first statement with
//		ErrNoChroot, naming it. Only with a chroot.
//	create_parents=BOOL (default false)
//		creates also create missing parent znodes.
//	default_acl=ACL (default world:anyone:cdrwa)
//		the ACL of every znode a statement creates, parents included,
//		unless an INSERT gives the row one in its acl column, as
//		Curator's ACLProvider and kazoo's default_acl do. ACL is
//		SCHEME:ID:PERMS entries separated by ',' (zkCli's setAcl form)
//		with PERMS in the letters cdrwa, e.g. auth::cdrwa (the session's
//		own auth credentials), world:anyone:r,digest:USER:HASH:cdrwa or
//		ip:10.0.0.0/8:r; or a JSON array of acls rows,
//		[{"scheme":"world","id":"anyone","perms":"r"}]. Digest ids are
//		shown as USER:xxxxx by every display form of the Config.
//	read_only=BOOL (default false)
//		reject statements that modify znodes.
//	protect_sequential=BOOL (default false)
//		give sequential creates a unique protection prefix so that a
//		create whose outcome is unknown can be resolved.
//	max_scan=N (default 100000)
//		the most znodes one statement may visit.
//	max_data=N (default 1048576)
//		the largest znode data, in bytes, a statement may write.
//	max_request=N (default 1048575)
//		the largest request, in bytes as a ZooKeeper server counts them,
//		a statement may send: set it to the servers' jute.maxbuffer, whose
//		default this is. A larger request (a DELETE or UPDATE of many
//		znodes is one multi) is refused before anything is sent with
//		zkstore.ErrRequestTooLarge, where the server would drop the
//		connection and leave the outcome unknown. Raise it only together
//		with jute.maxbuffer on every server.
//	admin_port=PORT[,PORT...] (default 8080)
//		the AdminServer port of every server, or one per server in
//		order; 0 means none. The system tables (servers, connections,
//		...) read a server's AdminServer there, and its four-letter
//		words on the client port otherwise. Not for mem:.
//	probe_timeout=DURATION (default 2s)
//		how long the system tables wait for one server. Not for mem:.
//	skip_unreadable=BOOL (default false)
//		a SELECT that meets a znode the session may not read
//		(ErrNoAuth) fails by default, naming it. With true it leaves such
//		znodes out (a znode whose children it may not list, with its
//		subtree) and returns the rows it could read, then ends them with
//		an *UnreadableError naming what it left out (rows.Err reports
//		it). Writes and transactions always fail instead.
//	cache=PATH[,PATH...] (default none)
//		answer the reads of these subtrees from memory: each session
//		loads them when it opens and keeps them current from one
//		persistent recursive watch per subtree (ZooKeeper 3.6+). PATHs
//		are absolute and relative to the chroot like every path; write
//		',' inside a path as %2C. A SELECT whose plan reads only cached
//		subtrees sends nothing to ZooKeeper, and EXPLAIN says so. See
//		"Read cache" in the package doc for what a cached read sees.
//	stale_reads=BOOL (default false)
//		while the session is disconnected, answer cached reads from
//		memory (the state of the moment the connection was lost) instead
//		of failing with the connection error. Only with cache.
//	sync_reads=BOOL (default false)
//		every SELECT first syncs the session's server with the leader,
//		as WithSync does for one statement, so that it sees every write
//		acknowledged anywhere before it began. One more round trip.
//
// A DURATION is a Go duration with its unit, such as 10s, 1m30s or
// 1500ms; a bare number is refused (session_timeout=15 would be 15ms in
// ZooKeeper's own configuration and 15s to many readers). It must be a
// whole number of milliseconds between 1ms and 24h. A BOOL is
// true, false, 1 or 0. N is an integer from 1 to 2147483647.
//
// Errors start with "invalid DSN:" and never contain a password.
func ParseDSN(dsn string) (*Config, error) {
	if dsn == "" {
		return nil, errorf("empty DSN; write zk://HOST:PORT[/CHROOT] or mem:[NAME]")
	}
	cfg := NewConfig()
	addr, query, hasQuery := strings.Cut(dsn, "?")
	switch {
	case strings.HasPrefix(addr, "mem:"):
		cfg.Mem = true
		cfg.MemName = addr[len("mem:"):]
		if strings.HasPrefix(cfg.MemName, "/") {
			return nil, errorf("write mem:NAME, not mem://NAME")
		}
	case strings.HasPrefix(addr, "zk://"):
		if err := cfg.parseAddr(addr[len("zk://"):]); err != nil {
			return nil, err
		}
	default:
		if scheme, _, ok := strings.Cut(addr, "://"); ok {
			if !strings.ContainsAny(scheme, "@/,") && len(scheme) <= 16 {
				return nil, errorf("scheme %q not supported; write zk://HOST:PORT or mem:", scheme)
			}
			return nil, errorf("scheme not supported; write zk://HOST:PORT or mem:")
		}
		if err := cfg.parseAddr(addr); err != nil {
			return nil, err
		}
	}
	if hasQuery {
		if err := cfg.parseOptions(query); err != nil {
			return nil, err
		}
	}
	if err := cfg.normalize(); err != nil {
		return nil, err
	}
	return cfg, nil
}

// parseAddr parses HOST[:PORT][,HOST[:PORT]...][/CHROOT]. The servers are
// checked and canonicalized by normalize.
func (cfg *Config) parseAddr(addr string) error {
	servers, chroot, hasChroot := strings.Cut(addr, "/")
	if strings.Contains(servers, "@") {
		// Never echo: the part before '@' is likely user:password.
		return errorf("credentials before '@' are not supported; remove them and add ?auth=digest:USER:PASSWORD")
	}
	if servers == "" {
		return errorf("no ZooKeeper servers; write zk://HOST:PORT[,HOST:PORT...][/CHROOT]")
	}
	cfg.Servers = strings.Split(servers, ",")
	if hasChroot {
		path := "/" + chroot
		if strings.Contains(path, "@") {
			return errorf("'@' in the chroot must be written %%40 (credentials before '@' are not supported; use ?auth=digest:USER:PASSWORD)")
		}
		p, err := url.PathUnescape(path)
		if err != nil {
			return errorf("chroot %q: invalid percent-encoding; write '%%' as %%25", path)
		}
		cfg.Chroot = p
	}
	return nil
}

func (cfg *Config) parseOptions(query string) error {
	seen := make(map[string]bool)
	nauth := 0
	afterAuth := false
	for i, kv := range strings.Split(query, "&") {
		if kv == "" {
			continue
		}
		prevAuth := afterAuth
		afterAuth = false
		name, raw, ok := strings.Cut(kv, "=")
		if prevAuth && !isOption(name) {
			// Likely the rest of a password containing '&': do not echo.
			return errorf("unknown option after auth option %d; if the password contains '&', write it as %%26", nauth)
		}
		if !ok {
			if isOption(name) {
				return errorf("option %s has no value; write %s=VALUE", name, name)
			}
			return errorf("option %d has no '='; write NAME=VALUE and write '&' inside values as %%26", i+1)
		}
		if !isOption(name) {
			return unknownOption(name)
		}
		if name == "auth" {
			nauth++
			afterAuth = true
		} else if seen[name] {
			return errorf("option %s given more than once; keep one", name)
		}
		seen[name] = true
		value, err := url.PathUnescape(raw)
		if err != nil {
			if name == "auth" {
				return errorf("auth option %d: invalid percent-encoding; write '%%' as %%25", nauth)
			}
			return errorf("option %s: invalid percent-encoding in %q; write '%%' as %%25", name, raw)
		}
		if cfg.Mem && (name == "session_timeout" || name == "connect_timeout" || name == "admin_port" || name == "probe_timeout") {
			return errorf("option %s does not apply to mem: stores; remove it", name)
		}

		switch name {
		case "auth":
			parts := strings.SplitN(value, ":", 3)
			if len(parts) != 3 {
				return errorf("auth option %d: want auth=digest:USER:PASSWORD", nauth)
			}
			cfg.Auth = append(cfg.Auth, Credential{Scheme: parts[0], User: parts[1], Password: parts[2]})
		case "session_timeout":
			cfg.SessionTimeout, err = parseTimeout(name, value)
		case "connect_timeout":
			cfg.ConnectTimeout, err = parseTimeout(name, value)
		case "create_chroot":
			cfg.CreateChroot, err = parseBool(name, value)
		case "create_parents":
			cfg.CreateParents, err = parseBool(name, value)
		case "default_acl":
			cfg.DefaultACL, err = parseDefaultACL(value)
		case "read_only":
			cfg.ReadOnly, err = parseBool(name, value)
		case "protect_sequential":
			cfg.ProtectSequential, err = parseBool(name, value)
		case "skip_unreadable":
			cfg.SkipUnreadable, err = parseBool(name, value)
		case "max_scan":
			cfg.MaxScan, err = parsePositive(name, value, math.MaxInt32)
		case "max_data":
			cfg.MaxData, err = parsePositive(name, value, math.MaxInt32)
		case "max_request":
			cfg.MaxRequest, err = parsePositive(name, value, math.MaxInt32)
		case "admin_port":
			cfg.AdminPorts, err = parseAdminPorts(value)
		case "probe_timeout":
			cfg.ProbeTimeout, err = parseTimeout(name, value)
		case "cache":
			cfg.Cache, err = parseCache(raw)
		case "stale_reads":
			cfg.StaleReads, err = parseBool(name, value)
		case "sync_reads":
			cfg.SyncReads, err = parseBool(name, value)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func isOption(name string) bool {
	for _, n := range optionNames {
		if n == name {
			return true
		}
	}
	return false
}

func unknownOption(name string) error {
	squash := func(s string) string {
		return strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(s))
	}
	for _, n := range optionNames {
		if squash(n) == squash(name) {
			return errorf("unknown option %q; did you mean %s?", name, n)
		}
	}
	known := strings.Join(optionNames, ", ")
	if len(name) <= 32 && isWord(name) {
		return errorf("unknown option %q; known options are %s", name, known)
	}
	return errorf("unknown option; known options are %s (write '&' inside values as %%26)", known)
}

// isWord reports whether s is non-empty and made of ASCII letters,
// digits, '_', '-' and '.'.
func isWord(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isAlnum(c) && c != '_' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func parseTimeout(name, value string) (time.Duration, error) {
	if isDigits(value) {
		// A bare number was read as milliseconds once, so that
		// session_timeout=15 meant 15ms; it has no unit now.
		return 0, errorf("option %s: %q has no unit; write %s=%ss for seconds (or %sms for milliseconds)", name, value, name, value, value)
	}
	d, err := time.ParseDuration(value)
	if err != nil {
		return 0, errorf("option %s: %q is not a duration; write e.g. 10s, 1500ms or 1m30s", name, value)
	}
	return d, checkTimeout(name, d)
}

func checkTimeout(name string, d time.Duration) error {
	switch {
	case d <= 0:
		return errorf("option %s: must be positive, got %v", name, d)
	case d > maxTimeout:
		return errorf("option %s: %v is too long; the most is 24h", name, d)
	case d%time.Millisecond != 0:
		return errorf("option %s: %v is not a whole number of milliseconds", name, d)
	case name == "session_timeout" && (d < MinSessionTimeout || d > MaxSessionTimeout):
		return errorf("option session_timeout: %v is outside what a ZooKeeper server grants; write a value from %v to %v (servers grant 4s to 40s by default)",
			d, MinSessionTimeout, MaxSessionTimeout)
	}
	return nil
}

func parseBool(name, value string) (bool, error) {
	switch strings.ToLower(value) {
	case "true", "1":
		return true, nil
	case "false", "0":
		return false, nil
	}
	return false, errorf("option %s: want true, false, 1 or 0, got %q", name, value)
}

func parsePositive(name, value string, max int) (int, error) {
	n, err := strconv.Atoi(value)
	if err != nil || n < 1 || n > max {
		return 0, errorf("option %s: want an integer from 1 to %d, got %q", name, max, value)
	}
	return n, nil
}

// normalize checks cfg and puts it in canonical form: servers as
// host:port with a lower-case host name or canonical IP address, and no
// chroot as "".
func (cfg *Config) normalize() error {
	if cfg.Mem {
		if len(cfg.Servers) > 0 {
			return errorf("a mem: store has no servers")
		}
		if cfg.Chroot != "" {
			return errorf("a mem: store has no chroot")
		}
		if cfg.MemName != "" && (len(cfg.MemName) > maxMemName || !isWord(cfg.MemName)) {
			// Not echoed: a mistyped DSN may hold a password here.
			return errorf("mem: store name may contain only letters, digits, '.', '_' and '-' (at most %d)", maxMemName)
		}
		if cfg.SessionTimeout != DefaultSessionTimeout {
			return errorf("option session_timeout does not apply to mem: stores; remove it")
		}
		if cfg.ConnectTimeout != DefaultConnectTimeout {
			return errorf("option connect_timeout does not apply to mem: stores; remove it")
		}
		if cfg.CreateChroot {
			return errorf("option create_chroot does not apply to mem: stores, which have no chroot; remove it")
		}
	} else {
		if cfg.MemName != "" {
			return errorf("a store name is only for mem: stores")
		}
		if len(cfg.Servers) == 0 {
			return errorf("no ZooKeeper servers; write zk://HOST:PORT[,HOST:PORT...][/CHROOT]")
		}
		servers := make([]string, len(cfg.Servers))
		for i, s := range cfg.Servers {
			n, err := normalizeServer(s)
			if err != nil {
				return err
			}
			for _, prev := range servers[:i] {
				if prev == n {
					return errorf("server %s listed more than once", n)
				}
			}
			servers[i] = n
		}
		cfg.Servers = servers
		if cfg.Chroot == "/" {
			cfg.Chroot = ""
		}
		if err := checkChroot(cfg.Chroot); err != nil {
			return err
		}
		if cfg.CreateChroot && cfg.Chroot == "" {
			return errorf("option create_chroot needs a chroot; write zk://HOST:PORT/CHROOT or remove it")
		}
		if err := checkTimeout("session_timeout", cfg.SessionTimeout); err != nil {
			return err
		}
		if err := checkTimeout("connect_timeout", cfg.ConnectTimeout); err != nil {
			return err
		}
	}
	if err := cfg.normalizeIntrospection(); err != nil {
		return err
	}
	if err := cfg.normalizeCache(); err != nil {
		return err
	}

	for i := range cfg.Auth {
		c := &cfg.Auth[i]
		switch {
		case strings.EqualFold(c.Scheme, "digest"):
			c.Scheme = "digest"
		case len(c.Scheme) <= 16 && isWord(c.Scheme) && strings.ToLower(c.Scheme) == c.Scheme:
			return errorf("auth option %d: scheme %q not supported; write auth=digest:USER:PASSWORD", i+1, c.Scheme)
		default:
			return errorf("auth option %d: scheme not supported; write auth=digest:USER:PASSWORD", i+1)
		}
		if c.User == "" {
			return errorf("auth option %d: empty user; write auth=digest:USER:PASSWORD", i+1)
		}
		if strings.Contains(c.User, ":") {
			return errorf("auth option %d: a digest user may not contain ':'", i+1)
		}
		if c.Password == "" {
			return errorf("auth option %d: empty password; write auth=digest:USER:PASSWORD", i+1)
		}
	}
	if cfg.DefaultACL != nil {
		// Re-checked here for a Config built by hand; FormatDSN must write
		// what ParseDSN reads.
		acl, err := parseDefaultACL(formatACLSpec(cfg.DefaultACL, false))
		if err != nil {
			return err
		}
		cfg.DefaultACL = acl
	}
	if cfg.MaxScan < 1 || cfg.MaxScan > math.MaxInt32 {
		return errorf("option max_scan: want an integer from 1 to %d, got %d", math.MaxInt32, cfg.MaxScan)
	}
	if cfg.MaxData < 1 || cfg.MaxData > math.MaxInt32 {
		return errorf("option max_data: want an integer from 1 to %d, got %d", math.MaxInt32, cfg.MaxData)
	}
	if cfg.MaxRequest < 1 || cfg.MaxRequest > math.MaxInt32 {
		return errorf("option max_request: want an integer from 1 to %d, got %d", math.MaxInt32, cfg.MaxRequest)
	}
	return nil
}

// normalizeServer checks a server address and returns it as host:port.
func normalizeServer(s string) (string, error) {
	if s == "" {
		return "", errorf("empty server address; check for a stray ','")
	}
	if strings.Contains(s, "@") {
		return "", errorf("credentials before '@' are not supported; remove them and add ?auth=digest:USER:PASSWORD")
	}
	var host, port string
	hasPort := false
	if s[0] == '[' {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return "", errorf("server %q: missing ']' after the IPv6 address", s)
		}
		host = s[1:end]
		switch rest := s[end+1:]; {
		case rest == "":
		case rest[0] == ':':
			port, hasPort = rest[1:], true
		default:
			return "", errorf("server %q: want [IPV6]:PORT", s)
		}
		ip, err := netip.ParseAddr(host)
		if err != nil {
			return "", errorf("server %q: %q is not an IP address", s, host)
		}
		if ip.Zone() != "" {
			return "", errorf("server %q: IPv6 zones are not supported", s)
		}
		host = ip.String()
	} else {
		switch strings.Count(s, ":") {
		case 0:
			host = s
		case 1:
			host, port, hasPort = strings.Cut(s, ":")
		default:
			return "", errorf("server %q: write IPv6 addresses in brackets, e.g. [::1]:2181", s)
		}
		host = strings.ToLower(host)
		if !validHostName(host) {
			return "", errorf("server %q: %q is not a valid host name", s, host)
		}
	}
	p := DefaultPort
	if hasPort {
		n, err := strconv.Atoi(port)
		if !isDigits(port) || err != nil || n < 1 || n > 65535 {
			return "", errorf("server %q: port must be a number from 1 to 65535", s)
		}
		p = n
	}
	return net.JoinHostPort(host, strconv.Itoa(p)), nil
}

// validHostName reports whether h is a lower-case DNS name or IPv4
// address: labels of letters, digits, '-' and '_', optionally ending in
// '.'.
func validHostName(h string) bool {
	h = strings.TrimSuffix(h, ".")
	if h == "" || len(h) > maxHostName {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// checkChroot checks that p is "" or a valid absolute ZooKeeper path
// other than "/", by the same rules the stores apply to every path.
func checkChroot(p string) error {
	if p == "" {
		return nil
	}
	if err := zkstore.ValidatePath(p, false); err != nil {
		return errorf("chroot: %v", strings.TrimPrefix(err.Error(), zkstore.ErrInvalidPath.Error()+" "))
	}
	return nil
}

// Bytes, besides letters, digits and "-._~", written unescaped by escape.
const (
	chrootSafe = "/!$'()*+,;=:"
	valueSafe  = "!$'()*+,;=:@/"
)

// escape percent-encodes every byte of s except ASCII letters, digits,
// "-._~" and the bytes in safe. url.PathUnescape undoes it.
func escape(s, safe string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isAlnum(c) || strings.IndexByte("-._~", c) >= 0 || strings.IndexByte(safe, c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// parseDefaultACL reads the default_acl option. Its errors never show
// the value (a digest id is a password hash).
func parseDefaultACL(value string) ([]zkstore.ACL, error) {
	acl, err := parseACLSpec(value)
	if err != nil {
		return nil, errorf("option default_acl: %s", strings.TrimPrefix(err.Error(), zkstore.ErrInvalidACL.Error()+": "))
	}
	return acl, nil
}
