package driver

import (
	"context"
	"database/sql/driver"

	"github.com/zksql/zksql/internal/engine"
)

// stmt is a prepared statement: the engine's compiled statement, shared
// through the connector's statement cache. Preparing sends nothing to
// ZooKeeper.
type stmt struct {
	c      *conn
	p      engine.Stmt
	closed bool
}

func (s *stmt) Close() error {
	s.closed = true
	return nil
}

// NumInput is the number of arguments the statement takes: the number of
// `?` placeholders, or -1 for distinct `:name` placeholders (matched by
// name) and for EXPLAIN (which takes its statement's arguments but does
// not require them).
func (s *stmt) NumInput() int { return s.p.NumInput() }

func (s *stmt) Exec(vals []driver.Value) (driver.Result, error) {
	return s.ExecContext(context.Background(), namedValues(vals))
}

func (s *stmt) Query(vals []driver.Value) (driver.Rows, error) {
	return s.QueryContext(context.Background(), namedValues(vals))
}

func (s *stmt) ExecContext(ctx context.Context, vals []driver.NamedValue) (driver.Result, error) {
	return s.c.s.Exec(ctx, s.p, vals)
}

func (s *stmt) QueryContext(ctx context.Context, vals []driver.NamedValue) (driver.Rows, error) {
	return s.c.s.Query(ctx, s.p, vals)
}

func (s *stmt) CheckNamedValue(nv *driver.NamedValue) error { return engine.CheckNamedValue(nv) }

func namedValues(vals []driver.Value) []driver.NamedValue {
	out := make([]driver.NamedValue, len(vals))
	for i, v := range vals {
		out[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
	return out
}

// tx is a transaction: the engine's, optimistic and serializable (see
// the engine's transaction for what its commit checks).
type tx struct{ t engine.Tx }

// Commit sends the transaction's checks and buffered writes in one multi;
// a conflict matches ErrTxConflict.
func (t *tx) Commit() error { return t.t.Commit() }

// Rollback discards the buffered writes; nothing was sent.
func (t *tx) Rollback() error { return t.t.Rollback() }
