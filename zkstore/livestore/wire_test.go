package livestore

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	_ "unsafe" // go:linkname

	"github.com/go-zookeeper/zk"
)

// go-zookeeper's reflective codec, the reference the hand-written one in
// wire.go must agree with. The mirror types below have the same fields and
// no methods, so go-zookeeper walks them field by field.
//
//go:linkname zkDecodePacket github.com/go-zookeeper/zk.decodePacket
func zkDecodePacket(buf []byte, st any) (int, error)

//go:linkname zkEncodePacket github.com/go-zookeeper/zk.encodePacket
func zkEncodePacket(buf []byte, st any) (int, error)

// juteDecoder is what go-zookeeper calls instead of decoding by reflection.
type juteDecoder interface{ Decode([]byte) (int, error) }

type (
	reflPathWatch struct {
		Path  string
		Watch bool
	}
	reflGetData struct {
		Data []byte
		Stat zk.Stat
	}
	reflStat struct {
		Stat zk.Stat
	}
	reflChildren struct {
		Children []string
		Stat     zk.Stat
	}
)

func randStat(r *rand.Rand) zk.Stat {
	return zk.Stat{
		Czxid: r.Int64() - r.Int64(), Mzxid: r.Int64(), Ctime: r.Int64() - r.Int64(), Mtime: r.Int64(),
		Version: r.Int32() - r.Int32(), Cversion: r.Int32(), Aversion: r.Int32() - r.Int32(),
		EphemeralOwner: r.Int64() - r.Int64(), DataLength: r.Int32(), NumChildren: r.Int32() - r.Int32(), Pzxid: r.Int64(),
	}
}

func randBytes(r *rand.Rand) []byte {
	switch r.IntN(4) {
	case 0:
		return nil
	case 1:
		return []byte{}
	}
	b := make([]byte, r.IntN(300))
	for i := range b {
		b[i] = byte(r.UintN(256))
	}
	return b
}

// encodeRefl encodes v with go-zookeeper's codec.
func encodeRefl(t *testing.T, v any) []byte {
	t.Helper()
	buf := make([]byte, 1<<16)
	n, err := zkEncodePacket(buf, v)
	if err != nil {
		t.Fatalf("go-zookeeper encode %#v: %v", v, err)
	}
	return buf[:n]
}

// sameDecode decodes buf with both codecs and fails when they disagree on
// the value, the length read, or whether it is short.
func sameDecode(t *testing.T, buf []byte, ours juteDecoder, theirs any) {
	t.Helper()
	on, oerr := ours.Decode(buf)
	tn, terr := zkDecodePacket(buf, theirs)
	if (oerr == nil) != (terr == nil) {
		t.Fatalf("% x: ours %v, go-zookeeper's %v", buf, oerr, terr)
	}
	if oerr != nil {
		if !errors.Is(oerr, zk.ErrShortBuffer) {
			t.Fatalf("% x: ours %v, want ErrShortBuffer", buf, oerr)
		}
		return
	}
	if on != tn {
		t.Fatalf("% x: ours read %d bytes, go-zookeeper %d", buf, on, tn)
	}
	// The mirror types have the same layout: compare field by field.
	ov, tv := reflect.ValueOf(ours).Elem(), reflect.ValueOf(theirs).Elem()
	for i := range ov.NumField() {
		a, b := ov.Field(i).Interface(), tv.Field(i).Interface()
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("% x: field %s: ours %#v, go-zookeeper's %#v", buf, ov.Type().Field(i).Name, a, b)
		}
	}
}

func TestWireMatchesGoZookeeper(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 500 {
		st := randStat(r)
		var names []string
		for range r.IntN(20) {
			names = append(names, string(randBytes(r)))
		}
		path := string(randBytes(r))
		watch := r.IntN(2) == 0
		bufs := [][]byte{
			encodeRefl(t, &reflGetData{Data: randBytes(r), Stat: st}),
			encodeRefl(t, &reflStat{Stat: st}),
			encodeRefl(t, &reflChildren{Children: names, Stat: st}),
		}
		decoders := []func() (juteDecoder, any){
			func() (juteDecoder, any) { return &getDataResponse{}, &reflGetData{} },
			func() (juteDecoder, any) { return &statResponse{}, &reflStat{} },
			func() (juteDecoder, any) {
				return &getChildren2Response{}, &reflChildren{}
			},
		}
		for k, buf := range bufs {
			// Whole, every truncation, and with bytes after it. A
			// truncation has no capacity beyond its length: go-zookeeper
			// reads an integer by reslicing, which reaches past the
			// length into the capacity (into the next bytes of its read
			// buffer, in its receive loop) instead of failing.
			for cut := 0; cut <= len(buf); cut++ {
				ours, theirs := decoders[k]()
				sameDecode(t, buf[:cut:cut], ours, theirs)
			}
			ours, theirs := decoders[k]()
			sameDecode(t, append(bytes.Clone(buf), 1, 2, 3), ours, theirs)
		}

		// Requests: the same bytes, and short buffers refused by both.
		want := encodeRefl(t, &reflPathWatch{Path: path, Watch: watch})
		got := make([]byte, len(want)+8)
		n, err := (&pathWatchRequest{Path: path, Watch: watch}).Encode(got)
		if err != nil || !bytes.Equal(got[:n], want) {
			t.Fatalf("request %d: Encode = % x, %v; go-zookeeper's % x", i, got[:n], err, want)
		}
		if _, err := (&pathWatchRequest{Path: path, Watch: watch}).Encode(got[:len(want)-1]); !errors.Is(err, zk.ErrShortBuffer) {
			t.Fatalf("request %d: Encode into a short buffer: %v", i, err)
		}
	}
}

// A null vector (count -1), which go-zookeeper cannot read (it panics
// making a slice of 2^32-1 names), reads as no names; a count larger than
// the buffer could hold is refused before it is allocated.
func TestWireChildrenCounts(t *testing.T) {
	stat := encodeRefl(t, &reflStat{Stat: zk.Stat{Czxid: 7, NumChildren: 0}})
	null := binary.BigEndian.AppendUint32(nil, 0xffffffff)
	var r getChildren2Response
	if n, err := r.Decode(append(null, stat...)); err != nil || r.Children != nil || r.Stat.Czxid != 7 || n != 4+len(stat) {
		t.Fatalf("null vector: %d, %v, %q, %+v", n, err, r.Children, r.Stat)
	}
	huge := binary.BigEndian.AppendUint32(nil, 1<<30)
	if _, err := r.Decode(append(huge, stat...)); !errors.Is(err, zk.ErrShortBuffer) {
		t.Fatalf("count 2^30 in %d bytes: %v", 4+len(stat), err)
	}
}

// The hand-written codec is what every read pays: a getChildren2 reply of
// 1,000 names and a getData reply of 100 bytes, each way.
func BenchmarkWireDecode(b *testing.B) {
	var names []string
	for i := range 1000 {
		names = append(names, fmt.Sprintf("n%05d", i))
	}
	cases := []struct {
		name   string
		buf    []byte
		ours   func() juteDecoder
		theirs func() any
	}{
		{"getData", nil, func() juteDecoder { return &getDataResponse{} }, func() any { return &reflGetData{} }},
		{"getChildren2", nil, func() juteDecoder { return &getChildren2Response{} }, func() any { return &reflChildren{} }},
	}
	buf := make([]byte, 1<<16)
	n, _ := zkEncodePacket(buf, &reflGetData{Data: make([]byte, 100), Stat: zk.Stat{Czxid: 1}})
	cases[0].buf = bytes.Clone(buf[:n])
	n, _ = zkEncodePacket(buf, &reflChildren{Children: names})
	cases[1].buf = bytes.Clone(buf[:n])
	for _, c := range cases {
		b.Run(c.name+"/livestore", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.ours().Decode(c.buf); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(c.name+"/go-zookeeper", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := zkDecodePacket(c.buf, c.theirs()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
