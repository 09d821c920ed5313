package driver

import (
	"github.com/zksql/zksql/internal/eval"
	"github.com/zksql/zksql/parser"
	"github.com/zksql/zksql/zkstore"
)

var versionColumn = &parser.Column{Name: "version"}

// update is UPDATE znodes SET data = ... WHERE ...: every matched znode
// gets a SetOp carrying the version read when it matched, all in one
// multi. With `version = N` in WHERE and one znode matched, the statement
// is ZooKeeper's compare-and-set: a stale version gives 0 rows affected.
// Otherwise a concurrent change fails the statement with ErrConflict and
// nothing applied.
func (e *env) update(s *parser.Update) (result, error) {
	if s.Table == parser.TableACLs {
		return e.updateACL(s)
	}
	exprs := []parser.Expr{versionColumn}
	for _, a := range s.Set {
		exprs = append(exprs, a.Value)
	}
	src, err := e.scan(parser.TableZnodes, s.Where, exprs...)
	if err != nil {
		return result{}, err
	}
	wp := newWritePlan()
	wp.conflicts = true
	for {
		r, err := src()
		if err != nil {
			return result{}, err
		}
		if r == nil {
			break
		}
		z := r.(znodeRow).z
		data := z.data
		for _, a := range s.Set {
			v, err := eval.Eval(a.Value, r, e.args)
			if err != nil {
				return result{}, err
			}
			if a.Column == "data" {
				if data, err = toBytes(v); err != nil {
					return result{}, err
				}
			}
		}
		if err := e.checkData(z.path, data); err != nil {
			return result{}, err
		}
		wp.base[z.path] = z.stat
		wp.add(&zkstore.SetOp{Path: z.path, Data: data, Version: z.stat.Version}, true)
	}
	wp.cas = len(wp.ops) == 1 && versionConjunct(s.Where)
	return e.apply(wp)
}
