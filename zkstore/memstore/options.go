package memstore

import (
	"time"

	"github.com/zksql/zksql/zkstore"
)

// Defaults, as a ZooKeeper 3.8 server has them.
const (
	// DefaultMaxDataSize is jute.maxbuffer's default: 1 MiB.
	DefaultMaxDataSize = 1 << 20
	// DefaultContainerCheckInterval is znode.container.checkIntervalMs's default.
	DefaultContainerCheckInterval = 60 * time.Second
	// DefaultSessionTimeout is the timeout a session reports when none is asked for.
	DefaultSessionTimeout = 30 * time.Second
)

// A ServerOption configures NewServer.
type ServerOption func(*serverConfig)

type serverConfig struct {
	maxDataSize       int
	maxRequestSize    int
	clock             func() time.Time
	checkInterval     time.Duration
	maxNeverUsed      time.Duration
	minSessionTimeout time.Duration
	maxSessionTimeout time.Duration
}

func defaultServerConfig() serverConfig {
	return serverConfig{
		maxDataSize:       DefaultMaxDataSize,
		maxRequestSize:    zkstore.DefaultMaxRequestSize,
		clock:             time.Now,
		checkInterval:     DefaultContainerCheckInterval,
		minSessionTimeout: 4 * time.Second,  // 2 ticks of 2s
		maxSessionTimeout: 40 * time.Second, // 20 ticks of 2s
	}
}

// MaxDataSize limits a znode's data, as jute.maxbuffer does; longer data is
// refused with zkstore.ErrDataTooLarge before the request is sent. A multi's
// data together must fit too. n <= 0 keeps the default.
func MaxDataSize(n int) ServerOption {
	return func(c *serverConfig) {
		if n > 0 {
			c.maxDataSize = n
		}
	}
}

// MaxRequestSize is the server's jute.maxbuffer: the largest request, in
// bytes as a ZooKeeper server counts them (zkstore.DefaultMaxRequestSize),
// its sessions send. A larger request is refused with
// zkstore.ErrRequestTooLarge before it is applied, as livestore refuses it
// before sending it, so that both stores agree on what is too large. n <= 0
// keeps the default, 1048575. SessionMaxRequestSize sets a session's own
// limit.
func MaxRequestSize(n int) ServerOption {
	return func(c *serverConfig) {
		if n > 0 {
			c.maxRequestSize = n
		}
	}
}

// Clock sets the server's wall clock: ctime and mtime, and the TTL reaper's
// idea of now. nil keeps time.Now.
func Clock(now func() time.Time) ServerOption {
	return func(c *serverConfig) {
		if now != nil {
			c.clock = now
		}
	}
}

// ContainerCheckInterval is how often the reaper looks for empty containers
// and expired TTL znodes (znode.container.checkIntervalMs). d < 0 turns the
// background reaper off; CheckContainers still works. 0 keeps the default.
func ContainerCheckInterval(d time.Duration) ServerOption {
	return func(c *serverConfig) {
		if d != 0 {
			c.checkInterval = d
		}
	}
}

// ContainerMaxNeverUsed lets the reaper also delete containers that never had
// a child once they are older than d (znode.container.maxNeverUsedIntervalMs).
// 0, the server's default, keeps them forever.
func ContainerMaxNeverUsed(d time.Duration) ServerOption {
	return func(c *serverConfig) { c.maxNeverUsed = d }
}

// SessionTimeoutBounds sets the range a requested session timeout is
// negotiated into (minSessionTimeout, maxSessionTimeout; by default 4s and
// 40s, as with tickTime 2000).
func SessionTimeoutBounds(min, max time.Duration) ServerOption {
	return func(c *serverConfig) {
		if min > 0 && max >= min {
			c.minSessionTimeout, c.maxSessionTimeout = min, max
		}
	}
}

// A SessionOption configures Connect.
type SessionOption func(*sessionConfig)

type sessionConfig struct {
	timeout        time.Duration
	maxRequestSize int
}

// SessionMaxRequestSize is the request limit of one session, as a client
// configured with its own limit (livestore.MaxRequestSize) has; n <= 0
// keeps the server's (MaxRequestSize).
func SessionMaxRequestSize(n int) SessionOption {
	return func(c *sessionConfig) { c.maxRequestSize = n }
}

// SessionTimeout is the session timeout to ask for; the server clamps it
// into its bounds. It is only reported (Session.Timeout): sessions expire
// only through Server.Expire.
func SessionTimeout(d time.Duration) SessionOption {
	return func(c *sessionConfig) { c.timeout = d }
}
