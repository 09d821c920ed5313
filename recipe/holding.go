package recipe

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
	"sync"

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
		for ev := range watch.Node(ctx, watch.StoreSource(st), node) {
			if ev.Type == watch.Deleted || ev.Type == watch.Current && !ev.Exists || ev.Type == watch.Expired ||
				errors.Is(ev.Err, zkstore.ErrSessionExpired) || errors.Is(ev.Err, zkstore.ErrClosed) {
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

// release stops the watching and deletes the znode; a znode already gone
// with its session is no error.
func (h *holding) release(ctx context.Context) error {
	h.cancel()
	<-h.done
	err := h.st.Delete(ctx, h.node, zkstore.AnyVersion)
	if errors.Is(err, zkstore.ErrNoNode) || errors.Is(err, zkstore.ErrSessionExpired) || errors.Is(err, zkstore.ErrClosed) {
		return nil
	}
	return err
}
