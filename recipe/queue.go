package recipe

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/zksql/zksql/zkstore"
)

// ErrTakeUnknown is Take's error when the session ended while the reply to
// the removal of an item was lost: the item may have been taken (then it
// is out of the queue and no one else will get it) or not (then another
// consumer will). The *TakeUnknownError carrying it holds the item, so
// that the program can decide.
var ErrTakeUnknown = errors.New("recipe: queue item possibly taken: the session ended before the outcome was known")

// TakeUnknownError is the error of a Take whose outcome could not be
// learnt (it matches ErrTakeUnknown and the session's error).
type TakeUnknownError struct {
	Item Item
	Err  error // why: the session's end
}

func (e *TakeUnknownError) Error() string {
	return fmt.Sprintf("%v: item %s: %v", ErrTakeUnknown, e.Item.Name, e.Err)
}

func (e *TakeUnknownError) Unwrap() []error { return []error{ErrTakeUnknown, e.Err} }

// Item is one element of a Queue.
type Item struct {
	Name string // the znode's name, unique in the queue
	Data []byte
}

// Queue is a distributed FIFO queue, Curator's SimpleDistributedQueue
// (ZooKeeper's queue recipe): each item is a persistent sequential znode
// under dir, named qn-…-SEQUENCE, and the lowest sequence is the head.
//
// Guarantee: each item put is taken by at most one Take, and never
// dropped: an item leaves the queue only by one atomic Multi that deletes
// it at the version read and creates an ephemeral receipt naming the
// taker, so two consumers racing for the head cannot both get it, and a
// consumer that dies (its session expires) before that Multi leaves the
// item in the queue for the others. Items are taken in the order their
// Puts were applied, as far as consumers taking at once allow (each tries
// the head first; a consumer that loses the head to another tries the
// next).
//
// What a session loss does: a Put or Take in flight fails. A Put whose
// reply was lost is looked up by its unique name prefix, so it is not
// applied twice. A Take whose reply was lost is resolved by its receipt
// while the session lives; only if the session ends in that window is the
// outcome unknown, and Take then returns the item in a *TakeUnknownError
// rather than lose it silently. Items are persistent: they survive every
// session.
type Queue struct {
	st  zkstore.Store
	dir string
}

// NewQueue returns the queue at dir, created (with its parents) on first
// use.
func NewQueue(st zkstore.Store, dir string) *Queue { return &Queue{st: st, dir: dir} }

const (
	itemPrefix    = "qn-"
	receiptPrefix = "taken-"
)

func token() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Put appends data to the queue and returns the item's name.
func (q *Queue) Put(ctx context.Context, data []byte) (string, error) {
	if err := ensurePath(ctx, q.st, q.dir); err != nil {
		return "", err
	}
	prefix := itemPrefix + token() + "-"
	p, err := q.st.Create(ctx, zkstore.Join(q.dir, prefix), data, zkstore.CreateOptions{Mode: zkstore.ModePersistentSequential})
	if err == nil {
		return zkstore.Base(p), nil
	}
	if !errors.Is(err, zkstore.ErrConnectionLoss) || ctx.Err() != nil {
		return "", err
	}
	// The outcome is unknown: look for the item by its prefix, which no
	// other Put uses.
	if serr := q.st.Sync(ctx, q.dir); serr != nil {
		return "", errors.Join(err, serr)
	}
	names, _, lerr := q.st.Children(ctx, q.dir)
	if lerr != nil {
		return "", errors.Join(err, lerr)
	}
	for _, n := range names {
		if strings.HasPrefix(n, prefix) {
			return n, nil
		}
	}
	return "", fmt.Errorf("recipe: queue %s: put was not applied: %w", q.dir, err)
}

// items lists the queue's items, head first.
func (q *Queue) items(names []string) []string {
	names = slices.DeleteFunc(names, func(n string) bool {
		_, ok := zkstore.ParseSequence(n)
		return !ok || !strings.HasPrefix(n, itemPrefix)
	})
	slices.SortFunc(names, func(a, b string) int { return int(seq(a)) - int(seq(b)) })
	return names
}

// Len is the number of items in the queue.
func (q *Queue) Len(ctx context.Context) (int, error) {
	names, _, err := q.st.Children(ctx, q.dir)
	if errors.Is(err, zkstore.ErrNoNode) {
		return 0, nil
	}
	return len(q.items(names)), err
}

// Take removes and returns the head of the queue, waiting for an item
// while the queue is empty, until ctx ends or the session does.
func (q *Queue) Take(ctx context.Context) (Item, error) {
	t, err := q.take(ctx, false)
	return t.item, err
}

// taken is an item taken, with the receipt of its taking while kept.
type taken struct {
	item    Item
	receipt string // "" once dropped
	mine    []byte // the receipt's data
}

// take is Take; keep leaves the item's receipt in place (see Consume).
func (q *Queue) take(ctx context.Context, keep bool) (taken, error) {
	for {
		t, ok, ch, err := q.poll(ctx, true, keep)
		if err != nil || ok {
			return t, err
		}
		select {
		case ev := <-ch:
			if ev.Type == zkstore.EventNotWatching {
				return taken{}, ev.Err
			}
		case <-ctx.Done():
			return taken{}, ctx.Err()
		}
	}
}

// TryTake is Take without the wait: ok is false when the queue is empty.
func (q *Queue) TryTake(ctx context.Context) (item Item, ok bool, err error) {
	t, ok, _, err := q.poll(ctx, false, false)
	return t.item, ok, err
}

// poll takes the first item it can; when there is none and watch is set,
// ch fires on the next change of the queue's children.
func (q *Queue) poll(ctx context.Context, watch, keep bool) (taken, bool, <-chan zkstore.Event, error) {
	var (
		names []string
		ch    <-chan zkstore.Event
		err   error
	)
	for range 2 {
		if watch {
			names, _, ch, err = q.st.ChildrenW(ctx, q.dir)
		} else {
			names, _, err = q.st.Children(ctx, q.dir)
		}
		if !errors.Is(err, zkstore.ErrNoNode) {
			break
		}
		if err = ensurePath(ctx, q.st, q.dir); err != nil {
			break
		}
	}
	if err != nil {
		return taken{}, false, nil, err
	}
	for _, name := range q.items(names) {
		t, ok, err := q.takeItem(ctx, name, keep)
		if err != nil || ok {
			return t, ok, nil, err
		}
	}
	if ch != nil && len(q.items(names)) > 0 {
		// Every item listed was taken by others; list again at once
		// rather than wait for a change that may have happened already.
		c := make(chan zkstore.Event, 1)
		c <- zkstore.Event{Type: zkstore.EventNodeChildrenChanged, Path: q.dir}
		ch = c
	}
	return taken{}, false, ch, nil
}

// takeItem tries to take the item name: ok is false if another consumer
// took it first. keep leaves the receipt in place (see Consume).
func (q *Queue) takeItem(ctx context.Context, name string, keep bool) (taken, bool, error) {
	path := zkstore.Join(q.dir, name)
	data, stat, err := q.st.Get(ctx, path)
	if errors.Is(err, zkstore.ErrNoNode) {
		return taken{}, false, nil
	}
	if err != nil {
		return taken{}, false, err
	}
	item := Item{Name: name, Data: data}
	receipt := zkstore.Join(q.dir, receiptPrefix+name)
	mine := []byte(token())
	_, err = q.st.Multi(ctx,
		&zkstore.DeleteOp{Path: path, Version: stat.Version},
		&zkstore.CreateOp{Path: receipt, Data: mine, Mode: zkstore.ModeEphemeral},
	)
	done := func() (taken, bool, error) {
		if !keep {
			q.dropReceipt(ctx, receipt)
			receipt = ""
		}
		return taken{item, receipt, mine}, true, nil
	}
	switch {
	case err == nil:
		return done()
	case errors.Is(err, zkstore.ErrNoNode) || errors.Is(err, zkstore.ErrBadVersion) || errors.Is(err, zkstore.ErrNodeExists):
		return taken{}, false, nil // another consumer was first
	case !errors.Is(err, zkstore.ErrConnectionLoss):
		return taken{}, false, err
	}
	// The reply was lost. The receipt says whether the Multi was applied,
	// as long as our session (which owns it) lives. Even when ctx has
	// ended (which may be why the reply was lost) the answer is worth a
	// while.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), resolveTimeout)
	defer cancel()
	took, rerr := q.resolve(rctx, receipt, mine)
	switch {
	case rerr != nil:
		return taken{}, false, &TakeUnknownError{Item: item, Err: errors.Join(err, rerr)}
	case took:
		return done()
	}
	return taken{}, false, nil // not applied; the item is still there or another's
}

// resolve learns whether our Multi created receipt with data mine. It
// retries its reads (which change nothing) while the session lives.
func (q *Queue) resolve(ctx context.Context, receipt string, mine []byte) (bool, error) {
	b := newBackoff()
	for {
		err := q.st.Sync(ctx, q.dir)
		if err == nil {
			var data []byte
			data, _, err = q.st.Get(ctx, receipt)
			switch {
			case err == nil:
				return string(data) == string(mine), nil
			case errors.Is(err, zkstore.ErrNoNode):
				return false, nil
			}
		}
		if !errors.Is(err, zkstore.ErrConnectionLoss) || !b.wait(ctx) {
			return false, err
		}
	}
}

// resolveTimeout bounds how long a Take whose reply was lost keeps asking
// whether it was applied.
const resolveTimeout = 30 * time.Second

// dropReceipt deletes a receipt of ours. It is ephemeral: if this fails,
// the session's end removes it.
func (q *Queue) dropReceipt(ctx context.Context, receipt string) {
	q.st.Delete(context.WithoutCancel(ctx), receipt, zkstore.AnyVersion)
}
