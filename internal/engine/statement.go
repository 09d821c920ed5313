package engine

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"

	"github.com/zksql/zksql/parser"
)

// newEnv prepares a statement's execution: the connection must be usable
// and the arguments must fit the placeholders.
func (c *Session) newEnv(ctx context.Context, sqlText string, cp *compiled, vals []driver.NamedValue) (*env, error) {
	e := &env{}
	if err := c.initEnv(e, ctx, sqlText, cp, vals); err != nil {
		return nil, err
	}
	return e, nil
}

// initEnv is newEnv into e, which holds its arguments too (one
// allocation for both).
func (c *Session) initEnv(e *env, ctx context.Context, sqlText string, cp *compiled, vals []driver.NamedValue) error {
	if err := c.usable(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if _, ok := cp.ast.(*parser.Explain); ok && len(vals) == 0 {
		e.argStore = args{params: cp.params}
	} else if err := e.argStore.init(cp.params, vals); err != nil {
		return err
	}
	e.ctx, e.c, e.st, e.cfg, e.tx, e.sql = ctx, c, c.store, c.c.cfg, c.tx, sqlText
	if c.tx != nil {
		e.st = &c.tx.store
	}
	e.args = &e.argStore
	return nil
}

// isWrite reports whether a statement modifies znodes.
func isWrite(st parser.Statement) bool {
	switch st.(type) {
	case *parser.Insert, *parser.Update, *parser.Delete:
		return true
	}
	return false
}

func (c *Session) query(ctx context.Context, sqlText string, cp *compiled, vals []driver.NamedValue) (Rows, error) {
	st := cp.ast
	if isWrite(st) {
		if _, err := c.exec(ctx, sqlText, cp, vals); err != nil {
			return nil, err
		}
		return emptyRows(), nil
	}
	// The read plan, cached with the statement (planned on first use);
	// a SELECT that cannot be planned reports why when it runs.
	plan, planErr := cp.readPlan(c.c.cfg, c.tx != nil)
	var e *env
	if _, isSelect := st.(*parser.Select); isSelect && plan != nil && plan.strategy == readPoint {
		// One pooled object for the rows, the statement's state and
		// its arguments; the plan's fallback takes over the state (and
		// the object is then not recycled) if the arguments do not name
		// a valid path.
		pr := newPointRows(plan.point)
		if err := c.initEnv(&pr.env, ctx, sqlText, cp, vals); err != nil {
			pr.recycle()
			return nil, wrapStmt(sqlText, err) // ErrBadConn and context errors pass unchanged
		}
		// With a sync, the read is sent right behind it (sendSync) and
		// the sync's outcome is known before any answer.
		pendingSync := pr.env.sendSync()
		started := pr.start()
		if pendingSync != nil {
			if err := pendingSync.Wait(); err != nil {
				err = pr.env.wrap(err)
				pr.recycle()
				return nil, err
			}
		}
		if started {
			c.last = lastRun{plan: plan, ran: readPoint}
			return pr, nil
		}
		e = &pr.env
	} else {
		var err error
		if e, err = c.newEnv(ctx, sqlText, cp, vals); err != nil {
			return nil, wrapStmt(sqlText, err) // ErrBadConn and context errors pass unchanged
		}
	}
	var r *rows
	var err error
	switch s := st.(type) {
	case *parser.Select:
		if planErr != nil {
			err = planErr
			break
		}
		if err = e.syncFirst(); err != nil {
			break
		}
		e.sendEarly(plan)
		skipped := e.skipUnreadable()
		r, err = e.selectRows(plan)
		e.reportUnreadable(r, skipped)
	case *parser.ShowTables:
		r = showTables()
	case *parser.Describe:
		r, err = describe(s.Table)
	case *parser.Explain:
		if planErr != nil {
			err = planErr
			break
		}
		r, err = e.explain(s.Stmt, plan)
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

func (c *Session) exec(ctx context.Context, sqlText string, cp *compiled, vals []driver.NamedValue) (Result, error) {
	st := cp.ast
	if !isWrite(st) {
		if _, ok := st.(*parser.Select); !ok {
			switch st.(type) {
			case *parser.Begin, *parser.Commit, *parser.Rollback:
				return nil, txStatementError(st)
			}
		}
		r, err := c.query(ctx, sqlText, cp, vals)
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
	e, err := c.newEnv(ctx, sqlText, cp, vals)
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
		plan, _ := cp.readPlan(c.c.cfg, c.tx != nil) // nil for the acls table
		res, err = e.update(s, plan)
	case *parser.Delete:
		plan, _ := cp.readPlan(c.c.cfg, c.tx != nil) // nil for the acls table
		res, err = e.delete(s, plan)
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
