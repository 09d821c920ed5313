package recipe

import (
	"context"
	"errors"

	"github.com/zksql/zksql/watch"
	"github.com/zksql/zksql/zkstore"
)

// Election is leader election on a Mutex: the candidate holding the lock
// on dir leads. Each candidate's znode holds its id, so anyone can see who
// leads (Leader, Observe).
type Election struct {
	st  zkstore.Store
	dir string
	id  string
	m   *Mutex
}

// NewElection makes a candidate id for the election at dir.
func NewElection(st zkstore.Store, dir, id string) *Election {
	return &Election{st: st, dir: dir, id: id, m: NewMutex(st, dir, []byte(id))}
}

// Campaign blocks until this candidate leads, ctx ends or the session
// fails. Leadership ends with Resign, or when Lost is closed.
func (e *Election) Campaign(ctx context.Context) error { return e.m.Lock(ctx) }

// Resign gives up leadership.
func (e *Election) Resign(ctx context.Context) error { return e.m.Unlock(ctx) }

// Lost is closed when leadership is lost without Resign (see Mutex.Lost).
func (e *Election) Lost() <-chan struct{} { return e.m.Lost() }

// States reports the connection's states while this candidate leads (see
// Mutex.States): a leader should stop acting as one on Suspended, until
// Reconnected.
func (e *Election) States() <-chan ConnectionState { return e.m.States() }

// ErrNoLeader is Leader's error when no candidate is running.
var ErrNoLeader = errors.New("recipe: no leader")

// Leader returns the id of the current leader.
func Leader(ctx context.Context, st zkstore.Store, dir string) (string, error) {
	for {
		names, err := contenders(ctx, st, dir)
		if errors.Is(err, zkstore.ErrNoNode) || err == nil && len(names) == 0 {
			return "", ErrNoLeader
		}
		if err != nil {
			return "", err
		}
		data, _, err := st.Get(ctx, zkstore.Join(dir, names[0]))
		if errors.Is(err, zkstore.ErrNoNode) {
			continue // resigned meanwhile
		}
		return string(data), err
	}
}

// Observe streams the leader's id ("" while there is none) each time it
// changes, until ctx ends or the source has no session any more. Like the
// watch streams it coalesces: a slow reader gets the latest leader.
func Observe(ctx context.Context, src watch.Source, dir string) <-chan string {
	out := make(chan string)
	go func() {
		defer close(out)
		last, first := "", true
		for ev := range watch.Children(ctx, src, dir) {
			if ev.Type.IsStatus() {
				continue
			}
			st, err := src.Store(ctx)
			if err != nil {
				continue
			}
			leader, err := Leader(ctx, st, dir)
			if err != nil && !errors.Is(err, ErrNoLeader) {
				continue
			}
			if leader == last && !first {
				continue
			}
			select {
			case out <- leader:
				last, first = leader, false
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}
