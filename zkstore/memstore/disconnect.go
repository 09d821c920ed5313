package memstore

import "github.com/zksql/zksql/zkstore"

// Disconnect simulates a client that lost its connection while its session
// lives on: the session reports StateDisconnected (to State and
// SessionEvents) and every request fails with zkstore.ErrConnectionLoss
// before it reaches the server, until Reconnect. The server keeps the
// session, its ephemerals and its watches, and does not expire it by
// itself: Expire does that, as the server would once the session timeout
// passed. Unlike a real client, a disconnected session still receives the
// watch events of changes made meanwhile as they happen, not on
// reconnection. Disconnect of a session already disconnected does nothing.
func (srv *Server) Disconnect(sessionID int64) error {
	return srv.setConnected(sessionID, zkstore.StateConnected, zkstore.StateDisconnected)
}

// Reconnect ends a Disconnect: the same session is connected again
// (StateConnected is published) and requests go through. Its persistent
// watches get zkstore.EventWatchResync, as a live store's do once it has
// set them again on a new connection. Reconnect of a
// connected session does nothing.
func (srv *Server) Reconnect(sessionID int64) error {
	return srv.setConnected(sessionID, zkstore.StateDisconnected, zkstore.StateConnected)
}

func (srv *Server) setConnected(sessionID int64, from, to zkstore.State) error {
	srv.mu.Lock()
	s := srv.sessions[sessionID]
	if s == nil {
		srv.mu.Unlock()
		return ErrNoSession
	}
	changed := s.state.CompareAndSwap(int32(from), int32(to))
	// Published under mu, so that an Expire cannot publish its end first.
	if changed {
		s.publish(to)
		if to == zkstore.StateConnected {
			srv.resyncPersistent(s)
		}
	}
	srv.mu.Unlock()
	return nil
}

// publish tells the subscribers a state the session lives on in; a slow
// reader loses the state it has not read and gets this one.
func (s *Session) publish(state zkstore.State) {
	s.evMu.Lock()
	defer s.evMu.Unlock()
	ev := zkstore.SessionEvent{State: state, SessionID: s.id, Server: "memstore"}
	for ch := range s.subs {
		select {
		case <-ch:
		default:
		}
		ch <- ev
	}
}
