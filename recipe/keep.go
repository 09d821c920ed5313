package recipe

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/zksql/zksql/watch"
	"github.com/zksql/zksql/zkstore"
)

// KeepEventType says what a KeepEvent reports.
type KeepEventType int

const (
	// NodeCreated: the znode was created on session SessionID. The first
	// creation and each re-creation after a loss are reported so; Count
	// says which.
	NodeCreated KeepEventType = iota + 1
	// NodeSuspended: the connection of the znode's session is lost; the
	// znode lives on the server until the session times out.
	NodeSuspended
	// NodeReconnected: the session is connected again; the znode was kept.
	NodeReconnected
	// NodeLost: the znode is gone: its session expired or was closed (Err
	// says which), or someone deleted it. A re-creation follows as soon
	// as the Source gives a live session.
	NodeLost
	// NodeError: creating the znode failed (Err says why; another
	// session's znode in the way is zkstore.ErrNodeExists); it is retried,
	// with backoff. If the Source has no session any more, this is the
	// last event.
	NodeError
)

func (t KeepEventType) String() string {
	switch t {
	case NodeCreated:
		return "created"
	case NodeSuspended:
		return "suspended"
	case NodeReconnected:
		return "reconnected"
	case NodeLost:
		return "lost"
	case NodeError:
		return "error"
	}
	return fmt.Sprintf("KeepEventType(%d)", int(t))
}

// KeepEvent is one report of a KeptNode.
type KeepEvent struct {
	Type      KeepEventType
	Path      string
	SessionID int64 // the session the report is about
	Count     int   // NodeCreated: 1 for the first creation, 2 for the first re-creation, ...
	Err       error // NodeLost, NodeError
}

// KeptNode keeps an ephemeral znode in existence across sessions, like
// Curator's PersistentNode with an ephemeral mode: whenever the znode is
// lost (its session expired, or someone deleted it) it is created again,
// with the same data, as soon as the Source gives a live session.
//
// Guarantee: while the KeptNode runs and a session is live, the znode
// exists, owned by that session, or is about to be created; each loss and
// re-creation is reported on Events. The znode is ephemeral, so between a
// session's expiry and the re-creation on a new session (at least the
// session timeout, in which the server notices the silence) it is absent,
// as any ephemeral would be: readers see the instance go and come back.
// What the session loss does is thus bounded, not hidden. If another
// session holds a znode at path (or a previous session of ours that the
// server has not expired yet), the KeptNode waits for it to go, reporting
// NodeError with zkstore.ErrNodeExists. Data changed by someone else is
// left as it is until the next re-creation, which writes the original
// data.
//
// The Source must be able to give a new session after an expiry
// (watch.Reopen, watch.FromDB): with watch.StoreSource the KeptNode ends
// with the session.
type KeptNode struct {
	path   string
	data   []byte
	src    watch.Source
	events chan KeepEvent
	cancel context.CancelFunc
	done   chan struct{}

	mu      sync.Mutex
	pending []KeepEvent
	wake    chan struct{}
	st      zkstore.Store // the session the znode was last created on
	closed  bool
}

// maxPendingEvents bounds what an unread Events channel holds; beyond it
// the oldest events are dropped.
const maxPendingEvents = 64

// Keep starts keeping the ephemeral znode path with data (its parents are
// created as persistent znodes if missing), on the sessions src gives,
// until Close.
func Keep(src watch.Source, path string, data []byte) *KeptNode {
	ctx, cancel := context.WithCancel(context.Background())
	k := &KeptNode{
		path: path, data: append([]byte(nil), data...), src: src,
		events: make(chan KeepEvent), cancel: cancel, done: make(chan struct{}),
		wake: make(chan struct{}, 1),
	}
	var wg sync.WaitGroup
	wg.Go(func() { k.deliver(ctx) })
	go func() {
		defer close(k.done)
		defer wg.Wait()
		k.run(ctx)
		k.mu.Lock()
		k.closed = true // deliver drains what is pending, then closes events
		k.mu.Unlock()
		k.signal()
	}()
	return k
}

// Events reports creations, losses and connection changes (KeepEvent),
// oldest first. It is closed when the KeptNode ends: after Close, or when
// the Source has no session any more. A reader more than 64 events behind
// loses the oldest.
func (k *KeptNode) Events() <-chan KeepEvent { return k.events }

// Path is the znode's path.
func (k *KeptNode) Path() string { return k.path }

func (k *KeptNode) report(ev KeepEvent) {
	ev.Path = k.path
	k.mu.Lock()
	if len(k.pending) == maxPendingEvents {
		k.pending = k.pending[1:]
	}
	k.pending = append(k.pending, ev)
	k.mu.Unlock()
	k.signal()
}

func (k *KeptNode) signal() {
	select {
	case k.wake <- struct{}{}:
	default:
	}
}

// deliver hands pending events to the reader; it closes events once the
// keeper has ended and everything pending was delivered, or when ctx ends
// (Close).
func (k *KeptNode) deliver(ctx context.Context) {
	defer close(k.events)
	for {
		k.mu.Lock()
		var next *KeepEvent
		if len(k.pending) > 0 {
			next = &k.pending[0]
		}
		closed := k.closed
		k.mu.Unlock()
		if next == nil {
			if closed {
				return
			}
			select {
			case <-k.wake:
			case <-ctx.Done():
				return
			}
			continue
		}
		select {
		case k.events <- *next:
			k.mu.Lock()
			k.pending = k.pending[1:]
			k.mu.Unlock()
		case <-k.wake:
		case <-ctx.Done():
			return
		}
	}
}

// run is the keeper: it creates the znode on the current session and
// watches it, until ctx ends or the Source has no session any more.
func (k *KeptNode) run(ctx context.Context) {
	count := 0
	backoff := newBackoff()
	for ctx.Err() == nil {
		st, err := k.src.Store(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			k.report(KeepEvent{Type: NodeError, Err: err})
			if errors.Is(err, zkstore.ErrSessionExpired) || errors.Is(err, zkstore.ErrClosed) {
				return // no session will come
			}
			if !backoff.wait(ctx) {
				return
			}
			continue
		}
		if err := k.create(ctx, st); err != nil {
			if ctx.Err() != nil {
				return
			}
			k.report(KeepEvent{Type: NodeError, SessionID: st.SessionID(), Err: err})
			if errors.Is(err, zkstore.ErrNodeExists) {
				// Wait for the other owner's znode to go, then retry.
				k.waitGone(ctx, st)
			} else if !backoff.wait(ctx) {
				return
			}
			continue
		}
		backoff.reset()
		count++
		k.mu.Lock()
		k.st = st
		k.mu.Unlock()
		k.report(KeepEvent{Type: NodeCreated, SessionID: st.SessionID(), Count: count})
		if err := k.hold(ctx, st); err != nil {
			k.report(KeepEvent{Type: NodeLost, SessionID: st.SessionID(), Err: err})
		}
	}
}

// errDeleted is a NodeLost's Err when someone deleted the znode.
var errDeleted = errors.New("recipe: the kept znode was deleted")

// create makes the znode on st. After a connection loss, when the create's
// outcome is unknown, it looks: a znode owned by st's session is ours.
func (k *KeptNode) create(ctx context.Context, st zkstore.Store) error {
	if err := ensurePath(ctx, st, zkstore.Parent(k.path)); err != nil {
		return err
	}
	for {
		_, err := st.Create(ctx, k.path, k.data, zkstore.CreateOptions{Mode: zkstore.ModeEphemeral})
		if err == nil {
			return nil
		}
		if !errors.Is(err, zkstore.ErrNodeExists) && !errors.Is(err, zkstore.ErrConnectionLoss) {
			return err
		}
		stat, ok, xerr := st.Exists(ctx, k.path)
		if xerr != nil {
			return errors.Join(err, xerr)
		}
		if ok && stat.EphemeralOwner == st.SessionID() {
			return nil // ours, from the create whose reply was lost
		}
		if ok {
			return fmt.Errorf("recipe: %s is held by session %#x: %w", k.path, stat.EphemeralOwner, zkstore.ErrNodeExists)
		}
		// Absent: the create was not applied (or someone deleted it); again.
	}
}

// waitGone waits until path no longer exists (or a watch ends).
func (k *KeptNode) waitGone(ctx context.Context, st zkstore.Store) {
	_, ok, ch, err := st.ExistsW(ctx, k.path)
	if err != nil || !ok {
		return
	}
	select {
	case <-ch:
	case <-ctx.Done():
	}
}

// hold watches the znode and the session until the znode is lost (the
// error says how) or ctx ends (nil). The watch is armed in a goroutine of
// its own: a call made while the connection is down waits for the
// reconnection, and the states must be reported meanwhile.
func (k *KeptNode) hold(ctx context.Context, st zkstore.Store) error {
	sctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	relay := newStateRelay(sctx, st)
	states := make(chan ConnectionState)
	wg.Go(func() { relay.run(sctx, nil, states) })

	type armed struct {
		ch  <-chan zkstore.Event
		err error
	}
	arming := make(chan armed, 1)
	busy := false // an arm is in flight
	arm := func() {
		busy = true
		wg.Go(func() {
			stat, ok, ch, err := st.ExistsW(sctx, k.path)
			switch {
			case err != nil:
			case !ok:
				err = errDeleted
			case stat.EphemeralOwner != st.SessionID():
				err = fmt.Errorf("%w, then created by session %#x", errDeleted, stat.EphemeralOwner)
			}
			arming <- armed{ch, err}
		})
	}
	arm()
	var watchCh <-chan zkstore.Event
	suspended := false
	for {
		var retry <-chan time.Time
		if watchCh == nil && !busy && !suspended {
			retry = time.After(250 * time.Millisecond)
		}
		select {
		case a := <-arming:
			busy = false
			switch {
			case a.err == nil:
				watchCh = a.ch
			case errors.Is(a.err, errDeleted), errors.Is(a.err, zkstore.ErrSessionExpired), errors.Is(a.err, zkstore.ErrClosed):
				return a.err
			case ctx.Err() != nil:
				return nil
			}
			// Otherwise (a connection loss) retried below.
		case <-retry:
			arm()
		case ev := <-watchCh:
			watchCh = nil
			if ev.Type == zkstore.EventNotWatching {
				return ev.Err
			}
			arm()
		case s, ok := <-states:
			if !ok {
				if ctx.Err() != nil {
					return nil
				}
				states = nil // the session ended: the watch says how
				continue
			}
			switch s {
			case Suspended:
				suspended = true
				k.report(KeepEvent{Type: NodeSuspended, SessionID: st.SessionID()})
			case Reconnected:
				suspended = false
				k.report(KeepEvent{Type: NodeReconnected, SessionID: st.SessionID()})
				if watchCh == nil && !busy {
					arm()
				}
			case Lost:
				if dead := deadErr(st); dead != nil {
					return dead
				}
			}
		case <-ctx.Done():
			return nil
		}
	}
}

func deadErr(st zkstore.Store) error {
	switch st.State() {
	case zkstore.StateExpired:
		return zkstore.ErrSessionExpired
	case zkstore.StateClosed:
		return zkstore.ErrClosed
	}
	return nil
}

// Close stops keeping the znode and deletes it if it exists on the
// Source's current session, then closes Events.
func (k *KeptNode) Close(ctx context.Context) error {
	k.cancel()
	<-k.done
	k.mu.Lock()
	st := k.st
	k.st = nil
	k.mu.Unlock()
	if st == nil || deadErr(st) != nil {
		// A create may have been in flight when Close stopped it.
		var err error
		if st, err = k.src.Store(ctx); err != nil {
			return nil // no session: no znode of ours
		}
	}
	stat, ok, err := st.Exists(ctx, k.path)
	if err != nil || !ok || stat.EphemeralOwner != st.SessionID() {
		if errors.Is(err, zkstore.ErrSessionExpired) || errors.Is(err, zkstore.ErrClosed) {
			return nil // gone with its session
		}
		return err
	}
	err = st.Delete(ctx, k.path, stat.Version)
	if errors.Is(err, zkstore.ErrNoNode) || errors.Is(err, zkstore.ErrSessionExpired) || errors.Is(err, zkstore.ErrClosed) {
		return nil
	}
	return err
}

// backoff is an exponential retry delay, 50ms to 2s.
type backoff struct{ d time.Duration }

func newBackoff() *backoff { return &backoff{d: 50 * time.Millisecond} }

func (b *backoff) reset() { b.d = 50 * time.Millisecond }

// wait sleeps the current delay and doubles it; false if ctx ended.
func (b *backoff) wait(ctx context.Context) bool {
	t := time.NewTimer(b.d)
	defer t.Stop()
	b.d = min(2*b.d, 2*time.Second)
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
