package engine

import (
	"context"
	"database/sql/driver"
	"reflect"
	"sync"

	"github.com/zksql/zksql/zkstore"
)

// Options are the statement options of a session: the part of
// driver.Config the engine reads. The driver builds them from its Config.
type Options struct {
	Chroot            string        // the session's chroot, "" for none (protected paths, messages)
	MaxScan           int           // the most znodes a statement may visit
	MaxData           int           // the most bytes a znode's data may hold
	MaxRequest        int           // the client's request limit (named in messages)
	CreateParents     bool          // INSERT creates missing parents
	ProtectSequential bool          // sequential creates use Curator's protection
	SkipUnreadable    bool          // scans skip znodes the session may not read
	ReadOnly          bool          // writes are refused
	DefaultACL        []zkstore.ACL // the ACL of created znodes; nil for open
	SyncReads         bool          // every SELECT syncs first, as under WithSync
}

// Engine is what the sessions of one connector share: the options, the
// cache of compiled statements, and the count of replaced sessions.
type Engine struct {
	cfg   *Options
	cache *stmtCache

	mu sync.Mutex
	// replaced counts the sessions that died and were replaced by a new
	// one (the session system table); guarded by mu.
	replaced int64
}

// New returns an engine running statements with opts.
func New(opts Options) *Engine {
	return &Engine{cfg: &opts, cache: newStmtCache(stmtCacheSize)}
}

// SessionReplaced records that a session died and a new one replaced it.
func (g *Engine) SessionReplaced() {
	g.mu.Lock()
	g.replaced++
	g.mu.Unlock()
}

// Session runs statements on one ZooKeeper session, with at most one open
// transaction. It is not safe for concurrent use (database/sql never uses
// one connection concurrently).
type Session struct {
	c     *Engine
	store zkstore.Store
	tx    *transaction
	// last is what the executor did with the last statement (tests).
	last lastRun

	closed bool
}

// NewSession returns a session running statements on st.
func (g *Engine) NewSession(st zkstore.Store) *Session {
	return &Session{c: g, store: st}
}

// Store returns the session's ZooKeeper session.
func (c *Session) Store() zkstore.Store { return c.store }

// Stmt is a compiled statement, shared through the engine's statement
// cache.
type Stmt struct {
	sql string
	cp  *compiled
}

// NumInput is the number of arguments the statement takes: the number of
// `?` placeholders, or -1 for distinct `:name` placeholders (matched by
// name) and for EXPLAIN (which takes its statement's arguments but does
// not require them).
func (p Stmt) NumInput() int { return p.cp.numInput() }

// Prepare compiles query (through the statement cache). Nothing is sent
// to ZooKeeper.
func (c *Session) Prepare(query string) (_ Stmt, err error) {
	defer recoverErr(&err)
	if c.closed {
		return Stmt{}, driver.ErrBadConn
	}
	cp, err := c.c.cache.parse(query)
	if err != nil {
		return Stmt{}, err
	}
	return Stmt{sql: query, cp: cp}, nil
}

// Rows is a query's result, read row by row: Next fills dest or returns
// io.EOF. The ColumnType methods describe column i.
type Rows interface {
	Columns() []string
	Close() error
	Next(dest []driver.Value) error
	ColumnTypeDatabaseTypeName(i int) string
	ColumnTypeScanType(i int) reflect.Type
	ColumnTypeNullable(i int) (nullable, ok bool)
	ColumnTypeLength(i int) (length int64, ok bool)
}

// Result is what a write did: see result.
type Result interface {
	LastInsertId() (int64, error)
	RowsAffected() (int64, error)
}

// Query runs a statement that returns rows: AST → read plan → the store
// operations the plan lists. A write run as a query returns no rows.
func (c *Session) Query(ctx context.Context, p Stmt, vals []driver.NamedValue) (_ Rows, err error) {
	defer recoverErr(&err)
	return c.query(ctx, p.sql, p.cp, vals)
}

// Exec runs a statement for its effect: a write becomes a writePlan, then
// operations; a read is run and its rows drained, so that errors surface.
func (c *Session) Exec(ctx context.Context, p Stmt, vals []driver.NamedValue) (_ Result, err error) {
	defer recoverErr(&err)
	return c.exec(ctx, p.sql, p.cp, vals)
}

// Tx is a session's open transaction: see transaction.
type Tx struct{ t *transaction }

// Begin starts an optimistic transaction; readOnly refuses its writes.
func (c *Session) Begin(ctx context.Context, readOnly bool) (Tx, error) {
	if c.closed || !Alive(c.store) {
		return Tx{}, driver.ErrBadConn
	}
	if c.tx != nil {
		return Tx{}, zerrorf("a transaction is already open on this connection")
	}
	if err := ctx.Err(); err != nil {
		return Tx{}, err
	}
	c.tx = newTransaction(c, readOnly)
	return Tx{c.tx}, nil
}

// Commit sends the transaction's checks and buffered writes in one multi.
func (t Tx) Commit() error { return t.t.Commit() }

// Rollback discards the buffered writes; nothing was sent.
func (t Tx) Rollback() error { return t.t.Rollback() }

// CheckNamedValue accepts the driver.Value types, sql.Named values and
// whatever database/sql's default converter accepts.
func CheckNamedValue(nv *driver.NamedValue) error { return checkValue(nv) }

// Ping checks that the session is alive by asking ZooKeeper for "/".
func (c *Session) Ping(ctx context.Context) error {
	if c.closed || !Alive(c.store) {
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

// IsValid reports whether the session may be reused: false once it is
// closed or its ZooKeeper session has expired or been closed.
func (c *Session) IsValid() bool {
	return !c.closed && Alive(c.store)
}

// Reset drops any transaction state left behind.
func (c *Session) Reset() { c.tx = nil }

// Close ends the session; its ZooKeeper session is the connector's and
// stays open.
func (c *Session) Close() {
	c.closed = true
	c.tx = nil
}

// Closed reports whether Close was called.
func (c *Session) Closed() bool { return c.closed }

// usable returns ErrBadConn when nothing can be sent: the connection is
// closed or its session is dead. database/sql then retries on another
// connection, which is safe because this request never left.
func (c *Session) usable() error {
	if c.closed || !Alive(c.store) {
		return driver.ErrBadConn
	}
	return nil
}

// Alive reports whether a store can still serve requests.
func Alive(st zkstore.Store) bool {
	switch st.State() {
	case zkstore.StateExpired, zkstore.StateClosed:
		return false
	}
	return true
}

// LastRun reports, for the last statement the session ran, the plan it
// ran as EXPLAIN prints it without arguments, the plan's strategy and
// fallback, and the strategy the executor took; ok is false when the last
// statement ran no read plan. For tests.
func (c *Session) LastRun() (plan, strategy, fallback, ran string, ok bool) {
	if c.last.plan == nil {
		return "", "", "", "", false
	}
	p := c.last.plan
	return p.String(), p.strategy.String(), p.fallback.String(), c.last.ran.String(), true
}

// ResetLastRun forgets what the session ran last. For tests.
func (c *Session) ResetLastRun() { c.last = lastRun{} }
