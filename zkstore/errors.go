package zkstore

import (
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"
)

// The errors a Store returns, wrapped in a *PathError where a path is
// involved. Test them with errors.Is. They mirror ZooKeeper's
// KeeperException codes; each store maps its own failures onto these.
var (
	ErrNoNode                  = errors.New("zk: node does not exist")
	ErrNodeExists              = errors.New("zk: node already exists")
	ErrNotEmpty                = errors.New("zk: node has children")
	ErrBadVersion              = errors.New("zk: version conflict")
	ErrNoChildrenForEphemerals = errors.New("zk: ephemeral nodes may not have children")
	ErrNoAuth                  = errors.New("zk: not authenticated")
	ErrAuthFailed              = errors.New("zk: client authentication failed")
	ErrInvalidACL              = errors.New("zk: invalid ACL specified")
	ErrBadArguments            = errors.New("zk: bad arguments")
	ErrInvalidPath             = errors.New("zk: invalid path")
	ErrDataTooLarge            = errors.New("zk: data exceeds the size limit")
	ErrUnimplemented           = errors.New("zk: operation not implemented by the server")
	// ErrRuntimeInconsistency is what ZooKeeper reports for the operations of
	// a failed multi that come after the one that failed.
	ErrRuntimeInconsistency = errors.New("zk: operation not applied: an earlier operation in the multi failed")
	// ErrSessionExpired: the server ended the session. The Store is dead;
	// its ephemerals are gone and its watches have fired with this error.
	ErrSessionExpired = errors.New("zk: session has been expired by the server")
	// ErrSessionGivenUp: the client gave the session up, as Curator does,
	// after a whole session timeout passed without a connection; the
	// server has most likely expired it too. It matches ErrSessionExpired
	// (the Store is just as dead), but says who ended the session.
	ErrSessionGivenUp error = sessionGivenUp{}
	// ErrConnectionLoss: the connection broke while a request was in flight
	// or could not be sent. For a write the outcome is unknown: the server
	// may or may not have applied it. Never retry such a write blindly.
	ErrConnectionLoss = errors.New("zk: connection lost, outcome unknown")
	// ErrClosed: the Store was closed by its owner.
	ErrClosed = errors.New("zk: store closed")
	// ErrSystemError covers server failures with no finer code.
	ErrSystemError = errors.New("zk: system error")
)

// PathError records the operation and path an error came from, like
// io/fs.PathError. Err is one of the variables above.
type PathError struct {
	Op   string
	Path string
	Err  error
}

// Error names the path, cut to maxErrorPath bytes: a path can be as long
// as a request allows, and an error is read by people and logs.
func (e *PathError) Error() string {
	p := e.Path
	if len(p) > maxErrorPath {
		n := maxErrorPath
		for n > 0 && !utf8.RuneStart(p[n]) {
			n--
		}
		p = p[:n] + "…(" + strconv.Itoa(len(e.Path)) + " bytes)"
	}
	if p == "" {
		return e.Op + ": " + e.Err.Error() // a multi fails as a whole
	}
	return e.Op + " " + p + ": " + e.Err.Error()
}

// maxErrorPath is how much of a path PathError.Error shows.
const maxErrorPath = 256

func (e *PathError) Unwrap() error { return e.Err }

// OpName names an op in errors: create, set, delete or check.
func OpName(op Op) string {
	switch op.(type) {
	case *CreateOp:
		return "create"
	case *SetOp:
		return "set"
	case *DeleteOp:
		return "delete"
	case *CheckOp:
		return "check"
	}
	return "op"
}

// MultiOpError is a multi's error when op number i (from 0) failed with
// err: "multi: op 1 (create) /a: zk: node already exists". Every store
// words it so, so that the same failure reads the same on each.
func MultiOpError(i int, op Op, err error) error {
	path := ""
	if op != nil && !isNilOp(op) {
		path = op.OpPath()
	}
	return &PathError{Op: "multi: op " + strconv.Itoa(i) + " (" + OpName(op) + ")", Path: path, Err: err}
}

// ValidOp refuses, with ErrBadArguments, an op that is nil (untyped, or a
// nil pointer) or of a type no store knows.
func ValidOp(op Op) error {
	switch op.(type) {
	case nil:
		return fmt.Errorf("%w: nil op", ErrBadArguments)
	case *CreateOp, *SetOp, *DeleteOp, *CheckOp:
		if isNilOp(op) {
			return fmt.Errorf("%w: nil %T", ErrBadArguments, op)
		}
		return nil
	}
	return fmt.Errorf("%w: unknown op type %T", ErrBadArguments, op)
}

// DataTooLarge is the error for data of n bytes over a store's data
// limit, worded the same by every store.
func DataTooLarge(n, limit int) error {
	return fmt.Errorf("%w: %d bytes, the limit is %d", ErrDataTooLarge, n, limit)
}

// CheckMode is the client's check of a create's mode and TTL, before
// anything is sent: an unknown mode, a TTL with a mode that takes none, or
// a TTL that is not whole milliseconds (the wire carries milliseconds) is
// ErrBadArguments. The TTL's range is the server's to check.
func CheckMode(mode CreateMode, ttl time.Duration) error {
	if !mode.Valid() {
		return fmt.Errorf("%w: invalid create mode %d", ErrBadArguments, int32(mode))
	}
	if !mode.IsTTL() && ttl != 0 {
		return fmt.Errorf("%w: a TTL is only for the TTL modes, not %v", ErrBadArguments, mode)
	}
	if ttl%time.Millisecond != 0 {
		return fmt.Errorf("%w: TTL %v is not whole milliseconds", ErrBadArguments, ttl)
	}
	return nil
}

// isNilOp reports whether op is a typed nil pointer, whose OpPath would
// panic.
func isNilOp(op Op) bool {
	switch o := op.(type) {
	case *CreateOp:
		return o == nil
	case *SetOp:
		return o == nil
	case *DeleteOp:
		return o == nil
	case *CheckOp:
		return o == nil
	}
	return false
}

// WrapPath wraps a store error with its operation and path; nil stays nil.
func WrapPath(op, path string, err error) error {
	if err == nil {
		return nil
	}
	return &PathError{Op: op, Path: path, Err: err}
}

type sessionGivenUp struct{}

func (sessionGivenUp) Error() string {
	return "zk: session given up by the client: no connection within the session timeout"
}

func (sessionGivenUp) Is(target error) bool { return target == ErrSessionExpired }
