package driver

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"

	"github.com/zksql/zksql/parser"
)

// stmt is a prepared statement: the parsed AST, shared through the
// connector's statement cache. Preparing sends nothing to ZooKeeper.
type stmt struct {
	c      *conn
	sql    string
	ast    parser.Statement
	closed bool
	// numInput caches NumInput plus one (0: not computed yet):
	// database/sql asks before every execution, and it walks the AST.
	numInput int
}

func (s *stmt) Close() error {
	s.closed = true
	return nil
}

// NumInput is the number of arguments the statement takes: the number of
// `?` placeholders, or of distinct `:name` placeholders. EXPLAIN takes
// its statement's arguments but does not require them (-1).
func (s *stmt) NumInput() int {
	if s.numInput == 0 {
		s.numInput = s.numInputOf() + 1
	}
	return s.numInput - 1
}

func (s *stmt) numInputOf() int {
	if _, ok := s.ast.(*parser.Explain); ok {
		return -1
	}
	p := parser.ParamsOf(s.ast)
	if len(p.Named) > 0 {
		return -1 // sql.Named arguments are matched by name
	}
	return p.NumInput()
}

func (s *stmt) Exec(vals []driver.Value) (driver.Result, error) {
	return s.ExecContext(context.Background(), namedValues(vals))
}

func (s *stmt) Query(vals []driver.Value) (driver.Rows, error) {
	return s.QueryContext(context.Background(), namedValues(vals))
}

func (s *stmt) ExecContext(ctx context.Context, vals []driver.NamedValue) (_ driver.Result, err error) {
	defer recoverErr(&err)
	return s.c.exec(ctx, s.sql, s.ast, vals)
}

func (s *stmt) QueryContext(ctx context.Context, vals []driver.NamedValue) (_ driver.Rows, err error) {
	defer recoverErr(&err)
	return s.c.query(ctx, s.sql, s.ast, vals)
}

func (s *stmt) CheckNamedValue(nv *driver.NamedValue) error { return checkValue(nv) }

func namedValues(vals []driver.Value) []driver.NamedValue {
	out := make([]driver.NamedValue, len(vals))
	for i, v := range vals {
		out[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
	return out
}

// newEnv prepares a statement's execution: the connection must be usable
// and the arguments must fit the placeholders.
func (c *conn) newEnv(ctx context.Context, sqlText string, st parser.Statement, vals []driver.NamedValue) (*env, error) {
	if err := c.usable(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var a *args
	if ex, ok := st.(*parser.Explain); ok && len(vals) == 0 {
		a = &args{params: parser.ParamsOf(ex)}
	} else {
		var err error
		if a, err = newArgs(st, vals); err != nil {
			return nil, err
		}
	}
	return &env{ctx: ctx, c: c, st: c.store, cfg: c.c.cfg, args: a, tx: c.tx, sql: sqlText}, nil
}

// isWrite reports whether a statement modifies znodes.
func isWrite(st parser.Statement) bool {
	switch st.(type) {
	case *parser.Insert, *parser.Update, *parser.Delete:
		return true
	}
	return false
}

func (c *conn) query(ctx context.Context, sqlText string, st parser.Statement, vals []driver.NamedValue) (driver.Rows, error) {
	if isWrite(st) {
		if _, err := c.exec(ctx, sqlText, st, vals); err != nil {
			return nil, err
		}
		return emptyRows(), nil
	}
	e, err := c.newEnv(ctx, sqlText, st, vals)
	if err != nil {
		return nil, wrapStmt(sqlText, err) // ErrBadConn and context errors pass unchanged
	}
	var r *rows
	switch s := st.(type) {
	case *parser.Select:
		skipped := e.skipUnreadable()
		r, err = e.selectRows(s)
		e.reportUnreadable(r, skipped)
	case *parser.ShowTables:
		r = showTables()
	case *parser.Describe:
		r, err = describe(s.Table)
	case *parser.Explain:
		r, err = e.explain(s.Stmt)
	default:
		err = txStatementError(st)
	}
	if err != nil {
		e.closeSources()
		return nil, e.wrap(err)
	}
	if len(e.closers) > 0 {
		// A streamed scan may have reads in flight: closing the rows
		// waits for them.
		prev := r.release
		r.release = func() {
			e.closeSources()
			if prev != nil {
				prev()
			}
		}
	}
	return r, nil
}

func (c *conn) exec(ctx context.Context, sqlText string, st parser.Statement, vals []driver.NamedValue) (driver.Result, error) {
	if !isWrite(st) {
		if _, ok := st.(*parser.Select); !ok {
			switch st.(type) {
			case *parser.Begin, *parser.Commit, *parser.Rollback:
				return nil, txStatementError(st)
			}
		}
		r, err := c.query(ctx, sqlText, st, vals)
		if err != nil {
			return nil, err
		}
		// Drain, so that errors surface.
		d := make([]driver.Value, len(r.Columns()))
		for {
			if err := r.Next(d); err != nil {
				r.Close()
				if errors.Is(err, io.EOF) {
					return result{}, nil
				}
				return nil, err
			}
		}
	}
	e, err := c.newEnv(ctx, sqlText, st, vals)
	if err != nil {
		return nil, wrapStmt(sqlText, err) // ErrBadConn and context errors pass unchanged
	}
	if c.c.cfg.ReadOnly {
		return nil, e.wrap(fmt.Errorf("%w (the DSN has read_only=true)", ErrReadOnly))
	}
	if e.tx != nil && e.tx.readOnly {
		return nil, e.wrap(fmt.Errorf("%w (the transaction is read-only)", ErrReadOnly))
	}
	var res result
	switch s := st.(type) {
	case *parser.Insert:
		res, err = e.insert(s)
	case *parser.Update:
		res, err = e.update(s)
	case *parser.Delete:
		res, err = e.delete(s)
	}
	e.closeSources()
	if err != nil {
		return nil, e.wrap(err)
	}
	return res, nil
}

func (e *env) wrap(err error) error { return wrapStmt(e.sql, err) }

func txStatementError(st parser.Statement) error {
	return zerrorf("%s cannot be run as a statement; use db.BeginTx, tx.Commit and tx.Rollback", st.String())
}
