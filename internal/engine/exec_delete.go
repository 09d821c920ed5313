package engine

import (
	"slices"
	"strings"

	"github.com/zksql/zksql/parser"
	"github.com/zksql/zksql/zkstore"
)

// delete is DELETE FROM znodes WHERE ...: the matched znodes are deleted
// deepest first in one multi, each with the version read when it matched.
// A matched znode with a child that is not matched fails the whole
// statement with ZooKeeper's ErrNotEmpty. Version conflicts behave as in
// update.
func (e *env) delete(s *parser.Delete, p *readPlan) (result, error) {
	if s.Table == parser.TableACLs {
		return e.deleteACL(s)
	}
	if err := checkVersionArgs(s.Where, e.args); err != nil {
		return result{}, err
	}
	e.ran(p, readStream)
	src, err := e.source(p, p.level)
	if err != nil {
		return result{}, err
	}
	var ops []*zkstore.DeleteOp
	for {
		r, err := src()
		if err != nil {
			return result{}, err
		}
		if r == nil {
			break
		}
		z := r.(znodeRow).z
		ops = append(ops, &zkstore.DeleteOp{Path: z.path, Version: z.stat.Version})
	}
	slices.SortStableFunc(ops, func(a, b *zkstore.DeleteOp) int {
		da, db := strings.Count(a.Path, "/"), strings.Count(b.Path, "/")
		if da != db {
			return db - da
		}
		return -comparePaths(a.Path, b.Path)
	})
	wp := newWritePlan()
	wp.conflicts = true
	for _, op := range ops {
		wp.add(op, true)
	}
	wp.cas = len(wp.ops) == 1 && versionConjunct(s.Where)
	return e.apply(wp)
}
