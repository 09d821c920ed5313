package driver

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/zksql/zksql/zkstore"
)

// transaction is an optimistic, serializable transaction.
//
// Reads go to ZooKeeper as they happen and record the version of every
// znode read, the znodes found absent, and the Stat of every znode whose
// children were listed. Writes are checked and buffered, not sent. Commit
// sends one multi: a CheckOp for every znode read (with the version read)
// followed by the buffered writes (each SetOp and DeleteOp carrying the
// version read). If any of those znodes changed since it was read, the
// multi fails, nothing is applied, and Commit returns an error matching
// ErrTxConflict (and ErrConflict, and the store error, usually
// zkstore.ErrBadVersion). A read-only transaction's commit is a multi of
// checks alone: success proves that everything it read was a consistent
// view at one moment.
//
// Limits, from what ZooKeeper's multi can check:
//
//   - A CheckOp compares the data version only. That children were not
//     added or removed under a listed znode (a phantom), and that a znode
//     read as absent is still absent, are checked by reading again just
//     before the multi is sent, not inside it.
//   - ACLs read through the acls table are not checked, and the acls
//     table cannot be written in a transaction (there is no setACL op).
//   - The transaction's own writes are visible to its reads of those
//     paths (point reads, child listings and walks see its creates,
//     changes and deletes), except that a sequential create's name is
//     unknown until commit, so it is invisible until then; its
//     LastInsertId is 0.
//   - Writes are checked by ZooKeeper only at commit: an INSERT of a path
//     that exists fails the commit (zkstore.ErrNodeExists), not the
//     INSERT.
type transaction struct {
	c        *conn
	readOnly bool
	done     bool

	reads  map[string]int32        // version first read
	absent map[string]bool         // read as absent
	lists  map[string]zkstore.Stat // Stat when the children were listed
	order  []string                // paths read, in order, for deterministic checks

	ops   []zkstore.Op
	nodes map[string]*txNode // the transaction's view of the paths it wrote
}

// txNode is a path's state after the buffered writes.
type txNode struct {
	deleted bool
	created bool
	data    []byte
	stat    zkstore.Stat
}

func newTransaction(c *conn, readOnly bool) *transaction {
	return &transaction{
		c: c, readOnly: readOnly,
		reads: map[string]int32{}, absent: map[string]bool{}, lists: map[string]zkstore.Stat{},
		nodes: map[string]*txNode{},
	}
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

// overlayRead answers a read of a path the transaction wrote.
func (t *transaction) overlayRead(path string) (*znode, bool, bool) {
	n := t.nodes[path]
	if n == nil {
		return nil, false, false
	}
	if n.deleted {
		return nil, false, true
	}
	return &znode{path: path, stat: n.stat, hasStat: true, data: n.data, hasData: true}, true, true
}

func (t *transaction) isCreated(path string) bool {
	n := t.nodes[path]
	return n != nil && n.created && !n.deleted
}

// createdChildren lists the names of the znodes the transaction created
// under path.
func (t *transaction) createdChildren(path string) []string {
	var names []string
	for p, n := range t.nodes {
		if n.created && !n.deleted && zkstore.Parent(p) == path {
			names = append(names, zkstore.Base(p))
		}
	}
	slices.Sort(names)
	return names
}

// mergeChildren applies the transaction's creates and deletes to a
// listing of path.
func (t *transaction) mergeChildren(path string, names []string) []string {
	if len(t.nodes) == 0 {
		return names
	}
	out := make([]string, 0, len(names))
	for _, n := range names {
		if x := t.nodes[zkstore.Join(path, n)]; x != nil && x.deleted {
			continue
		}
		out = append(out, n)
	}
	for _, n := range t.createdChildren(path) {
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

// buffer adds a statement's writes to the transaction and to its view.
func (t *transaction) buffer(wp *writePlan) {
	for _, op := range wp.ops {
		t.ops = append(t.ops, op)
		switch op := op.(type) {
		case *zkstore.CreateOp:
			if op.Mode.IsSequential() {
				continue
			}
			// ZooKeeper shows containers and TTL znodes with owner 0.
			st := zkstore.Stat{DataLength: int32(len(op.Data))}
			if op.Mode.IsEphemeral() {
				st.EphemeralOwner = t.c.store.SessionID()
			}
			t.nodes[op.Path] = &txNode{created: true, data: op.Data, stat: st}
			t.bumpParent(op.Path, 1)
		case *zkstore.SetOp:
			n := t.nodes[op.Path]
			if n == nil {
				n = &txNode{stat: wp.base[op.Path]}
				t.nodes[op.Path] = n
			}
			n.data = op.Data
			n.stat.Version = op.Version + 1
			n.stat.DataLength = int32(len(op.Data))
		case *zkstore.DeleteOp:
			t.nodes[op.Path] = &txNode{deleted: true}
			t.bumpParent(op.Path, -1)
		}
	}
}

func (t *transaction) bumpParent(path string, d int32) {
	if n := t.nodes[zkstore.Parent(path)]; n != nil && !n.deleted {
		n.stat.NumChildren += d
	}
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
	if !alive(t.c.store) {
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
