// Package livestore implements zkstore.Store on a real ZooKeeper ensemble,
// through github.com/go-zookeeper/zk (v1.0.4).
//
// A Store is exactly one ZooKeeper session. go-zookeeper, left to itself,
// quietly opens a new session after the old one expired; a Store never
// does: it reports StateExpired, fails every later call with
// ErrSessionExpired and ends its watches, and the owner opens a new Store
// if it wants one.
//
// go-zookeeper calls take no context. With a context that can end, the
// reads (Get, Exists, Children and their watching forms) and Set are queued
// on go-zookeeper's send queue and their reply awaited on the caller's
// goroutine (call.go); any other call runs in a goroutine that finishes by
// itself (go-zookeeper answers every request, with an error at the latest
// when the connection closes). Either way the caller returns as soon as
// the context ends. Calls with a context that can never end
// (context.Background) run directly.
//
// What this package works around in go-zookeeper v1.0.4:
//   - After expiry it reconnects with a new session. The store learns of
//     the expiry through the synchronous event callback, before
//     go-zookeeper dials again, and its dialer then refuses.
//   - Its event channel drops events when full (6); state comes from the
//     callback instead, which drops nothing.
//   - It never reports StateAuthFailed; AddAuth's ErrAuthFailed does.
//   - Codes missing from its table (RuntimeInconsistency, Unimplemented,
//     NewConfigNoQuorum, ...) come as "unknown error: N" strings; they are
//     parsed back.
//   - Its Multi cannot create containers or TTL nodes (it would make a
//     persistent node of a container, then fail to decode the reply), and
//     it refuses sequential paths ending in "/." or "/..", which ZooKeeper
//     takes. Both go through its unexported request method instead (see
//     multi.go).
//   - Its default logger prints every connection attempt; the default here
//     is silent.
package livestore

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/zksql/zksql/zkstore"
)

// Store is a zkstore.Store on one ZooKeeper session. Open makes one.
type Store struct {
	conn    *zk.Conn
	cfg     config
	chroot  string // "" when there is none
	servers string

	// lastConfig is the last /zookeeper/config read, used for member ids
	// when a read fails because the session's own server just went down.
	lastConfig atomic.Pointer[zkstore.EnsembleConfig]

	// life is lifeAlive, lifeClosed or lifeExpired; written under mu,
	// read without it on the hot path.
	life atomic.Int32

	mu        sync.Mutex
	state     zkstore.State
	sessionID int64
	server    string
	// connectedSince is when the current connection got the session;
	// reconnects counts connections after the first (introspect.go).
	connectedSince time.Time
	reconnects     int64
	subs           map[*subscription]struct{}
	watches        watchRegistry
	pwatches       pwRegistry // persistent watches (persistent.go)
	// batchReads: the server answers multiRead (batch.go). Set once it
	// accepted an addWatch (both came with ZooKeeper 3.6); cleared for
	// good if a multiRead is refused.
	batchReads, noBatchReads atomic.Bool
	closing                  bool          // set by Close under mu: no new call goroutines
	established              chan struct{} // closed when the first session is established
	expiredCh                chan struct{} // closed when the session expires
	// expiredBy is the error calls fail with once the session expired:
	// ErrSessionExpired, or ErrSessionGivenUp when the store gave it up.
	expiredBy error
	// giveUp fires when the connection has been lost for a whole session
	// timeout (armGiveUpLocked).
	giveUp *time.Timer
	// inflight counts the goroutines the store starts for calls; Add happens under mu while life is alive, so that Close's
	// Wait never races an Add.
	inflight sync.WaitGroup

	ready     chan struct{} // closed once conn is set; gates the dialer
	dialCtx   context.Context
	dialStop  context.CancelFunc
	netMu     sync.Mutex
	netConns  map[*trackedConn]struct{}
	netClosed bool
	lastDial  error // last dial failure, for Open's error

	runDone   chan struct{} // closed when go-zookeeper's event loop has ended
	closeOnce sync.Once
	closeDone chan struct{} // closed when Close has finished
}

const (
	lifeAlive int32 = iota
	lifeClosed
	lifeExpired
)

var _ zkstore.Store = (*Store)(nil)

// Open starts a session with the ZooKeeper servers ("host:port") and
// returns once it is established, or with an error when ctx ends or no
// server gave a session within the connect timeout. Credentials given with
// Auth are added before Open returns.
func Open(ctx context.Context, servers []string, opts ...Option) (*Store, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	if len(servers) == 0 {
		return nil, errors.New("livestore: no servers given")
	}
	if cfg.sessionTimeout <= 0 || cfg.connectTimeout <= 0 || cfg.maxDataSize <= 0 || cfg.maxRequestSize <= 0 {
		return nil, fmt.Errorf("livestore: session timeout, connect timeout, max data size and max request size must be positive")
	}
	chroot := cfg.chroot
	if chroot != "" {
		if err := zkstore.ValidatePath(chroot, false); err != nil {
			return nil, fmt.Errorf("livestore: chroot: %w", err)
		}
		if chroot == "/" {
			chroot = ""
		}
	}
	s := &Store{
		cfg:         cfg,
		chroot:      chroot,
		servers:     strings.Join(servers, ","),
		state:       zkstore.StateConnecting,
		subs:        make(map[*subscription]struct{}),
		established: make(chan struct{}),
		expiredCh:   make(chan struct{}),
		ready:       make(chan struct{}),
		netConns:    make(map[*trackedConn]struct{}),
		runDone:     make(chan struct{}),
		closeDone:   make(chan struct{}),
	}
	s.dialCtx, s.dialStop = context.WithCancel(context.Background())
	// go-zookeeper encodes each request into one fixed buffer (1.5 MiB by
	// default); make room for the largest data we let through.
	bufSize := max(1536<<10, cfg.maxDataSize+256<<10, cfg.maxRequestSize+64)
	conn, zkEvents, err := zk.Connect(servers, cfg.sessionTimeout,
		zk.WithLogger(cfg.logger),
		zk.WithLogInfo(false),
		zk.WithEventCallback(s.onEvent),
		zk.WithDialer(s.dial),
		zk.WithMaxConnBufferSize(bufSize),
	)
	if err != nil {
		s.dialStop()
		return nil, fmt.Errorf("livestore: %w", err)
	}
	s.conn = conn
	close(s.ready)
	go s.run(zkEvents)

	timer := time.NewTimer(cfg.connectTimeout)
	defer timer.Stop()
	select {
	case <-s.established:
	case <-ctx.Done():
		s.Close()
		return nil, fmt.Errorf("livestore: connecting to %s: %w", s.servers, errors.Join(ctx.Err(), s.dialFailure()))
	case <-timer.C:
		s.Close()
		return nil, fmt.Errorf("livestore: no ZooKeeper server at %s gave a session within %v: %w",
			s.servers, cfg.connectTimeout, errors.Join(zkstore.ErrConnectionLoss, s.dialFailure()))
	}
	for _, a := range cfg.auth {
		if err := s.AddAuth(ctx, a.scheme, a.auth); err != nil {
			s.Close()
			return nil, fmt.Errorf("livestore: %w", err)
		}
	}
	return s, nil
}

func (s *Store) dialFailure() error {
	s.netMu.Lock()
	defer s.netMu.Unlock()
	if s.lastDial == nil {
		return nil
	}
	return fmt.Errorf("last dial error: %w", s.lastDial)
}

// onEvent is go-zookeeper's event callback. It runs synchronously on
// go-zookeeper's connection goroutine, which is what makes expiry safe:
// the store is marked expired before go-zookeeper can dial again, and the
// dialer then refuses, so no new session is ever created. It must not
// block nor call into the zk.Conn.
func (s *Store) onEvent(ev zk.Event) {
	if ev.Type != zk.EventSession {
		// Node events are delivered even while Close runs: the server
		// sends the closing session the events of its own ephemerals'
		// deletion before it answers closeSession.
		s.watches.fire(ev)
		s.firePersistent(ev)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.life.Load() != lifeAlive {
		return
	}
	var st zkstore.State
	switch ev.State {
	case zk.StateDisconnected:
		st = zkstore.StateDisconnected
		s.armGiveUpLocked()
	case zk.StateConnecting:
		st = zkstore.StateConnecting
	case zk.StateHasSession:
		st = zkstore.StateConnected
		if s.giveUp != nil {
			s.giveUp.Stop()
			s.giveUp = nil
		}
		// conn is set before the dialer lets go-zookeeper connect.
		s.sessionID = s.conn.SessionID()
		s.connectedSince = time.Now()
		select {
		case <-s.established:
			s.reconnects++
			s.readdPersistentLocked()
		default:
			close(s.established)
		}
	case zk.StateExpired:
		if ev.Server != "" {
			s.server = ev.Server
		}
		s.expireLocked(zkstore.ErrSessionExpired)
		return
	case zk.StateAuthFailed:
		st = zkstore.StateAuthFailed
	default:
		// StateConnected is TCP up, handshake pending: still connecting.
		return
	}
	if ev.Server != "" {
		s.server = ev.Server
	}
	if st == s.state && st != zkstore.StateConnected {
		return // go-zookeeper repeats Connecting while it cycles servers
	}
	s.setStateLocked(st)
}

// expireLocked marks the session expired: later calls fail with
// ErrSessionExpired, watches end, the dialer refuses, and run closes the
// connection; cause is who ended the session. s.mu is held and the store
// is alive.
func (s *Store) expireLocked(cause error) {
	if s.giveUp != nil {
		s.giveUp.Stop()
		s.giveUp = nil
	}
	s.expiredBy = cause
	s.life.Store(lifeExpired)
	close(s.expiredCh)
	s.watches.end(cause)
	s.endPersistent(cause)
	s.setStateLocked(zkstore.StateExpired)
}

// armGiveUpLocked starts the clock on a lost connection. go-zookeeper
// retries a session forever, even one the server no longer knows: a
// server that lost its state (or is behind the client's last zxid)
// refuses the handshake by closing the connection, without the
// expired-session reply that would end it. So, as Curator does, a session
// without a connection for a whole session timeout is taken for expired:
// by then the server has expired it (or never will know it), unless no
// quorum ran meanwhile, in which case the session may outlive the outage
// on the server until its timeout runs out there. The timeout is the one
// asked for (go-zookeeper does not expose the negotiated one). s.mu is
// held.
func (s *Store) armGiveUpLocked() {
	if s.giveUp != nil || s.sessionID == 0 {
		return
	}
	s.giveUp = time.AfterFunc(s.cfg.sessionTimeout, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.life.Load() != lifeAlive || s.state == zkstore.StateConnected {
			return
		}
		s.giveUp = nil
		s.cfg.logger.Printf("livestore: no connection for session 0x%x within its timeout %v; taking it for expired", s.sessionID, s.cfg.sessionTimeout)
		s.expireLocked(zkstore.ErrSessionGivenUp)
	})
}

// setStateLocked records and publishes a state; s.mu is held.
func (s *Store) setStateLocked(st zkstore.State) {
	s.state = st
	ev := zkstore.SessionEvent{State: st, SessionID: s.sessionID, Server: s.server}
	if st == zkstore.StateExpired {
		ev.Err = s.expiredBy
	}
	for sub := range s.subs {
		// Only we send, under mu: drop the stale event, then this send
		// cannot block. A slow reader thus sees the latest state.
		select {
		case <-sub.ch:
		default:
		}
		sub.ch <- ev
	}
}

// run reads go-zookeeper's event channel until go-zookeeper closes it, which
// it does once its connection loop has ended after Close. State comes
// through onEvent, which unlike the channel never drops events; run's job
// is to close the connection when the session expires.
func (s *Store) run(zkEvents <-chan zk.Event) {
	defer close(s.runDone)
	expired := s.expiredCh
	for {
		select {
		case _, ok := <-zkEvents:
			if !ok {
				return
			}
		case <-expired:
			expired = nil
			s.cfg.logger.Printf("livestore: session 0x%x expired; the store is dead", s.SessionID())
			s.conn.Close()
			s.closeNetConns()
		}
	}
}

// Close ends the session: the server deletes its ephemerals, its watches end
// with ErrClosed. It waits until every goroutine of the store has ended.
// Close is idempotent and safe to call concurrently with anything.
func (s *Store) Close() error {
	first := false
	s.closeOnce.Do(func() { first = true })
	if !first {
		<-s.closeDone
		return nil
	}
	s.mu.Lock()
	// Closing an expired store frees it but keeps its answer: calls still
	// in flight or made later learn that the session expired, not merely
	// that someone closed the store (as memstore does).
	s.closing = true
	expired := s.life.Load() == lifeExpired
	if !expired {
		s.life.Store(lifeClosed)
	}
	if s.giveUp != nil {
		s.giveUp.Stop()
		s.giveUp = nil
	}
	if !expired {
		s.setStateLocked(zkstore.StateClosed)
	}
	for sub := range s.subs {
		s.endSubLocked(sub)
	}
	s.mu.Unlock()

	// Sends closeSession and waits (at most about a second) for the reply,
	// so the ephemerals are gone when Close returns.
	s.conn.Close()
	s.watches.end(zkstore.ErrClosed) // after the close reply and the events before it
	s.endPersistent(zkstore.ErrClosed)
	s.dialStop()
	s.closeNetConns()
	<-s.runDone
	s.inflight.Wait()
	close(s.closeDone)
	return nil
}

// SessionID is the session's id, 0 before it was established. It stays
// the expired session's id after expiry.
func (s *Store) SessionID() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessionID
}

// State is the session's state now.
func (s *Store) State() zkstore.State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}

// String describes the store without credentials.
func (s *Store) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return fmt.Sprintf("livestore(%s%s, session 0x%x, %v)", s.servers, s.chroot, s.sessionID, s.state)
}

type subscription struct {
	ch   chan zkstore.SessionEvent
	stop func() bool
}

// SessionEvents delivers the session's state changes (not the current
// state) until ctx ends or the store is closed; the last event of a closed
// store is StateClosed. A slow reader misses intermediate states but always
// gets the latest.
func (s *Store) SessionEvents(ctx context.Context) <-chan zkstore.SessionEvent {
	sub := &subscription{ch: make(chan zkstore.SessionEvent, 1)}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.life.Load() == lifeClosed || ctx.Err() != nil {
		close(sub.ch)
		return sub.ch
	}
	s.subs[sub] = struct{}{}
	sub.stop = context.AfterFunc(ctx, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.endSubLocked(sub)
	})
	return sub.ch
}

func (s *Store) endSubLocked(sub *subscription) {
	if _, ok := s.subs[sub]; !ok {
		return
	}
	delete(s.subs, sub)
	sub.stop()
	close(sub.ch)
}

// track counts a goroutine the store starts; false once the store is closed.
func (s *Store) track() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return false
	}
	s.inflight.Add(1)
	return true
}

func (s *Store) endReason() endReason {
	switch s.life.Load() {
	case lifeClosed:
		return endClosed
	case lifeExpired:
		return endExpired
	}
	return endNone
}

// dead is the error for a call on a closed or expired store, nil if alive.
func (s *Store) dead() error {
	switch s.life.Load() {
	case lifeClosed:
		return zkstore.ErrClosed
	case lifeExpired:
		return s.expiredErr()
	}
	return nil
}

// expiredErr is what calls on the expired store fail with.
func (s *Store) expiredErr() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.expiredBy == nil {
		return zkstore.ErrSessionExpired
	}
	return s.expiredBy
}

// dial is the zk.Dialer: it refuses once the store is closed or expired,
// which is what keeps go-zookeeper from creating a new session, and tracks
// connections so Close can cut one stuck in a handshake.
func (s *Store) dial(network, addr string, timeout time.Duration) (net.Conn, error) {
	<-s.ready
	if s.life.Load() != lifeAlive {
		return nil, errors.New("livestore: store closed or session expired, not reconnecting")
	}
	var c net.Conn
	var err error
	if s.cfg.dialer != nil {
		c, err = s.cfg.dialer(network, addr, timeout)
	} else {
		d := net.Dialer{Timeout: timeout}
		c, err = d.DialContext(s.dialCtx, network, addr)
	}
	s.netMu.Lock()
	defer s.netMu.Unlock()
	if err != nil {
		s.lastDial = err
		return nil, err
	}
	if s.netClosed {
		c.Close()
		return nil, net.ErrClosed
	}
	tc := &trackedConn{Conn: c, s: s}
	s.netConns[tc] = struct{}{}
	return tc, nil
}

func (s *Store) closeNetConns() {
	s.netMu.Lock()
	s.netClosed = true
	conns := make([]*trackedConn, 0, len(s.netConns))
	for c := range s.netConns {
		conns = append(conns, c)
	}
	s.netMu.Unlock()
	for _, c := range conns {
		c.Close()
	}
}

type trackedConn struct {
	net.Conn
	s *Store
}

func (c *trackedConn) Close() error {
	c.s.netMu.Lock()
	delete(c.s.netConns, c)
	c.s.netMu.Unlock()
	return c.Conn.Close()
}
