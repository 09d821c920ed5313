package livestore

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-zookeeper/zk"

	"github.com/zksql/zksql/zkstore"
)

// Batched reads: ZooKeeper 3.6's multiRead carries many getData ops in one
// request, answered in one reply with a result per op (the data and Stat,
// or the op's error code). A walk of a large subtree sends one request per
// few dozen znodes instead of one per znode; each request costs the server
// and both ends' network stacks far more than one op inside it does.
//
// go-zookeeper has no multiRead, so the request goes through queueRequest
// like the point reads (call.go), with its own codec. A server before 3.6
// would answer it UNIMPLEMENTED and drop the connection, failing whatever
// else was in flight; so batches are sent only once the server has
// accepted an addWatch on this store (both came with 3.6), and never again
// once one is refused (a member of a mixed ensemble). Otherwise
// GetBatchAsync sends the reads one by one, as zkstore.ReadsBatch.

// opMultiRead is ZooDefs.OpCode.multiRead (ZooKeeper 3.6+).
const opMultiRead = 22

// multiReadOpcode is what batches are sent with; a test sets an opcode no
// server knows, to stand in for a server before 3.6.
var multiReadOpcode int32 = opMultiRead

// maxBatchReads bounds the paths of one multiRead; a longer batch is sent
// as single reads.
const maxBatchReads = 1024

var _ zkstore.BatchGetter = (*Store)(nil)

// multiReadRequest is a MultiOperationRecord of getData ops without
// watches (server paths).
type multiReadRequest struct{ paths []string }

// Encode writes each op behind its MultiHeader{getData, false, -1}, then
// the closing MultiHeader{-1, true, -1}.
func (r *multiReadRequest) Encode(buf []byte) (int, error) {
	w := juteWriter{buf: buf}
	r.encode(&w)
	return w.n, w.err
}

func (r *multiReadRequest) size() int {
	w := juteWriter{count: true}
	r.encode(&w)
	return w.n
}

func (r *multiReadRequest) encode(w *juteWriter) {
	for _, p := range r.paths {
		w.int32(opGetData)
		w.bool(false)
		w.int32(-1)
		w.string(p)
		w.bool(false) // no watch
	}
	w.int32(-1)
	w.bool(true)
	w.int32(-1)
}

// batchResult is one op's reply: the data and Stat, or the error code.
type batchResult struct {
	data []byte
	stat zk.Stat
	code int32
}

// multiReadResponse is a multiRead's MultiResponse. The data of all the
// results share one allocation (each capped to its own length), as the
// names of a listing do (wire.go).
type multiReadResponse struct{ results []batchResult }

// Decode reads the results: getData ones (type 4) and error ones (type
// -1, then the code), up to the closing header; it refuses any other type.
func (r *multiReadResponse) Decode(buf []byte) (int, error) {
	rd := juteReader{buf: buf}
	r.results = r.results[:0]
	total := 0
	for {
		typ, done, _ := rd.int32(), rd.bool(), rd.int32()
		if rd.err != nil {
			return rd.n, rd.err
		}
		if done {
			break
		}
		var res batchResult
		switch typ {
		case opError:
			res.code = rd.int32()
		case opGetData:
			if ln := rd.int32(); ln >= 0 {
				res.data = rd.take(int(ln)) // in buf: copied below
				total += int(ln)
			}
			decodeStatFrom(&rd, &res.stat)
		default:
			return rd.n, fmt.Errorf("%w: multiRead result type %d", errBadReply, typ)
		}
		if rd.err != nil {
			return rd.n, rd.err
		}
		r.results = append(r.results, res)
	}
	all := make([]byte, 0, total)
	for i := range r.results {
		if d := r.results[i].data; d != nil {
			at := len(all)
			all = append(all, d...)
			r.results[i].data = all[at:len(all):len(all)]
		}
	}
	return rd.n, nil
}

// decodeStatFrom reads a Stat in place.
func decodeStatFrom(rd *juteReader, st *zk.Stat) {
	if b := rd.take(statSize); b != nil {
		decodeStat(b, st)
	}
}

// pendingBatch is a multiRead sent by GetBatchAsync.
type pendingBatch struct {
	pending // op "get"; path is empty: errors are given each read's path
	paths   []string
	res     multiReadResponse
	// single are the reads sent one by one after the server refused
	// the batch.
	single zkstore.PendingBatch
}

// GetBatchAsync sends the getData of every path as one multiRead when the
// server is known to answer it (see above), and otherwise one GetAsync
// each. A path that is not valid, or a request over the server's size
// limit, also sends them one by one, so that each read fails (or not) as
// its own Get would.
func (s *Store) GetBatchAsync(ctx context.Context, paths []string) zkstore.PendingBatch {
	if !rawMulti || !s.batchReads.Load() || s.noBatchReads.Load() || len(paths) < 2 || len(paths) > maxBatchReads {
		return zkstore.ReadsBatch(ctx, s, paths)
	}
	full := make([]string, len(paths))
	for i, p := range paths {
		if s.checkRead("get", p, false) != nil {
			return zkstore.ReadsBatch(ctx, s, paths)
		}
		full[i] = s.abs(p)
	}
	req := &multiReadRequest{paths: full}
	if s.checkRequest(requestHeaderSize+req.size()) != nil {
		return zkstore.ReadsBatch(ctx, s, paths)
	}
	b := &pendingBatch{pending: pending{s: s, ctx: ctx, op: "get"}, paths: paths}
	b.res.results = make([]batchResult, 0, len(paths))
	b.queue(multiReadOpcode, req, &b.res) // each path checked above
	return b
}

func (b *pendingBatch) Len() int { return len(b.paths) }

// Get waits for the reply and gives the i-th read's outcome.
func (b *pendingBatch) Get(i int) ([]byte, zkstore.Stat, error) {
	b.wait()
	if b.single != nil {
		return b.single.Get(i)
	}
	if b.err != nil {
		var pe *zkstore.PathError
		err := b.err
		if errors.As(err, &pe) {
			err = pe.Err
		}
		if errors.Is(err, zkstore.ErrUnimplemented) {
			// Refused, so not read: read them one by one (the server
			// drops the connection with the refusal, so these may fail
			// with ErrConnectionLoss, as reads sent then would).
			b.s.noBatchReads.Store(true)
			b.single = zkstore.ReadsBatch(b.ctx, b.s, b.paths)
			return b.single.Get(i)
		}
		return nil, zkstore.Stat{}, pathErr(b.op, b.paths[i], err)
	}
	if len(b.res.results) != len(b.paths) {
		err := fmt.Errorf("%w: %d multiRead results for %d reads", zkstore.ErrSystemError, len(b.res.results), len(b.paths))
		return nil, zkstore.Stat{}, pathErr(b.op, b.paths[i], err)
	}
	r := &b.res.results[i]
	if r.code != codeOK {
		return nil, zkstore.Stat{}, pathErr(b.op, b.paths[i], codeError(r.code))
	}
	return r.data, toStat(&r.stat), nil
}
