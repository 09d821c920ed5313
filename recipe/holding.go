package recipe

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/zksql/zksql/watch"
	"github.com/zksql/zksql/zkstore"
)

// createProtected creates an ephemeral sequential znode dir/NAME-TOKEN-SEQ
// holding data. The random token lets it find the znode after a
// connection loss, when the create's outcome is unknown (Curator's
// protected mode), instead of leaving an orphan that would hold its place
// until the session ends.
func createProtected(ctx context.Context, st zkstore.Store, dir, name string, data []byte) (string, error) {
	var b [8]byte
	rand.Read(b[:])
	prefix := name + "-" + hex.EncodeToString(b[:]) + "-"
	for {
		p, err := st.Create(ctx, zkstore.Join(dir, prefix), data, zkstore.CreateOptions{Mode: zkstore.ModeEphemeralSequential})
		if err == nil {
			return p, nil
		}
		if !errors.Is(err, zkstore.ErrConnectionLoss) || ctx.Err() != nil {
			return "", err
		}
		names, lerr := contenders(ctx, st, dir)
		if lerr != nil {
			return "", errors.Join(err, lerr)
		}
		for _, n := range names {
			if strings.HasPrefix(n, prefix) {
				return zkstore.Join(dir, n), nil
			}
		}
	}
}

// holding watches a znode that stands for something held (a lease, a read
// or write lock): lost is closed when the znode or its session goes, and
// states reports the connection (see Mutex.States).
type holding struct {
	st     zkstore.Store
	node   string
	lost   chan struct{}
	states chan ConnectionState
	cancel context.CancelFunc
	done   chan struct{}
}

func startHolding(st zkstore.Store, node string) *holding {
	ctx, cancel := context.WithCancel(context.Background())
	h := &holding{st: st, node: node, lost: make(chan struct{}), states: make(chan ConnectionState),
		cancel: cancel, done: make(chan struct{})}
	relay := newStateRelay(ctx, st)
	go func() {
		defer close(h.done)
		var relaying sync.WaitGroup
		relaying.Go(func() { relay.run(ctx, h.lost, h.states) })
		defer relaying.Wait()
		owner := st.SessionID()
		for ev := range watch.Node(ctx, watch.StoreSource(st), node) {
			if heldGone(ev, owner) {
				break
			}
		}
		if ctx.Err() == nil {
			close(h.lost)
		}
		<-ctx.Done()
	}()
	return h
}

// heldGone says whether ev, of a Node stream on a held znode (an ephemeral
// of session owner), means that the znode held is gone: deleted, its
// session ended, or deleted and replaced by a znode of the same name that
// is not ours (another session's, or persistent), which a stream may
// report as a mere change, or as its first state when the replacement
// happened before the stream's first read.
func heldGone(ev watch.Event, owner int64) bool {
	return ev.Type == watch.Deleted || ev.Type == watch.Current && !ev.Exists || ev.Type == watch.Expired ||
		ev.Exists && ev.Stat.EphemeralOwner != owner ||
		errors.Is(ev.Err, zkstore.ErrSessionExpired) || errors.Is(ev.Err, zkstore.ErrClosed)
}

// release stops the watching and deletes the znode; a znode already gone
// with its session is no error.
func (h *holding) release(ctx context.Context) error {
	h.cancel()
	<-h.done
	return removeOwn(ctx, h.st, h.node)
}

// removeOwn deletes node, an ephemeral of ours with a name no one else
// uses, waiting out a lost connection while ctx and the session live.
// Unlike other writes, a delete whose reply was lost is retried: the
// znode is ours alone, so deleting it again can only find it gone, never
// remove anything else; left behind, it would hold its place (a lock, a
// lease) until the session ends. A znode already gone, or gone with its
// session, is no error.
func removeOwn(ctx context.Context, st zkstore.Store, node string) error {
	retry := newBackoff()
	for {
		err := st.Delete(ctx, node, zkstore.AnyVersion)
		switch {
		case err == nil, errors.Is(err, zkstore.ErrNoNode), errors.Is(err, zkstore.ErrSessionExpired), errors.Is(err, zkstore.ErrClosed):
			return nil
		case !errors.Is(err, zkstore.ErrConnectionLoss) || ctx.Err() != nil || !retry.wait(ctx):
			return err
		}
	}
}

// giveUpPlace removes the znode of a contender that failed to get what it
// waited for, even when ctx has ended (which may be why it failed), for
// a bounded time.
func giveUpPlace(ctx context.Context, st zkstore.Store, node string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), giveUpTimeout)
	defer cancel()
	removeOwn(ctx, st, node)
}

// giveUpTimeout bounds giveUpPlace: a session that cannot reach the server
// for that long has lost its znodes anyway, or will at its timeout.
const giveUpTimeout = 30 * time.Second
