package engine

import (
	"errors"

	"github.com/zksql/zksql/zkstore"
)

// insertIgnore is INSERT IGNORE INTO znodes: an ensure-path. A row whose
// znode exists is skipped, as MySQL turns the duplicate-key error into a
// warning, and RowsAffected counts only the znodes created. The rows
// still missing are created in one request (one multi for several), all
// or nothing, as a plain INSERT would.
//
// It is race-safe: when another client creates one of the znodes between
// the existence check and the write, ZooKeeper refuses the multi with
// NodeExists and applies nothing, so the statement drops that create
// and sends the rest again. That resend is a retry of a write whose
// outcome is known (refused whole), never of one whose outcome is
// unknown: a connection loss fails the statement.
//
// With create_parents, missing ancestors are created as for INSERT, and
// an ancestor a concurrent client creates first is dropped the same way;
// a row naming an ancestor of an earlier row creates it with its own
// data, mode and ACL. A path listed twice is created once, as its first
// row says. Sequential modes always create.
// Other errors (no parent without create_parents, no permission, bad
// data) fail the statement as without IGNORE.
//
// In a transaction the checks run against the transaction's view and
// are reads the transaction depends on: at COMMIT a znode found absent
// that another client has created since, or one found present that has
// changed or gone, fails the commit with ErrTxConflict, nothing applied.
func (e *env) insertIgnore(rs []insertRow) (result, error) {
	wp := newWritePlan()
	for _, r := range rs {
		if !r.mode.IsSequential() {
			if wp.planned[r.path] {
				// Listed twice, or already planned as a parent of an
				// earlier row: then the parent is made as this row says.
				for i, op := range wp.ops {
					if c, ok := op.(*zkstore.CreateOp); ok && !wp.user[i] && c.Path == r.path {
						wp.ops[i], wp.user[i] = e.createOp(r, wp), true
					}
				}
				continue
			}
			exists, err := e.exists(r.path)
			if err != nil {
				return result{}, err
			}
			if exists {
				continue
			}
		}
		if e.cfg.CreateParents {
			if err := e.parents(r.path, wp); err != nil {
				return result{}, err
			}
		}
		wp.add(e.createOp(r, wp), true)
		if !r.mode.IsSequential() {
			wp.planned[r.path] = true
		}
	}
	for {
		res, err := e.apply(wp)
		if e.tx != nil || err == nil || wp.unknown || wp.failed < 0 || !errors.Is(err, zkstore.ErrNodeExists) {
			return res, err
		}
		if c, ok := wp.ops[wp.failed].(*zkstore.CreateOp); !ok || c.Mode.IsSequential() {
			return res, err
		}
		// Created by someone else since it was checked: nothing was
		// applied, and the znode is there now, which is all IGNORE asks.
		wp.remove(wp.failed)
	}
}

// remove drops op i from the plan (INSERT IGNORE, after ZooKeeper
// refused it with NodeExists).
func (wp *writePlan) remove(i int) {
	wp.ops = append(wp.ops[:i], wp.ops[i+1:]...)
	wp.user = append(wp.user[:i], wp.user[i+1:]...)
	for j := range wp.protected {
		if wp.protected[j].op > i {
			wp.protected[j].op--
		}
	}
	wp.failed = -1
}
