package main

import (
	"context"
	"sync"

	ast "github.com/dolthub/vitess/go/vt/sqlparser"

	"github.com/dolthub/go-mysql-server/sql"
	"github.com/dolthub/go-mysql-server/sql/analyzer"
	"github.com/dolthub/go-mysql-server/sql/plan"
	"github.com/dolthub/go-mysql-server/sql/transform"
)

// explainRuleID names explains.unsetMax1Row among the analyzer's rules.
const explainRuleID analyzer.RuleId = 1001

// explains works around go-mysql-server v0.20.0 failing EXPLAIN of any
// query it plans as returning at most one row ("result max1Row iterator
// returned more than one row"): a point lookup on a unique index (path =
// 'x' on znodes' primary key) or an aggregate without GROUP BY. Planning
// the explained query sets the QFlagMax1Row query flag, the analyzer
// never looks at the DescribeQuery around it (Analyzer.Analyze analyzes
// only its child), and the server then reads the several lines of the
// plan as if the query could have only one row. The gateway's index
// lookups are not at fault: the query itself returns its one row.
//
// The parser sees the EXPLAIN and marks the query (session id and query
// id); a post-validation rule, which runs after every rule that sets the
// flag, clears it for a marked query.
type explains struct {
	mu sync.Mutex
	m  map[uint32]uint64 // session id → id of its query being explained
}

func newExplains() *explains { return &explains{m: make(map[uint32]uint64)} }

// mark records that the query ctx belongs to is an EXPLAIN. ctx is the
// *sql.Context the engine parses with; anything else is ignored.
func (x *explains) mark(ctx context.Context) {
	sctx, ok := ctx.(*sql.Context)
	if !ok || sctx == nil || sctx.Session == nil {
		return
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if len(x.m) > 4096 { // sessions that went away; forget them all rather than grow
		clear(x.m)
	}
	x.m[sctx.Session.ID()] = sctx.Pid()
}

func (x *explains) marked(ctx *sql.Context) bool {
	if ctx.Session == nil {
		return false
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	pid, ok := x.m[ctx.Session.ID()]
	return ok && pid == ctx.Pid()
}

// unsetMax1Row is the post-validation rule: it changes no node, only the
// flag that would make the server refuse the plan's second line.
func (x *explains) unsetMax1Row(ctx *sql.Context, _ *analyzer.Analyzer, n sql.Node, _ *plan.Scope, _ analyzer.RuleSelector, qFlags *sql.QueryFlags) (sql.Node, transform.TreeIdentity, error) {
	if qFlags.IsSet(sql.QFlagMax1Row) && x.marked(ctx) {
		qFlags.Unset(sql.QFlagMax1Row)
	}
	return n, transform.SameTree, nil
}

// explainParser answers a plain EXPLAIN as EXPLAIN FORMAT=TREE: the plan
// tree in one text column. go-mysql-server v0.20.0's MySQL-style EXPLAIN
// table sends the text "NULL" in its integer columns (id, rows), which
// pymysql, and so SQLAlchemy and Superset, fail to decode ("invalid
// literal for int() with base 10: 'NULL'"); and the tree is what shows
// whether a predicate reached the store as an index lookup. It also marks
// every EXPLAIN for explains.
type explainParser struct {
	sql.Parser
	x *explains
}

func (p explainParser) explain(ctx context.Context, st ast.Statement) ast.Statement {
	if e, ok := st.(*ast.Explain); ok {
		if e.ExplainFormat == "" {
			e.ExplainFormat = ast.TreeStr
		}
		if ctx != nil {
			p.x.mark(ctx)
		}
	}
	return st
}

func (p explainParser) ParseSimple(q string) (ast.Statement, error) {
	st, err := p.Parser.ParseSimple(q)
	return p.explain(nil, st), err
}

func (p explainParser) Parse(ctx *sql.Context, q string, multi bool) (ast.Statement, string, string, error) {
	st, a, b, err := p.Parser.Parse(ctx, q, multi)
	return p.explain(ctx, st), a, b, err
}

func (p explainParser) ParseWithOptions(ctx context.Context, q string, delim rune, multi bool, o ast.ParserOptions) (ast.Statement, string, string, error) {
	st, a, b, err := p.Parser.ParseWithOptions(ctx, q, delim, multi, o)
	return p.explain(ctx, st), a, b, err
}

func (p explainParser) ParseOneWithOptions(ctx context.Context, q string, o ast.ParserOptions) (ast.Statement, int, error) {
	st, n, err := p.Parser.ParseOneWithOptions(ctx, q, o)
	return p.explain(ctx, st), n, err
}
