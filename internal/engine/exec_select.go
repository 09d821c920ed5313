package engine

import (
	"context"
	"database/sql/driver"
	"io"
	"slices"

	"github.com/zksql/zksql/internal/eval"
	"github.com/zksql/zksql/parser"
	"github.com/zksql/zksql/zkstore"
)

// env is what one statement executes with.
type env struct {
	ctx  context.Context
	c    *Session
	st   zkstore.Store
	cfg  *Options
	args *args
	tx   *transaction
	sql  string
	// closers end the statement's row sources (reads in flight):
	// closeSources runs them when its rows are closed or it failed.
	closers []func()
	// early is the read sendEarly sent, for the point source to take.
	early *earlyRead
	// argStore holds args (allocated with the env).
	argStore args
	// synced is set once syncFirst has synced for this statement.
	synced bool
}

// closeSources ends the statement's row sources; idempotent.
func (e *env) closeSources() {
	for _, c := range e.closers {
		c()
	}
	e.closers = nil
}

func (e *env) scanner(level fetchLevel) *scanner {
	return &scanner{ctx: e.ctx, st: e.st, level: level, maxScan: e.cfg.MaxScan, tx: e.tx, early: e.early}
}

// znodeRow is a znodes row for the evaluator.
type znodeRow struct{ z *znode }

func (r znodeRow) Value(col string) (any, error) {
	z := r.z
	switch col {
	case "path":
		return z.path, nil
	case "name":
		return zkstore.Base(z.path), nil
	case "parent":
		if z.path == "/" {
			return nil, nil
		}
		return zkstore.Parent(z.path), nil
	case "data":
		if !z.hasData {
			return nil, zerrorf("internal error: data of %s not fetched", z.path)
		}
		if z.data == nil {
			return []byte{}, nil
		}
		return z.data, nil
	}
	if !statColumns[col] {
		return nil, zerrorf("unknown column %s in table znodes", col)
	}
	if !z.hasStat {
		return nil, zerrorf("internal error: stat of %s not fetched", z.path)
	}
	s := &z.stat
	switch col {
	case "version":
		return int64(s.Version), nil
	case "cversion":
		return int64(s.Cversion), nil
	case "aversion":
		return int64(s.Aversion), nil
	case "czxid", "mzxid", "pzxid", "ctime", "mtime":
		return pendingOr(s, col), nil
	case "ephemeral_owner":
		return s.EphemeralOwner, nil
	case "data_length":
		return int64(s.DataLength), nil
	case "num_children":
		return int64(s.NumChildren), nil
	case "mode":
		return s.Kind().String(), nil
	case "ttl":
		if s.Kind() != zkstore.KindTTL {
			return nil, nil
		}
		return s.TTL().Milliseconds(), nil
	}
	return nil, zerrorf("unknown column %s", col)
}

// pendingOr is a zxid or time column of s, or nil (NULL) where it is
// txPending: a transaction's own write that ZooKeeper has not yet made.
func pendingOr(s *zkstore.Stat, col string) any {
	switch col {
	case "czxid":
		return nilIfPending(s.Czxid, s.Czxid)
	case "mzxid":
		return nilIfPending(s.Mzxid, s.Mzxid)
	case "pzxid":
		return nilIfPending(s.Pzxid, s.Pzxid)
	case "ctime":
		return nilIfPending(s.Ctime, s.CreateTime())
	case "mtime":
		return nilIfPending(s.Mtime, s.ModifyTime())
	}
	return nil
}

func nilIfPending[T any](raw int64, v T) any {
	if raw == txPending {
		return nil
	}
	return v
}

// rowIter yields filtered rows; nil at the end.
type rowIter func() (eval.Row, error)

// knownTables holds the definitions of the tables, looked up once:
// parser.LookupTable copies the column list on every call, which showed
// in the point-read profile (12% of the CPU of an in-memory point
// SELECT). The driver only reads them.
var knownTables = func() map[string]parser.TableDef {
	m := map[string]parser.TableDef{}
	for _, n := range []string{parser.TableZnodes, parser.TableACLs} {
		if t, ok := parser.LookupTable(n); ok {
			m[n] = t
		}
	}
	return m
}()

// tableColumns returns the table definition, or an error.
func tableDef(name string) (parser.TableDef, error) {
	if t, ok := knownTables[name]; ok {
		return t, nil
	}
	t, ok := parser.LookupTable(name)
	if !ok {
		return t, zerrorf("unknown table %s", name)
	}
	return t, nil
}

// nullableColumn reports whether a table column can be NULL.
func nullableColumn(table, col string) bool {
	if table != parser.TableZnodes {
		return systemNullable(table, col)
	}
	switch col {
	case "parent", "ttl":
		return true
	case "czxid", "mzxid", "pzxid", "ctime", "mtime":
		return true // NULL for a transaction's own writes, until commit
	}
	return false
}

// outputs expands the select list: * becomes every column of the table.
func outputs(s *parser.Select) ([]parser.Expr, []column, error) {
	// Sized for the common case of no `*`: one allocation each.
	exprs := make([]parser.Expr, 0, len(s.Items))
	cols := make([]column, 0, len(s.Items))
	var def parser.TableDef
	if s.From != "" {
		var err error
		if def, err = tableDef(s.From); err != nil {
			return nil, nil, err
		}
	}
	for _, it := range s.Items {
		if _, ok := it.Expr.(*parser.Star); ok {
			for _, c := range def.Columns {
				exprs = append(exprs, &parser.Column{Name: c.Name})
				cols = append(cols, tableColumn(s.From, c))
			}
			continue
		}
		exprs = append(exprs, it.Expr)
		col := exprColumn(s.From, def, it.Expr)
		col.name = it.Name()
		cols = append(cols, col)
	}
	return exprs, cols, nil
}

func tableColumn(table string, c parser.ColumnDef) column {
	col := typeColumn(c.Name, c.Type, nullableColumn(table, c.Name))
	if c.Name == "data" {
		col.length = DefaultMaxData
	}
	return col
}

// exprColumn describes the result column of an expression as far as it
// can be known without evaluating it.
func exprColumn(table string, def parser.TableDef, e parser.Expr) column {
	switch e := e.(type) {
	case *parser.Column:
		if c, ok := def.Column(e.Name); ok {
			return tableColumn(table, c)
		}
	case *parser.Aggregate:
		if e.Func == parser.AggCount {
			return column{dbType: "BIGINT", scan: scanInt64, nullable: 2}
		}
		if e.Func == parser.AggAvg {
			return column{dbType: "DOUBLE", scan: scanFloat, nullable: 1}
		}
	case *parser.Func:
		switch e.Name {
		case parser.FuncLength:
			return column{dbType: "BIGINT", scan: scanInt64}
		case parser.FuncConcat, parser.FuncLower, parser.FuncUpper:
			return column{dbType: "TEXT", scan: scanString}
		case parser.FuncJSONLength, parser.FuncJSONContains, parser.FuncJSONValid:
			return column{dbType: "BIGINT", scan: scanInt64}
		case parser.FuncHex, parser.FuncJSONUnquote, parser.FuncJSONType:
			return column{dbType: "TEXT", scan: scanString}
		case parser.FuncUnhex:
			return column{dbType: "BLOB", scan: scanBytes}
		case parser.FuncNow, parser.FuncUTCTimestamp, parser.FuncFromUnixtime:
			return column{dbType: "DATETIME", scan: scanTime}
		}
	}
	return column{scan: scanAny}
}

// selectRows runs a SELECT's read plan and returns its rows, streaming
// where the plan does.
func (e *env) selectRows(p *readPlan) (*rows, error) {
	count, offset, err := e.limit(p.limit)
	if err != nil {
		return nil, err
	}
	strategy := p.strategy
	switch strategy {
	case readPoint: // the point query declined the arguments
		strategy = p.fallback
	case readCountStat:
		n, ok, err := e.countChildren(p.target)
		if err != nil {
			return nil, err
		}
		if ok {
			e.ran(p, strategy)
			return e.finish(p.cols, [][]driver.Value{{n}}, count, offset), nil
		}
		strategy = p.fallback
	case readLateSort:
		e.ran(p, strategy)
		return e.sortedLate(p, count, offset)
	}
	e.ran(p, strategy)

	var src rowIter
	switch p.table {
	case "":
		done := false
		src = func() (eval.Row, error) {
			if done {
				return nil, nil
			}
			done = true
			return noRow{}, nil
		}
	case parser.TableZnodes, parser.TableACLs:
		if src, err = e.source(p, p.level); err != nil {
			return nil, err
		}
	default:
		if !parser.IsSystemTable(p.table) {
			return nil, zerrorf("unknown table %s", p.table)
		}
		if src, err = e.systemSource(p.table, p.filter); err != nil {
			return nil, err
		}
	}

	s := p.sel
	switch strategy {
	case readAggregate:
		return e.aggregate(s, p.exprs, p.cols, src, count, offset)
	case readSort:
		return e.sorted(s, p.exprs, p.cols, src, count, offset)
	}
	return e.stream(s, p.exprs, p.cols, src, count, offset), nil
}

// withClauses is exprs followed by every expression of s's clauses
// (WHERE, HAVING, GROUP BY, ORDER BY): what decides how much of each
// znode the statement reads. One allocation.
func withClauses(s *parser.Select, exprs []parser.Expr) []parser.Expr {
	all := make([]parser.Expr, 0, len(exprs)+2+len(s.GroupBy)+len(s.OrderBy))
	all = append(append(all, exprs...), s.Where, s.Having)
	all = append(all, s.GroupBy...)
	for _, o := range s.OrderBy {
		all = append(all, o.Expr)
	}
	return all
}

// limit evaluates LIMIT and OFFSET; count -1 means no limit.
func (e *env) limit(l *parser.Limit) (count, offset int64, err error) {
	if l == nil {
		return -1, 0, nil
	}
	get := func(x parser.Expr, what string) (int64, error) {
		if x == nil {
			return 0, nil
		}
		v, err := eval.Eval(x, nil, e.args)
		if err != nil {
			return 0, err
		}
		n, ok, err := toInt(what, v)
		if err != nil || !ok || n < 0 {
			return 0, zerrorf("%s must be a non-negative integer", what)
		}
		return n, nil
	}
	if count, err = get(l.Count, "LIMIT"); err != nil {
		return 0, 0, err
	}
	if offset, err = get(l.Offset, "OFFSET"); err != nil {
		return 0, 0, err
	}
	return count, offset, nil
}

// scan returns the rows of table that satisfy where, reading as little
// as the expressions need (the read part of a write).
func (e *env) scan(table string, where parser.Expr, exprs ...parser.Expr) (rowIter, error) {
	p := planWhere(e.cfg, e.tx != nil, table, where, exprs...)
	return e.source(p, p.level)
}

// source runs the plan's access path, reading each znode at level, and
// yields the rows its filter keeps.
func (e *env) source(p *readPlan, level fetchLevel) (rowIter, error) {
	table, where := p.table, p.filter
	ra, err := p.access.resolve(e.args)
	if err != nil {
		return nil, err
	}
	var (
		next func() (eval.Row, error) // the acls table
		src  rowSource                // the znodes table, read directly
	)
	if table == parser.TableACLs {
		sc := e.scanner(fetchName)
		sc.lazy = true
		next = aclSource(e, ra.source(sc))
	} else {
		src = ra.source(e.scanner(level))
		if c, ok := src.(interface{ close() }); ok {
			e.closers = append(e.closers, c.close)
		}
	}
	return func() (eval.Row, error) {
		for {
			var (
				r   eval.Row
				err error
			)
			if src != nil {
				z, err := src.next()
				if z == nil || err != nil {
					return nil, err
				}
				r = znodeRow{z}
			} else if r, err = next(); r == nil || err != nil {
				return nil, err
			}
			if where == nil {
				return r, nil
			}
			v, err := eval.Eval(where, r, e.args)
			if err != nil {
				return nil, err
			}
			if eval.Truth(v) {
				return r, nil
			}
		}
	}, nil
}

// countChildren answers SELECT COUNT(*) FROM znodes WHERE parent = x from
// x's Stat alone, reading no child; ok is false when x is not text, whose
// comparison with parent only the rows can decide.
func (e *env) countChildren(x parser.Expr) (n int64, ok bool, err error) {
	v, err := eval.Eval(x, nil, e.args)
	if err != nil {
		return 0, true, err
	}
	var parent string
	switch v := v.(type) {
	case string:
		parent = v
	case []byte:
		parent = string(v)
	case nil:
		return 0, true, nil
	default:
		return 0, false, nil
	}
	if zkstore.ValidatePath(parent, false) != nil {
		return 0, true, nil
	}
	st, ok, err := e.st.Exists(e.ctx, parent)
	if err != nil || !ok {
		return 0, true, err
	}
	return int64(st.NumChildren), true, nil
}

// finish returns rows over computed values with OFFSET and LIMIT applied.
func (e *env) finish(cols []column, vals [][]driver.Value, count, offset int64) *rows {
	if offset >= int64(len(vals)) {
		vals = nil
	} else {
		vals = vals[offset:]
	}
	if count >= 0 && count < int64(len(vals)) {
		vals = vals[:count]
	}
	return staticRows(cols, vals)
}

// project evaluates the select list over one row.
func (e *env) project(exprs []parser.Expr, r eval.Row) ([]driver.Value, error) {
	out := make([]driver.Value, len(exprs))
	for i, x := range exprs {
		v, err := eval.Eval(x, r, e.args)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

func valuesKey(vals []driver.Value) string {
	a := make([]any, len(vals))
	for i, v := range vals {
		a[i] = v
	}
	return eval.Key(a)
}

// stream yields rows as the source produces them: a LIMIT stops the scan
// as soon as enough rows were produced.
func (e *env) stream(s *parser.Select, exprs []parser.Expr, cols []column, src rowIter, count, offset int64) *rows {
	st := &streamRows{e: e, exprs: exprs, src: src, count: count, offset: offset}
	if s.Distinct {
		st.seen = make(map[string]bool)
	}
	// One allocation for the state and the rows (this is every point
	// SELECT), plus the method value.
	st.rows = rows{cols: cols, next: st.produce}
	return &st.rows
}

// streamRows is the state of a streamed result.
type streamRows struct {
	rows
	e                 *env
	exprs             []parser.Expr
	src               rowIter
	seen              map[string]bool // DISTINCT
	count, offset     int64
	produced, skipped int64
}

func (st *streamRows) produce(dest []driver.Value) error {
	e := st.e
	for {
		if st.count >= 0 && st.produced >= st.count {
			return io.EOF
		}
		r, err := st.src()
		if err != nil {
			return wrapStmt(e.sql, err)
		}
		if r == nil {
			return io.EOF
		}
		if st.seen == nil && len(dest) == len(st.exprs) {
			// Nothing to remember of the row: evaluate straight into
			// dest (database/sql reads dest only when Next succeeds).
			for i, x := range st.exprs {
				if dest[i], err = eval.Eval(x, r, e.args); err != nil {
					return wrapStmt(e.sql, err)
				}
			}
		} else {
			vals, err := e.project(st.exprs, r)
			if err != nil {
				return wrapStmt(e.sql, err)
			}
			if st.seen != nil {
				k := valuesKey(vals)
				if st.seen[k] {
					continue
				}
				st.seen[k] = true
			}
			copy(dest, vals)
		}
		if st.skipped < st.offset {
			st.skipped++
			continue
		}
		st.produced++
		return nil
	}
}

type sortRow struct {
	vals []driver.Value
	keys []any
}

// orderRows sorts by the ORDER BY keys (stable: ties keep scan order).
func orderRows(rs []sortRow, order []parser.OrderItem) {
	slices.SortStableFunc(rs, func(a, b sortRow) int {
		for i, o := range order {
			x, y := a.keys[i], b.keys[i]
			c := 0
			if eval.SortLess(x, y) {
				c = -1
			} else if eval.SortLess(y, x) {
				c = 1
			}
			if o.Desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return 0
	})
}

func distinctRows(rs []sortRow) []sortRow {
	seen := make(map[string]bool)
	out := rs[:0]
	for _, r := range rs {
		k := valuesKey(r.vals)
		if !seen[k] {
			seen[k] = true
			out = append(out, r)
		}
	}
	return out
}

func (e *env) finishSorted(s *parser.Select, cols []column, rs []sortRow, count, offset int64) *rows {
	orderRows(rs, s.OrderBy)
	if s.Distinct {
		rs = distinctRows(rs)
	}
	vals := make([][]driver.Value, len(rs))
	for i, r := range rs {
		vals[i] = r.vals
	}
	return e.finish(cols, vals, count, offset)
}

// sortedLate runs readLateSort, ORDER BY ... LIMIT on a child listing
// where WHERE and the ORDER BY keys need less of each znode than the
// select list does (names but not Stats, say): it sorts on what is cheap,
// then reads the rest only for the rows the LIMIT keeps. SELECT path,
// version FROM znodes WHERE parent = ? ORDER BY name DESC LIMIT 3 then
// lists the children and reads three Stats, not one per child. A znode
// deleted between the two reads is left out.
func (e *env) sortedLate(p *readPlan, count, offset int64) (*rows, error) {
	s := p.sel
	src, err := e.source(p, p.level)
	if err != nil {
		return nil, err
	}
	var rs []sortRow
	for {
		r, err := src()
		if err != nil {
			return nil, err
		}
		if r == nil {
			break
		}
		keys := make([]any, len(s.OrderBy))
		for i, o := range s.OrderBy {
			if keys[i], err = eval.Eval(o.Expr, r, e.args); err != nil {
				return nil, err
			}
		}
		rs = append(rs, sortRow{vals: []driver.Value{r.(znodeRow).z.path}, keys: keys})
	}
	orderRows(rs, s.OrderBy)
	lo := min(offset, int64(len(rs)))
	hi := min(lo+count, int64(len(rs)))
	sc := e.scanner(p.rowLevel)
	var out [][]driver.Value
	for _, r := range rs[lo:hi] {
		z, found, err := sc.fetch(r.vals[0].(string), nil)
		if err != nil {
			if isGone(err) {
				continue
			}
			return nil, err
		}
		if !found {
			continue
		}
		vals, err := e.project(p.exprs, znodeRow{z})
		if err != nil {
			return nil, err
		}
		out = append(out, vals)
	}
	return e.finish(p.cols, out, -1, 0), nil
}

// sorted reads every matching row, then sorts.
func (e *env) sorted(s *parser.Select, exprs []parser.Expr, cols []column, src rowIter, count, offset int64) (*rows, error) {
	var rs []sortRow
	for {
		r, err := src()
		if err != nil {
			return nil, err
		}
		if r == nil {
			break
		}
		vals, err := e.project(exprs, r)
		if err != nil {
			return nil, err
		}
		keys := make([]any, len(s.OrderBy))
		for i, o := range s.OrderBy {
			if keys[i], err = eval.Eval(o.Expr, r, e.args); err != nil {
				return nil, err
			}
		}
		rs = append(rs, sortRow{vals, keys})
	}
	return e.finishSorted(s, cols, rs, count, offset), nil
}

// aggregate groups the matching rows and evaluates the select list,
// HAVING and ORDER BY over each group.
func (e *env) aggregate(s *parser.Select, exprs []parser.Expr, cols []column, src rowIter, count, offset int64) (*rows, error) {
	all := append([]parser.Expr{}, exprs...)
	if s.Having != nil {
		all = append(all, s.Having)
	}
	for _, o := range s.OrderBy {
		all = append(all, o.Expr)
	}
	proto := eval.NewGroup(all...)
	groups := map[string]*eval.Group{}
	var order []*eval.Group
	for {
		r, err := src()
		if err != nil {
			return nil, err
		}
		if r == nil {
			break
		}
		key := ""
		if len(s.GroupBy) > 0 {
			kv := make([]any, len(s.GroupBy))
			for i, g := range s.GroupBy {
				if kv[i], err = eval.Eval(g, r, e.args); err != nil {
					return nil, err
				}
			}
			key = eval.Key(kv)
		}
		g := groups[key]
		if g == nil {
			g = proto.New()
			groups[key] = g
			order = append(order, g)
		}
		if err := g.Add(r, e.args); err != nil {
			return nil, err
		}
	}
	if len(s.GroupBy) == 0 && len(order) == 0 {
		order = append(order, proto.New())
	}
	var rs []sortRow
	for _, g := range order {
		if s.Having != nil {
			v, err := g.Eval(s.Having, e.args)
			if err != nil {
				return nil, err
			}
			if !eval.Truth(v) {
				continue
			}
		}
		vals := make([]driver.Value, len(exprs))
		for i, x := range exprs {
			v, err := g.Eval(x, e.args)
			if err != nil {
				return nil, err
			}
			vals[i] = v
		}
		keys := make([]any, len(s.OrderBy))
		for i, o := range s.OrderBy {
			v, err := g.Eval(o.Expr, e.args)
			if err != nil {
				return nil, err
			}
			keys[i] = v
		}
		rs = append(rs, sortRow{vals, keys})
	}
	return e.finishSorted(s, cols, rs, count, offset), nil
}
