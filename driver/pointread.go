package driver

import (
	"database/sql/driver"
	"io"
	"time"

	"github.com/zksql/zksql/internal/eval"
	"github.com/zksql/zksql/parser"
	"github.com/zksql/zksql/zkstore"
	"github.com/zksql/zksql/zkstore/livestore"
)

// pointQuery is the compiled form of the commonest statement there is, a
// SELECT of table columns of one znode by path:
//
//	SELECT data, version FROM znodes WHERE path = ?
//
// It runs without the general planner: the read is sent at once (on a
// store that takes replies later, the rest of the work overlaps the round
// trip) and the row is the columns copied out of the reply. What it
// returns is what the general plan returns for the same statement
// (TestPointQueryMatchesPlanner).
type pointQuery struct {
	path  parser.Expr // the constant or placeholder compared with path
	names []string    // the znodes column of each output
	cols  []column
	level fetchLevel
}

// compilePoint recognises a pointQuery: no DISTINCT, grouping, ordering
// or LIMIT; WHERE is exactly `path = x` with x a constant or placeholder;
// the select list is columns of znodes (or *).
func compilePoint(s *parser.Select) *pointQuery {
	if s.From != parser.TableZnodes || s.Distinct || len(s.GroupBy) > 0 || s.Having != nil || len(s.OrderBy) > 0 || s.Limit != nil {
		return nil
	}
	x, ok := eqConst(s.Where, "path")
	if !ok {
		return nil
	}
	exprs, cols, err := outputs(s)
	if err != nil {
		return nil
	}
	def := knownTables[parser.TableZnodes]
	q := &pointQuery{path: x, names: make([]string, len(exprs)), cols: cols}
	for i, e := range exprs {
		c, ok := e.(*parser.Column)
		if !ok {
			return nil
		}
		if _, ok := def.Column(c.Name); !ok {
			return nil // the planner reports the unknown column
		}
		q.names[i] = c.Name
	}
	q.level = levelFor(exprs...)
	return q
}

// pointRows runs q, or reports false when the general plan must: in a
// transaction (which records its reads), with skip_unreadable, or when
// the path is not a valid path given as a string (the planner decides
// what such a comparison matches).
func (e *env) pointRows(q *pointQuery) (*rows, bool) {
	if e.tx != nil || e.cfg.SkipUnreadable || e.cfg.MaxScan < 1 {
		return nil, false
	}
	v, err := eval.Eval(q.path, nil, e.args)
	path, ok := v.(string)
	if err != nil || !ok || zkstore.ValidatePath(path, false) != nil {
		return nil, false
	}
	pr := &pointRows{e: e, q: q, path: path}
	if q.level == fetchData {
		if a, ok := e.st.(asyncStore); ok {
			pr.pending = a.GetAsync(e.ctx, path)
		}
	}
	pr.rows = rows{cols: q.cols, next: pr.produce}
	return &pr.rows, true
}

// pointRows is the result of a pointQuery: at most one row.
type pointRows struct {
	rows
	e       *env
	q       *pointQuery
	path    string
	pending *livestore.Pending // the read, when sent ahead
	read    bool
}

func (pr *pointRows) produce(dest []driver.Value) error {
	if pr.read {
		return io.EOF
	}
	pr.read = true
	z, err := pr.fetch()
	if err != nil {
		if isGone(err) {
			return io.EOF
		}
		return wrapStmt(pr.e.sql, err)
	}
	if z == nil {
		return io.EOF
	}
	row := znodeRow{z}
	for i, name := range pr.q.names {
		v, err := row.Value(name)
		if err != nil {
			return wrapStmt(pr.e.sql, err)
		}
		switch v.(type) {
		case nil, int64, string, []byte, time.Time:
			dest[i] = v
		default:
			// Not a type the evaluator passes through unchanged.
			if dest[i], err = eval.Eval(&parser.Column{Name: name}, row, pr.e.args); err != nil {
				return wrapStmt(pr.e.sql, err)
			}
		}
	}
	return nil
}

// fetch reads the znode at the query's level: nil when it does not exist.
func (pr *pointRows) fetch() (*znode, error) {
	e := pr.e
	if err := e.ctx.Err(); err != nil {
		return nil, err
	}
	z := &znode{path: pr.path}
	switch {
	case pr.pending != nil:
		data, st, err := pr.pending.Get()
		if err != nil {
			return nil, err
		}
		z.data, z.hasData, z.stat, z.hasStat = data, true, st, true
	case pr.q.level == fetchData:
		data, st, err := e.st.Get(e.ctx, pr.path)
		if err != nil {
			return nil, err
		}
		z.data, z.hasData, z.stat, z.hasStat = data, true, st, true
	default:
		st, exists, err := e.st.Exists(e.ctx, pr.path)
		if err != nil || !exists {
			return nil, err
		}
		z.stat, z.hasStat = st, true
	}
	return z, nil
}
