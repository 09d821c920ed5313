package engine

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/zksql/zksql/zkstore"
)

// txPending is the value a transaction's view gives the Stat fields that
// only ZooKeeper can fill in at commit: the zxids and times of a znode the
// transaction created or changed (and the pzxid of a parent whose
// children it changed). Real zxids and times are positive; rows show
// txPending as NULL.
const txPending int64 = -1

// errWatchInTx: the transaction's store does not set watches; a watch on
// writes not yet made would never fire as the reader expects.
var errWatchInTx = errors.New("zksql: watches cannot be set through a transaction")

// txStore is the session's store as the transaction sees it, and the only
// store the statements of a transaction use: every access path then sees
// the transaction's own writes by construction.
//
// Reads of a path the transaction wrote are answered from its buffered
// writes; other reads go to ZooKeeper and are recorded (the version read,
// an absence, a child listing) for the commit to check. Writes are checked
// when they are made, as ZooKeeper would check them against the
// transaction's view (a create of a znode that exists fails at once with
// ErrNodeExists, a stale version with ErrBadVersion), and buffered.
//
// What only ZooKeeper can know stays unknown until commit: a sequential
// create's name (such a znode is invisible to the transaction's reads,
// and its Create returns an empty path), and the zxids and times of what
// the transaction created or changed (txPending).
type txStore struct {
	zkstore.Store
	t *transaction
}

var _ zkstore.Store = (*txStore)(nil)

// node is path's state in the view: from the transaction's writes, or read
// from ZooKeeper (and recorded). withData reads the data too. It returns a
// copy, never the transaction's own txNode; deleted means absent.
func (s *txStore) node(ctx context.Context, over map[string]*txNode, path string, withData bool) (txNode, error) {
	if n := over[path]; n != nil {
		if n.deleted || n.hasData || !withData {
			return *n, nil
		}
		// A parent whose Stat the transaction adjusted without reading
		// its data: read the data now, keep the adjusted Stat.
		data, st, err := s.Store.Get(ctx, path)
		if err != nil {
			return txNode{}, err
		}
		s.t.recordRead(path, st.Version)
		c := *n
		c.data, c.hasData = data, true
		return c, nil
	}
	var (
		data []byte
		st   zkstore.Stat
		err  error
	)
	if withData {
		data, st, err = s.Store.Get(ctx, path)
	} else {
		var ok bool
		st, ok, err = s.Store.Exists(ctx, path)
		if err == nil && !ok {
			err = zkstore.ErrNoNode
		}
	}
	if errors.Is(err, zkstore.ErrNoNode) {
		s.t.recordAbsent(path)
		return txNode{deleted: true}, nil
	}
	if err != nil {
		return txNode{}, err
	}
	s.t.recordRead(path, st.Version)
	return txNode{data: data, hasData: withData, stat: st}, nil
}

func (s *txStore) Get(ctx context.Context, path string) ([]byte, zkstore.Stat, error) {
	n, err := s.node(ctx, s.t.nodes, path, true)
	if err != nil {
		return nil, zkstore.Stat{}, err
	}
	if n.deleted {
		return nil, zkstore.Stat{}, zkstore.WrapPath("get", path, zkstore.ErrNoNode)
	}
	return n.data, n.stat, nil
}

func (s *txStore) Exists(ctx context.Context, path string) (zkstore.Stat, bool, error) {
	n, err := s.node(ctx, s.t.nodes, path, false)
	if err != nil || n.deleted {
		return zkstore.Stat{}, false, err
	}
	return n.stat, true, nil
}

// Children lists path's children as the transaction sees them, and records
// the listing: the commit checks that no child was added or removed since.
func (s *txStore) Children(ctx context.Context, path string) ([]string, zkstore.Stat, error) {
	t := s.t
	if n := t.nodes[path]; n != nil {
		if n.deleted {
			return nil, zkstore.Stat{}, zkstore.WrapPath("children", path, zkstore.ErrNoNode)
		}
		if n.created {
			return t.createdChildren(path), n.stat, nil
		}
	}
	names, st, err := s.Store.Children(ctx, path)
	if err != nil {
		if errors.Is(err, zkstore.ErrNoNode) {
			t.recordAbsent(path)
		}
		return nil, st, err
	}
	t.recordList(path, st)
	if n := t.nodes[path]; n != nil {
		st = n.stat
	}
	return t.mergeChildren(path, names), st, nil
}

func (s *txStore) GetW(context.Context, string) ([]byte, zkstore.Stat, <-chan zkstore.Event, error) {
	return nil, zkstore.Stat{}, nil, errWatchInTx
}

func (s *txStore) ExistsW(context.Context, string) (zkstore.Stat, bool, <-chan zkstore.Event, error) {
	return zkstore.Stat{}, false, nil, errWatchInTx
}

func (s *txStore) ChildrenW(context.Context, string) ([]string, zkstore.Stat, <-chan zkstore.Event, error) {
	return nil, zkstore.Stat{}, nil, errWatchInTx
}

func (s *txStore) SetACL(context.Context, string, []zkstore.ACL, int32) (zkstore.Stat, error) {
	return zkstore.Stat{}, errors.New("zksql: ACLs cannot be changed in a transaction (ZooKeeper's multi has no setACL)")
}

func (s *txStore) Create(ctx context.Context, path string, data []byte, opts zkstore.CreateOptions) (string, error) {
	res, err := s.Multi(ctx, &zkstore.CreateOp{Path: path, Data: data, Mode: opts.Mode, ACL: opts.ACL, TTL: opts.TTL})
	if err != nil {
		return "", err
	}
	return res[0].Path, nil
}

func (s *txStore) Set(ctx context.Context, path string, data []byte, version int32) (zkstore.Stat, error) {
	res, err := s.Multi(ctx, &zkstore.SetOp{Path: path, Data: data, Version: version})
	if err != nil {
		return zkstore.Stat{}, err
	}
	return res[0].Stat, nil
}

func (s *txStore) Delete(ctx context.Context, path string, version int32) error {
	_, err := s.Multi(ctx, &zkstore.DeleteOp{Path: path, Version: version})
	return err
}

// Multi checks ops against the transaction's view, in order, as ZooKeeper
// would apply them, and buffers them if all pass; if one fails, none is
// buffered and the results say which, as a failed multi's do.
func (s *txStore) Multi(ctx context.Context, ops ...zkstore.Op) ([]zkstore.OpResult, error) {
	t := s.t
	if len(ops) == 0 {
		return nil, nil
	}
	// over is the view with this call's ops applied so far: the
	// transaction's nodes, copied on first change.
	over := t.nodes
	changed := map[string]*txNode{}
	put := func(path string, n txNode) {
		if len(changed) == 0 {
			over = maps.Clone(t.nodes)
		}
		c := n
		changed[path] = &c
		over[path] = &c
	}
	results := make([]zkstore.OpResult, len(ops))
	for i, op := range ops {
		res, err := s.check(ctx, over, put, op)
		if err != nil {
			for j := i + 1; j < len(ops); j++ {
				results[j].Err = zkstore.ErrRuntimeInconsistency
			}
			results[i].Err = err
			if len(ops) == 1 { // as Create, Set and Delete word it
				return results, zkstore.WrapPath(zkstore.OpName(op), op.OpPath(), err)
			}
			return results, zkstore.MultiOpError(i, op, err)
		}
		results[i] = res
	}
	maps.Copy(t.nodes, changed)
	t.ops = append(t.ops, ops...)
	return results, nil
}

// check applies one op to the view over (through put), or says why
// ZooKeeper would refuse it.
func (s *txStore) check(ctx context.Context, over map[string]*txNode, put func(string, txNode), op zkstore.Op) (zkstore.OpResult, error) {
	switch op := op.(type) {
	case *zkstore.CreateOp:
		if err := zkstore.ValidatePath(op.Path, op.Mode.IsSequential()); err != nil {
			return zkstore.OpResult{}, err
		}
		parentPath := zkstore.Parent(op.Path)
		parent, err := s.node(ctx, over, parentPath, false)
		if err != nil {
			return zkstore.OpResult{}, err
		}
		if parent.deleted {
			return zkstore.OpResult{}, zkstore.ErrNoNode
		}
		if parent.stat.Kind() == zkstore.KindEphemeral {
			return zkstore.OpResult{}, zkstore.ErrNoChildrenForEphemerals
		}
		if op.Mode.IsSequential() {
			// Its name is ZooKeeper's to choose at commit: the
			// transaction cannot show it.
			return zkstore.OpResult{}, nil
		}
		if n, err := s.node(ctx, over, op.Path, false); err != nil {
			return zkstore.OpResult{}, err
		} else if !n.deleted {
			return zkstore.OpResult{}, zkstore.ErrNodeExists
		}
		st := zkstore.Stat{
			Czxid: txPending, Mzxid: txPending, Pzxid: txPending, Ctime: txPending, Mtime: txPending,
			DataLength: int32(len(op.Data)),
		}
		if op.Mode.IsEphemeral() {
			// ZooKeeper shows containers and TTL znodes with owner 0.
			st.EphemeralOwner = s.Store.SessionID()
		}
		put(op.Path, txNode{created: true, data: op.Data, hasData: true, stat: st})
		parent.stat.NumChildren++
		parent.stat.Cversion++
		parent.stat.Pzxid = txPending
		put(parentPath, parent)
		return zkstore.OpResult{Path: op.Path}, nil
	case *zkstore.SetOp:
		n, err := s.present(ctx, over, op.Path, op.Version)
		if err != nil {
			return zkstore.OpResult{}, err
		}
		n.data, n.hasData = op.Data, true
		n.stat.Version++
		n.stat.DataLength = int32(len(op.Data))
		n.stat.Mzxid, n.stat.Mtime = txPending, txPending
		put(op.Path, n)
		return zkstore.OpResult{Stat: n.stat}, nil
	case *zkstore.DeleteOp:
		n, err := s.present(ctx, over, op.Path, op.Version)
		if err != nil {
			return zkstore.OpResult{}, err
		}
		if n.stat.NumChildren > 0 {
			return zkstore.OpResult{}, zkstore.ErrNotEmpty
		}
		put(op.Path, txNode{deleted: true})
		parentPath := zkstore.Parent(op.Path)
		if parent, err := s.node(ctx, over, parentPath, false); err == nil && !parent.deleted {
			parent.stat.NumChildren--
			parent.stat.Cversion++
			parent.stat.Pzxid = txPending
			put(parentPath, parent)
		}
		return zkstore.OpResult{}, nil
	case *zkstore.CheckOp:
		_, err := s.present(ctx, over, op.Path, op.Version)
		return zkstore.OpResult{}, err
	}
	return zkstore.OpResult{}, fmt.Errorf("%w: unknown operation %T", zkstore.ErrBadArguments, op)
}

// present is path's node, which must exist with the given version
// (zkstore.AnyVersion matches any).
func (s *txStore) present(ctx context.Context, over map[string]*txNode, path string, version int32) (txNode, error) {
	n, err := s.node(ctx, over, path, false)
	switch {
	case err != nil:
		return n, err
	case n.deleted:
		return n, zkstore.ErrNoNode
	case version != zkstore.AnyVersion && version != n.stat.Version:
		return n, zkstore.ErrBadVersion
	}
	return n, nil
}

// createdChildren lists the names of the znodes the transaction created
// under path (and has not deleted), sorted.
func (t *transaction) createdChildren(path string) []string {
	var names []string
	for p, n := range t.nodes {
		if n.created && !n.deleted && p != "/" && zkstore.Parent(p) == path {
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
