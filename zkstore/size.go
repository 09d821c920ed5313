package zkstore

import (
	"errors"
	"fmt"
)

// DefaultMaxRequestSize is ZooKeeper's default jute.maxbuffer, 0xfffff =
// 1048575 bytes: the largest request a server reads. The server compares
// it with the length prefix of each request packet - the request header
// (xid and opcode, 8 bytes) plus the encoded request record, not counting
// the 4 length bytes themselves - and closes the connection when the
// length is larger (NIOServerCnxn.readLength: "Len error"). The client
// then sees a connection loss, and for a write the outcome is unknown.
// So a store refuses such a request before sending it: RequestSize and
// the functions below compute that length exactly as the server does.
//
// With the defaults a znode's data can therefore never be a whole MiB:
// a create also carries its path, ACL and framing.
const DefaultMaxRequestSize = 0xfffff

// ErrRequestTooLarge: a request is larger than the request limit (the
// server's jute.maxbuffer). Nothing was sent. The error's text gives the
// request's size and the limit.
var ErrRequestTooLarge = errors.New("zk: request too large for the server (jute.maxbuffer)")

// RequestTooLarge is the error for a request of size bytes over limit,
// worded the same by every store.
func RequestTooLarge(size, limit int) error {
	return fmt.Errorf("%w: %d bytes, the limit is %d; send smaller requests (fewer znodes or less data at once), or raise jute.maxbuffer on every server and the client's limit together",
		ErrRequestTooLarge, size, limit)
}

// Sizes of the jute encoding (big-endian, as ZooKeeper's
// BinaryOutputArchive writes them).
const (
	requestHeaderSize = 8 // RequestHeader: xid int32, type int32
	multiHeaderSize   = 9 // MultiHeader: type int32, done bool, err int32
)

func juteString(s string) int { return 4 + len(s) }
func juteBuffer(b []byte) int { return 4 + len(b) } // nil is length -1, no bytes

func juteACL(acl []ACL) int {
	n := 4
	for _, a := range acl {
		n += 4 + juteString(a.Scheme) + juteString(a.ID)
	}
	return n
}

// Record sizes, without the request header.
func createRecord(path string, data []byte, acl []ACL, mode CreateMode) int {
	if acl == nil {
		acl = OpenACLUnsafe() // what the stores create with for a nil ACL
	}
	n := juteString(path) + juteBuffer(data) + juteACL(acl) + 4
	if mode.IsTTL() {
		n += 8 // CreateTTLRequest's ttl
	}
	return n
}

func setRecord(path string, data []byte) int { return juteString(path) + juteBuffer(data) + 4 }
func versionRecord(path string) int          { return juteString(path) + 4 } // delete, check

// CreateRequestSize is the length of a create request packet for path
// (the path as sent: under a chroot, the server path).
func CreateRequestSize(path string, data []byte, acl []ACL, mode CreateMode) int {
	return requestHeaderSize + createRecord(path, data, acl, mode)
}

// SetRequestSize is the length of a setData request packet.
func SetRequestSize(path string, data []byte) int {
	return requestHeaderSize + setRecord(path, data)
}

// DeleteRequestSize is the length of a delete request packet.
func DeleteRequestSize(path string) int {
	return requestHeaderSize + versionRecord(path)
}

// SetACLRequestSize is the length of a setACL request packet. A nil ACL is
// sent empty (the server refuses it).
func SetACLRequestSize(path string, acl []ACL) int {
	return requestHeaderSize + juteString(path) + juteACL(acl) + 4
}

// PathRequestSize is the length of a request packet carrying a path and,
// if watchFlag, a watch flag: getData, exists and getChildren2 have one,
// getACL and sync do not.
func PathRequestSize(path string, watchFlag bool) int {
	n := requestHeaderSize + juteString(path)
	if watchFlag {
		n++
	}
	return n
}

// MultiRequestSize is the length of a multi request packet carrying ops
// with their paths as given (MultiOperationRecord: each op behind a
// MultiHeader, then a closing MultiHeader). A nil op counts nothing; the
// stores refuse it anyway.
func MultiRequestSize(ops []Op) int {
	n := requestHeaderSize + multiHeaderSize
	for _, op := range ops {
		n += multiHeaderSize
		switch o := op.(type) {
		case *CreateOp:
			if o != nil {
				n += createRecord(o.Path, o.Data, o.ACL, o.Mode)
			}
		case *SetOp:
			if o != nil {
				n += setRecord(o.Path, o.Data)
			}
		case *DeleteOp:
			if o != nil {
				n += versionRecord(o.Path)
			}
		case *CheckOp:
			if o != nil {
				n += versionRecord(o.Path)
			}
		}
	}
	return n
}
