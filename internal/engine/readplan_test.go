package engine

import (
	"testing"

	"github.com/zksql/zksql/parser"
)

// TestPlannerStrategies: the planner chooses each strategy for the
// statements it serves, and only outside a transaction (and without
// skip_unreadable or max_scan 0 for the point read) for the shortcuts
// that read less than the rows or bypass the transaction's view.
func TestPlannerStrategies(t *testing.T) {
	cases := []struct {
		q            string
		out, inTx    readStrategy
		access       accessKind
		level, lateL fetchLevel // lateL: the level of the rows a late sort keeps
	}{
		{q: "SELECT data FROM znodes WHERE path = ?", out: readPoint, inTx: readStream, access: accessPoints, level: fetchData},
		{q: "SELECT path FROM znodes WHERE path = '/a' LIMIT 1", out: readStream, inTx: readStream, access: accessPoints, level: fetchName},
		{q: "SELECT COUNT(*) FROM znodes WHERE parent = ?", out: readCountStat, inTx: readAggregate, access: accessChildren, level: fetchName},
		{q: "SELECT COUNT(*) FROM znodes WHERE parent = ? AND name > 'a'", out: readAggregate, inTx: readAggregate, access: accessChildren, level: fetchName},
		{q: "SELECT name, data FROM znodes WHERE parent = '/a' ORDER BY version LIMIT 2", out: readLateSort, inTx: readSort, access: accessChildren, level: fetchStat, lateL: fetchData},
		{q: "SELECT name, data FROM znodes WHERE parent = '/a' ORDER BY version", out: readSort, inTx: readSort, access: accessChildren, level: fetchData},
		{q: "SELECT name, data FROM znodes WHERE path LIKE '/a/%' ORDER BY name LIMIT 2", out: readSort, inTx: readSort, access: accessSubtree, level: fetchData},
		{q: "SELECT parent, COUNT(*) FROM znodes GROUP BY parent", out: readAggregate, inTx: readAggregate, access: accessWalk, level: fetchName},
		{q: "SELECT path FROM znodes WHERE path = '/a' OR path LIKE '/a/%'", out: readStream, inTx: readStream, access: accessUnion, level: fetchName},
		{q: "UPDATE znodes SET data = 'x' WHERE path = ?", out: readSetAny, inTx: readStream, access: accessPoints, level: fetchStat},
		{q: "UPDATE znodes SET data = CONCAT(data, 'x') WHERE path = ?", out: readStream, inTx: readStream, access: accessPoints, level: fetchData},
		{q: "DELETE FROM znodes WHERE parent = ?", out: readStream, inTx: readStream, access: accessChildren, level: fetchStat},
	}
	cfg := testOptions()
	for _, c := range cases {
		ast, err := parser.Parse(c.q)
		if err != nil {
			t.Fatalf("%s: %v", c.q, err)
		}
		for _, inTx := range []bool{false, true} {
			p, err := planStatement(ast, cfg, inTx)
			if err != nil || p == nil {
				t.Fatalf("%s: plan %v, %v", c.q, p, err)
			}
			want := c.out
			if inTx {
				want = c.inTx
			}
			if p.strategy != want || p.access.kind != c.access || p.inTx != inTx {
				t.Errorf("%s (tx %v): strategy %s, access %d; want %s, access %d", c.q, inTx, p.strategy, p.access.kind, want, c.access)
			}
			if p.strategy == readLateSort {
				if p.level != c.level || p.rowLevel != c.lateL {
					t.Errorf("%s: late sort lists at level %d and reads the kept rows at %d; want %d and %d", c.q, p.level, p.rowLevel, c.level, c.lateL)
				}
			} else if !inTx && p.level != c.level {
				t.Errorf("%s: level %d, want %d", c.q, p.level, c.level)
			}
		}
	}

	// The point read is for a session that reads the store as it is.
	point, _ := parser.Parse("SELECT data FROM znodes WHERE path = ?")
	skip := testOptions() // as the DSN mem:?skip_unreadable=true
	skip.SkipUnreadable = true
	noScan := testOptions()
	noScan.MaxScan = 0 // options built by hand, not from a DSN
	for name, cfg := range map[string]*Options{"skip_unreadable": skip, "max_scan 0": noScan} {
		p, _ := planStatement(point, cfg, false)
		if p.strategy != readStream || p.earlyPath != nil && cfg.SkipUnreadable {
			t.Errorf("%s: strategy %s (early read %v), want stream", name, p.strategy, p.earlyPath)
		}
	}
}

// TestPlanCachedWithStatement: a compiled statement plans once per
// transaction state and hands out the same plan after.
func TestPlanCachedWithStatement(t *testing.T) {
	c := newStmtCache(4)
	cfg := testOptions()
	cp, err := c.parse("SELECT data FROM znodes WHERE path = ?")
	if err != nil {
		t.Fatal(err)
	}
	out, _ := cp.readPlan(cfg, false)
	in, _ := cp.readPlan(cfg, true)
	if out == nil || in == nil || out == in {
		t.Fatalf("plans out and in a transaction: %p, %p", out, in)
	}
	again, _ := c.parse("SELECT data FROM znodes WHERE path = ?")
	if p, _ := again.readPlan(cfg, false); p != out {
		t.Error("the plan was made again")
	}
	if p, _ := again.readPlan(cfg, true); p != in {
		t.Error("the transaction's plan was made again")
	}
	// A statement that reads no znode has no plan.
	show, _ := c.parse("SHOW TABLES")
	if p, err := show.readPlan(cfg, false); p != nil || err != nil {
		t.Errorf("SHOW TABLES planned: %v, %v", p, err)
	}
}
