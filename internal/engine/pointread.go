package engine

import (
	"database/sql/driver"
	"io"
	"time"

	"github.com/zksql/zksql/internal/eval"
	"github.com/zksql/zksql/parser"
	"github.com/zksql/zksql/zkstore"
)

// pointQuery is the compiled form of the commonest statement there is, a
// SELECT of table columns of one znode by path:
//
//	SELECT data, version FROM znodes WHERE path = ?
//
// It is the read plan's readPoint strategy: the read is sent at once (on a
// store that takes replies later, the rest of the work overlaps the round
// trip) and the row is the columns copied out of the reply. What it
// returns is what the plan's fallback (a stream of the point read)
// returns for the same statement (TestPointQueryMatchesPlanner).
type pointQuery struct {
	path     parser.Expr // the constant or placeholder compared with path
	names    []string    // the znodes column of each output
	cols     []column
	colNames []string // the output columns' names (Rows.Columns), worked out once
	level    fetchLevel
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
	q := &pointQuery{path: x, names: make([]string, len(exprs)), cols: cols, colNames: make([]string, len(cols))}
	for i, c := range cols {
		q.colNames[i] = c.name
	}
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

// start runs the point query, or reports false when the plan's fallback
// must: when the path is not a valid path given as a string (the general
// plan decides what such a comparison matches). The planner chose the
// point strategy only outside a transaction (which records its reads),
// without skip_unreadable and with a max_scan that allows a read.
func (pr *pointRows) start() bool {
	e, q := &pr.env, pr.q
	v, err := eval.Eval(q.path, nil, e.args)
	path, ok := v.(string)
	if err != nil || !ok || zkstore.ValidatePath(path, false) != nil {
		return false
	}
	pr.path = path
	if q.level == fetchData {
		if a, ok := pipelinerFor(e.st, path); ok {
			pr.pending = a.GetAsync(e.ctx, path)
		}
	}
	pr.rows.cols = q.cols
	return true
}

// pointRows is the result of a pointQuery, at most one row, with the
// statement's state. It comes from pointRowsPool and goes back on Close
// (see pointrows_pool.go), so a point read allocates nothing of its own.
type pointRows struct {
	rows
	env     env
	q       *pointQuery
	path    string
	pending zkstore.PendingRead // the read, when sent ahead
	z       znode
	scratch pointScratch // kept from one use of the object to the next
	// columnCalls counts the calls of Columns, callsBeforeNext those made
	// before the first Next (-1 until Next): they decide whether the
	// names handed out may be reused (Close).
	columnCalls, callsBeforeNext int
	pooled                       bool // in the pool: Close has nothing to do
}

// Next yields the znode's row, once.
func (pr *pointRows) Next(dest []driver.Value) (err error) {
	defer recoverErr(&err)
	if pr.callsBeforeNext < 0 {
		pr.callsBeforeNext = pr.columnCalls
	}
	if pr.done {
		return io.EOF
	}
	err = pr.produce(dest)
	pr.done = true // one row at most; Close has nothing to release
	return err
}

func (pr *pointRows) produce(dest []driver.Value) error {
	ok, err := pr.fetch()
	if err != nil {
		if isGone(err) {
			return io.EOF
		}
		return pr.env.wrap(err)
	}
	if !ok {
		return io.EOF
	}
	row := znodeRow{&pr.z}
	for i, name := range pr.q.names {
		if name == "data" && pr.scratch.owned {
			dest[i] = pr.scratch.boxData(pr.z.data)
			continue
		}
		v, err := row.Value(name)
		if err != nil {
			return pr.env.wrap(err)
		}
		switch v.(type) {
		case nil, int64, string, []byte, time.Time:
			dest[i] = v
		default:
			// Not a type the evaluator passes through unchanged.
			if dest[i], err = eval.Eval(&parser.Column{Name: name}, row, pr.env.args); err != nil {
				return pr.env.wrap(err)
			}
		}
	}
	return nil
}

// fetch reads the znode at the query's level into z: false when it does
// not exist.
func (pr *pointRows) fetch() (bool, error) {
	e, z := &pr.env, &pr.z
	if err := e.ctx.Err(); err != nil {
		return false, err
	}
	z.path = pr.path
	switch {
	case pr.pending != nil:
		data, st, err := pr.pending.Get()
		if err != nil {
			return false, err
		}
		z.data, z.hasData, z.stat, z.hasStat = data, true, st, true
	case pr.q.level == fetchData:
		if a, ok := e.st.(zkstore.GetAppender); ok {
			// Into the pooled buffer: no copy of the data of our own.
			data, st, err := a.GetAppend(e.ctx, pr.path, pr.scratch.buf[:0])
			if err != nil {
				return false, err
			}
			pr.scratch.buf, pr.scratch.owned = data, true
			z.data, z.hasData, z.stat, z.hasStat = data, true, st, true
			return true, nil
		}
		data, st, err := e.st.Get(e.ctx, pr.path)
		if err != nil {
			return false, err
		}
		z.data, z.hasData, z.stat, z.hasStat = data, true, st, true
	default:
		st, exists, err := e.st.Exists(e.ctx, pr.path)
		if err != nil || !exists {
			return false, err
		}
		z.stat, z.hasStat = st, true
	}
	return true, nil
}
