package livestore

import (
	"encoding/binary"
	"strings"

	"github.com/go-zookeeper/zk"
)

// Hand-written jute codecs for the requests and replies of the reads
// livestore sends itself (call.go). go-zookeeper encodes and decodes by
// reflection unless the value has Encode or Decode methods; by reflection
// every Stat field is boxed on its way (an allocation per Stat), each
// child name is its own allocation, and the work is several times a
// direct read. A cache load reads one reply per znode, so this is most of
// what a load costs beyond the network. The layouts are ZooKeeper's
// (zookeeper.jute); wire_test.go checks each against go-zookeeper's own
// reflective codec, byte for byte and error for error.

// statSize is a Stat's size on the wire.
const statSize = 8 + 8 + 8 + 8 + 4 + 4 + 4 + 8 + 4 + 4 + 8

// Encode writes Path and Watch.
func (r *pathWatchRequest) Encode(buf []byte) (int, error) {
	n := 4 + len(r.Path) + 1
	if len(buf) < n {
		return 0, zk.ErrShortBuffer
	}
	binary.BigEndian.PutUint32(buf, uint32(len(r.Path)))
	copy(buf[4:], r.Path)
	buf[n-1] = 0
	if r.Watch {
		buf[n-1] = 1
	}
	return n, nil
}

// Decode reads the data (a negative length is nil, as go-zookeeper reads
// it) and the Stat.
func (r *getDataResponse) Decode(buf []byte) (int, error) {
	if len(buf) < 4 {
		return 0, zk.ErrShortBuffer
	}
	n := 4
	r.Data = nil
	if ln := int(int32(binary.BigEndian.Uint32(buf))); ln >= 0 {
		if len(buf)-n < ln {
			return n, zk.ErrShortBuffer
		}
		r.Data = append(make([]byte, 0, ln), buf[n:n+ln]...)
		n += ln
	}
	m, err := decodeStat(buf[n:], &r.Stat)
	return n + m, err
}

// Decode reads the Stat.
func (r *statResponse) Decode(buf []byte) (int, error) {
	return decodeStat(buf, &r.Stat)
}

// Decode reads the names and the Stat. The names share one string, one
// allocation for the whole listing instead of one per name. A negative
// count, which go-zookeeper cannot read, is jute's null vector: no names.
func (r *getChildren2Response) Decode(buf []byte) (int, error) {
	if len(buf) < 4 {
		return 0, zk.ErrShortBuffer
	}
	count := int(int32(binary.BigEndian.Uint32(buf)))
	n := 4
	r.Children = nil
	if count >= 0 {
		// Each name takes at least its 4-byte length: a count the buffer
		// cannot hold is refused before anything is allocated for it.
		if count > (len(buf)-n)/4 {
			return n, zk.ErrShortBuffer
		}
		total, end := 0, n
		for range count {
			if len(buf)-end < 4 {
				return end, zk.ErrShortBuffer
			}
			ln := int(binary.BigEndian.Uint32(buf[end:]))
			if ln > len(buf)-end-4 {
				return end, zk.ErrShortBuffer
			}
			total += ln
			end += 4 + ln
		}
		var all strings.Builder
		all.Grow(total)
		for p := n; p < end; {
			ln := int(binary.BigEndian.Uint32(buf[p:]))
			all.Write(buf[p+4 : p+4+ln])
			p += 4 + ln
		}
		s := all.String()
		r.Children = make([]string, count)
		at := 0
		for i, p := 0, n; p < end; i++ {
			ln := int(binary.BigEndian.Uint32(buf[p:]))
			r.Children[i] = s[at : at+ln]
			at += ln
			p += 4 + ln
		}
		n = end
	}
	m, err := decodeStat(buf[n:], &r.Stat)
	return n + m, err
}

// decodeStat reads a Stat.
func decodeStat(buf []byte, st *zk.Stat) (int, error) {
	if len(buf) < statSize {
		return 0, zk.ErrShortBuffer
	}
	be := binary.BigEndian
	st.Czxid = int64(be.Uint64(buf[0:]))
	st.Mzxid = int64(be.Uint64(buf[8:]))
	st.Ctime = int64(be.Uint64(buf[16:]))
	st.Mtime = int64(be.Uint64(buf[24:]))
	st.Version = int32(be.Uint32(buf[32:]))
	st.Cversion = int32(be.Uint32(buf[36:]))
	st.Aversion = int32(be.Uint32(buf[40:]))
	st.EphemeralOwner = int64(be.Uint64(buf[44:]))
	st.DataLength = int32(be.Uint32(buf[52:]))
	st.NumChildren = int32(be.Uint32(buf[56:]))
	st.Pzxid = int64(be.Uint64(buf[60:]))
	return statSize, nil
}
