package zkstore

import (
	"context"
	"time"
)

// Version -1 in Set, Delete, SetACL and CheckOp matches any version.
const AnyVersion int32 = -1

// CreateOptions says how Create makes a znode.
type CreateOptions struct {
	Mode CreateMode
	// ACL of the new znode; nil means OpenACLUnsafe. An empty, non-nil ACL
	// is refused with ErrInvalidACL, as ZooKeeper does.
	ACL []ACL
	// TTL for ModePersistentTTL and ModePersistentSequentialTTL: positive,
	// at most MaxTTL, whole milliseconds. Must be zero for other modes.
	TTL time.Duration
}

// Store is one ZooKeeper session.
//
// Paths are absolute and validated as ZooKeeper's client validates them
// (PathUtils.validatePath) before anything is sent; a bad path gives
// ErrInvalidPath. Data longer than the store's limit (1 MiB by default, like
// jute.maxbuffer) gives ErrDataTooLarge, and a request longer than the
// server's jute.maxbuffer (DefaultMaxRequestSize, as the server counts it:
// see MultiRequestSize) gives ErrRequestTooLarge, both before anything is
// sent. Errors are wrapped in *PathError; a failed multi's names the op
// that failed (MultiOpError), and every store words the same failure the
// same way.
//
// A context bounds the wait for a reply, not the request: a write whose
// context ends after it was sent may still be applied, and the error then
// matches ErrConnectionLoss as well as the context's error.
//
// Watches are one-shot, as in ZooKeeper: the returned channel delivers exactly
// one Event and is then closed. A watch ends with EventNotWatching when the
// session expires or the store is closed, so no receiver waits forever.
// Watches set by one session for the same path and kind fire together.
//
// A Store is safe for concurrent use. Once Close returns, or the session has
// expired, every call fails with ErrClosed or ErrSessionExpired.
type Store interface {
	// Create makes a znode and returns its actual path, which for the
	// sequential modes carries the ten-digit sequence number.
	Create(ctx context.Context, path string, data []byte, opts CreateOptions) (string, error)
	// Get returns a znode's data and Stat. As on the server, data created or
	// set as nil comes back nil, and empty non-nil data comes back empty and
	// non-nil.
	Get(ctx context.Context, path string) ([]byte, Stat, error)
	// GetW is Get that also sets a data watch: NodeDataChanged or NodeDeleted.
	GetW(ctx context.Context, path string) ([]byte, Stat, <-chan Event, error)
	// Set replaces a znode's data if its version matches.
	Set(ctx context.Context, path string, data []byte, version int32) (Stat, error)
	// Delete removes a childless znode if its version matches.
	Delete(ctx context.Context, path string, version int32) error
	// Exists reports whether a znode exists, and its Stat if it does.
	Exists(ctx context.Context, path string) (Stat, bool, error)
	// ExistsW is Exists that also sets a watch: NodeCreated if the znode is
	// absent; NodeDataChanged or NodeDeleted if present.
	ExistsW(ctx context.Context, path string) (Stat, bool, <-chan Event, error)
	// Children lists a znode's children, sorted, with the znode's Stat.
	Children(ctx context.Context, path string) ([]string, Stat, error)
	// ChildrenW is Children that also sets a watch: NodeChildrenChanged or
	// NodeDeleted.
	ChildrenW(ctx context.Context, path string) ([]string, Stat, <-chan Event, error)
	// GetACL returns a znode's ACL and Stat.
	GetACL(ctx context.Context, path string) ([]ACL, Stat, error)
	// SetACL replaces a znode's ACL if its aversion matches.
	SetACL(ctx context.Context, path string, acl []ACL, version int32) (Stat, error)
	// Multi applies ops atomically: all or none. It returns one result per
	// op; on failure the error is the first failing op's, wrapped.
	Multi(ctx context.Context, ops ...Op) ([]OpResult, error)
	// Sync waits until the server this session reads from has caught up with
	// the leader, so a following read sees every write acknowledged before.
	Sync(ctx context.Context, path string) error
	// AddAuth adds credentials to the session, as zk's addAuthInfo does
	// (scheme "digest", auth "user:password").
	AddAuth(ctx context.Context, scheme string, auth []byte) error
	// SessionID is the current session's id, 0 before one is established.
	SessionID() int64
	// State is the session's state now.
	State() State
	// SessionEvents delivers state changes until ctx ends or the store is
	// closed; then the channel is closed. A slow reader misses intermediate
	// states but always sees the latest.
	SessionEvents(ctx context.Context) <-chan SessionEvent
	// Close ends the session: its ephemerals are deleted and its watches
	// end with ErrClosed. Close is idempotent. Closing an expired store
	// frees it and changes nothing else: calls still answer
	// ErrSessionExpired.
	Close() error
}
