package driver

import (
	"context"
	"database/sql"
	"database/sql/driver"

	"github.com/zksql/zksql/internal/engine"
	"github.com/zksql/zksql/zkstore"
)

// conn is one pooled connection. All connections of a connector share its
// ZooKeeper session; a conn holds only its transaction state.
//
// sql.Conn.Raw hands out the *conn, which has a Store method giving the
// session:
//
//	err := sqlConn.Raw(func(c any) error {
//		st := c.(interface{ Store() zkstore.Store }).Store()
//		...
//	})
type conn struct {
	c *connector
	// s runs the statements: the engine's session on the connector's
	// ZooKeeper session, with the transaction state.
	s *engine.Session

	// ownsConnector: opened by Driver.Open, so Close closes the session.
	ownsConnector bool
}

var (
	_ driver.Conn               = (*conn)(nil)
	_ driver.ConnBeginTx        = (*conn)(nil)
	_ driver.ConnPrepareContext = (*conn)(nil)
	_ driver.QueryerContext     = (*conn)(nil)
	_ driver.ExecerContext      = (*conn)(nil)
	_ driver.NamedValueChecker  = (*conn)(nil)
	_ driver.Pinger             = (*conn)(nil)
	_ driver.Validator          = (*conn)(nil)
	_ driver.SessionResetter    = (*conn)(nil)
	_ driver.Connector          = (*connector)(nil)
	_ driver.DriverContext      = (*ZKDriver)(nil)
	_ driver.Stmt               = (*stmt)(nil)
	_ driver.StmtExecContext    = (*stmt)(nil)
	_ driver.StmtQueryContext   = (*stmt)(nil)
	_ driver.NamedValueChecker  = (*stmt)(nil)
	_ driver.Tx                 = (*tx)(nil)
	_ driver.Result             = (engine.Result)(nil)

	// The engine's row iterators are handed to database/sql as they are.
	_ driver.Rows                           = (engine.Rows)(nil)
	_ driver.RowsColumnTypeDatabaseTypeName = (engine.Rows)(nil)
	_ driver.RowsColumnTypeScanType         = (engine.Rows)(nil)
	_ driver.RowsColumnTypeNullable         = (engine.Rows)(nil)
	_ driver.RowsColumnTypeLength           = (engine.Rows)(nil)
)

// Store returns the connection's ZooKeeper session, shared with every
// connection of its sql.DB. Reach it through sql.Conn.Raw. Do not close it.
func (c *conn) Store() zkstore.Store { return c.s.Store() }

// Config returns a copy of the connection's configuration.
func (c *conn) Config() *Config { return c.c.cfg.Clone() }

func (c *conn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

// PrepareContext parses query (through the connector's statement cache).
// Nothing is sent to ZooKeeper.
func (c *conn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	p, err := c.s.Prepare(query)
	if err != nil {
		return nil, err
	}
	return &stmt{c: c, p: p}, nil
}

func (c *conn) Close() error {
	if c.s.Closed() {
		return nil
	}
	c.s.Close()
	if c.ownsConnector {
		return c.c.Close()
	}
	return nil
}

func (c *conn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

// BeginTx starts an optimistic transaction: see the engine's transaction.
// Isolation levels other than the default and serializable are refused.
func (c *conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if !c.s.IsValid() {
		return nil, driver.ErrBadConn
	}
	switch sql.IsolationLevel(opts.Isolation) {
	case sql.LevelDefault, sql.LevelSerializable:
	default:
		return nil, zerrorf("isolation level %s is not supported; zksql transactions are serializable (use the default or sql.LevelSerializable)", sql.IsolationLevel(opts.Isolation))
	}
	t, err := c.s.Begin(ctx, opts.ReadOnly)
	if err != nil {
		return nil, err
	}
	return &tx{t: t}, nil
}

func (c *conn) QueryContext(ctx context.Context, query string, vals []driver.NamedValue) (driver.Rows, error) {
	p, err := c.s.Prepare(query)
	if err != nil {
		return nil, err
	}
	return c.s.Query(ctx, p, vals)
}

func (c *conn) ExecContext(ctx context.Context, query string, vals []driver.NamedValue) (driver.Result, error) {
	p, err := c.s.Prepare(query)
	if err != nil {
		return nil, err
	}
	return c.s.Exec(ctx, p, vals)
}

// CheckNamedValue accepts the driver.Value types, sql.Named values and
// whatever database/sql's default converter accepts.
func (c *conn) CheckNamedValue(nv *driver.NamedValue) error { return engine.CheckNamedValue(nv) }

// Ping checks that the session is alive by asking ZooKeeper for "/".
func (c *conn) Ping(ctx context.Context) error { return c.s.Ping(ctx) }

// IsValid reports whether the connection may be reused: false once its
// session has expired or been closed, so the pool opens a new one.
func (c *conn) IsValid() bool { return c.s.IsValid() }

// ResetSession drops a connection whose session died, and any transaction
// state left behind.
func (c *conn) ResetSession(ctx context.Context) error {
	if !c.IsValid() {
		return driver.ErrBadConn
	}
	c.s.Reset()
	return nil
}
