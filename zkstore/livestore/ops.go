package livestore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/zksql/zksql/zkstore"
)

// ctxError reports that the caller's context ended before go-zookeeper
// answered; sent says whether the request may already be on its way.
type ctxError struct {
	err  error
	sent bool
}

func (e *ctxError) Error() string { return e.err.Error() }

type result[T any] struct {
	v   T
	err error
}

// do runs fn, one blocking go-zookeeper call, so that the caller returns
// when ctx ends. fn keeps running in its own goroutine until go-zookeeper
// answers, which it always does (at the latest with ErrClosing when the
// connection is closed); Close waits for it. With a context that can never
// end, fn runs on the caller's goroutine: that is the hot path.
func do[T any](s *Store, ctx context.Context, fn func() (T, error)) (T, error) {
	if ctx.Done() == nil {
		return fn()
	}
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, &ctxError{err: err}
	}
	if !s.track() {
		// Closed meanwhile: go-zookeeper fails the call at once.
		return fn()
	}
	ch := make(chan result[T], 1)
	go func() {
		defer s.inflight.Done()
		v, err := fn()
		ch <- result[T]{v, err}
	}()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		select {
		case r := <-ch: // answered at the same moment: take the answer
			return r.v, r.err
		default:
		}
		return zero, &ctxError{err: ctx.Err(), sent: true}
	}
}

// fail wraps a failed call's error for the caller. For a write whose
// context ended after it was sent, the error matches both the context's
// error and ErrConnectionLoss: the server may still apply it.
func (s *Store) fail(op, path string, err error, write bool) error {
	var ce *ctxError
	if errors.As(err, &ce) {
		if ce.sent && write {
			return &zkstore.PathError{Op: op, Path: path,
				Err: fmt.Errorf("%w (the request was sent, outcome unknown): %w", ce.err, zkstore.ErrConnectionLoss)}
		}
		return &zkstore.PathError{Op: op, Path: path, Err: ce.err}
	}
	err = mapError(err, s.endReason())
	if err == zkstore.ErrSessionExpired {
		err = s.expiredErr() // who ended it
	}
	return &zkstore.PathError{Op: op, Path: path, Err: err}
}

func pathErr(op, path string, err error) error {
	return &zkstore.PathError{Op: op, Path: path, Err: err}
}

// check validates what every call validates before anything is sent: the
// path, and that the store is alive.
func (s *Store) check(op, path string, sequential bool) error {
	if err := zkstore.ValidatePath(path, sequential); err != nil {
		return pathErr(op, path, err)
	}
	if err := s.dead(); err != nil {
		return pathErr(op, path, err)
	}
	return nil
}

func (s *Store) checkData(data []byte) error {
	if len(data) > s.cfg.maxDataSize {
		return zkstore.DataTooLarge(len(data), s.cfg.maxDataSize)
	}
	return nil
}

// checkRead is check for a request carrying only a path and, for getData,
// exists and getChildren, a watch flag: a path can be long enough on its
// own to pass the request limit.
func (s *Store) checkRead(op, path string, watchFlag bool) error {
	if err := s.check(op, path, false); err != nil {
		return err
	}
	// The size of the server path, without building it: reads are hot.
	size := zkstore.PathRequestSize(path, watchFlag)
	switch {
	case s.chroot == "":
	case path == "/":
		size += len(s.chroot) - 1
	default:
		size += len(s.chroot)
	}
	if err := s.checkRequest(size); err != nil {
		return pathErr(op, path, err)
	}
	return nil
}

// checkRequest refuses a request packet of size bytes over the limit.
func (s *Store) checkRequest(size int) error {
	if size > s.cfg.maxRequestSize {
		return zkstore.RequestTooLarge(size, s.cfg.maxRequestSize)
	}
	return nil
}

// checkMode does the client-side checks of a create's mode and TTL
// (zkstore.CheckMode). The TTL's value is the server's to check
// (EphemeralType.validateTTL: 1ms to MaxTTL, else ErrBadArguments), as in
// memstore, where such a refusal takes a zxid like any failed write.
func checkMode(mode zkstore.CreateMode, ttl time.Duration) error { return zkstore.CheckMode(mode, ttl) }

// abs is the server path for a caller's path.
func (s *Store) abs(p string) string {
	switch {
	case s.chroot == "":
		return p
	case p == "/":
		return s.chroot
	}
	return s.chroot + p
}

// absDelete is abs for a delete: "/" stays "/" under a chroot, so the
// server refuses it (ErrBadArguments) as it refuses deleting its own root,
// instead of deleting the chroot node. ZooKeeper's Java client does the
// same (ZooKeeper.delete); a memstore session, which has no chroot, gives
// the same answer.
func (s *Store) absDelete(p string) string {
	if p == "/" {
		return "/"
	}
	return s.abs(p)
}

// absCreate is abs for a create: a sequential create of "/" under a chroot
// names a child of the chroot.
func (s *Store) absCreate(p string, sequential bool) string {
	if sequential && p == "/" && s.chroot != "" {
		return s.chroot + "/"
	}
	return s.abs(p)
}

// rel is the caller's path for a server path.
func (s *Store) rel(p string) string {
	if s.chroot == "" {
		return p
	}
	if p == s.chroot {
		return "/"
	}
	if len(p) > len(s.chroot) && p[:len(s.chroot)] == s.chroot && p[len(s.chroot)] == '/' {
		return p[len(s.chroot):]
	}
	return p
}

// Create makes a znode and returns its path (relative to the chroot).
func (s *Store) Create(ctx context.Context, path string, data []byte, opts zkstore.CreateOptions) (string, error) {
	const op = "create"
	if err := zkstore.ValidatePath(path, opts.Mode.IsSequential()); err != nil {
		return "", pathErr(op, path, err)
	}
	if err := checkMode(opts.Mode, opts.TTL); err != nil {
		return "", pathErr(op, path, err)
	}
	if err := s.checkData(data); err != nil {
		return "", pathErr(op, path, err)
	}
	full := s.absCreate(path, opts.Mode.IsSequential())
	if err := s.checkRequest(zkstore.CreateRequestSize(full, data, opts.ACL, opts.Mode)); err != nil {
		return "", pathErr(op, path, err)
	}
	if err := s.dead(); err != nil {
		return "", pathErr(op, path, err)
	}
	acl := toZKACL(opts.ACL)
	mode, ttl := opts.Mode, opts.TTL
	if ctx.Done() != nil {
		data = bytes.Clone(data) // the call may outlive our return
	}
	got, err := do(s, ctx, func() (string, error) {
		if mode.IsSequential() && rawMulti && zkRefusesSequential(full) {
			return s.rawCreate(full, data, acl, mode, ttl)
		}
		switch {
		case mode.IsContainer():
			return s.conn.CreateContainer(full, data, zk.FlagContainer, acl)
		case mode.IsTTL():
			return s.conn.CreateTTL(full, data, int32(mode), acl, ttl)
		}
		return s.conn.Create(full, data, int32(mode), acl)
	})
	if err != nil {
		return "", s.fail(op, path, err, true)
	}
	return s.rel(got), nil
}

type dataStat struct {
	data []byte
	stat zkstore.Stat
}

// Get returns a znode's data and Stat. Data is as the server keeps it: a
// znode created or set with nil data reads as nil, one with empty data as
// an empty, non-nil slice (the wire tells them apart, as memstore does).
func (s *Store) Get(ctx context.Context, path string) ([]byte, zkstore.Stat, error) {
	const op = "get"
	if err := s.checkRead(op, path, true); err != nil {
		return nil, zkstore.Stat{}, err
	}
	full := s.abs(path)
	if s.fastCalls(ctx) {
		res := &getDataResponse{}
		if err := s.call(ctx, opGetData, &pathWatchRequest{Path: full}, res); err != nil {
			return nil, zkstore.Stat{}, s.fail(op, path, err, false)
		}
		return res.Data, toStat(&res.Stat), nil
	}
	r, err := do(s, ctx, func() (dataStat, error) {
		d, st, err := s.conn.Get(full)
		if err != nil {
			return dataStat{}, err
		}
		return dataStat{d, toStat(st)}, nil
	})
	if err != nil {
		return nil, zkstore.Stat{}, s.fail(op, path, err, false)
	}
	return r.data, r.stat, nil
}

// GetW is Get that also sets a data watch.
func (s *Store) GetW(ctx context.Context, path string) ([]byte, zkstore.Stat, <-chan zkstore.Event, error) {
	const op = "get"
	if err := s.checkRead(op, path, true); err != nil {
		return nil, zkstore.Stat{}, nil, err
	}
	if s.fastCalls(ctx) {
		res := &getDataResponse{}
		ch, err := s.watchedCall(ctx, op, path, watchData, opGetData, res)
		if err != nil {
			return nil, zkstore.Stat{}, nil, err
		}
		return res.Data, toStat(&res.Stat), ch, nil
	}
	r, ch, err := watched(s, ctx, op, path, watchData, func(full string) (dataStat, error) {
		d, st, _, err := s.conn.GetW(full)
		if err != nil {
			return dataStat{}, err
		}
		return dataStat{d, toStat(st)}, nil
	})
	if err != nil {
		return nil, zkstore.Stat{}, nil, err
	}
	return r.data, r.stat, ch, nil
}

// watched registers a watch of kind on path and runs fn on the absolute
// path, dropping the watch again if fn fails. The watch is registered
// first because its event may come right behind the reply.
func watched[T any](s *Store, ctx context.Context, op, path string, kind watchKind, fn func(full string) (T, error)) (T, <-chan zkstore.Event, error) {
	full := s.abs(path)
	w := s.watches.add(full, kind, path)
	r, err := do(s, ctx, func() (T, error) { return fn(full) })
	if err != nil {
		s.watches.remove(full, kind, w)
		var zero T
		return zero, nil, s.fail(op, path, err, false)
	}
	return r, w.ch, nil
}

// watchedCall is watched for the fast path: the request goes through
// callW on the caller's goroutine, without a goroutine of its own.
func (s *Store) watchedCall(ctx context.Context, op, path string, kind watchKind, opcode int32, res any) (<-chan zkstore.Event, error) {
	full := s.abs(path)
	w := s.watches.add(full, kind, path)
	if err := s.callW(ctx, opcode, full, res); err != nil {
		s.watches.remove(full, kind, w)
		return nil, s.fail(op, path, err, false)
	}
	return w.ch, nil
}

// Set replaces a znode's data if its version matches.
func (s *Store) Set(ctx context.Context, path string, data []byte, version int32) (zkstore.Stat, error) {
	const op = "set"
	if err := zkstore.ValidatePath(path, false); err != nil {
		return zkstore.Stat{}, pathErr(op, path, err)
	}
	if err := s.checkData(data); err != nil {
		return zkstore.Stat{}, pathErr(op, path, err)
	}
	full := s.abs(path)
	if err := s.checkRequest(zkstore.SetRequestSize(full, data)); err != nil {
		return zkstore.Stat{}, pathErr(op, path, err)
	}
	if err := s.dead(); err != nil {
		return zkstore.Stat{}, pathErr(op, path, err)
	}
	if ctx.Done() != nil {
		data = bytes.Clone(data) // the call may outlive our return
	}
	if s.fastCalls(ctx) {
		res := &statResponse{}
		if err := s.call(ctx, opSetData, &zk.SetDataRequest{Path: full, Data: data, Version: version}, res); err != nil {
			return zkstore.Stat{}, s.fail(op, path, err, true)
		}
		return toStat(&res.Stat), nil
	}
	st, err := do(s, ctx, func() (zkstore.Stat, error) {
		st, err := s.conn.Set(full, data, version)
		if err != nil {
			return zkstore.Stat{}, err
		}
		return toStat(st), nil
	})
	if err != nil {
		return zkstore.Stat{}, s.fail(op, path, err, true)
	}
	return st, nil
}

// Delete removes a childless znode if its version matches.
func (s *Store) Delete(ctx context.Context, path string, version int32) error {
	const op = "delete"
	if err := s.check(op, path, false); err != nil {
		return err
	}
	full := s.absDelete(path)
	if err := s.checkRequest(zkstore.DeleteRequestSize(full)); err != nil {
		return pathErr(op, path, err)
	}
	_, err := do(s, ctx, func() (struct{}, error) {
		return struct{}{}, s.conn.Delete(full, version)
	})
	if err != nil {
		return s.fail(op, path, err, true)
	}
	return nil
}

type existsResult struct {
	stat   zkstore.Stat
	exists bool
}

// Exists reports whether a znode exists, and its Stat if it does.
func (s *Store) Exists(ctx context.Context, path string) (zkstore.Stat, bool, error) {
	const op = "exists"
	if err := s.checkRead(op, path, true); err != nil {
		return zkstore.Stat{}, false, err
	}
	full := s.abs(path)
	if s.fastCalls(ctx) {
		res := &statResponse{}
		err := s.call(ctx, opExists, &pathWatchRequest{Path: full}, res)
		if errors.Is(err, zk.ErrNoNode) {
			return zkstore.Stat{}, false, nil
		}
		if err != nil {
			return zkstore.Stat{}, false, s.fail(op, path, err, false)
		}
		return toStat(&res.Stat), true, nil
	}
	r, err := do(s, ctx, func() (existsResult, error) {
		ok, st, err := s.conn.Exists(full)
		if err != nil || !ok {
			return existsResult{}, err
		}
		return existsResult{stat: toStat(st), exists: true}, nil
	})
	if err != nil {
		return zkstore.Stat{}, false, s.fail(op, path, err, false)
	}
	return r.stat, r.exists, nil
}

// ExistsW is Exists that also sets a watch.
func (s *Store) ExistsW(ctx context.Context, path string) (zkstore.Stat, bool, <-chan zkstore.Event, error) {
	const op = "exists"
	if err := s.checkRead(op, path, true); err != nil {
		return zkstore.Stat{}, false, nil, err
	}
	full := s.abs(path)
	// The server sets a data watch if the znode exists and an exist watch
	// if not; which one is known only from the reply, and an event may come
	// right behind it, so both are registered and the wrong one dropped.
	wd := s.watches.add(full, watchData, path)
	we := s.watches.add(full, watchExist, path)
	var (
		r   existsResult
		err error
	)
	if s.fastCalls(ctx) {
		res := &statResponse{}
		err = s.callW(ctx, opExists, full, res)
		switch {
		case err == nil:
			r = existsResult{toStat(&res.Stat), true}
		case errors.Is(err, zk.ErrNoNode):
			err = nil
		}
	} else {
		r, err = do(s, ctx, func() (existsResult, error) {
			ok, st, _, err := s.conn.ExistsW(full)
			if err != nil || !ok {
				return existsResult{}, err
			}
			return existsResult{toStat(st), true}, nil
		})
	}
	if err != nil {
		s.watches.remove(full, watchData, wd)
		s.watches.remove(full, watchExist, we)
		return zkstore.Stat{}, false, nil, s.fail(op, path, err, false)
	}
	if r.exists {
		s.watches.remove(full, watchExist, we)
		return r.stat, true, wd.ch, nil
	}
	s.watches.remove(full, watchData, wd)
	return r.stat, false, we.ch, nil
}

type childrenResult struct {
	children []string
	stat     zkstore.Stat
}

func sortedChildren(c []string) []string {
	if c == nil {
		return []string{}
	}
	slices.Sort(c) // the server lists them in hash order
	return c
}

// Children lists a znode's children, sorted, with the znode's Stat.
func (s *Store) Children(ctx context.Context, path string) ([]string, zkstore.Stat, error) {
	const op = "children"
	if err := s.checkRead(op, path, true); err != nil {
		return nil, zkstore.Stat{}, err
	}
	full := s.abs(path)
	if s.fastCalls(ctx) {
		res := &getChildren2Response{}
		if err := s.call(ctx, opGetChildren2, &pathWatchRequest{Path: full}, res); err != nil {
			return nil, zkstore.Stat{}, s.fail(op, path, err, false)
		}
		return sortedChildren(res.Children), toStat(&res.Stat), nil
	}
	r, err := do(s, ctx, func() (childrenResult, error) {
		c, st, err := s.conn.Children(full)
		if err != nil {
			return childrenResult{}, err
		}
		return childrenResult{sortedChildren(c), toStat(st)}, nil
	})
	if err != nil {
		return nil, zkstore.Stat{}, s.fail(op, path, err, false)
	}
	return r.children, r.stat, nil
}

// ChildrenW is Children that also sets a child watch.
func (s *Store) ChildrenW(ctx context.Context, path string) ([]string, zkstore.Stat, <-chan zkstore.Event, error) {
	const op = "children"
	if err := s.checkRead(op, path, true); err != nil {
		return nil, zkstore.Stat{}, nil, err
	}
	if s.fastCalls(ctx) {
		res := &getChildren2Response{}
		ch, err := s.watchedCall(ctx, op, path, watchChild, opGetChildren2, res)
		if err != nil {
			return nil, zkstore.Stat{}, nil, err
		}
		return sortedChildren(res.Children), toStat(&res.Stat), ch, nil
	}
	r, ch, err := watched(s, ctx, op, path, watchChild, func(full string) (childrenResult, error) {
		c, st, _, err := s.conn.ChildrenW(full)
		if err != nil {
			return childrenResult{}, err
		}
		return childrenResult{sortedChildren(c), toStat(st)}, nil
	})
	if err != nil {
		return nil, zkstore.Stat{}, nil, err
	}
	return r.children, r.stat, ch, nil
}

type aclStat struct {
	acl  []zkstore.ACL
	stat zkstore.Stat
}

// GetACL returns a znode's ACL and Stat.
func (s *Store) GetACL(ctx context.Context, path string) ([]zkstore.ACL, zkstore.Stat, error) {
	const op = "getACL"
	if err := s.checkRead(op, path, false); err != nil {
		return nil, zkstore.Stat{}, err
	}
	full := s.abs(path)
	r, err := do(s, ctx, func() (aclStat, error) {
		acl, st, err := s.conn.GetACL(full)
		if err != nil {
			return aclStat{}, err
		}
		return aclStat{fromZKACL(acl), toStat(st)}, nil
	})
	if err != nil {
		return nil, zkstore.Stat{}, s.fail(op, path, err, false)
	}
	return r.acl, r.stat, nil
}

// SetACL replaces a znode's ACL if its aversion matches. Unlike Create, a
// nil ACL is not OpenACLUnsafe: it is empty, which the server refuses with
// ErrInvalidACL.
func (s *Store) SetACL(ctx context.Context, path string, acl []zkstore.ACL, version int32) (zkstore.Stat, error) {
	const op = "setACL"
	if err := s.check(op, path, false); err != nil {
		return zkstore.Stat{}, err
	}
	full := s.abs(path)
	if err := s.checkRequest(zkstore.SetACLRequestSize(full, acl)); err != nil {
		return zkstore.Stat{}, pathErr(op, path, err)
	}
	zacl := make([]zk.ACL, len(acl))
	for i, a := range acl {
		zacl[i] = zk.ACL{Perms: a.Perms, Scheme: a.Scheme, ID: a.ID}
	}
	st, err := do(s, ctx, func() (zkstore.Stat, error) {
		st, err := s.conn.SetACL(full, zacl, version)
		if err != nil {
			return zkstore.Stat{}, err
		}
		return toStat(st), nil
	})
	if err != nil {
		return zkstore.Stat{}, s.fail(op, path, err, true)
	}
	return st, nil
}

// Sync waits until the server this session reads from has caught up with
// the leader. The server does not check that path exists.
func (s *Store) Sync(ctx context.Context, path string) error {
	const op = "sync"
	if err := s.checkRead(op, path, false); err != nil {
		return err
	}
	full := s.abs(path)
	_, err := do(s, ctx, func() (string, error) { return s.conn.Sync(full) })
	if err != nil {
		return s.fail(op, path, err, false)
	}
	return nil
}

// AddAuth adds credentials to the session; go-zookeeper re-sends them after
// every reconnection. Errors name the scheme, never the credentials. When
// the server refuses them (ErrAuthFailed) it also drops the connection: the
// store reports StateAuthFailed, then reconnects to the same session
// without those credentials.
func (s *Store) AddAuth(ctx context.Context, scheme string, auth []byte) error {
	const op = "addAuth"
	if err := s.dead(); err != nil {
		return pathErr(op, scheme, err)
	}
	auth = append([]byte(nil), auth...) // go-zookeeper keeps it for reconnects
	_, err := do(s, ctx, func() (struct{}, error) {
		return struct{}{}, s.conn.AddAuth(scheme, auth)
	})
	if err != nil {
		err = s.fail(op, scheme, err, true)
		if errors.Is(err, zkstore.ErrAuthFailed) {
			s.mu.Lock()
			if s.life.Load() == lifeAlive {
				s.setStateLocked(zkstore.StateAuthFailed)
			}
			s.mu.Unlock()
		}
		return err
	}
	return nil
}

func toStat(st *zk.Stat) zkstore.Stat {
	if st == nil {
		return zkstore.Stat{}
	}
	return zkstore.Stat{
		Czxid:          st.Czxid,
		Mzxid:          st.Mzxid,
		Ctime:          st.Ctime,
		Mtime:          st.Mtime,
		Version:        st.Version,
		Cversion:       st.Cversion,
		Aversion:       st.Aversion,
		EphemeralOwner: st.EphemeralOwner,
		DataLength:     st.DataLength,
		NumChildren:    st.NumChildren,
		Pzxid:          st.Pzxid,
	}
}

// toZKACL converts a create's ACL; nil is OpenACLUnsafe, empty stays empty
// (the server refuses it with ErrInvalidACL).
func toZKACL(acl []zkstore.ACL) []zk.ACL {
	if acl == nil {
		acl = zkstore.OpenACLUnsafe()
	}
	out := make([]zk.ACL, len(acl))
	for i, a := range acl {
		out[i] = zk.ACL{Perms: a.Perms, Scheme: a.Scheme, ID: a.ID}
	}
	return out
}

func fromZKACL(acl []zk.ACL) []zkstore.ACL {
	out := make([]zkstore.ACL, len(acl))
	for i, a := range acl {
		out[i] = zkstore.ACL{Perms: a.Perms, Scheme: a.Scheme, ID: a.ID}
	}
	return out
}
