package livestore

import (
	"context"
	"fmt"
	_ "unsafe" // go:linkname

	"github.com/go-zookeeper/zk"

	"github.com/zksql/zksql/zkstore"
)

// The point reads and Set are the hot path of every SQL point statement,
// and GetW, ExistsW and ChildrenW that of every watch stream's re-read.
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
func zkQueueRequest(c *zk.Conn, opcode int32, req, res any, recvFunc zkRecvFunc) <-chan zkResponse

// zkRecvFunc is go-zookeeper v1.0.4's recvFunc, func(*request,
// *responseHeader, error), with both pointers opaque: it runs on the
// receive goroutine once the reply is decoded, before the reply is handed
// to the caller. Its pointer arguments are never dereferenced here, so
// their types only have to be pointers.
type zkRecvFunc func(req *zkOpaque, hdr *zkOpaque, err error)

type zkOpaque struct{}

// go-zookeeper keeps its own table of watches and sends it to the server
// again after a reconnect (setWatches), so that watches survive a new
// connection of the same session. Its GetW, ExistsW and ChildrenW add to
// that table from their recvFunc, on the receive goroutine, in the same
// step as the reply; the watch calls sent through callW do exactly that,
// through the same (unexported) addWatcher and with the same watch types.
// The channel it returns is not read: livestore's own registry delivers
// the events (watches.go); go-zookeeper's channel is buffered and closed
// after one event, so nothing waits on it.
//
//go:linkname zkAddWatcher github.com/go-zookeeper/zk.(*Conn).addWatcher
func zkAddWatcher(c *zk.Conn, path string, watchType int) <-chan zk.Event

// go-zookeeper v1.0.4's watchType values.
const (
	zkWatchTypeData  = 0
	zkWatchTypeExist = 1
	zkWatchTypeChild = 2
)

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
	opSync         = 9
)

// The requests and replies of those calls, as go-zookeeper encodes them
// (by reflection, field by field, in ZooKeeper's jute layout).
type pathWatchRequest struct {
	Path  string
	Watch bool
}

type pathRequest struct {
	Path string
}

type syncResponse struct {
	Path string
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
	return s.await(ctx, zkQueueRequest(s.conn, opcode, req, res, nil))
}

// callW is call for a request that sets a watch on full (the server
// path): go-zookeeper's own watch table gets the watch as its GetW,
// ExistsW or ChildrenW would add it. An ErrNoNode of exists sets an exist
// watch on the server, and so in that table too.
func (s *Store) callW(ctx context.Context, opcode int32, full string, res any) error {
	if err := ctx.Err(); err != nil {
		return &ctxError{err: err}
	}
	conn := s.conn
	wt := zkWatchTypeData
	if opcode == opGetChildren2 {
		wt = zkWatchTypeChild
	}
	recv := func(_ *zkOpaque, _ *zkOpaque, err error) {
		switch {
		case err == nil:
			zkAddWatcher(conn, full, wt)
		case opcode == opExists && err == zk.ErrNoNode:
			zkAddWatcher(conn, full, zkWatchTypeExist)
		}
	}
	return s.await(ctx, zkQueueRequest(conn, opcode, &pathWatchRequest{Path: full, Watch: true}, res, recv))
}

// await waits for the reply of a queued request, as call describes.
func (s *Store) await(ctx context.Context, ch <-chan zkResponse) error {
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

// pending is a read sent by GetAsync or ChildrenAsync and not yet waited
// for. It lets one goroutine keep many requests outstanding on the
// session's connection (go-zookeeper pipelines them) without a goroutine
// per request: a subtree walk sends the next reads, then takes the
// replies in the order it needs them. A pending read belongs to the
// goroutine that made it. Abandoning one is fine: nothing waits on its
// reply. It is one allocation with the reply it decodes into: a cache
// load sends one per znode.
type pending struct {
	s    *Store
	ctx  context.Context
	op   string
	path string
	ch   <-chan zkResponse
	got  bool
	err  error
}

// pendingGet is a getData request and its reply.
type pendingGet struct {
	pending
	res getDataResponse
}

// pendingSync is a sync request and its reply.
type pendingSync struct {
	pending
	res syncResponse
}

// pendingChildren is a getChildren2 request and its reply.
type pendingChildren struct {
	pending
	res getChildren2Response
}

var (
	_ zkstore.Pipeliner   = (*Store)(nil)
	_ zkstore.PendingRead = (*pendingGet)(nil)
	_ zkstore.PendingRead = (*pendingChildren)(nil)
	_ zkstore.SyncSender  = (*Store)(nil)
)

// GetAsync sends a getData request for path and returns at once.
func (s *Store) GetAsync(ctx context.Context, path string) zkstore.PendingRead {
	if !rawMulti {
		// No access to go-zookeeper's queue: do the call now.
		r := &zkstore.DoneRead{}
		r.Data, r.Stat, r.Err = s.Get(ctx, path)
		return r
	}
	p := &pendingGet{pending: pending{s: s, ctx: ctx, op: "get", path: path}}
	p.send(opGetData, &pathWatchRequest{Path: s.abs(path)}, &p.res, true)
	return p
}

// ChildrenAsync sends a getChildren2 request for path and returns at once.
func (s *Store) ChildrenAsync(ctx context.Context, path string) zkstore.PendingRead {
	if !rawMulti {
		r := &zkstore.DoneRead{}
		r.Names, r.Stat, r.Err = s.Children(ctx, path)
		return r
	}
	p := &pendingChildren{pending: pending{s: s, ctx: ctx, op: "children", path: path}}
	p.send(opGetChildren2, &pathWatchRequest{Path: s.abs(path)}, &p.res, true)
	return p
}

// SyncAsync sends a sync of path and returns at once: a read sent after
// it on this session is answered after the sync completes (see
// zkstore.SyncSender).
func (s *Store) SyncAsync(ctx context.Context, path string) zkstore.PendingSync {
	if !rawMulti {
		return &zkstore.DoneSync{Err: s.Sync(ctx, path)}
	}
	p := &pendingSync{pending: pending{s: s, ctx: ctx, op: "sync", path: path}}
	p.send(opSync, &pathRequest{Path: s.abs(path)}, &p.res, false)
	return p
}

// Wait waits for the sync's reply.
func (p *pendingSync) Wait() error {
	p.wait()
	return p.err
}

// Pipelines is true: go-zookeeper keeps the requests outstanding on the
// connection.
func (s *Store) Pipelines() bool { return true }

// send checks the read's path and size, then queues it (queue).
// watchFlag: req ends with one (for the request size check).
func (p *pending) send(opcode int32, req, res any, watchFlag bool) {
	if err := p.s.checkRead(p.op, p.path, watchFlag); err != nil {
		p.got, p.err = true, err
		return
	}
	p.queue(opcode, req, res)
}

// queue queues req, whose reply go-zookeeper decodes into res, or settles
// p with the reason it cannot be sent.
func (p *pending) queue(opcode int32, req, res any) {
	if err := p.ctx.Err(); err != nil {
		p.got, p.err = true, p.s.fail(p.op, p.path, &ctxError{err: err}, false)
		return
	}
	p.ch = zkQueueRequest(p.s.conn, opcode, req, res, nil)
}

// Done reports, without waiting, whether the reply (or an error) is in.
func (p *pending) Done() bool {
	if p.got {
		return true
	}
	select {
	case r := <-p.ch:
		p.settle(r.err)
		return true
	default:
		return false
	}
}

func (p *pending) settle(err error) {
	p.got = true
	if err != nil {
		p.err = p.s.fail(p.op, p.path, err, false)
	}
}

// wait blocks until the reply, the end of the context or of the
// connection, as call does.
func (p *pending) wait() {
	if p.got {
		return
	}
	select {
	case r := <-p.ch:
		p.settle(r.err)
	case <-p.ctx.Done():
		if !p.Done() {
			p.got, p.err = true, p.s.fail(p.op, p.path, &ctxError{err: p.ctx.Err(), sent: true}, false)
		}
	case <-p.s.runDone:
		if !p.Done() {
			p.settle(zk.ErrClosing)
		}
	}
}

// Get waits for the reply: the data and Stat, as Store.Get.
func (p *pendingGet) Get() ([]byte, zkstore.Stat, error) {
	p.wait()
	if p.err != nil {
		return nil, zkstore.Stat{}, p.err
	}
	return p.res.Data, toStat(&p.res.Stat), nil
}

// Children on a getData request is a caller's mistake.
func (p *pendingGet) Children() ([]string, zkstore.Stat, error) {
	return nil, zkstore.Stat{}, fmt.Errorf("livestore: Children on a get request for %s", p.path)
}

// Children waits for the reply: the sorted names and the Stat, as
// Store.Children.
func (p *pendingChildren) Children() ([]string, zkstore.Stat, error) {
	p.wait()
	if p.err != nil {
		return nil, zkstore.Stat{}, p.err
	}
	return sortedChildren(p.res.Children), toStat(&p.res.Stat), nil
}

// Get on a getChildren request is a caller's mistake.
func (p *pendingChildren) Get() ([]byte, zkstore.Stat, error) {
	return nil, zkstore.Stat{}, fmt.Errorf("livestore: Get on a children request for %s", p.path)
}
