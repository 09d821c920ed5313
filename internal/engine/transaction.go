package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/zksql/zksql/zkstore"
)

// transaction is an optimistic, serializable transaction.
//
// Its statements use its store (txStore): reads go to ZooKeeper as they
// happen, except where the transaction wrote, and record the version of
// every znode read, the znodes found absent, and the Stat of every znode
// whose children were listed. Writes are checked against the
// transaction's view and buffered, not sent. Commit sends one multi: a
// CheckOp for every znode read (with the version read) followed by the
// buffered writes (each SetOp and DeleteOp carrying the version read). If
// any of those znodes changed since it was read, the multi fails, nothing
// is applied, and Commit returns an error matching ErrTxConflict (and
// ErrConflict, and the store error, usually zkstore.ErrBadVersion). A
// read-only transaction's commit is a multi of checks alone: success
// proves that everything it read was a consistent view at one moment.
//
// Limits, from what ZooKeeper's multi can check:
//
//   - A CheckOp compares the data version only. That children were not
//     added or removed under a listed znode (a phantom), and that a znode
//     read as absent is still absent, are checked by reading again just
//     before the multi is sent, not inside it.
//   - ACLs read through the acls table are not checked, and the acls
//     table cannot be written in a transaction (there is no setACL op).
//   - A sequential create's name is unknown until commit, so it is
//     invisible until then; its LastInsertId is ErrSequencePending.
type transaction struct {
	c        *Session
	readOnly bool
	done     bool

	reads  map[string]int32        // version first read
	absent map[string]bool         // read as absent
	lists  map[string]zkstore.Stat // Stat when the children were listed
	order  []string                // paths read, in order, for deterministic checks

	ops   []zkstore.Op
	nodes map[string]*txNode // the transaction's view of the paths it wrote

	// store is the session's store as the transaction sees it: what its
	// statements read and write through.
	store txStore
}

// txNode is a path's state after the buffered writes: deleted, or present
// with its Stat (and its data when hasData; a parent whose Stat changed
// with its children may not have had its data read).
type txNode struct {
	deleted bool
	created bool
	hasData bool
	data    []byte
	stat    zkstore.Stat
}

func newTransaction(c *Session, readOnly bool) *transaction {
	t := &transaction{
		c: c, readOnly: readOnly,
		reads: map[string]int32{}, absent: map[string]bool{}, lists: map[string]zkstore.Stat{},
		nodes: map[string]*txNode{},
	}
	t.store = txStore{Store: c.store, t: t}
	return t
}

func (t *transaction) recordRead(path string, version int32) {
	if n := t.nodes[path]; n != nil {
		return
	}
	if _, ok := t.reads[path]; !ok {
		t.reads[path] = version
		t.order = append(t.order, path)
	}
}

func (t *transaction) recordAbsent(path string) {
	if t.nodes[path] != nil {
		return
	}
	if _, ok := t.reads[path]; ok {
		return
	}
	t.absent[path] = true
}

func (t *transaction) recordList(path string, st zkstore.Stat) {
	if _, ok := t.lists[path]; !ok {
		t.lists[path] = st
	}
	t.recordRead(path, st.Version)
}

// Commit sends the checks and the buffered writes in one multi.
func (t *transaction) Commit() (err error) {
	defer recoverErr(&err)
	if t.done {
		return ErrTxDone
	}
	t.done = true
	if t.c.tx == t {
		t.c.tx = nil
	}
	if len(t.ops) == 0 && len(t.reads) == 0 && len(t.absent) == 0 {
		return nil
	}
	if !Alive(t.c.store) {
		return fmt.Errorf("zksql: commit: %w", zkstore.ErrSessionExpired)
	}
	ctx := context.Background()
	st := t.c.store
	// Phantoms: listings and absences are checked again just before.
	for _, p := range sortedKeys(t.lists) {
		s, ok, err := st.Exists(ctx, p)
		if err != nil {
			return zerrorf("commit: %w", err)
		}
		was := t.lists[p]
		if !ok || s.Cversion != was.Cversion || s.Pzxid != was.Pzxid {
			return &conflictError{kind: ErrTxConflict, err: fmt.Errorf("%w: children of %s changed since they were listed", zkstore.ErrBadVersion, p)}
		}
	}
	for _, p := range sortedKeys(t.absent) {
		if _, ok, err := st.Exists(ctx, p); err != nil {
			return zerrorf("commit: %w", err)
		} else if ok {
			return &conflictError{kind: ErrTxConflict, err: zkstore.WrapPath("check", p, fmt.Errorf("%w: created since it was read as absent", zkstore.ErrNodeExists))}
		}
	}
	written := map[string]bool{}
	for _, op := range t.ops {
		switch op.(type) {
		case *zkstore.SetOp, *zkstore.DeleteOp:
			written[op.OpPath()] = true
		}
	}
	var ops []zkstore.Op
	for _, p := range t.order {
		if !written[p] {
			ops = append(ops, &zkstore.CheckOp{Path: p, Version: t.reads[p]})
		}
	}
	ops = append(ops, t.ops...)
	if len(ops) == 0 {
		return nil
	}
	if _, err := st.Multi(ctx, ops...); err != nil {
		if isConflict(err) && !errors.Is(err, zkstore.ErrConnectionLoss) {
			return &conflictError{kind: ErrTxConflict, err: err}
		}
		return zerrorf("commit: %w", requestHint(err, t.c.c.cfg))
	}
	return nil
}

// Rollback discards the buffered writes; nothing was sent.
func (t *transaction) Rollback() error {
	if t.done {
		return ErrTxDone
	}
	t.done = true
	if t.c.tx == t {
		t.c.tx = nil
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.SortFunc(out, comparePaths)
	return out
}
