package recipe

import (
	"context"
	"fmt"

	"github.com/zksql/zksql/zkstore"
)

// ConnectionState is what a recipe tells its user about the session its
// holdings depend on, as Curator's ConnectionState does.
type ConnectionState int

const (
	// Connected: the first report, when the session is connected.
	Connected ConnectionState = iota + 1
	// Suspended: the connection is lost but the session may still live.
	// Nothing held is known to be lost yet, but nothing is known to be
	// held either: if the connection does not come back within the session
	// timeout, the server expires the session and hands what it held (a
	// lock, a lease, leadership) to someone else, without this client
	// hearing of it until it reconnects. Work that must never overlap
	// another holder's should stop on Suspended and resume on Reconnected.
	Suspended
	// Reconnected: the same session is connected again; everything it held
	// is still held.
	Reconnected
	// Lost: the session expired or was closed (or, for a lock, its znode
	// was deleted). What it held is gone. Always the last state reported.
	Lost
)

func (s ConnectionState) String() string {
	switch s {
	case Connected:
		return "connected"
	case Suspended:
		return "suspended"
	case Reconnected:
		return "reconnected"
	case Lost:
		return "lost"
	}
	return fmt.Sprintf("ConnectionState(%d)", int(s))
}

// ConnectionStates reports st's connection as ConnectionStates: first the
// state now (Connected, or Suspended if the connection is already down),
// then each change, until ctx ends or Lost has been delivered; then the
// channel is closed. A slow reader blocks nothing: an unread Suspended
// followed by Reconnected and Suspended again is reported once, so the
// reader sees the states alternate and always sees the latest, and Lost
// is never dropped.
func ConnectionStates(ctx context.Context, st zkstore.Store) <-chan ConnectionState {
	out := make(chan ConnectionState)
	relay := newStateRelay(ctx, st)
	go relay.run(ctx, nil, out)
	return out
}

// stateRelay turns a store's session events into ConnectionStates.
type stateRelay struct {
	st      zkstore.Store
	evs     <-chan zkstore.SessionEvent
	cancel  context.CancelFunc
	initial zkstore.State
}

// newStateRelay subscribes to st's session events and reads its state
// now, so that the first state reported is the one at the call.
func newStateRelay(ctx context.Context, st zkstore.Store) *stateRelay {
	evctx, cancel := context.WithCancel(ctx)
	r := &stateRelay{st: st, evs: st.SessionEvents(evctx), cancel: cancel}
	r.initial = st.State()
	return r
}

// run sends the states to out, and Lost when lost is closed, as
// ConnectionStates describes; it closes out when it returns.
func (r *stateRelay) run(ctx context.Context, lost <-chan struct{}, out chan<- ConnectionState) {
	defer close(out)
	defer r.cancel()
	st, evs := r.st, r.evs
	var (
		last    ConnectionState
		pending []ConnectionState
	)
	push := func(cs ConnectionState) {
		n := len(pending)
		if cs == Suspended && n >= 2 && pending[n-1] == Reconnected && pending[n-2] == Suspended {
			pending = pending[:n-1] // still suspended, as the reader will see
		} else {
			pending = append(pending, cs)
		}
		last = cs
	}
	note := func(s zkstore.State) {
		if last == Lost {
			return
		}
		switch s {
		case zkstore.StateConnected:
			switch last {
			case 0:
				push(Connected)
			case Suspended:
				push(Reconnected)
			}
		case zkstore.StateDisconnected, zkstore.StateConnecting:
			if last != Suspended {
				push(Suspended)
			}
		default: // expired, closed, auth failed
			push(Lost)
		}
	}
	note(r.initial)
	for last != Lost || len(pending) > 0 {
		var send chan<- ConnectionState
		var head ConnectionState
		if len(pending) > 0 {
			send, head = out, pending[0]
		}
		select {
		case ev, ok := <-evs:
			if !ok {
				// The store ended the subscription: it is closed or
				// expired, or ctx ended (checked below).
				evs = nil
				if ctx.Err() == nil {
					note(st.State())
					if last != Lost {
						push(Lost)
					}
				}
				continue
			}
			note(ev.State)
		case <-lost:
			lost = nil
			if last != Lost {
				push(Lost)
			}
		case send <- head:
			pending = pending[1:]
		case <-ctx.Done():
			return
		}
	}
}
