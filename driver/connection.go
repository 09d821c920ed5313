package driver

import (
	"context"
	"database/sql"
	"database/sql/driver"

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
	c     *connector
	store zkstore.Store
	tx    *transaction
	// last is what the executor did with the last statement (tests).
	last lastRun

	closed bool
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
	_ driver.Tx                 = (*transaction)(nil)
	_ driver.Result             = result{}

	_ driver.Rows                           = (*rows)(nil)
	_ driver.RowsColumnTypeDatabaseTypeName = (*rows)(nil)
	_ driver.RowsColumnTypeScanType         = (*rows)(nil)
	_ driver.RowsColumnTypeNullable         = (*rows)(nil)
	_ driver.RowsColumnTypeLength           = (*rows)(nil)
)

// Store returns the connection's ZooKeeper session, shared with every
// connection of its sql.DB. Reach it through sql.Conn.Raw. Do not close it.
func (c *conn) Store() zkstore.Store { return c.store }

// Config returns a copy of the connection's configuration.
func (c *conn) Config() *Config { return c.c.cfg.Clone() }

func (c *conn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

// PrepareContext parses query (through the connector's statement cache).
// Nothing is sent to ZooKeeper.
func (c *conn) PrepareContext(ctx context.Context, query string) (_ driver.Stmt, err error) {
	defer recoverErr(&err)
	if c.closed {
		return nil, driver.ErrBadConn
	}
	cp, err := c.c.cache.parse(query)
	if err != nil {
		return nil, err
	}
	return &stmt{c: c, sql: query, cp: cp}, nil
}

func (c *conn) Close() error {
	if c.closed {
		return nil
	}
	c.closed = true
	c.tx = nil
	if c.ownsConnector {
		return c.c.Close()
	}
	return nil
}

func (c *conn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

// BeginTx starts an optimistic transaction: see transaction. Isolation
// levels other than the default and serializable are refused.
func (c *conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if c.closed || !alive(c.store) {
		return nil, driver.ErrBadConn
	}
	switch sql.IsolationLevel(opts.Isolation) {
	case sql.LevelDefault, sql.LevelSerializable:
	default:
		return nil, zerrorf("isolation level %s is not supported; zksql transactions are serializable (use the default or sql.LevelSerializable)", sql.IsolationLevel(opts.Isolation))
	}
	if c.tx != nil {
		return nil, zerrorf("a transaction is already open on this connection")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c.tx = newTransaction(c, opts.ReadOnly)
	return c.tx, nil
}

func (c *conn) QueryContext(ctx context.Context, query string, vals []driver.NamedValue) (_ driver.Rows, err error) {
	defer recoverErr(&err)
	cp, err := c.c.cache.parse(query)
	if err != nil {
		return nil, err
	}
	return c.query(ctx, query, cp, vals)
}

func (c *conn) ExecContext(ctx context.Context, query string, vals []driver.NamedValue) (_ driver.Result, err error) {
	defer recoverErr(&err)
	cp, err := c.c.cache.parse(query)
	if err != nil {
		return nil, err
	}
	return c.exec(ctx, query, cp, vals)
}

// CheckNamedValue accepts the driver.Value types, sql.Named values and
// whatever database/sql's default converter accepts.
func (c *conn) CheckNamedValue(nv *driver.NamedValue) error { return checkValue(nv) }

// Ping checks that the session is alive by asking ZooKeeper for "/".
func (c *conn) Ping(ctx context.Context) error {
	if c.closed || !alive(c.store) {
		return driver.ErrBadConn
	}
	if _, _, err := c.store.Exists(ctx, "/"); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return zerrorf("ping: %w", err)
	}
	return nil
}

// IsValid reports whether the connection may be reused: false once its
// session has expired or been closed, so the pool opens a new one.
func (c *conn) IsValid() bool {
	return !c.closed && alive(c.store)
}

// ResetSession drops a connection whose session died, and any transaction
// state left behind.
func (c *conn) ResetSession(ctx context.Context) error {
	if !c.IsValid() {
		return driver.ErrBadConn
	}
	c.tx = nil
	return nil
}

// usable returns ErrBadConn when nothing can be sent: the connection is
// closed or its session is dead. database/sql then retries on another
// connection, which is safe because this request never left.
func (c *conn) usable() error {
	if c.closed || !alive(c.store) {
		return driver.ErrBadConn
	}
	return nil
}
