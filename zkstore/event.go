package zkstore

import "fmt"

// EventType is the kind of a watch event; the values are ZooKeeper's.
type EventType int32

const (
	EventNodeCreated         EventType = 1
	EventNodeDeleted         EventType = 2
	EventNodeDataChanged     EventType = 3
	EventNodeChildrenChanged EventType = 4
	// EventNotWatching: the watch ended without a change, because the
	// session expired or the store was closed. Err says which.
	EventNotWatching EventType = -2
)

func (t EventType) String() string {
	switch t {
	case EventNodeCreated:
		return "NodeCreated"
	case EventNodeDeleted:
		return "NodeDeleted"
	case EventNodeDataChanged:
		return "NodeDataChanged"
	case EventNodeChildrenChanged:
		return "NodeChildrenChanged"
	case EventNotWatching:
		return "NotWatching"
	case EventWatchResync:
		return "WatchResync"
	}
	return fmt.Sprintf("EventType(%d)", int32(t))
}

// Event is what a one-shot watch delivers.
type Event struct {
	Type EventType
	Path string // the watched path, as the caller gave it
	Err  error  // set with EventNotWatching: ErrSessionExpired or ErrClosed
}

// State is the session's connection state.
type State int32

const (
	StateDisconnected State = iota // connection lost; the session may still live
	StateConnecting                // trying servers
	StateConnected                 // session established and usable
	StateExpired                   // the server expired the session; the store is dead
	StateAuthFailed                // authentication was refused
	StateClosed                    // closed by its owner
)

func (s State) String() string {
	switch s {
	case StateDisconnected:
		return "disconnected"
	case StateConnecting:
		return "connecting"
	case StateConnected:
		return "connected"
	case StateExpired:
		return "expired"
	case StateAuthFailed:
		return "auth_failed"
	case StateClosed:
		return "closed"
	}
	return fmt.Sprintf("State(%d)", int32(s))
}

// SessionEvent is a change of the session's state.
type SessionEvent struct {
	State     State
	SessionID int64
	Server    string // the server connected to, where known
	// Err says, for StateExpired, who ended the session: ErrSessionExpired
	// (the server) or ErrSessionGivenUp (the client); nil if not known.
	Err error
}
