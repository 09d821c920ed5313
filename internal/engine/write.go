package engine

import (
	"errors"
	"fmt"
	"strings"

	"github.com/zksql/zksql/zkstore"
)

// writePlan is what a write statement sends: its operations in order,
// applied atomically (one multi) or buffered in the transaction.
type writePlan struct {
	ops  []zkstore.Op
	user []bool // the op writes a row of the statement: counted in RowsAffected

	planned   map[string]bool // paths this plan creates
	protected []protected

	// cas: the statement is a compare-and-set of one znode (`version = N`
	// in WHERE): a version mismatch means 0 rows affected, not an error.
	cas bool
	// conflicts: a version mismatch, a vanished or an appeared znode mean
	// a concurrent change: the error matches ErrConflict.
	conflicts bool
	// unknown is set when the outcome is unknown (connection loss).
	unknown bool
	// failed is the index of the op ZooKeeper refused when the write
	// failed with a known outcome (nothing applied), else -1; apply sets it.
	failed int
}

// protected is a sequential create carrying a protection prefix.
type protected struct {
	op     int
	parent string
	prefix string
}

func newWritePlan() *writePlan {
	return &writePlan{planned: map[string]bool{}, failed: -1}
}

func (wp *writePlan) add(op zkstore.Op, user bool) {
	wp.ops = append(wp.ops, op)
	wp.user = append(wp.user, user)
}

func (wp *writePlan) affected() int64 {
	var n int64
	for _, u := range wp.user {
		if u {
			n++
		}
	}
	return n
}

// apply sends the plan (or buffers it in the transaction) and returns the
// statement's result.
func (e *env) apply(wp *writePlan) (result, error) {
	if len(wp.ops) == 0 {
		return result{}, nil
	}
	if err := e.checkProtected(wp.ops); err != nil {
		return result{}, err
	}
	// In a transaction e.st is its store, which checks the ops against
	// the transaction's view and buffers them: nothing is sent.
	results, err := e.send(wp.ops)
	err = requestHint(err, e.cfg)
	wp.failed = -1
	if err != nil && !errors.Is(err, zkstore.ErrConnectionLoss) {
		wp.failed = failedOp(results)
	}
	if err != nil && e.tx == nil && errors.Is(err, zkstore.ErrConnectionLoss) {
		wp.unknown = true
		if len(wp.protected) > 0 {
			var applied bool
			if results, applied = e.resolveProtected(wp); applied {
				err = nil
				wp.unknown = false
			} else if results != nil {
				wp.unknown = false
				err = fmt.Errorf("%w (the write was not applied: its protected sequential znode is absent)", err)
			}
		}
	}
	if err != nil {
		if wp.cas && errors.Is(err, zkstore.ErrBadVersion) {
			return result{}, nil
		}
		if wp.conflicts && !wp.unknown && isConflict(err) {
			return result{}, &conflictError{kind: ErrConflict, err: err}
		}
		return result{}, err
	}
	res := result{affected: wp.affected()}
	for i, op := range wp.ops {
		if c, ok := op.(*zkstore.CreateOp); ok && wp.user[i] && c.Mode.IsSequential() && i < len(results) {
			if n, ok := zkstore.ParseSequence(results[i].Path); ok {
				res.lastID, res.lastIDPending = int64(n), false
			} else if e.tx != nil {
				res.lastID, res.lastIDPending = 0, true
			}
		}
	}
	return res, nil
}

// failedOp is the index of the op a failed write's results blame: the
// first with an error of its own (those after it only say they were not
// applied), or -1.
func failedOp(results []zkstore.OpResult) int {
	for i, r := range results {
		if r.Err != nil && !errors.Is(r.Err, zkstore.ErrRuntimeInconsistency) {
			return i
		}
	}
	return -1
}

// requestHint adds to a request refused as too large what the DSN says
// and how to go on.
func requestHint(err error, cfg *Options) error {
	if err == nil || !errors.Is(err, zkstore.ErrRequestTooLarge) {
		return err
	}
	return fmt.Errorf("%w (nothing was sent; the client's limit is the DSN option max_request=%d)", err, cfg.MaxRequest)
}

// send applies ops: a single op with its own request, several in one multi.
func (e *env) send(ops []zkstore.Op) ([]zkstore.OpResult, error) {
	if len(ops) > 1 {
		return e.st.Multi(e.ctx, ops...)
	}
	switch op := ops[0].(type) {
	case *zkstore.CreateOp:
		p, err := e.st.Create(e.ctx, op.Path, op.Data, zkstore.CreateOptions{Mode: op.Mode, ACL: op.ACL, TTL: op.TTL})
		return []zkstore.OpResult{{Path: p, Err: err}}, err
	case *zkstore.SetOp:
		st, err := e.st.Set(e.ctx, op.Path, op.Data, op.Version)
		return []zkstore.OpResult{{Stat: st, Err: err}}, err
	case *zkstore.DeleteOp:
		err := e.st.Delete(e.ctx, op.Path, op.Version)
		return []zkstore.OpResult{{Err: err}}, err
	}
	return e.st.Multi(e.ctx, ops...)
}

// resolveProtected finds out, after a connection loss, whether a write
// with protected sequential creates was applied: ZooKeeper handles a
// session's requests in order, so listing the parent now shows the znode
// if and only if the write was applied. results is nil when the listing
// itself failed (the outcome stays unknown).
func (e *env) resolveProtected(wp *writePlan) (results []zkstore.OpResult, applied bool) {
	results = make([]zkstore.OpResult, len(wp.ops))
	lists := map[string][]string{}
	for i, p := range wp.protected {
		names, ok := lists[p.parent]
		if !ok {
			var err error
			names, _, err = e.st.Children(e.ctx, p.parent)
			if err != nil && !isGone(err) {
				return nil, false
			}
			lists[p.parent] = names
		}
		found := ""
		for _, n := range names {
			if strings.HasPrefix(n, p.prefix) {
				found = n
			}
		}
		if found == "" {
			if i == 0 {
				return results, false
			}
			return nil, false // partly there: cannot be, a multi is atomic
		}
		results[p.op].Path = zkstore.Join(p.parent, found)
	}
	for i, op := range wp.ops {
		if results[i].Path == "" {
			results[i].Path = op.OpPath()
		}
	}
	return results, true
}
