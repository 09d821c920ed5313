package memstore

import (
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zksql/zksql/zkstore"
)

// ErrNoSession is Expire's error for a session the server does not hold.
var ErrNoSession = errors.New("memstore: no such session")

// Server is one in-memory ZooKeeper server: a data tree and the sessions
// on it. It is safe for concurrent use.
type Server struct {
	cfg serverConfig

	// mu guards the tree, zxid and sessions, and every session's err and
	// auth. Reads take it shared; writes, which are short, exclusive. Watch
	// events are delivered while it is held for writing: a delivery never
	// blocks (each channel has room for its one event), and it orders every
	// session's events by zxid before any later read can run.
	mu         sync.RWMutex
	nodes      map[string]*node
	zxid       int64
	ephemerals map[int64]map[string]struct{} // session id -> paths
	ephSeq     uint64                        // the last ephemeral's node.ephSeq
	ephMax     map[int64]int                 // session id -> most ephemerals it held at once
	containers map[string]struct{}
	ttls       map[string]struct{}
	sessions   map[int64]*Session
	nextID     int64
	closed     bool

	// watchMu guards the watch tables and sessions' watch sets, which
	// readers change while sharing mu.
	watchMu      sync.Mutex
	dataWatches  map[string]watchSet
	childWatches map[string]watchSet
	pwatches     persistentWatches // AddWatch's (persistent.go)

	fault atomic.Pointer[Fault]

	started time.Time // for the uptime Introspector reports

	stop       chan struct{}
	reaperDone chan struct{}
	closeOnce  sync.Once
}

// NewServer starts a fresh server, with its container reaper running.
// Close stops it.
func NewServer(opts ...ServerOption) *Server {
	cfg := defaultServerConfig()
	for _, o := range opts {
		o(&cfg)
	}
	srv := &Server{
		cfg:          cfg,
		nodes:        newTree(),
		ephemerals:   map[int64]map[string]struct{}{},
		containers:   map[string]struct{}{},
		ttls:         map[string]struct{}{},
		sessions:     map[int64]*Session{},
		dataWatches:  map[string]watchSet{},
		childWatches: map[string]watchSet{},
		stop:         make(chan struct{}),
		reaperDone:   make(chan struct{}),
		started:      time.Now(),
	}
	// SessionTrackerImpl.initializeNextSessionId with the standalone server id 1.
	srv.nextID = int64(uint64(cfg.clock().UnixMilli()<<24)>>8) | 1<<56
	if cfg.checkInterval > 0 {
		go srv.reaper(cfg.checkInterval)
	} else {
		close(srv.reaperDone)
	}
	return srv
}

// Connect opens a new session: a createSession transaction, which takes a
// zxid. On a closed server the session is born closed.
func (srv *Server) Connect(opts ...SessionOption) *Session {
	var sc sessionConfig
	for _, o := range opts {
		o(&sc)
	}
	timeout := sc.timeout
	if timeout == 0 {
		timeout = DefaultSessionTimeout
	}
	timeout = min(max(timeout, srv.cfg.minSessionTimeout), srv.cfg.maxSessionTimeout)
	maxRequest := sc.maxRequestSize
	if maxRequest <= 0 {
		maxRequest = srv.cfg.maxRequestSize
	}
	s := &Session{
		srv:        srv,
		timeout:    timeout,
		maxRequest: maxRequest,
		auth:       newAuthSet(),
		opened:     time.Now(),
		watches:    map[*watch]struct{}{},
		subs:       map[chan zkstore.SessionEvent]struct{}{},
		done:       make(chan struct{}),
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if srv.closed {
		s.err = zkstore.ErrClosed
		s.state.Store(int32(zkstore.StateClosed))
		close(s.done)
		return s
	}
	srv.zxid++ // createSession
	s.id = srv.nextID
	srv.nextID++
	srv.sessions[s.id] = s
	s.state.Store(int32(zkstore.StateConnected))
	return s
}

// Open is Connect returning the zkstore.Store interface.
func (srv *Server) Open(opts ...SessionOption) zkstore.Store { return srv.Connect(opts...) }

// MaxRequestSize is the server's request limit (the MaxRequestSize
// option).
func (srv *Server) MaxRequestSize() int { return srv.cfg.maxRequestSize }

// Expire expires a session as the server does when its client falls
// silent: its watches end with ErrSessionExpired, a closeSession
// transaction deletes its ephemerals (their watches fire for the other
// sessions), and the session answers every later call with
// ErrSessionExpired. Expire returns once the session reports StateExpired.
func (srv *Server) Expire(sessionID int64) error {
	srv.mu.Lock()
	s := srv.sessions[sessionID]
	if s == nil {
		srv.mu.Unlock()
		return ErrNoSession
	}
	srv.endSession(s, zkstore.ErrSessionExpired)
	srv.mu.Unlock()
	s.publishEnd(zkstore.StateExpired)
	return nil
}

// endSession ends a live session; the caller holds mu for writing.
func (srv *Server) endSession(s *Session, cause error) {
	if cause == zkstore.ErrSessionExpired {
		// The expired client hears nothing more, not even its own deletions.
		s.err = cause
		s.state.Store(int32(zkstore.StateExpired))
		srv.endWatches(s, cause)
		srv.closeSessionTxn(s.id)
	} else {
		// A closing client still receives what its closeSession causes.
		srv.closeSessionTxn(s.id)
		s.err = cause
		s.state.Store(int32(zkstore.StateClosed))
		srv.endWatches(s, cause)
	}
	delete(srv.sessions, s.id)
}

// closeSessionTxn is the closeSession transaction: one zxid, deleting all
// the session's ephemerals (DataTree.killSession).
func (srv *Server) closeSessionTxn(id int64) {
	t := srv.begin(nil)
	paths := srv.closeSessionOrder(id)
	for _, p := range paths {
		n := srv.nodes[p]
		parentPath, _ := splitPath(p)
		if parent := srv.nodes[parentPath]; n != nil && parent != nil {
			t.remove(p, n, parent)
		}
	}
	t.commit()
}

// Close stops the server: the reaper stops and every session is closed
// without a transaction, its watches ending with ErrClosed. Close is
// idempotent.
func (srv *Server) Close() {
	srv.closeOnce.Do(func() {
		close(srv.stop)
		<-srv.reaperDone
		srv.mu.Lock()
		srv.closed = true
		var ended []*Session
		for _, s := range srv.sessions {
			s.err = zkstore.ErrClosed
			s.state.Store(int32(zkstore.StateClosed))
			srv.endWatches(s, zkstore.ErrClosed)
			ended = append(ended, s)
		}
		clear(srv.sessions)
		srv.mu.Unlock()
		for _, s := range ended {
			s.publishEnd(zkstore.StateClosed)
		}
	})
}

// Zxid is the zxid of the last transaction.
func (srv *Server) Zxid() int64 {
	srv.mu.RLock()
	defer srv.mu.RUnlock()
	return srv.zxid
}

// Sessions lists the ids of the live sessions, sorted.
func (srv *Server) Sessions() []int64 {
	srv.mu.RLock()
	ids := make([]int64, 0, len(srv.sessions))
	for id := range srv.sessions {
		ids = append(ids, id)
	}
	srv.mu.RUnlock()
	slices.Sort(ids)
	return ids
}

func (srv *Server) now() time.Time { return srv.cfg.clock() }
