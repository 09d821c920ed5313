package engine

import (
	"errors"
	"fmt"
	"strings"

	"github.com/zksql/zksql/zkstore"
)

// ErrProtected: a statement would delete the session's root ("/", which is
// the chroot node under a chroot) or write ZooKeeper's own /zookeeper
// subtree. Nothing was sent. ZooKeeper's own clients never delete their
// chroot, and /zookeeper holds the server's quota and configuration nodes;
// neither is ever the target of an ordinary statement, so a statement that
// matches one is refused as a whole rather than half applied.
var ErrProtected = errors.New("zksql: protected znode")

// systemRoot is ZooKeeper's own subtree, an absolute server path.
const systemRoot = "/zookeeper"

// isSystemPath reports whether the server path p is /zookeeper or below.
func isSystemPath(p string) bool {
	return p == systemRoot || strings.HasPrefix(p, systemRoot+"/")
}

// inSystem reports whether the statement path p is, on the server,
// /zookeeper or below, without building the server path (every write asks).
// Under a chroot that is so exactly when the chroot itself is: the chroot
// is followed by p's leading '/', and the only '/' in "/zookeeper" besides
// the first comes right after it.
func (e *env) inSystem(p string) bool {
	if e.cfg.Chroot == "" {
		return isSystemPath(p)
	}
	return isSystemPath(e.cfg.Chroot)
}

// serverPath is the absolute server path of a statement's path.
func (e *env) serverPath(p string) string {
	switch {
	case e.cfg.Chroot == "":
		return p
	case p == "/":
		return e.cfg.Chroot
	}
	return e.cfg.Chroot + p
}

// rootName describes the session's root for an error message.
func (e *env) rootName() string {
	if e.cfg.Chroot == "" {
		return `"/"`
	}
	return fmt.Sprintf(`"/" (the chroot %s)`, e.cfg.Chroot)
}

// checkProtected refuses a plan that deletes the root or writes below
// /zookeeper, before anything is sent. The root is named first: a DELETE
// without WHERE matches both, and the root is what it must not take.
func (e *env) checkProtected(ops []zkstore.Op) error {
	for _, op := range ops {
		if _, del := op.(*zkstore.DeleteOp); del && op.OpPath() == "/" {
			hint := "DELETE FROM znodes WHERE path <> '/'"
			if e.cfg.Chroot == "" {
				hint = "DELETE FROM znodes WHERE path <> '/' AND path <> '/zookeeper' AND path NOT LIKE '/zookeeper/%'"
			}
			return fmt.Errorf("%w: the statement would delete %s; the root of a session is never deleted (to empty it, delete below it: %s)",
				ErrProtected, e.rootName(), hint)
		}
	}
	for _, op := range ops {
		verb := "write"
		if _, del := op.(*zkstore.DeleteOp); del {
			verb = "delete"
		}
		if err := e.checkSystem(verb, op.OpPath()); err != nil {
			return err
		}
	}
	return nil
}

// checkSystemWrite refuses a write of path p if it lies in /zookeeper.
func (e *env) checkSystemWrite(p string) error { return e.checkSystem("write", p) }

func (e *env) checkSystem(verb, p string) error {
	if !e.inSystem(p) {
		return nil
	}
	sp := e.serverPath(p)
	where := ""
	if sp != p {
		where = " (server path " + sp + ")"
	}
	return fmt.Errorf("%w: the statement would %s %s%s; /zookeeper and below belong to ZooKeeper itself (quotas, configuration): add a WHERE that leaves them out",
		ErrProtected, verb, p, where)
}
