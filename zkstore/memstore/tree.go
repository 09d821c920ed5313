package memstore

import (
	"slices"

	"github.com/zksql/zksql/zkstore"
)

// node is one znode, its StatPersisted and its children's names.
type node struct {
	data     []byte
	acl      []zkstore.ACL
	czxid    int64
	mzxid    int64
	pzxid    int64
	ctime    int64
	mtime    int64
	version  int32
	creates  int32 // the stored cversion: how many children were ever created
	aversion int32
	owner    int64 // ephemeralOwner
	children map[string]struct{}
	// ephSeq orders an ephemeral among its session's (ephorder.go).
	ephSeq uint64
}

// stat is the Stat the server sends. DataNode.copyStat reports the cversion
// as 2*creates - numChildren, i.e. creates plus deletes, and hides the
// container and TTL markers: EphemeralOwner is a session id or 0.
func (n *node) stat() zkstore.Stat {
	nc := int32(len(n.children))
	owner := n.owner
	if !n.isSessionEphemeral() {
		owner = 0
	}
	return zkstore.Stat{
		Czxid:          n.czxid,
		Mzxid:          n.mzxid,
		Ctime:          n.ctime,
		Mtime:          n.mtime,
		Version:        n.version,
		Cversion:       n.creates*2 - nc,
		Aversion:       n.aversion,
		EphemeralOwner: owner,
		DataLength:     int32(len(n.data)),
		NumChildren:    nc,
		Pzxid:          n.pzxid,
	}
}

func (n *node) childList() []string {
	names := make([]string, 0, len(n.children))
	for c := range n.children {
		names = append(names, c)
	}
	slices.Sort(names)
	return names
}

func (n *node) kind() zkstore.Kind { return zkstore.Stat{EphemeralOwner: n.owner}.Kind() }

// isSessionEphemeral is EphemeralType.get(owner) == NORMAL.
func (n *node) isSessionEphemeral() bool { return n.kind() == zkstore.KindEphemeral }

// Paths the server creates itself and refuses to delete (DataTree.isSpecialPath).
const (
	procZookeeper   = "/zookeeper"
	quotaZookeeper  = "/zookeeper/quota"
	configZookeeper = "/zookeeper/config"
)

func isSpecialPath(p string) bool {
	return p == "/" || p == procZookeeper || p == quotaZookeeper || p == configZookeeper
}

// newTree is the tree of a fresh server, as a live 3.8 server shows it.
func newTree() map[string]*node {
	mk := func(acl []zkstore.ACL, children ...string) *node {
		n := &node{data: []byte{}, acl: acl, children: map[string]struct{}{}}
		for _, c := range children {
			n.children[c] = struct{}{}
		}
		return n
	}
	config := mk(zkstore.ReadACLUnsafe())
	config.aversion = -1
	return map[string]*node{
		"/":             mk(zkstore.OpenACLUnsafe(), "zookeeper"),
		procZookeeper:   mk(zkstore.OpenACLUnsafe(), "quota", "config"),
		quotaZookeeper:  mk(zkstore.OpenACLUnsafe()),
		configZookeeper: config,
	}
}

// splitPath gives the parent path and child name as the server computes
// them: everything before the last '/', with "" meaning the root.
func splitPath(p string) (parent, name string) {
	i := lastSlash(p)
	parent, name = p[:i], p[i+1:]
	if parent == "" {
		parent = "/"
	}
	return parent, name
}

func lastSlash(p string) int {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' {
			return i
		}
	}
	return -1
}

func cloneBytes(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte{}, b...)
}

func cloneACL(a []zkstore.ACL) []zkstore.ACL {
	if a == nil {
		return nil
	}
	return append([]zkstore.ACL{}, a...)
}
