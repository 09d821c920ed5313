package engine

import (
	"database/sql/driver"
	"fmt"
	"strings"

	"github.com/zksql/zksql/parser"
)

// explain answers EXPLAIN <statement>: one row per step, saying which
// ZooKeeper operations the statement makes and what is done in memory.
// Steps show the statement's own text (placeholders stay `?` or `:name`);
// argument values never appear, since they may be secrets.
//
// plan is the statement's read plan (planStatement), the one the
// statement runs with: EXPLAIN prints it.
func (e *env) explain(st parser.Statement, plan *readPlan) (*rows, error) {
	var steps []string
	add := func(format string, a ...any) { steps = append(steps, fmt.Sprintf(format, a...)) }
	inTx := e.tx != nil
	switch s := st.(type) {
	case *parser.Select:
		switch {
		case syncRequested(e.ctx):
			add("sync / (WithSync: the server catches up with the leader before the read)")
		case e.cfg.SyncReads:
			add("sync / (sync_reads=true: the server catches up with the leader before the read)")
		}
		steps = append(steps, e.cacheSteps(plan)...)
		steps = append(steps, plan.steps(e.args)...)
	case *parser.Insert:
		steps = e.insertSteps(s)
	case *parser.Update:
		if s.Table == parser.TableACLs {
			steps = planWhere(e.cfg, inTx, parser.TableACLs, s.Where).steps(e.args)
			add("setACL per znode with the aversion read")
			break
		}
		steps = append(e.cacheSteps(plan), plan.steps(e.args)...)
		if plan.strategy == readSetAny {
			break
		}
		add("multi: setData per matched znode with the version read")
		if versionConjunct(s.Where) {
			add("compare-and-set: a version mismatch affects 0 rows")
		}
	case *parser.Delete:
		if s.Table == parser.TableACLs {
			steps = planWhere(e.cfg, inTx, parser.TableACLs, s.Where).steps(e.args)
			add("setACL per znode without the matched entries, with the aversion read")
			break
		}
		steps = append(e.cacheSteps(plan), plan.steps(e.args)...)
		add("multi: delete per matched znode, deepest first, with the version read")
	default:
		add("%s: no ZooKeeper operation", strings.SplitN(st.String(), " ", 2)[0])
	}
	if isWrite(st) {
		steps = append(steps, e.cacheWriteSteps()...)
	}
	if e.tx != nil {
		add("inside a transaction: reads are recorded and checked at commit; writes are checked against the transaction's view (exists of each path written and of its parent, getData of a parent whose data is read after its children changed, where the transaction has not read them yet) and buffered")
	}
	cols := []column{
		{name: "step", dbType: "BIGINT", scan: scanInt64, nullable: 2},
		{name: "operation", dbType: "TEXT", scan: scanString, nullable: 2},
	}
	vals := make([][]driver.Value, len(steps))
	for i, s := range steps {
		vals[i] = []driver.Value{int64(i + 1), s}
	}
	return staticRows(cols, vals), nil
}

func exprList(es []parser.Expr) string {
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = e.String()
	}
	return strings.Join(s, ", ")
}

// quoteSQL writes s as an SQL string literal.
func quoteSQL(s string) string {
	return "'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), "'", "''") + "'"
}

func hasColumn(cols []string, name string) bool {
	for _, c := range cols {
		if c == name {
			return true
		}
	}
	return false
}

// defaultACLText shows the ACL of a create without its own: default_acl
// with digest ids redacted, else ZooKeeper's open ACL.
func (e *env) defaultACLText() string {
	if e.cfg.DefaultACL == nil {
		return "world:anyone:cdrwa"
	}
	return "default_acl " + formatACLSpec(e.cfg.DefaultACL, true)
}

// insertSteps is EXPLAIN's text of an INSERT, which reads only to decide
// its writes (IGNORE, ON DUPLICATE KEY UPDATE, missing parents).
func (e *env) insertSteps(s *parser.Insert) []string {
	t := &planText{}
	if s.Table == parser.TableACLs {
		t.add("getACL per path, then setACL per path with the aversion read (%d row(s))", len(s.Rows))
		return t.steps
	}
	if e.cfg.CreateParents {
		t.add("exists per missing ancestor; create missing parents (persistent) in the same multi")
	}
	if s.Ignore {
		t.add("exists per row; rows whose znode exists are skipped (INSERT IGNORE)")
	}
	if hasColumn(s.Columns, "acl") {
		t.add("each create carries its row's acl in the create request (NULL: %s)", e.defaultACLText())
	} else {
		t.add("each create carries the ACL %s in the create request", e.defaultACLText())
	}
	if s.OnDuplicate != nil {
		t.add("getData per row; setData with the version read if the znode exists, else create")
		t.add("one multi for all rows; retried if a znode changes in between")
	} else if len(s.Rows) > 1 || e.cfg.CreateParents {
		t.add("multi: create per row (%d row(s)), all or nothing", len(s.Rows))
		if s.Ignore {
			t.add("a znode another client creates first is dropped from the multi, which is sent again")
		}
	} else {
		t.add("create (1 row)")
	}
	return t.steps
}
