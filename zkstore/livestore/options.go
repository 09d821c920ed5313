package livestore

import (
	"net"
	"time"

	"github.com/zksql/zksql/zkstore"
)

// Defaults for the options.
const (
	DefaultSessionTimeout = 10 * time.Second
	DefaultConnectTimeout = 15 * time.Second
	DefaultMaxDataSize    = 1 << 20
	// DefaultMaxRequestSize is the server's default jute.maxbuffer.
	DefaultMaxRequestSize = zkstore.DefaultMaxRequestSize
)

// Printer receives the store's and go-zookeeper's diagnostics. Nothing the
// store logs contains credentials. go-zookeeper's Logger and *log.Logger
// have the same method.
type Printer interface {
	Printf(format string, args ...any)
}

// DialFunc opens one TCP connection to a ZooKeeper server. timeout bounds
// the dial; go-zookeeper passes its own (one second).
type DialFunc func(network, address string, timeout time.Duration) (net.Conn, error)

// Option configures Open.
type Option func(*config)

type authInfo struct {
	scheme string
	auth   []byte
}

type config struct {
	sessionTimeout time.Duration
	connectTimeout time.Duration
	chroot         string
	auth           []authInfo
	maxDataSize    int
	maxRequestSize int
	logger         Printer
	dialer         DialFunc
	// introspection (introspect.go)
	adminPort    int
	adminAddrs   map[string]string
	probeTimeout time.Duration
}

func defaultConfig() config {
	return config{
		sessionTimeout: DefaultSessionTimeout,
		connectTimeout: DefaultConnectTimeout,
		maxDataSize:    DefaultMaxDataSize,
		maxRequestSize: DefaultMaxRequestSize,
		logger:         nopLogger{},
		adminPort:      DefaultAdminPort,
		probeTimeout:   DefaultProbeTimeout,
	}
}

// SessionTimeout is the session timeout asked of the server, which clamps
// it to its own bounds (2 to 20 ticks by default). Default 10s.
func SessionTimeout(d time.Duration) Option { return func(c *config) { c.sessionTimeout = d } }

// ConnectTimeout bounds how long Open waits for a session to be established,
// on top of Open's context. Default 15s.
func ConnectTimeout(d time.Duration) Option { return func(c *config) { c.connectTimeout = d } }

// Chroot makes every path the caller gives relative to root, as a chroot
// suffix of a ZooKeeper connect string does: "/" means root itself, and
// paths the store returns (created paths, watch events) are relative to it
// again. root must be a valid absolute path; it need not exist yet, but
// operations fail with ErrNoNode until it does.
func Chroot(root string) Option { return func(c *config) { c.chroot = root } }

// Auth adds credentials (as AddAuth does, e.g. scheme "digest", auth
// "user:password") right after the session is established, before Open
// returns. go-zookeeper re-sends them by itself on every reconnection.
// The credentials are never logged nor put into errors.
func Auth(scheme string, auth []byte) Option {
	a := authInfo{scheme: scheme, auth: append([]byte(nil), auth...)}
	return func(c *config) { c.auth = append(c.auth, a) }
}

// MaxDataSize is the largest znode data Create, Set and Multi accept before
// anything is sent; larger data gives ErrDataTooLarge. Default 1 MiB, like
// the server's jute.maxbuffer. Keep the server's jute.maxbuffer above this
// plus a few KiB of framing, or the server drops the connection instead.
func MaxDataSize(n int) Option { return func(c *config) { c.maxDataSize = n } }

// MaxRequestSize is the largest request, in bytes as the server counts
// them (zkstore.DefaultMaxRequestSize), the store sends: a larger one is
// refused with zkstore.ErrRequestTooLarge before anything is sent, since
// the server would close the connection and leave the outcome of a write
// unknown. Default 1048575, the server's default jute.maxbuffer; set it to
// the servers' jute.maxbuffer, never above.
func MaxRequestSize(n int) Option { return func(c *config) { c.maxRequestSize = n } }

// Logger sets where diagnostics go. The default discards them
// (go-zookeeper otherwise logs every connection attempt to the standard
// logger).
func Logger(l Printer) Option {
	return func(c *config) {
		if l == nil {
			l = nopLogger{}
		}
		c.logger = l
	}
}

// Dialer replaces net.DialTimeout for connecting to servers (for tests).
func Dialer(d DialFunc) Option { return func(c *config) { c.dialer = d } }

type nopLogger struct{}

func (nopLogger) Printf(string, ...any) {}
