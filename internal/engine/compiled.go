package engine

import (
	"github.com/zksql/zksql/internal/eval"
	"github.com/zksql/zksql/parser"
	"github.com/zksql/zksql/zkstore"
)

// compiled is a parsed statement and what its text alone decides, worked
// out once: the statement cache and prepared statements share it, so an
// execution does not walk the AST again for its placeholders or plan it
// again (plans: its read plans, made on first use).
type compiled struct {
	ast    parser.Statement
	params parser.Params
	plans  planCache
}

func compile(ast parser.Statement) *compiled {
	return &compiled{ast: ast, params: parser.ParamsOf(ast)}
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

// sendEarly sends the read of a one-znode SELECT (readPlan.earlyPath)
// first, on a store that takes its reply later: planning the statement,
// and database/sql's own work before it asks for the first row, then
// overlap the round trip instead of adding to it. On two cores shared
// with a ZooKeeper server that work costs several times its in-memory
// CPU, since it runs on caches the server has just used (issue 5's
// point-read profile). The plan later takes the reply if it reads that
// path (pointSource); otherwise the read is simply not used, which is
// harmless: it changes nothing on the server. The planner sets earlyPath
// only where that holds (not in a transaction, nor with skip_unreadable).
func (e *env) sendEarly(p *readPlan) {
	if p.earlyPath == nil {
		return
	}
	v, err := eval.Eval(p.earlyPath, nil, e.args)
	path, ok := v.(string)
	if err != nil || !ok {
		return // the plan reports it, or compares in a way a read cannot
	}
	a, ok := pipelinerFor(e.st, path)
	if !ok {
		return
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
