package livestore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"time"
	"unsafe"

	"github.com/go-zookeeper/zk"

	"github.com/zksql/zksql/zkstore"
)

// go-zookeeper v1.0.4's Multi cannot create containers or TTL nodes: it
// sends every *zk.CreateRequest with opcode create, so the server creates a
// container as a plain persistent znode (and go-zookeeper then fails to
// decode the reply, reporting zk.ErrAPIError for a multi that was applied),
// and refuses a TTL flag with MarshallingError. Its multi reply decoder also
// knows no create2 result and folds unknown error codes into strings.
//
// So Multi builds the request itself, with the opcodes the Java client uses
// (createContainer, createTTL), and decodes the reply itself, sending it
// through go-zookeeper's unexported (*Conn).request - the one place that
// owns the xid, the pending-request table and the connection. The linkname
// is pinned to the go-zookeeper version this was written against: with any
// other version (or a replaced module) Multi falls back to zk.(*Conn).Multi
// and refuses container and TTL creates with ErrUnimplemented.

//go:linkname zkRequest github.com/go-zookeeper/zk.(*Conn).request
func zkRequest(c *zk.Conn, opcode int32, req, res any, recvFunc unsafe.Pointer) (int64, error)

const zkModule, zkVersion = "github.com/go-zookeeper/zk", "v1.0.4"

// rawMulti says whether zkRequest may be used: the build links exactly the
// go-zookeeper version whose request signature it declares.
var rawMulti = linkedZKVersion() == zkVersion

// linkedZKVersion is the go-zookeeper version the binary was built with,
// "" when it cannot be told or the module is replaced by a local copy or a
// fork. It is read from the source file name the binary records for
// zk.Connect (conn.go, where (*Conn).request lives), which carries the
// module's version ("…/github.com/go-zookeeper/zk@v1.0.4/conn.go", with or
// without -trimpath) the same way in a program, in this module's tests and
// in another module's tests. The build information (debug.ReadBuildInfo)
// would not do: test binaries record no dependencies, so a user's tests
// would take the fallback while the same program in production did not.
// Vendored builds record no version in file names and take the fallback.
func linkedZKVersion() string {
	fn := runtime.FuncForPC(reflect.ValueOf(zk.Connect).Pointer())
	if fn == nil {
		return ""
	}
	file, _ := fn.FileLine(fn.Entry())
	return moduleVersionInFile(file, zkModule)
}

// moduleVersionInFile is the version in a source file name of module mod
// ("…/mod@VERSION/file.go"), "" when the name has none.
func moduleVersionInFile(file, mod string) string {
	file = strings.ReplaceAll(file, `\`, "/")
	i := strings.LastIndex(file, mod+"@")
	if i < 0 || (i > 0 && file[i-1] != '/') {
		return ""
	}
	v := file[i+len(mod)+1:]
	if j := strings.IndexByte(v, '/'); j >= 0 {
		return v[:j]
	}
	return ""
}

// Opcodes (org.apache.zookeeper.ZooDefs.OpCode).
const (
	opCreate          = 1
	opDelete          = 2
	opSetData         = 5
	opCheck           = 13
	opMulti           = 14
	opCreate2         = 15
	opCreateContainer = 19
	opCreateTTL       = 21
	opError           = -1
)

// multiOp is one operation, resolved to server paths and opcodes.
type multiOp struct {
	opcode  int32
	path    string
	data    []byte
	acl     []zk.ACL
	flags   int32
	ttl     int64
	version int32
}

type multiRequest struct{ ops []multiOp }

// Encode writes the request the way MultiOperationRecord serializes it. It
// is called by go-zookeeper's encodePacket, through its encoder interface.
func (r *multiRequest) Encode(buf []byte) (int, error) {
	w := juteWriter{buf: buf}
	r.encode(&w)
	return w.n, w.err
}

// size is the encoded length of the request record, counted by the very
// code that writes it.
func (r *multiRequest) size() int {
	w := juteWriter{count: true}
	r.encode(&w)
	return w.n
}

func (r *multiRequest) encode(w *juteWriter) {
	for _, op := range r.ops {
		w.int32(op.opcode) // MultiHeader{type, done=false, err=-1}
		w.bool(false)
		w.int32(-1)
		switch op.opcode {
		case opCreate, opCreateContainer, opCreateTTL:
			w.createBody(op)
		case opSetData:
			w.string(op.path)
			w.buffer(op.data)
			w.int32(op.version)
		case opDelete, opCheck:
			w.string(op.path)
			w.int32(op.version)
		}
	}
	w.int32(-1) // done
	w.bool(true)
	w.int32(-1)
}

// multiResult is one op's reply: its error, or a created path or a Stat.
type multiResult struct {
	err  error
	path string
	stat *zk.Stat
}

type multiResponse struct{ results []multiResult }

var errBadReply = errors.New("livestore: malformed multi reply")

// Decode reads MultiResponse. Unlike go-zookeeper's decoder it returns no
// error for a failed multi: the per-op codes are in results.
func (r *multiResponse) Decode(buf []byte) (int, error) {
	rd := juteReader{buf: buf}
	r.results = r.results[:0]
	for {
		typ, done, _ := rd.int32(), rd.bool(), rd.int32()
		if rd.err != nil {
			return rd.n, rd.err
		}
		if done {
			return rd.n, nil
		}
		var res multiResult
		switch typ {
		case opError:
			res.err = codeError(rd.int32())
		case opCreate:
			res.path = rd.string()
		case opCreate2, opCreateContainer, opCreateTTL:
			res.path = rd.string()
			res.stat = rd.stat()
		case opSetData:
			res.stat = rd.stat()
		case opDelete, opCheck:
		default:
			return rd.n, fmt.Errorf("%w: result type %d", errBadReply, typ)
		}
		if rd.err != nil {
			return rd.n, rd.err
		}
		r.results = append(r.results, res)
	}
}

// Multi applies ops atomically. It always returns len(ops) results. When an
// op is refused before anything is sent (bad path, mode, TTL or data size),
// the results look as the server's would: nil before it, its error, then
// ErrRuntimeInconsistency. When the multi's fate is unknown (connection
// lost, context ended) every result carries that error.
func (s *Store) Multi(ctx context.Context, ops ...zkstore.Op) ([]zkstore.OpResult, error) {
	results := make([]zkstore.OpResult, len(ops))
	zops := make([]multiOp, len(ops))
	async := ctx.Done() != nil
	for i, op := range ops {
		mo, err := s.multiOp(op, async)
		if err != nil {
			return failedAt(results, ops, i, err)
		}
		zops[i] = mo
	}
	// The whole request must fit the server's jute.maxbuffer, or the
	// server drops the connection and the outcome is unknown.
	if err := s.checkRequest(requestHeaderSize + (&multiRequest{zops}).size()); err != nil {
		return allFailed(results, err, pathErr("multi", "", err))
	}
	if err := s.dead(); err != nil {
		return allFailed(results, err, pathErr("multi", "", err))
	}
	// An empty multi still goes to the server: it is a transaction there
	// and takes a zxid, which the differential test checks.

	var codes []multiResult
	var err error
	if rawMulti {
		codes, err = do(s, ctx, func() ([]multiResult, error) {
			res := &multiResponse{}
			if _, err := zkRequest(s.conn, opMulti, &multiRequest{zops}, res, nil); err != nil {
				return nil, err
			}
			return res.results, nil
		})
	} else {
		codes, err = do(s, ctx, func() ([]multiResult, error) { return s.zkMulti(zops) })
	}
	if err != nil {
		werr := s.fail("multi", "", err, true)
		var pe *zkstore.PathError
		errors.As(werr, &pe)
		return allFailed(results, pe.Err, werr)
	}
	if len(codes) != len(ops) {
		err := fmt.Errorf("%w: %d results for %d ops", zkstore.ErrSystemError, len(codes), len(ops))
		return allFailed(results, err, pathErr("multi", "", err))
	}
	var first error
	for i, c := range codes {
		if c.err != nil {
			results[i].Err = c.err
			if first == nil && !errors.Is(c.err, zkstore.ErrRuntimeInconsistency) {
				first = opErr(i, ops[i], c.err)
			}
			continue
		}
		switch ops[i].(type) {
		case *zkstore.CreateOp:
			results[i].Path = s.rel(c.path)
		case *zkstore.SetOp:
			results[i].Stat = toStat(c.stat)
		}
	}
	if first == nil {
		for i, r := range results {
			if r.Err != nil {
				first = opErr(i, ops[i], r.Err)
				break
			}
		}
	}
	if first != nil {
		// Nothing was applied: results of ops before the failure carry
		// no path or stat, as ZooKeeper's ErrorResult(0) does not.
		for i := range results {
			results[i].Path, results[i].Stat = "", zkstore.Stat{}
		}
	}
	return results, first
}

// multiOp validates one op and resolves it for the server.
func (s *Store) multiOp(op zkstore.Op, async bool) (multiOp, error) {
	clone := func(b []byte) []byte {
		if async && b != nil {
			return append([]byte{}, b...)
		}
		return b
	}
	if err := zkstore.ValidOp(op); err != nil {
		return multiOp{}, err
	}
	switch o := op.(type) {
	case *zkstore.CreateOp:
		if err := zkstore.ValidatePath(o.Path, o.Mode.IsSequential()); err != nil {
			return multiOp{}, err
		}
		if err := checkMode(o.Mode, o.TTL); err != nil {
			return multiOp{}, err
		}
		if err := s.checkData(o.Data); err != nil {
			return multiOp{}, err
		}
		mo := multiOp{opcode: opCreate, path: s.absCreate(o.Path, o.Mode.IsSequential()), data: clone(o.Data), acl: toZKACL(o.ACL), flags: int32(o.Mode)}
		switch {
		case o.Mode.IsContainer():
			mo.opcode = opCreateContainer
		case o.Mode.IsTTL():
			mo.opcode, mo.ttl = opCreateTTL, o.TTL.Milliseconds()
		}
		if mo.opcode != opCreate && !rawMulti {
			return multiOp{}, fmt.Errorf("%w: go-zookeeper %s cannot create a %v znode in a multi",
				zkstore.ErrUnimplemented, zkVersion, o.Mode)
		}
		return mo, nil
	case *zkstore.SetOp:
		if err := zkstore.ValidatePath(o.Path, false); err != nil {
			return multiOp{}, err
		}
		if err := s.checkData(o.Data); err != nil {
			return multiOp{}, err
		}
		return multiOp{opcode: opSetData, path: s.abs(o.Path), data: clone(o.Data), version: o.Version}, nil
	case *zkstore.DeleteOp:
		if err := zkstore.ValidatePath(o.Path, false); err != nil {
			return multiOp{}, err
		}
		return multiOp{opcode: opDelete, path: s.absDelete(o.Path), version: o.Version}, nil
	case *zkstore.CheckOp:
		if err := zkstore.ValidatePath(o.Path, false); err != nil {
			return multiOp{}, err
		}
		return multiOp{opcode: opCheck, path: s.abs(o.Path), version: o.Version}, nil
	}
	return multiOp{}, zkstore.ValidOp(op)
}

// zkMulti is the fallback through go-zookeeper's own Multi.
func (s *Store) zkMulti(ops []multiOp) ([]multiResult, error) {
	req := make([]any, len(ops))
	for i, op := range ops {
		switch op.opcode {
		case opCreate:
			req[i] = &zk.CreateRequest{Path: op.path, Data: op.data, Acl: op.acl, Flags: op.flags}
		case opSetData:
			req[i] = &zk.SetDataRequest{Path: op.path, Data: op.data, Version: op.version}
		case opDelete:
			req[i] = &zk.DeleteRequest{Path: op.path, Version: op.version}
		case opCheck:
			req[i] = &zk.CheckVersionRequest{Path: op.path, Version: op.version}
		}
	}
	res, err := s.conn.Multi(req...)
	if len(res) != len(ops) {
		if err == nil {
			err = zk.ErrAPIError
		}
		return nil, err
	}
	out := make([]multiResult, len(res))
	for i, r := range res {
		if r.Error != nil {
			out[i] = multiResult{err: mapError(r.Error, endNone)}
			continue
		}
		out[i] = multiResult{path: r.String, stat: r.Stat}
	}
	return out, nil
}

// opErr is Multi's error: the failing op's, naming the op's index.
func opErr(i int, op zkstore.Op, err error) error { return zkstore.MultiOpError(i, op, err) }

// failedAt fills results as the server would had op i failed with err.
func failedAt(results []zkstore.OpResult, ops []zkstore.Op, i int, err error) ([]zkstore.OpResult, error) {
	for j := range results {
		switch {
		case j == i:
			results[j].Err = err
		case j > i:
			results[j].Err = zkstore.ErrRuntimeInconsistency
		}
	}
	return results, opErr(i, ops[i], err)
}

func allFailed(results []zkstore.OpResult, each, err error) ([]zkstore.OpResult, error) {
	for j := range results {
		results[j].Err = each
	}
	return results, err
}

// juteWriter writes Jute's big-endian encoding into a fixed buffer; running
// out of room sets err instead of panicking (go-zookeeper recovers only some
// panics).
type juteWriter struct {
	buf []byte
	n   int
	err error
	// count: write nothing, only count the bytes.
	count bool
}

// requestHeaderSize is RequestHeader's length: xid and opcode.
const requestHeaderSize = 8

func (w *juteWriter) room(k int) []byte {
	if w.count {
		w.n += k
		return nil
	}
	if w.err != nil {
		return nil
	}
	if len(w.buf)-w.n < k {
		w.err = errTooLarge
		return nil
	}
	b := w.buf[w.n : w.n+k]
	w.n += k
	return b
}

func (w *juteWriter) int32(v int32) {
	if b := w.room(4); b != nil {
		binary.BigEndian.PutUint32(b, uint32(v))
	}
}

func (w *juteWriter) int64(v int64) {
	if b := w.room(8); b != nil {
		binary.BigEndian.PutUint64(b, uint64(v))
	}
}

func (w *juteWriter) bool(v bool) {
	if b := w.room(1); b != nil {
		b[0] = 0
		if v {
			b[0] = 1
		}
	}
}

func (w *juteWriter) string(s string) {
	w.int32(int32(len(s)))
	if b := w.room(len(s)); b != nil {
		copy(b, s)
	}
}

func (w *juteWriter) buffer(d []byte) {
	if d == nil {
		w.int32(-1)
		return
	}
	w.int32(int32(len(d)))
	if b := w.room(len(d)); b != nil {
		copy(b, d)
	}
}

type juteReader struct {
	buf []byte
	n   int
	err error
}

func (r *juteReader) take(k int) []byte {
	if r.err != nil {
		return nil
	}
	if k < 0 || len(r.buf)-r.n < k {
		r.err = errBadReply
		return nil
	}
	b := r.buf[r.n : r.n+k]
	r.n += k
	return b
}

func (r *juteReader) int32() int32 {
	if b := r.take(4); b != nil {
		return int32(binary.BigEndian.Uint32(b))
	}
	return 0
}

func (r *juteReader) int64() int64 {
	if b := r.take(8); b != nil {
		return int64(binary.BigEndian.Uint64(b))
	}
	return 0
}

func (r *juteReader) bool() bool {
	if b := r.take(1); b != nil {
		return b[0] != 0
	}
	return false
}

func (r *juteReader) string() string {
	n := r.int32()
	if n < 0 {
		return ""
	}
	return string(r.take(int(n)))
}

func (r *juteReader) stat() *zk.Stat {
	return &zk.Stat{
		Czxid:          r.int64(),
		Mzxid:          r.int64(),
		Ctime:          r.int64(),
		Mtime:          r.int64(),
		Version:        r.int32(),
		Cversion:       r.int32(),
		Aversion:       r.int32(),
		EphemeralOwner: r.int64(),
		DataLength:     r.int32(),
		NumChildren:    r.int32(),
		Pzxid:          r.int64(),
	}
}

// zkRefusesSequential reports whether go-zookeeper v1.0.4's validatePath
// wrongly refuses a sequential create's path: it checks "/a/." as if the
// sequence number were not appended, where ZooKeeper validates "/a/.1".
func zkRefusesSequential(path string) bool {
	return strings.HasSuffix(path, "/.") || strings.HasSuffix(path, "/..")
}

// rawCreate sends a create the way go-zookeeper would, minus its path
// check (zkRefusesSequential).
func (s *Store) rawCreate(path string, data []byte, acl []zk.ACL, mode zkstore.CreateMode, ttl time.Duration) (string, error) {
	op := multiOp{opcode: opCreate, path: path, data: data, acl: acl, flags: int32(mode)}
	switch {
	case mode.IsContainer():
		op.opcode = opCreateContainer
	case mode.IsTTL():
		op.opcode, op.ttl = opCreateTTL, ttl.Milliseconds()
	}
	res := &createResponse{}
	if _, err := zkRequest(s.conn, op.opcode, &createRequest{op}, res, nil); err != nil {
		return "", err
	}
	return res.path, nil
}

type createRequest struct{ op multiOp }

func (r *createRequest) Encode(buf []byte) (int, error) {
	w := juteWriter{buf: buf}
	w.createBody(r.op)
	return w.n, w.err
}

// createResponse reads CreateResponse, or the path of Create2Response.
type createResponse struct{ path string }

func (r *createResponse) Decode(buf []byte) (int, error) {
	rd := juteReader{buf: buf}
	r.path = rd.string()
	return rd.n, rd.err
}

// createBody writes CreateRequest, or CreateTTLRequest for createTTL.
func (w *juteWriter) createBody(op multiOp) {
	w.string(op.path)
	w.buffer(op.data)
	w.int32(int32(len(op.acl)))
	for _, a := range op.acl {
		w.int32(a.Perms)
		w.string(a.Scheme)
		w.string(a.ID)
	}
	w.int32(op.flags)
	if op.opcode == opCreateTTL {
		w.int64(op.ttl)
	}
}
