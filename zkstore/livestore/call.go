package livestore

import (
	"context"
	"unsafe"

	"github.com/go-zookeeper/zk"
)

// The point reads and Set are the hot path of every SQL point statement.
// With a context that can end, do would run each go-zookeeper call in a
// goroutine of its own and wait for it: one goroutine start and one more
// wake-up per request, which on a busy two-core machine measured some
// 10-20µs on a ~150µs loopback round trip. Instead, call queues the
// request through go-zookeeper's unexported (*Conn).queueRequest - the
// function its own calls are built on, pinned like zkRequest (multi.go) to
// v1.0.4 - and waits for the reply channel or the context on the caller's
// goroutine. Nothing is left running when the context ends first: the
// reply, when it comes, goes into the channel's buffer and is dropped.

//go:linkname zkQueueRequest github.com/go-zookeeper/zk.(*Conn).queueRequest
func zkQueueRequest(c *zk.Conn, opcode int32, req, res any, recvFunc unsafe.Pointer) <-chan zkResponse

// zkResponse is go-zookeeper v1.0.4's response, field for field.
type zkResponse struct {
	zxid int64
	err  error
}

// Opcodes of the calls sent through call.
const (
	opExists       = 3
	opGetData      = 4
	opGetChildren2 = 12
)

// The requests and replies of those calls, as go-zookeeper encodes them
// (by reflection, field by field, in ZooKeeper's jute layout).
type pathWatchRequest struct {
	Path  string
	Watch bool
}

type getDataResponse struct {
	Data []byte
	Stat zk.Stat
}

type statResponse struct {
	Stat zk.Stat
}

type getChildren2Response struct {
	Children []string
	Stat     zk.Stat
}

// fastCalls says whether call may be used for a context that can end.
// With a context that never ends the direct go-zookeeper call is as cheap.
func (s *Store) fastCalls(ctx context.Context) bool {
	return rawMulti && ctx.Done() != nil
}

// call sends one request and waits for its reply, for ctx to end or for
// the connection's event loop to end. res is filled only when the error
// is nil; once call has returned without a reply, res is never read.
func (s *Store) call(ctx context.Context, opcode int32, req, res any) error {
	if err := ctx.Err(); err != nil {
		return &ctxError{err: err}
	}
	ch := zkQueueRequest(s.conn, opcode, req, res, nil)
	select {
	case r := <-ch:
		return r.err
	case <-ctx.Done():
		select {
		case r := <-ch: // answered at the same moment: take the answer
			return r.err
		default:
		}
		return &ctxError{err: ctx.Err(), sent: true}
	case <-s.runDone:
		// The connection is gone; a request queued in the last instant
		// may never be answered (go-zookeeper's request guards the same
		// race with its quit channel).
		select {
		case r := <-ch:
			return r.err
		default:
		}
		return zk.ErrClosing
	}
}
