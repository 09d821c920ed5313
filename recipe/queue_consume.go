package recipe

import (
	"context"
	"errors"
	"fmt"

	"github.com/zksql/zksql/zkstore"
)

// Consume takes items from the head of the queue and sends each on out,
// waiting for items while the queue is empty, until ctx ends or the session
// does; it returns why it stopped (ctx.Err() when ctx ended). It is Take on
// a channel, for a program that wants to select on its next item:
//
//	items := make(chan recipe.Item) // unbuffered
//	go func() { errc <- q.Consume(ctx, items) }()
//	select {
//	case item := <-items: // the item is ours
//	case <-shutdown: // cancel ctx: the item offered goes back
//	}
//
// No item is lost or delivered twice by the hand-over. An item is taken
// (removed from the queue, atomically with an ephemeral receipt, as Take
// does) and then offered on out, which must be unbuffered: a buffer would
// hold items out of the queue that no one may ever read. While it is
// offered, the receipt says the item is in this consumer's hands. If ctx
// ends before a receiver takes it, the item is put back, under its own
// name and so at its old place at the head, in one Multi with the
// receipt's deletion; a lost reply is resolved by the receipt, as a Take's
// is. Only if the session ends first can the item not be put back: then
// Consume returns it in a *TakeUnknownError (it may or may not be back in
// the queue), as Take does when its session ends mid-take, so that the
// program can decide rather than lose it silently.
//
// An item received is the receiver's, as one returned by Take is: if the
// process dies before it is done with it, it is gone from the queue. What a
// session loss does otherwise: while the receiver is away, an item offered
// stays offered (it is out of the queue); a receiver that comes later gets
// it. The next take fails with the session's error, which Consume returns.
func (q *Queue) Consume(ctx context.Context, out chan<- Item) error {
	if cap(out) != 0 {
		return fmt.Errorf("recipe: queue %s: Consume needs an unbuffered channel, not one of capacity %d: "+
			"items in a buffer would be out of the queue with no receiver", q.dir, cap(out))
	}
	for {
		t, err := q.take(ctx, true)
		if err != nil {
			return err
		}
		select {
		case out <- t.item:
			q.dropReceipt(ctx, t.receipt)
		case <-ctx.Done():
			if err := q.putBack(ctx, t); err != nil {
				return &TakeUnknownError{Item: t.item, Err: err}
			}
			return ctx.Err()
		}
	}
}

// putBack returns an item taken but not delivered to the queue, under its
// own name, deleting its receipt in the same Multi. The name is unique
// (its token and sequence are), so the item takes its old place.
func (q *Queue) putBack(ctx context.Context, t taken) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), resolveTimeout)
	defer cancel()
	b := newBackoff()
	for {
		_, err := q.st.Multi(ctx,
			&zkstore.CreateOp{Path: zkstore.Join(q.dir, t.item.Name), Data: t.item.Data},
			&zkstore.DeleteOp{Path: t.receipt, Version: zkstore.AnyVersion},
		)
		if err == nil {
			return nil
		}
		if !errors.Is(err, zkstore.ErrConnectionLoss) {
			return err
		}
		// The reply was lost: our receipt still there (with our data)
		// means the Multi was not applied, and may be tried again; gone
		// means it was (only we delete it while the session lives).
		still, rerr := q.resolve(ctx, t.receipt, t.mine)
		switch {
		case rerr != nil:
			return errors.Join(err, rerr)
		case !still:
			return nil
		}
		if !b.wait(ctx) {
			return errors.Join(err, ctx.Err())
		}
	}
}
