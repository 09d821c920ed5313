package engine

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
func (e *env) update(s *parser.Update, p *readPlan) (result, error) {
	if s.Table == parser.TableACLs {
		return e.updateACL(s)
	}
	if err := checkVersionArgs(s.Where, e.args); err != nil {
		return result{}, err
	}
	if p.strategy == readSetAny {
		if res, ok, err := e.pointUpdate(s, p.target); ok {
			e.ran(p, readSetAny)
			return res, err
		}
	}
	e.ran(p, readStream)
	src, err := e.source(p, p.level)
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
		wp.add(&zkstore.SetOp{Path: z.path, Data: data, Version: z.stat.Version}, true)
	}
	wp.cas = len(wp.ops) == 1 && versionConjunct(s.Where)
	return e.apply(wp)
}

// pointUpdate runs the readSetAny strategy, UPDATE znodes SET data =
// <constant> WHERE path = <constant> (x) outside a transaction, as one Set of any version instead of
// a read and a compare-and-set: a point update then costs what
// go-zookeeper's Set costs. Nothing the statement reads decides what it
// writes - the only condition is the path, the new data does not depend on
// the row - so a change between a read and the Set could not change the
// outcome; a missing znode is 0 rows affected, as when the read finds none.
// ok is false when its values fail to evaluate or to fit: the plan's
// general path then decides, so errors
// stay the same (it reports them only for a znode that exists).
func (e *env) pointUpdate(s *parser.Update, x parser.Expr) (res result, ok bool, err error) {
	v, err := eval.Eval(x, noRow{}, e.args)
	if err != nil {
		return result{}, false, nil
	}
	var path string
	switch v := v.(type) {
	case string:
		path = v
	case []byte:
		path = string(v)
	default:
		return result{}, false, nil
	}
	if zkstore.ValidatePath(path, false) != nil {
		return result{}, false, nil
	}
	var data []byte
	for _, a := range s.Set {
		v, err := eval.Eval(a.Value, noRow{}, e.args)
		if err != nil {
			return result{}, false, nil
		}
		if data, err = toBytes(v); err != nil {
			return result{}, false, nil
		}
	}
	if e.checkData(path, data) != nil {
		return result{}, false, nil
	}
	if err := e.checkSystemWrite(path); err != nil {
		return result{}, true, err
	}
	if _, err := e.st.Set(e.ctx, path, data, zkstore.AnyVersion); err != nil {
		if isGone(err) {
			return result{}, true, nil
		}
		return result{}, true, requestHint(err, e.cfg)
	}
	return result{affected: 1}, true, nil
}

// pointUpdateShape reports whether s is UPDATE znodes SET data = <constant>
// WHERE path = <constant> and nothing else, and returns the path's
// expression.
func pointUpdateShape(s *parser.Update) (parser.Expr, bool) {
	if s.Table != parser.TableZnodes || s.Where == nil || len(s.Set) == 0 || isAnd(s.Where) {
		return nil, false
	}
	x, ok := eqConst(s.Where, "path")
	if !ok {
		return nil, false
	}
	for _, a := range s.Set {
		if a.Column != "data" || !isConst(a.Value) {
			return nil, false
		}
	}
	return x, true
}
