package memstore

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zksql/zksql/zkstore"
)

var _ zkstore.Store = (*Session)(nil)

// Session is one session on a Server; it implements zkstore.Store.
type Session struct {
	srv     *Server
	id      int64
	timeout time.Duration
	opened  time.Time // when Connect made it
	state   atomic.Int32
	// maxRequest is the request limit (jute.maxbuffer).
	maxRequest int

	// guarded by srv.mu
	err  error // why the session ended; nil while it lives
	auth *authSet
	// guarded by srv.watchMu
	watches map[*watch]struct{}

	evMu sync.Mutex
	subs map[chan zkstore.SessionEvent]struct{}
	done chan struct{} // closed when the session ends
}

// Timeout is the negotiated session timeout.
func (s *Session) Timeout() time.Duration { return s.timeout }

// Server is the server the session is on.
func (s *Session) Server() *Server { return s.srv }

func wrap(op, path string, err error) error { return zkstore.WrapPath(op, path, err) }

// deadErr is the error of an ended session (or of a disconnected one),
// read without the lock.
func (s *Session) deadErr() error {
	switch zkstore.State(s.state.Load()) {
	case zkstore.StateClosed:
		return zkstore.ErrClosed
	case zkstore.StateExpired:
		return zkstore.ErrSessionExpired
	case zkstore.StateDisconnected: // Server.Disconnect
		return zkstore.ErrConnectionLoss
	}
	return nil
}

// precheck refuses a request whose context has ended or whose session has.
func (s *Session) precheck(ctx context.Context, op, path string) error {
	if err := ctx.Err(); err != nil {
		return wrap(op, path, err)
	}
	return wrap(op, path, s.deadErr())
}

// start is precheck for a request on one znode path, which it also
// validates.
func (s *Session) start(ctx context.Context, op, path string) error {
	if err := s.precheck(ctx, op, path); err != nil {
		return err
	}
	if err := zkstore.ValidatePath(path, false); err != nil {
		return wrap(op, path, err)
	}
	return nil
}

// startRead is start for a request carrying only a path and, for
// getData, exists and getChildren, a watch flag, whose size the path alone
// can take past the request limit.
func (s *Session) startRead(ctx context.Context, op, path string, watchFlag bool) error {
	if err := s.start(ctx, op, path); err != nil {
		return err
	}
	return wrap(op, path, s.checkRequest(zkstore.PathRequestSize(path, watchFlag)))
}

// write runs fn as one transaction of this session.
func (s *Session) write(op, path string, fn func(t *txn) error) error {
	ferr, after := s.srv.checkFault(op, path)
	if ferr != nil && !after {
		return wrap(op, path, ferr)
	}
	srv := s.srv
	srv.mu.Lock()
	if s.err != nil {
		srv.mu.Unlock()
		return wrap(op, path, s.err)
	}
	t := srv.begin(s)
	err := fn(t)
	if err != nil {
		t.rollback()
	} else {
		t.commit()
	}
	srv.mu.Unlock()
	if ferr != nil {
		return wrap(op, path, ferr)
	}
	return wrap(op, path, err)
}

// read runs fn under the shared lock.
func (s *Session) read(op, path string, fn func() error) error {
	ferr, after := s.srv.checkFault(op, path)
	if ferr != nil && !after {
		return wrap(op, path, ferr)
	}
	srv := s.srv
	srv.mu.RLock()
	var err error
	if s.err != nil {
		err = s.err
	} else {
		err = fn()
	}
	srv.mu.RUnlock()
	if ferr != nil {
		return wrap(op, path, ferr)
	}
	return wrap(op, path, err)
}

// node returns the znode at path if this session has perm on it. It runs
// inside read.
func (s *Session) node(path string, perm int32) (*node, error) {
	n := s.srv.nodes[path]
	if n == nil {
		return nil, zkstore.ErrNoNode
	}
	if err := checkACL(n.acl, perm, s.auth); err != nil {
		return nil, err
	}
	return n, nil
}

func (s *Session) checkData(op, path string, data []byte) error {
	if len(data) > s.srv.cfg.maxDataSize {
		return wrap(op, path, zkstore.DataTooLarge(len(data), s.srv.cfg.maxDataSize))
	}
	return nil
}

// checkRequest refuses a request of size bytes over the session's limit,
// as a client refuses it before sending.
func (s *Session) checkRequest(size int) error {
	if size > s.maxRequest {
		return zkstore.RequestTooLarge(size, s.maxRequest)
	}
	return nil
}

// validateCreate is what the client checks before sending a create. A TTL
// that is not whole milliseconds cannot be sent; the server checks the rest.
func (s *Session) validateCreate(path string, data []byte, mode zkstore.CreateMode, ttl time.Duration) error {
	if err := zkstore.ValidatePath(path, mode.IsSequential()); err != nil {
		return err
	}
	if err := zkstore.CheckMode(mode, ttl); err != nil {
		return err
	}
	if len(data) > s.srv.cfg.maxDataSize {
		return zkstore.DataTooLarge(len(data), s.srv.cfg.maxDataSize)
	}
	return nil
}

func (s *Session) Create(ctx context.Context, path string, data []byte, opts zkstore.CreateOptions) (string, error) {
	const op = "create"
	if err := s.precheck(ctx, op, path); err != nil {
		return "", err
	}
	if err := s.validateCreate(path, data, opts.Mode, opts.TTL); err != nil {
		return "", wrap(op, path, err)
	}
	if err := s.checkRequest(zkstore.CreateRequestSize(path, data, opts.ACL, opts.Mode)); err != nil {
		return "", wrap(op, path, err)
	}
	acl := opts.ACL
	if acl == nil {
		acl = zkstore.OpenACLUnsafe()
	}
	var created string
	err := s.write(op, path, func(t *txn) error {
		p, err := t.create(path, data, acl, opts.Mode, opts.TTL.Milliseconds())
		created = p
		return err
	})
	if err != nil {
		return "", err
	}
	return created, nil
}

func (s *Session) get(ctx context.Context, path string, w bool) ([]byte, zkstore.Stat, <-chan zkstore.Event, error) {
	var data []byte
	st, ch, err := s.readNode(ctx, "get", path, w, false, func(n *node) { data = cloneBytes(n.data) })
	if err != nil {
		return nil, zkstore.Stat{}, nil, err
	}
	return data, st, ch, nil
}

// readNode is a read of the znode at path, which needs READ: fn takes
// what it wants from the znode, and a data watch (a child watch if child)
// is set if w.
func (s *Session) readNode(ctx context.Context, op, path string, w, child bool, fn func(n *node)) (zkstore.Stat, <-chan zkstore.Event, error) {
	if err := s.startRead(ctx, op, path, true); err != nil {
		return zkstore.Stat{}, nil, err
	}
	var (
		st zkstore.Stat
		ch <-chan zkstore.Event
	)
	err := s.read(op, path, func() error {
		n, err := s.node(path, zkstore.PermRead)
		if err != nil {
			return err
		}
		fn(n)
		st = n.stat()
		if w {
			ch = s.srv.addWatch(s, path, child)
		}
		return nil
	})
	if err != nil {
		return zkstore.Stat{}, nil, err
	}
	return st, ch, nil
}

func (s *Session) Get(ctx context.Context, path string) ([]byte, zkstore.Stat, error) {
	data, st, _, err := s.get(ctx, path, false)
	return data, st, err
}

var _ zkstore.GetAppender = (*Session)(nil)

// GetAppend is Get appending the data to buf: the copy out of the tree
// goes into the caller's buffer instead of a new slice (the driver's
// point SELECT reuses one buffer per pooled result).
func (s *Session) GetAppend(ctx context.Context, path string, buf []byte) ([]byte, zkstore.Stat, error) {
	out := buf
	st, _, err := s.readNode(ctx, "get", path, false, false, func(n *node) { out = append(out, n.data...) })
	if err != nil {
		return buf, zkstore.Stat{}, err
	}
	return out, st, nil
}

func (s *Session) GetW(ctx context.Context, path string) ([]byte, zkstore.Stat, <-chan zkstore.Event, error) {
	return s.get(ctx, path, true)
}

func (s *Session) Set(ctx context.Context, path string, data []byte, version int32) (zkstore.Stat, error) {
	const op = "set"
	if err := s.start(ctx, op, path); err != nil {
		return zkstore.Stat{}, err
	}
	if err := s.checkData(op, path, data); err != nil {
		return zkstore.Stat{}, err
	}
	if err := s.checkRequest(zkstore.SetRequestSize(path, data)); err != nil {
		return zkstore.Stat{}, wrap(op, path, err)
	}
	var st zkstore.Stat
	err := s.write(op, path, func(t *txn) (err error) {
		st, err = t.setData(path, data, version)
		return err
	})
	if err != nil {
		return zkstore.Stat{}, err
	}
	return st, nil
}

func (s *Session) Delete(ctx context.Context, path string, version int32) error {
	const op = "delete"
	if err := s.start(ctx, op, path); err != nil {
		return err
	}
	if err := s.checkRequest(zkstore.DeleteRequestSize(path)); err != nil {
		return wrap(op, path, err)
	}
	return s.write(op, path, func(t *txn) error { return t.delete(path, version) })
}

func (s *Session) exists(ctx context.Context, path string, w bool) (zkstore.Stat, bool, <-chan zkstore.Event, error) {
	const op = "exists"
	if err := s.startRead(ctx, op, path, true); err != nil {
		return zkstore.Stat{}, false, nil, err
	}
	var (
		st zkstore.Stat
		ok bool
		ch <-chan zkstore.Event
	)
	err := s.read(op, path, func() error {
		if n := s.srv.nodes[path]; n != nil {
			st, ok = n.stat(), true
		}
		if w { // exists needs no permission and watches even an absent znode
			ch = s.srv.addWatch(s, path, false)
		}
		return nil
	})
	if err != nil {
		return zkstore.Stat{}, false, nil, err
	}
	return st, ok, ch, nil
}

func (s *Session) Exists(ctx context.Context, path string) (zkstore.Stat, bool, error) {
	st, ok, _, err := s.exists(ctx, path, false)
	return st, ok, err
}

func (s *Session) ExistsW(ctx context.Context, path string) (zkstore.Stat, bool, <-chan zkstore.Event, error) {
	return s.exists(ctx, path, true)
}

func (s *Session) children(ctx context.Context, path string, w bool) ([]string, zkstore.Stat, <-chan zkstore.Event, error) {
	var names []string
	st, ch, err := s.readNode(ctx, "children", path, w, true, func(n *node) { names = n.childList() })
	if err != nil {
		return nil, zkstore.Stat{}, nil, err
	}
	return names, st, ch, nil
}

func (s *Session) Children(ctx context.Context, path string) ([]string, zkstore.Stat, error) {
	names, st, _, err := s.children(ctx, path, false)
	return names, st, err
}

func (s *Session) ChildrenW(ctx context.Context, path string) ([]string, zkstore.Stat, <-chan zkstore.Event, error) {
	return s.children(ctx, path, true)
}

func (s *Session) GetACL(ctx context.Context, path string) ([]zkstore.ACL, zkstore.Stat, error) {
	const op = "getACL"
	if err := s.startRead(ctx, op, path, false); err != nil {
		return nil, zkstore.Stat{}, err
	}
	var (
		acl []zkstore.ACL
		st  zkstore.Stat
	)
	err := s.read(op, path, func() error {
		n, err := s.node(path, zkstore.PermRead|zkstore.PermAdmin)
		if err != nil {
			return err
		}
		st = n.stat()
		if checkACL(n.acl, zkstore.PermAdmin, s.auth) != nil {
			acl = redactACL(n.acl)
		} else {
			acl = cloneACL(n.acl)
		}
		return nil
	})
	if err != nil {
		return nil, zkstore.Stat{}, err
	}
	return acl, st, nil
}

func (s *Session) SetACL(ctx context.Context, path string, acl []zkstore.ACL, version int32) (zkstore.Stat, error) {
	const op = "setACL"
	if err := s.start(ctx, op, path); err != nil {
		return zkstore.Stat{}, err
	}
	if err := s.checkRequest(zkstore.SetACLRequestSize(path, acl)); err != nil {
		return zkstore.Stat{}, wrap(op, path, err)
	}
	var st zkstore.Stat
	err := s.write(op, path, func(t *txn) (err error) {
		st, err = t.setACL(path, acl, version)
		return err
	})
	if err != nil {
		return zkstore.Stat{}, err
	}
	return st, nil
}

// Sync has nothing to wait for: there is one server.
func (s *Session) Sync(ctx context.Context, path string) error {
	const op = "sync"
	if err := s.startRead(ctx, op, path, false); err != nil {
		return err
	}
	return s.read(op, path, func() error { return nil })
}

// AddAuth adds credentials as the server's providers do: "digest" always
// succeeds (even without a ':', the whole string is then the user), "ip"
// adds the client address the session already has, and any other scheme
// fails with ErrAuthFailed. The session lives on after a failure: a real
// server drops the connection and the client reconnects to the same
// session. Auth takes no zxid.
func (s *Session) AddAuth(ctx context.Context, scheme string, auth []byte) error {
	const op = "addAuth"
	if err := s.precheck(ctx, op, ""); err != nil {
		return err
	}
	ferr, after := s.srv.checkFault(op, "")
	if ferr != nil && !after {
		return wrap(op, "", ferr)
	}
	srv := s.srv
	srv.mu.Lock()
	var err error
	switch {
	case s.err != nil:
		err = s.err
	case scheme == "digest":
		s.auth.add(authID{"digest", digestAuth(auth)})
	case scheme == "ip":
		s.auth.add(authID{"ip", clientAddr})
	default:
		err = zkstore.ErrAuthFailed
	}
	srv.mu.Unlock()
	if ferr != nil {
		err = ferr
	}
	return wrap(op, "", err)
}

func (s *Session) SessionID() int64 { return s.id }

func (s *Session) State() zkstore.State { return zkstore.State(s.state.Load()) }

// SessionEvents delivers the session's current state at once, then each
// change, until ctx ends or the session does.
func (s *Session) SessionEvents(ctx context.Context) <-chan zkstore.SessionEvent {
	ch := make(chan zkstore.SessionEvent, 1)
	s.evMu.Lock()
	ch <- zkstore.SessionEvent{State: s.State(), SessionID: s.id, Server: "memstore"}
	select {
	case <-s.done:
		s.evMu.Unlock()
		close(ch)
		return ch
	default:
	}
	s.subs[ch] = struct{}{}
	s.evMu.Unlock()
	go func() {
		select {
		case <-ctx.Done():
			s.evMu.Lock()
			if _, ok := s.subs[ch]; ok {
				delete(s.subs, ch)
				close(ch)
			}
			s.evMu.Unlock()
		case <-s.done:
		}
	}()
	return ch
}

// publishEnd tells the subscribers the session's final state and closes
// their channels. A slow reader loses the states it has not read.
func (s *Session) publishEnd(state zkstore.State) {
	s.evMu.Lock()
	defer s.evMu.Unlock()
	ev := zkstore.SessionEvent{State: state, SessionID: s.id, Server: "memstore"}
	if state == zkstore.StateExpired {
		ev.Err = zkstore.ErrSessionExpired
	}
	for ch := range s.subs {
		select {
		case <-ch:
		default:
		}
		ch <- ev
		close(ch)
	}
	clear(s.subs)
	close(s.done)
}

// Close ends the session with a closeSession transaction: its ephemerals
// are deleted, and the watches that deletion does not fire end with
// ErrClosed. Close is idempotent and also harmless after expiry.
func (s *Session) Close() error {
	srv := s.srv
	srv.mu.Lock()
	if s.err != nil {
		srv.mu.Unlock()
		return nil
	}
	srv.endSession(s, zkstore.ErrClosed)
	srv.mu.Unlock()
	s.publishEnd(zkstore.StateClosed)
	return nil
}
