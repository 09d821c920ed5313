package driver

import (
	"github.com/zksql/zksql/internal/eval"
	"github.com/zksql/zksql/parser"
	"github.com/zksql/zksql/zkstore"
)

// compiled is a parsed statement and what its text alone decides, worked
// out once: the statement cache and prepared statements share it, so an
// execution does not walk the AST again for its placeholders or its
// access path.
type compiled struct {
	ast    parser.Statement
	params parser.Params
	// earlyPath is, for a SELECT that reads the data of one znode by path
	// (WHERE path = <constant or placeholder>, outside any OR), what the
	// path is compared with. Such a statement sends its read before it is
	// planned: see sendEarly.
	earlyPath parser.Expr
	// point is set for the simplest such SELECT (pointQuery), which runs
	// without the general planner.
	point *pointQuery
}

func compile(ast parser.Statement) *compiled {
	cp := &compiled{ast: ast, params: parser.ParamsOf(ast)}
	s, ok := ast.(*parser.Select)
	if !ok || s.From != parser.TableZnodes {
		return cp
	}
	if cp.point = compilePoint(s); cp.point != nil {
		return cp
	}
	a := chooseAccess(s.Where)
	if a.kind != accessPoints || len(a.values) != 1 {
		return cp
	}
	items := make([]parser.Expr, len(s.Items))
	for i, it := range s.Items {
		items[i] = it.Expr
	}
	if levelFor(withClauses(s, items)...) == fetchData {
		cp.earlyPath = a.values[0]
	}
	return cp
}

// numInput is driver.Stmt.NumInput for the statement: the number of `?`
// placeholders, or -1 when it takes sql.Named arguments (matched by name)
// or is an EXPLAIN (whose arguments are optional).
func (cp *compiled) numInput() int {
	if _, ok := cp.ast.(*parser.Explain); ok || len(cp.params.Named) > 0 {
		return -1
	}
	return cp.params.NumInput()
}

// earlyRead is a znode read sent before its statement was planned.
type earlyRead struct {
	path    string
	pending zkstore.PendingRead
}

// sendEarly sends the read of a one-znode SELECT (compiled.earlyPath)
// first, on a store that takes its reply later: planning the statement,
// and database/sql's own work before it asks for the first row, then
// overlap the round trip instead of adding to it. On two cores shared
// with a ZooKeeper server that work costs several times its in-memory
// CPU, since it runs on caches the server has just used (issue 5's
// point-read profile). The plan later takes the reply if it reads that
// path (pointSource); otherwise the read is simply not used, which is
// harmless: it changes nothing on the server. Not in a transaction, which
// records its reads in order, nor with skip_unreadable, whose store
// wrapper decides what a refused read means.
func (e *env) sendEarly(cp *compiled) {
	if cp.earlyPath == nil || e.tx != nil || e.cfg.SkipUnreadable {
		return
	}
	a, ok := zkstore.PipelinerOf(e.st)
	if !ok {
		return
	}
	v, err := eval.Eval(cp.earlyPath, nil, e.args)
	path, ok := v.(string)
	if err != nil || !ok {
		return // the plan reports it, or compares in a way a read cannot
	}
	e.early = &earlyRead{path: path, pending: a.GetAsync(e.ctx, path)}
}

// takeEarly returns the early read of path, once (the statement's
// scanners share it); nil if there is none.
func (s *scanner) takeEarly(path string) zkstore.PendingRead {
	if s.early == nil || s.early.path != path {
		return nil
	}
	p := s.early.pending
	s.early.pending = nil
	return p
}
