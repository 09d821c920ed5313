package memstore

import (
	"time"

	"github.com/zksql/zksql/zkstore"
)

// txn is one write transaction: it takes a zxid, applies its changes to the
// tree in place, keeping what it needs to undo them should a later op of a
// multi fail, and fires the watches once it commits. The server's write lock
// is held throughout.
type txn struct {
	srv    *Server
	sess   *Session // the requester; nil for the server's own transactions
	zxid   int64
	now    int64 // the TxnHeader time, ms
	undo   []func()
	events []event
}

func (srv *Server) begin(sess *Session) *txn {
	srv.zxid++
	return &txn{srv: srv, sess: sess, zxid: srv.zxid, now: srv.cfg.clock().UnixMilli()}
}

func (t *txn) rollback() {
	for i := len(t.undo) - 1; i >= 0; i-- {
		t.undo[i]()
	}
	t.undo, t.events = nil, nil
}

func (t *txn) commit() {
	for _, ev := range t.events {
		t.srv.trigger(ev)
	}
	t.undo, t.events = nil, nil
}

func (t *txn) auth() *authSet {
	if t.sess == nil {
		return newAuthSet()
	}
	return t.sess.auth
}

func checkVersion(current, expected int32) error {
	if expected != zkstore.AnyVersion && expected != current {
		return zkstore.ErrBadVersion
	}
	return nil
}

// create is PrepRequestProcessor.pRequest2TxnCreate then DataTree.createNode.
func (t *txn) create(path string, data []byte, acl []zkstore.ACL, mode zkstore.CreateMode, ttlMs int64) (string, error) {
	if mode.IsTTL() && (ttlMs <= 0 || ttlMs > zkstore.MaxTTL.Milliseconds()) {
		return "", zkstore.ErrBadArguments // EphemeralType.validateTTL
	}
	parentPath, _ := splitPath(path)
	listACL, err := fixupACL(acl, t.auth())
	if err != nil {
		return "", err
	}
	nodes := t.srv.nodes
	parent := nodes[parentPath]
	if parent == nil {
		return "", zkstore.ErrNoNode
	}
	if err := checkACL(parent.acl, zkstore.PermCreate, t.auth()); err != nil {
		return "", err
	}
	if mode.IsSequential() {
		path += zkstore.SequenceSuffix(parent.creates)
	}
	if nodes[path] != nil {
		return "", zkstore.ErrNodeExists
	}
	if parent.isSessionEphemeral() {
		return "", zkstore.ErrNoChildrenForEphemerals
	}
	var owner int64
	switch {
	case mode.IsContainer():
		owner = zkstore.ContainerOwner()
	case mode.IsTTL():
		owner = zkstore.TTLOwner(time.Duration(ttlMs) * time.Millisecond)
	case mode.IsEphemeral():
		owner = t.sess.id
	}
	n := &node{
		data: cloneBytes(data), acl: listACL,
		czxid: t.zxid, mzxid: t.zxid, pzxid: t.zxid,
		ctime: t.now, mtime: t.now,
		owner: owner, children: map[string]struct{}{},
	}
	if mode.IsEphemeral() {
		t.srv.ephSeq++
		n.ephSeq = t.srv.ephSeq
	}
	_, name := splitPath(path)
	oldCreates, oldPzxid := parent.creates, parent.pzxid
	parent.creates++
	parent.pzxid = t.zxid
	parent.children[name] = struct{}{}
	nodes[path] = n
	t.srv.index(path, n, true)
	t.undo = append(t.undo, func() {
		t.srv.index(path, n, false)
		delete(nodes, path)
		delete(parent.children, name)
		parent.creates, parent.pzxid = oldCreates, oldPzxid
	})
	t.events = append(t.events,
		event{zkstore.EventNodeCreated, path, n.acl},
		event{zkstore.EventNodeChildrenChanged, parentPath, parent.acl})
	return path, nil
}

// delete is PrepRequestProcessor's delete then DataTree.deleteNode.
func (t *txn) delete(path string, version int32) error {
	if isSpecialPath(path) {
		return zkstore.ErrBadArguments // getParentPathAndValidate
	}
	parentPath, _ := splitPath(path)
	parent := t.srv.nodes[parentPath]
	if parent == nil {
		return zkstore.ErrNoNode
	}
	if err := checkACL(parent.acl, zkstore.PermDelete, t.auth()); err != nil {
		return err
	}
	n := t.srv.nodes[path]
	if n == nil {
		return zkstore.ErrNoNode
	}
	if err := checkVersion(n.version, version); err != nil {
		return err
	}
	if len(n.children) > 0 {
		return zkstore.ErrNotEmpty
	}
	t.remove(path, n, parent)
	return nil
}

// deleteContainer is the reaper's request: no ACL check, and it refuses a
// session's ephemeral with BadVersion as the server does.
func (t *txn) deleteContainer(path string) error {
	if isSpecialPath(path) {
		return zkstore.ErrBadArguments
	}
	n := t.srv.nodes[path]
	if n == nil {
		return zkstore.ErrNoNode
	}
	if len(n.children) > 0 {
		return zkstore.ErrNotEmpty
	}
	if n.isSessionEphemeral() {
		return zkstore.ErrBadVersion
	}
	parentPath, _ := splitPath(path)
	parent := t.srv.nodes[parentPath]
	if parent == nil {
		return zkstore.ErrNoNode
	}
	t.remove(path, n, parent)
	return nil
}

// remove deletes a checked, childless znode. The stored cversion does not
// change; the reported one grows as numChildren shrinks.
func (t *txn) remove(path string, n, parent *node) {
	parentPath, name := splitPath(path)
	nodes := t.srv.nodes
	oldPzxid := parent.pzxid
	delete(parent.children, name)
	if t.zxid > parent.pzxid {
		parent.pzxid = t.zxid
	}
	delete(nodes, path)
	t.srv.index(path, n, false)
	t.undo = append(t.undo, func() {
		t.srv.index(path, n, true)
		nodes[path] = n
		parent.children[name] = struct{}{}
		parent.pzxid = oldPzxid
	})
	t.events = append(t.events,
		event{zkstore.EventNodeDeleted, path, n.acl},
		event{zkstore.EventNodeChildrenChanged, parentPath, parent.acl})
}

func (t *txn) setData(path string, data []byte, version int32) (zkstore.Stat, error) {
	n := t.srv.nodes[path]
	if n == nil {
		return zkstore.Stat{}, zkstore.ErrNoNode
	}
	if err := checkACL(n.acl, zkstore.PermWrite, t.auth()); err != nil {
		return zkstore.Stat{}, err
	}
	if err := checkVersion(n.version, version); err != nil {
		return zkstore.Stat{}, err
	}
	old := *n
	n.data = cloneBytes(data)
	n.version++
	n.mzxid = t.zxid
	n.mtime = t.now
	t.undo = append(t.undo, func() {
		n.data, n.version, n.mzxid, n.mtime = old.data, old.version, old.mzxid, old.mtime
	})
	t.events = append(t.events, event{zkstore.EventNodeDataChanged, path, n.acl})
	return n.stat(), nil
}

// setACL changes neither mzxid nor mtime, and fires no watch.
func (t *txn) setACL(path string, acl []zkstore.ACL, version int32) (zkstore.Stat, error) {
	listACL, err := fixupACL(acl, t.auth())
	if err != nil {
		return zkstore.Stat{}, err
	}
	n := t.srv.nodes[path]
	if n == nil {
		return zkstore.Stat{}, zkstore.ErrNoNode
	}
	if err := checkACL(n.acl, zkstore.PermAdmin, t.auth()); err != nil {
		return zkstore.Stat{}, err
	}
	if err := checkVersion(n.aversion, version); err != nil {
		return zkstore.Stat{}, err
	}
	oldACL, oldAversion := n.acl, n.aversion
	n.acl = listACL
	n.aversion++
	t.undo = append(t.undo, func() { n.acl, n.aversion = oldACL, oldAversion })
	return n.stat(), nil
}

// check is the multi's version check; it needs READ.
func (t *txn) check(path string, version int32) error {
	n := t.srv.nodes[path]
	if n == nil {
		return zkstore.ErrNoNode
	}
	if err := checkACL(n.acl, zkstore.PermRead, t.auth()); err != nil {
		return err
	}
	return checkVersion(n.version, version)
}

// index keeps the server's lists of ephemerals, containers and TTL znodes.
func (srv *Server) index(path string, n *node, add bool) {
	var set map[string]struct{}
	switch n.kind() {
	case zkstore.KindContainer:
		set = srv.containers
	case zkstore.KindTTL:
		set = srv.ttls
	case zkstore.KindEphemeral:
		set = srv.ephemerals[n.owner]
		if set == nil {
			if !add {
				return
			}
			set = map[string]struct{}{}
			srv.ephemerals[n.owner] = set
		}
	default:
		return
	}
	if add {
		set[path] = struct{}{}
		if n.kind() == zkstore.KindEphemeral {
			srv.noteEphemeralCount(n.owner, len(set))
		}
	} else {
		delete(set, path)
		if n.kind() == zkstore.KindEphemeral && len(set) == 0 {
			delete(srv.ephemerals, n.owner)
		}
	}
}
