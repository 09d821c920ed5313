package livestore

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/zksql/zksql/zkstore"
)

// TestBatchGetMultiRead: batches go out as one multiRead once the server
// has accepted an addWatch, and read by read before; under a chroot too.
// What each read gives is the conformance suite's (BatchGet cases).
func TestBatchGetMultiRead(t *testing.T) {
	s := open(t)
	ctx := ctxT(t)
	b := base(t, s)
	var paths []string
	for i := range 5 {
		p := fmt.Sprintf("%s/n%d", b, i)
		if _, err := s.Create(ctx, p, []byte(p), zkstore.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	if _, ok := s.GetBatchAsync(ctx, paths).(*pendingBatch); ok {
		t.Fatalf("a batch went out as multiRead before the server was known to take it")
	}
	if _, err := s.AddWatch(ctx, b, zkstore.WatchPersistent); err != nil {
		t.Fatal(err)
	}
	batch := s.GetBatchAsync(ctx, paths)
	if _, ok := batch.(*pendingBatch); !ok {
		t.Fatalf("GetBatchAsync after an accepted addWatch sent %T, want a multiRead", batch)
	}
	for i, p := range paths {
		data, st, err := batch.Get(i)
		if err != nil || !bytes.Equal(data, []byte(p)) || st.Czxid == 0 {
			t.Errorf("read %d: %q, %+v, %v; want %q", i, data, st, err, p)
		}
	}

	chrooted := open(t, Chroot(b))
	if _, err := chrooted.AddWatch(ctx, "/", zkstore.WatchPersistent); err != nil {
		t.Fatal(err)
	}
	batch = chrooted.GetBatchAsync(ctx, []string{"/n1", "/n4", "/missing"})
	if _, ok := batch.(*pendingBatch); !ok {
		t.Fatalf("chrooted GetBatchAsync sent %T, want a multiRead", batch)
	}
	for i, want := range []string{paths[1], paths[4]} {
		if data, _, err := batch.Get(i); err != nil || string(data) != want {
			t.Errorf("chrooted read %d: %q, %v; want %q", i, data, err, want)
		}
	}
	if _, _, err := batch.Get(2); !errors.Is(err, zkstore.ErrNoNode) {
		t.Errorf("chrooted read of a missing znode: %v, want ErrNoNode", err)
	}
}

// TestBatchGetUnimplemented: a server that does not know multiRead (a
// member older than 3.6; an opcode no server knows stands in for it here)
// refuses the batch and drops the connection. The reads are then made one
// by one, and later batches are never sent as multiRead again.
func TestBatchGetUnimplemented(t *testing.T) {
	s := open(t)
	ctx := ctxT(t)
	b := base(t, s)
	if _, err := s.AddWatch(ctx, b, zkstore.WatchPersistent); err != nil {
		t.Fatal(err)
	}
	multiReadOpcode = 999
	defer func() { multiReadOpcode = opMultiRead }()
	paths := []string{b, b + "/missing"}
	batch := s.GetBatchAsync(ctx, paths)
	if _, ok := batch.(*pendingBatch); !ok {
		t.Fatalf("GetBatchAsync sent %T, want a multiRead", batch)
	}
	_, _, err := batch.Get(0)
	if err != nil && !errors.Is(err, zkstore.ErrConnectionLoss) {
		t.Fatalf("read of a refused batch: %v, want its data or ErrConnectionLoss", err)
	}
	if !s.noBatchReads.Load() {
		t.Fatalf("the refusal was not remembered")
	}
	waitState(t, s, zkstore.StateConnected, 20*time.Second)
	if !eventually(20*time.Second, func() bool { _, _, err := s.Get(ctx, b); return err == nil }) {
		t.Fatalf("the session is unusable after the refused multiRead")
	}
	batch = s.GetBatchAsync(ctx, paths)
	if _, ok := batch.(*pendingBatch); ok {
		t.Fatalf("a batch went out as multiRead after the server refused one")
	}
	if _, _, err := batch.Get(0); err != nil {
		t.Errorf("read after the refusal: %v", err)
	}
	if _, _, err := batch.Get(1); !errors.Is(err, zkstore.ErrNoNode) {
		t.Errorf("read of a missing znode after the refusal: %v, want ErrNoNode", err)
	}
}

// TestMultiReadResponseDecode: the reply codec reads getData and error
// results up to the closing header, keeps each result's data to itself
// (null data as nil, empty as empty), and fails, never panics, on a reply
// cut anywhere or carrying a result type multiRead does not send.
func TestMultiReadResponseDecode(t *testing.T) {
	w := juteWriter{buf: make([]byte, 1024)}
	header := func(typ int32, done bool, code int32) { w.int32(typ); w.bool(done); w.int32(code) }
	stat := func(mzxid int64) {
		w.int64(1)
		w.int64(mzxid)
		for range 2 {
			w.int64(0)
		}
		for range 3 {
			w.int32(0)
		}
		w.int64(0)
		w.int32(3)
		w.int32(0)
		w.int64(9)
	}
	header(opGetData, false, 0)
	w.buffer([]byte("abc"))
	stat(7)
	header(opError, false, codeNoNode)
	w.int32(codeNoNode)
	header(opGetData, false, 0)
	w.buffer(nil)
	stat(8)
	header(opGetData, false, 0)
	w.buffer([]byte{})
	stat(10)
	header(-1, true, -1)
	if w.err != nil {
		t.Fatal(w.err)
	}
	reply := w.buf[:w.n]

	var r multiReadResponse
	n, err := r.Decode(reply)
	if err != nil || n != len(reply) {
		t.Fatalf("Decode = %d, %v; want %d, nil", n, err, len(reply))
	}
	if len(r.results) != 4 {
		t.Fatalf("%d results, want 4", len(r.results))
	}
	if got := r.results[0]; string(got.data) != "abc" || cap(got.data) != 3 || got.stat.Mzxid != 7 || got.stat.Pzxid != 9 || got.code != 0 {
		t.Errorf("result 0 = %+v", got)
	}
	if got := r.results[1]; got.code != codeNoNode || got.data != nil {
		t.Errorf("result 1 = %+v, want code NoNode", got)
	}
	if got := r.results[2]; got.data != nil || got.stat.Mzxid != 8 {
		t.Errorf("result 2 = %+v, want nil data", got)
	}
	if got := r.results[3]; got.data == nil || len(got.data) != 0 || got.stat.Mzxid != 10 {
		t.Errorf("result 3 = %+v, want empty data", got)
	}
	r.results[0].data = append(r.results[0].data, 'x') // must not reach another's
	if r.results[3].data == nil || len(r.results[3].data) != 0 {
		t.Errorf("appending to one result's data changed another's")
	}

	for cut := range len(reply) {
		if _, err := new(multiReadResponse).Decode(reply[:cut]); err == nil {
			t.Fatalf("Decode of the reply cut at %d of %d succeeded", cut, len(reply))
		}
	}
	bad := append([]byte{}, reply...)
	bad[3] = opCreate // the first result's type
	if _, err := new(multiReadResponse).Decode(bad); !errors.Is(err, errBadReply) {
		t.Errorf("Decode of a create result = %v, want errBadReply", err)
	}
}
