package engine

import (
	"sync/atomic"

	"github.com/zksql/zksql/parser"
)

// readStrategy is how a read plan turns the znodes its access path reads
// into the statement's rows.
type readStrategy int

const (
	// readStream yields rows as the access path reads them; a LIMIT
	// stops the scan.
	readStream readStrategy = iota
	// readSort reads every matching row, then sorts in memory.
	readSort
	// readAggregate groups and aggregates every matching row in memory.
	readAggregate
	// readLateSort lists the children at the level the filter and the
	// ORDER BY keys need, sorts, and reads the rest only for the rows the
	// LIMIT keeps (sortedLate).
	readLateSort
	// readCountStat answers COUNT(*) ... WHERE parent = x from x's Stat,
	// reading no child (countChildren).
	readCountStat
	// readPoint is a SELECT of table columns of one znode by path, its
	// columns copied out of the one reply (pointQuery).
	readPoint
	// readSetAny is UPDATE ... SET data = <constant> WHERE path =
	// <constant>: one Set of any version, nothing read (pointUpdate).
	readSetAny
)

var strategyNames = [...]string{
	readStream:    "stream",
	readSort:      "sort",
	readAggregate: "aggregate",
	readLateSort:  "late sort",
	readCountStat: "count from the parent's Stat",
	readPoint:     "point",
	readSetAny:    "set any version",
}

func (s readStrategy) String() string { return strategyNames[s] }

// readPlan is how a statement reads: which znodes (access), how much of
// each (level), what it does with them (strategy), which of them it keeps
// (filter, limit). planSelect and planWhere make it from the statement
// alone, the Config and whether a transaction is open; the executor runs
// it and EXPLAIN prints it (steps), so the two cannot tell different
// stories. The strategies readPoint, readCountStat and readSetAny depend
// on the arguments being a valid path given as text: when they are not,
// the statement runs as fallback, which the plan names too.
type readPlan struct {
	table    string // "" for a SELECT without FROM
	access   access
	level    fetchLevel
	strategy readStrategy
	fallback readStrategy
	filter   parser.Expr
	limit    *parser.Limit
	inTx     bool
	maxScan  int // the most znodes a walk may visit (Config.MaxScan)

	// A SELECT's statement and its expanded select list.
	sel   *parser.Select
	exprs []parser.Expr
	cols  []column
	// readLateSort: what the listing is sorted on, and the level of the
	// rows the LIMIT keeps.
	sortKeys []parser.Expr
	rowLevel fetchLevel
	// readCountStat: the parent; readSetAny: the path.
	target parser.Expr
	// readPoint: the compiled point query.
	point *pointQuery
	// earlyPath is, for a plan that reads the data of one znode by path,
	// what the path is compared with: see sendEarly.
	earlyPath parser.Expr
}

// planSelect is the planner of a SELECT.
func planSelect(s *parser.Select, cfg *Options, inTx bool) (*readPlan, error) {
	exprs, cols, err := outputs(s)
	if err != nil {
		return nil, err
	}
	p := &readPlan{table: s.From, sel: s, exprs: exprs, cols: cols, filter: s.Where, limit: s.Limit, inTx: inTx, maxScan: cfg.MaxScan}
	agg := len(s.GroupBy) > 0 || hasAggregate(s.Having)
	for _, x := range exprs {
		agg = agg || hasAggregate(x)
	}
	for _, o := range s.OrderBy {
		agg = agg || hasAggregate(o.Expr)
	}
	switch {
	case agg:
		p.strategy = readAggregate
	case len(s.OrderBy) > 0:
		p.strategy = readSort
	}
	p.fallback = p.strategy
	if s.From != parser.TableZnodes && s.From != parser.TableACLs {
		return p, nil // no table, or a system table: read whole
	}
	p.access = chooseAccess(s.Where)
	p.level = levelFor(withClauses(s, exprs)...)
	if s.From != parser.TableZnodes {
		return p, nil
	}
	// A transaction serves reads from its own view and records them, so
	// the shortcuts that read less than the rows (a parent's Stat, names
	// before Stats) or that bypass the store's view (the point query) are
	// for statements outside one.
	switch {
	case inTx:
	case countStatShape(s) != nil:
		p.strategy, p.target = readCountStat, countStatShape(s)
	case !agg && s.Limit != nil:
		if keys, ok := lateSortKeys(s, p.access, exprs); ok {
			p.strategy, p.sortKeys, p.level, p.rowLevel = readLateSort, keys, levelFor(keys...), levelFor(exprs...)
		}
	}
	if !inTx && !cfg.SkipUnreadable && cfg.MaxScan >= 1 && p.strategy == readStream {
		if p.point = compilePoint(s); p.point != nil {
			p.strategy = readPoint
		}
	}
	// Not in a transaction, which records its reads in order, nor with
	// skip_unreadable, whose store wrapper decides what a refused read
	// means.
	if !inTx && !cfg.SkipUnreadable && p.access.kind == accessPoints && len(p.access.values) == 1 && p.level == fetchData {
		p.earlyPath = p.access.values[0]
	}
	return p, nil
}

// countStatShape returns x for SELECT COUNT(*) FROM znodes WHERE parent = x
// and nothing more; nil otherwise.
func countStatShape(s *parser.Select) parser.Expr {
	if len(s.GroupBy) > 0 || s.Having != nil || s.Distinct || len(s.Items) != 1 || s.Where == nil || isAnd(s.Where) {
		return nil
	}
	if a, ok := s.Items[0].Expr.(*parser.Aggregate); !ok || a.Func != parser.AggCount || a.Arg != nil || a.Distinct {
		return nil
	}
	x, _ := eqConst(s.Where, "parent")
	return x
}

// lateSortKeys reports whether a late sort can serve s (given a LIMIT and
// no transaction): a child listing whose WHERE and ORDER BY need less of
// each znode than the select list. It returns those expressions. Only a
// child listing gets cheaper at name level: a walk lists every znode at
// name level, where with data it Gets each and lists only those with
// children, so it would not save a request there.
func lateSortKeys(s *parser.Select, acc access, exprs []parser.Expr) ([]parser.Expr, bool) {
	if s.Distinct || len(s.OrderBy) == 0 || acc.kind != accessChildren {
		return nil, false
	}
	keyExprs := []parser.Expr{s.Where}
	for _, o := range s.OrderBy {
		keyExprs = append(keyExprs, o.Expr)
	}
	return keyExprs, levelFor(keyExprs...) < levelFor(exprs...)
}

// planWhere is the planner of the read part of UPDATE and DELETE (and of
// the acls table's writes): the rows of table that satisfy where, at the
// level where and exprs need, streamed.
func planWhere(cfg *Options, inTx bool, table string, where parser.Expr, exprs ...parser.Expr) *readPlan {
	return &readPlan{
		table:   table,
		inTx:    inTx,
		maxScan: cfg.MaxScan,
		access:  chooseAccess(where),
		// levelFor is the highest level any expression needs, so it can
		// be taken apart (appending where to exprs would copy them).
		level:  max(levelFor(exprs...), levelFor(where)),
		filter: where,
	}
}

// planUpdate is the planner of UPDATE znodes: the rows matched, or,
// outside a transaction, one Set of any version when nothing read can
// change what is written (pointUpdate).
func planUpdate(s *parser.Update, cfg *Options, inTx bool) *readPlan {
	exprs := make([]parser.Expr, 0, 1+len(s.Set))
	exprs = append(exprs, versionColumn)
	for _, a := range s.Set {
		exprs = append(exprs, a.Value)
	}
	p := planWhere(cfg, inTx, parser.TableZnodes, s.Where, exprs...)
	if x, ok := pointUpdateShape(s); ok && !inTx {
		p.strategy, p.target = readSetAny, x
	}
	return p
}

// planDelete is the planner of DELETE FROM znodes: the rows matched, with
// the version each was read at.
func planDelete(s *parser.Delete, cfg *Options, inTx bool) *readPlan {
	return planWhere(cfg, inTx, parser.TableZnodes, s.Where, versionColumn)
}

// planCache holds a compiled statement's plans for outside and inside a
// transaction, made on first use: the statement cache belongs to one
// connector, so the Config is the same for every use.
type planCache struct {
	plans [2]atomic.Pointer[readPlan]
}

// readPlan returns the compiled statement's plan (planStatement),
// planning it on first use; nil, with the planner's error, when it
// cannot be planned.
func (cp *compiled) readPlan(cfg *Options, inTx bool) (*readPlan, error) {
	slot := &cp.plans.plans[0]
	if inTx {
		slot = &cp.plans.plans[1]
	}
	if p := slot.Load(); p != nil {
		return p, nil
	}
	p, err := planStatement(cp.ast, cfg, inTx)
	if p == nil || err != nil {
		return nil, err // not cached: planned, and reported, each time
	}
	slot.Store(p)
	return p, nil
}

// planStatement is the planner of any statement that reads znodes: a
// SELECT, the read part of an UPDATE or DELETE of znodes, and the
// statement of an EXPLAIN (which prints the plan its statement runs);
// nil for the others.
func planStatement(st parser.Statement, cfg *Options, inTx bool) (*readPlan, error) {
	switch s := st.(type) {
	case *parser.Select:
		return planSelect(s, cfg, inTx)
	case *parser.Update:
		if s.Table == parser.TableZnodes {
			return planUpdate(s, cfg, inTx), nil
		}
	case *parser.Delete:
		if s.Table == parser.TableZnodes {
			return planDelete(s, cfg, inTx), nil
		}
	case *parser.Explain:
		return planStatement(s.Stmt, cfg, inTx)
	}
	return nil, nil
}

// lastRun is what the executor did with a connection's last statement:
// the plan it ran and the strategy it took (the plan's, or its fallback
// when the arguments did not fit). Tests compare it with EXPLAIN.
type lastRun struct {
	plan *readPlan
	ran  readStrategy
}

// ran records that the executor ran plan p as strategy s.
func (e *env) ran(p *readPlan, s readStrategy) {
	if e.c != nil {
		e.c.last = lastRun{plan: p, ran: s}
	}
}
