package watch

import (
	"fmt"

	"github.com/zksql/zksql/zkstore"
)

// EventType says what an Event reports.
type EventType int

const (
	// Current is the state as read, not a change: the first event of a
	// Node or Children stream, and the state after a resync (Resync set).
	Current EventType = iota + 1
	// Created: the znode came into existence.
	Created
	// Deleted: the znode is gone. Data and Stat are zero; Revision is
	// defined in the package documentation (ZooKeeper does not report the
	// zxid of a deletion).
	Deleted
	// DataChanged: the znode's data was set (its Mzxid moved).
	DataChanged
	// ChildrenChanged: the znode's list of children changed (Children
	// streams only; a Tree reports the children's Created and Deleted).
	ChildrenChanged
	// Synced: a Tree has delivered its whole initial state, or the
	// differences found by a resync (Resync set). Path is the root.
	Synced

	// Disconnected: the connection to ZooKeeper dropped; the session may
	// still live. Err matches zkstore.ErrConnectionLoss.
	Disconnected
	// Reconnected: the same session is connected again; its watches were
	// kept, so the stream goes on without re-reading.
	Reconnected
	// Expired: the session expired. Err matches zkstore.ErrSessionExpired,
	// and also zkstore.ErrSessionGivenUp when the client gave the session
	// up (no connection for a whole session timeout) rather than the server
	// expiring it. A resync on a new session follows, or the channel closes.
	Expired
	// Error: a read or the Source failed. Err says why. The stream retries,
	// unless this is its last event.
	Error
)

var typeNames = [...]string{"", "Current", "Created", "Deleted", "DataChanged", "ChildrenChanged",
	"Synced", "Disconnected", "Reconnected", "Expired", "Error"}

func (t EventType) String() string {
	if t > 0 && int(t) < len(typeNames) {
		return typeNames[t]
	}
	return fmt.Sprintf("EventType(%d)", int(t))
}

// IsStatus reports whether t is about the session or a failure rather than
// the watched data: Disconnected, Reconnected, Expired or Error.
func (t EventType) IsStatus() bool { return t >= Disconnected }

// Event is one element of a stream.
type Event struct {
	Type EventType
	// Path is the znode the event is about: the watched path, or for a
	// Tree the znode within it.
	Path string
	// Exists says whether the znode exists after this event.
	Exists bool
	// Data and Stat are the znode's, where it exists. A Tree does not
	// re-read a znode when only its children change, so Stat's child
	// fields (Cversion, NumChildren, Pzxid) may lag there; a Node stream
	// likewise keeps Stat only as fresh as the last data change.
	Data []byte
	Stat zkstore.Stat
	// Children are the znode's children, sorted (Children streams only).
	Children []string
	// Revision orders events: see the package documentation.
	Revision int64
	// Resync marks events that report state re-read after the watches were
	// lost (session expiry, a closed store, a failed read): the changes in
	// between are known only as this difference.
	Resync bool
	// Err is set on status events (Disconnected, Expired, Error).
	Err error
}

func (e Event) String() string {
	switch {
	case e.Err != nil:
		return fmt.Sprintf("%v %s: %v", e.Type, e.Path, e.Err)
	case e.Type.IsStatus():
		return fmt.Sprintf("%v %s", e.Type, e.Path)
	}
	s := fmt.Sprintf("%v %s rev=%d", e.Type, e.Path, e.Revision)
	if e.Exists && e.Children == nil {
		s += fmt.Sprintf(" data=%q", e.Data)
	}
	if e.Children != nil {
		s += fmt.Sprintf(" children=%v", e.Children)
	}
	if e.Resync {
		s += " resync"
	}
	return s
}
