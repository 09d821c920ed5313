package recipe

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/zksql/zksql/watch"
	"github.com/zksql/zksql/zkstore"
)

// ErrNotHeld is Unlock's error when the lock is not held.
var ErrNotHeld = errors.New("recipe: lock not held")

// Mutex is a distributed lock, ZooKeeper's lock recipe: each contender
// creates an ephemeral sequential znode under dir; the lowest sequence
// holds the lock, and every other contender watches only the znode just
// before its own (ExistsW), so a release wakes one waiter, not the herd.
//
// A Mutex is one contender: Lock, then Unlock, then Lock again. Lost tells
// the holder when it no longer holds the lock although it did not Unlock:
// the session expired or was closed, or its znode was deleted. While the
// client is disconnected it cannot know; ZooKeeper may expire the session
// and give the lock to another after the session timeout, and Lost is
// closed once the expiry is known. States reports the disconnection itself
// (Suspended), as Curator's ConnectionStateListener does, so that code
// that must never overlap another holder can stop its critical work as
// soon as the connection drops, resume it on Reconnected, and give up on
// Lost.
type Mutex struct {
	st   zkstore.Store
	dir  string
	data []byte

	mu     sync.Mutex
	node   string // our znode while locked
	lost   chan struct{}
	states chan ConnectionState
	cancel context.CancelFunc
	done   chan struct{} // the monitor has ended
}

// NewMutex returns a lock on dir (created, with its parents, if missing).
// data is stored in the contender's znode (an election uses it for the
// candidate's identity).
func NewMutex(st zkstore.Store, dir string, data []byte) *Mutex {
	return &Mutex{st: st, dir: dir, data: data}
}

// ensurePath creates path and its missing parents as persistent znodes.
func ensurePath(ctx context.Context, st zkstore.Store, path string) error {
	if path == "/" {
		return nil
	}
	if _, ok, err := st.Exists(ctx, path); err != nil || ok {
		return err
	}
	if err := ensurePath(ctx, st, zkstore.Parent(path)); err != nil {
		return err
	}
	_, err := st.Create(ctx, path, nil, zkstore.CreateOptions{})
	if errors.Is(err, zkstore.ErrNodeExists) {
		return nil
	}
	return err
}

func seq(name string) int32 {
	n, _ := zkstore.ParseSequence(name)
	return n
}

// contenders lists dir's lock znodes by sequence.
func contenders(ctx context.Context, st zkstore.Store, dir string) ([]string, error) {
	names, _, err := st.Children(ctx, dir)
	if err != nil {
		return nil, err
	}
	names = slices.DeleteFunc(names, func(n string) bool { _, ok := zkstore.ParseSequence(n); return !ok })
	slices.SortFunc(names, func(a, b string) int { return int(seq(a)) - int(seq(b)) })
	return names, nil
}

// create makes our znode (see createProtected).
func (m *Mutex) create(ctx context.Context) (string, error) {
	return createProtected(ctx, m.st, m.dir, "lock", m.data)
}

// Lock blocks until the lock is held, ctx ends or the session fails. On
// failure no znode of ours is left behind (unless the session is already
// gone, which deletes it anyway).
func (m *Mutex) Lock(ctx context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.node != "" {
		return errors.New("recipe: Lock on a Mutex already held")
	}
	if err := ensurePath(ctx, m.st, m.dir); err != nil {
		return err
	}
	node, err := m.create(ctx)
	if err != nil {
		return err
	}
	if err := m.wait(ctx, zkstore.Base(node)); err != nil {
		// Give up our place, even when ctx has ended.
		giveUpPlace(ctx, m.st, node)
		return err
	}
	m.node = node
	m.lost, m.states = make(chan struct{}), make(chan ConnectionState)
	mctx, cancel := context.WithCancel(context.Background())
	m.cancel, m.done = cancel, make(chan struct{})
	go m.monitor(mctx, node, m.lost, newStateRelay(mctx, m.st), m.states, m.done)
	return nil
}

// wait returns once our znode is the lowest.
func (m *Mutex) wait(ctx context.Context, me string) error {
	for {
		var names []string
		err := retryRead(ctx, func() (err error) {
			names, err = contenders(ctx, m.st, m.dir)
			return err
		})
		if err != nil {
			return err
		}
		i := slices.Index(names, me)
		switch {
		case i < 0:
			return fmt.Errorf("recipe: lock znode %s vanished: %w", me, zkstore.ErrSessionExpired)
		case i == 0:
			return nil
		}
		var ok bool
		var ch <-chan zkstore.Event
		err = retryRead(ctx, func() (err error) {
			_, ok, ch, err = m.st.ExistsW(ctx, zkstore.Join(m.dir, names[i-1]))
			return err
		})
		if err != nil {
			return err
		}
		if !ok {
			continue // gone meanwhile; the watch will just fire once, unread
		}
		select {
		case ev := <-ch:
			if ev.Type == zkstore.EventNotWatching {
				return ev.Err
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// monitor closes lost when our znode or session goes, and reports the
// connection's states on states. It runs until Unlock cancels ctx.
func (m *Mutex) monitor(ctx context.Context, node string, lost chan struct{}, relay *stateRelay, states chan ConnectionState, done chan struct{}) {
	defer close(done)
	var relaying sync.WaitGroup
	relaying.Go(func() { relay.run(ctx, lost, states) })
	defer relaying.Wait()
	owner := m.st.SessionID()
	for ev := range watch.Node(ctx, watch.StoreSource(m.st), node) {
		if heldGone(ev, owner) {
			break
		}
	}
	if ctx.Err() == nil { // the stream ended by itself: the lock is gone
		close(lost)
	}
	<-ctx.Done()
}

// Lost is closed when the lock held is lost without Unlock; nil when the
// lock is not held. Call Unlock even after a loss: it ends the goroutine
// that watches the lock.
func (m *Mutex) Lost() <-chan struct{} {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.lost
}

// States reports, while the lock is held, the state of the connection
// the lock depends on (see ConnectionState): Connected first, then
// Suspended and Reconnected as the connection drops and comes back, and
// Lost (when Lost is closed) as the last state. The channel is closed
// after Lost, or by Unlock; it is nil when the lock is not held. Reading it
// is optional: an unread channel holds nothing up.
func (m *Mutex) States() <-chan ConnectionState {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.states
}

// Node is the holder's znode path, "" when the lock is not held.
func (m *Mutex) Node() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.node
}

// Unlock releases the lock by deleting our znode, waiting out a lost
// connection while ctx and the session live. It fails with ErrNotHeld if
// Lock did not succeed; a lock already lost (session gone) unlocks without
// error. If it fails otherwise, the znode may stay, holding the lock, until
// the session ends: close the Store to release it for sure.
func (m *Mutex) Unlock(ctx context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.node == "" {
		return ErrNotHeld
	}
	m.cancel()
	<-m.done
	node := m.node
	m.node, m.lost, m.states, m.cancel, m.done = "", nil, nil, nil, nil
	return removeOwn(ctx, m.st, node)
}
