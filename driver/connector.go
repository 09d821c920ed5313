package driver

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"sync"

	"github.com/zksql/zksql/internal/engine"
	"github.com/zksql/zksql/zkstore"
	"github.com/zksql/zksql/zkstore/memstore"
)

// OpenFunc opens one ZooKeeper session.
type OpenFunc func(ctx context.Context) (zkstore.Store, error)

// connector opens connections that share one ZooKeeper session. The
// session is opened by the first Connect and closed by Close, which
// sql.DB.Close calls: the session's ephemeral znodes die with it. When
// the session expires, the pool drops its connections and the next
// Connect opens a new session.
type connector struct {
	cfg  *Config
	open OpenFunc
	// eng runs the statements of the connector's connections, sharing
	// their compiled statements.
	eng *engine.Engine

	// server is the private in-memory server of a "mem:" DSN, closed
	// with the connector.
	server *memstore.Server

	// openAddsAuth: open adds cfg.Auth itself (openStore).
	openAddsAuth bool

	// retiring counts what runs on the side: closes of replaced sessions,
	// openings a statement stopped waiting for. Close waits for them.
	retiring sync.WaitGroup
	// opening admits one session opener at a time.
	opening chan struct{}

	mu     sync.Mutex
	store  zkstore.Store
	closed bool
}

var (
	_ driver.Connector = (*connector)(nil)
	_ io.Closer        = (*connector)(nil)
)

// NewConnector returns a connector for cfg, for use with sql.OpenDB. cfg
// is copied; changing it afterwards has no effect. The connector opens one
// ZooKeeper session (or in-memory session) when first used; its
// connections share it, and closing the sql.DB closes it.
func NewConnector(cfg *Config) (driver.Connector, error) {
	if cfg == nil {
		return nil, zerrorf("NewConnector: nil Config")
	}
	c := cfg.Clone()
	if err := c.normalize(); err != nil {
		return nil, err
	}
	return newConnector(c, nil)
}

// NewStoreConnector returns a connector whose session is opened by open,
// for embedding zksql over any zkstore.Store (a memstore session, a
// livestore session with options of your own, a wrapper). open is called
// when the first connection is made, and again after the session it
// returned has expired; the connector closes the stores it opened when it
// is closed. cfg supplies the statement options (CreateParents, ReadOnly,
// MaxScan, MaxData, ProtectSequential, DefaultACL, Auth, SyncReads) and the
// read cache (Cache, StaleReads: each store open returns is wrapped in a
// cache of those subtrees); its server fields are ignored. A nil cfg means NewConfig().
func NewStoreConnector(open OpenFunc, cfg *Config) (driver.Connector, error) {
	if open == nil {
		return nil, zerrorf("NewStoreConnector: nil open function")
	}
	if cfg == nil {
		cfg = NewConfig()
	}
	c := cfg.Clone()
	if c.MaxScan < 1 || c.MaxScan > math.MaxInt32 {
		return nil, zerrorf("max_scan must be from 1 to %d", math.MaxInt32)
	}
	if c.MaxData < 1 || c.MaxData > math.MaxInt32 {
		return nil, zerrorf("max_data must be from 1 to %d", math.MaxInt32)
	}
	if err := c.normalizeCache(); err != nil {
		return nil, err
	}
	return newConnector(c, open)
}

func newConnector(cfg *Config, open OpenFunc) (*connector, error) {
	c := &connector{cfg: cfg, open: open, eng: engine.New(engineOptions(cfg)), opening: make(chan struct{}, 1)}
	if open != nil {
		return c, nil
	}
	switch {
	case cfg.Mem && cfg.MemName == "":
		c.server = memstore.NewServer(memstore.MaxDataSize(max(cfg.MaxData, memstore.DefaultMaxDataSize)),
			memstore.MaxRequestSize(cfg.MaxRequest))
		srv := c.server
		c.open = func(ctx context.Context) (zkstore.Store, error) { return srv.Open(), nil }
	default:
		// openStore adds cfg.Auth itself.
		c.openAddsAuth = true
		c.open = func(ctx context.Context) (zkstore.Store, error) { return openStore(ctx, cfg) }
	}
	return c, nil
}

// Connect returns a connection on the connector's session, opening the
// session first if there is none or the last one died.
func (c *connector) Connect(ctx context.Context) (driver.Conn, error) {
	st, err := c.session(ctx)
	if err != nil {
		return nil, err
	}
	return &conn{c: c, s: c.eng.NewSession(st)}, nil
}

// Driver returns the zookeeper driver.
func (c *connector) Driver() driver.Driver { return &ZKDriver{} }

// Close closes the session: its ephemeral znodes are deleted. sql.DB.Close
// calls it.
func (c *connector) Close() error {
	c.mu.Lock()
	st := c.store
	c.store = nil
	c.closed = true
	c.mu.Unlock()
	var err error
	if st != nil {
		err = st.Close()
	}
	c.retiring.Wait()
	if c.server != nil {
		c.server.Close()
	}
	return err
}

// session returns the live session, opening one if needed.
func (c *connector) session(ctx context.Context) (zkstore.Store, error) {
	if st, ok, err := c.current(); ok {
		return st, err
	}
	// One opener at a time; the others wait for it as long as their own
	// context allows, never longer.
	select {
	case c.opening <- struct{}{}:
		defer func() { <-c.opening }()
	case <-ctx.Done():
		return nil, zerrorf("waiting for a ZooKeeper session: %w", ctx.Err())
	}
	if st, ok, err := c.current(); ok {
		return st, err // another opener got there first
	}
	c.mu.Lock()
	dead := c.store
	c.store = nil
	c.mu.Unlock()
	if dead != nil {
		c.eng.SessionReplaced()
	}
	if dead != nil {
		// Closing an expired store keeps it answering ErrSessionExpired
		// to statements still running on it. It may take a while (a
		// live store waits up to a second for a server that may be gone),
		// and no statement's deadline must pay for it: the store is
		// closed on the side, and Close waits for that.
		c.retire(func() { dead.Close() })
	}
	st, err := c.openWithin(ctx)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		st.Close()
		return nil, zerrorf("connector is closed")
	}
	c.store = st
	c.mu.Unlock()
	if dead != nil {
		c.logger().Warn("zksql: ZooKeeper session ended; opened a new one: its ephemeral znodes and watches are gone",
			"old_session", fmt.Sprintf("0x%x", dead.SessionID()), "old_state", dead.State().String(),
			"new_session", fmt.Sprintf("0x%x", st.SessionID()))
	}
	return st, nil
}

// current returns the connector's live session; ok is false when a new
// one must be opened.
func (c *connector) current() (st zkstore.Store, ok bool, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, true, zerrorf("connector is closed")
	}
	if c.store != nil && alive(c.store) {
		return c.store, true, nil
	}
	return nil, false, nil
}

// openWithin opens a session and adds the credentials, returning when ctx
// ends even if the opening has not: a live store that gives up on its
// context still spends up to a second closing its connection, which runs
// on the side (Close waits for it), as does closing a session that came
// too late.
func (c *connector) openWithin(ctx context.Context) (zkstore.Store, error) {
	type opened struct {
		st  zkstore.Store
		err error
	}
	done := make(chan opened, 1)
	c.retire(func() {
		st, err := c.open(ctx)
		if errors.Is(err, ErrNoChroot) {
			done <- opened{nil, err} // the session opened; the message says what is wrong
			return
		}
		if err != nil {
			done <- opened{nil, zerrorf("opening ZooKeeper session: %w", err)}
			return
		}
		if !c.openAddsAuth {
			if err := addAuth(ctx, st, c.cfg.Auth); err != nil {
				st.Close()
				done <- opened{nil, err}
				return
			}
		}
		// The cache loads with the credentials in place, so that it
		// holds what the session may read.
		st, err = withCache(ctx, st, c.cfg)
		done <- opened{st, err}
	})
	select {
	case r := <-done:
		return r.st, r.err
	case <-ctx.Done():
		c.retire(func() {
			if r := <-done; r.st != nil {
				r.st.Close()
			}
		})
		return nil, zerrorf("opening ZooKeeper session: %w", ctx.Err())
	}
}

// retire runs f on the side; Close waits for it.
func (c *connector) retire(f func()) {
	c.retiring.Add(1)
	go func() {
		defer c.retiring.Done()
		f()
	}()
}

func (c *connector) logger() *slog.Logger {
	if c.cfg.Logger != nil {
		return c.cfg.Logger
	}
	return slog.Default()
}

// alive reports whether a store can still serve requests.
func alive(st zkstore.Store) bool { return engine.Alive(st) }
