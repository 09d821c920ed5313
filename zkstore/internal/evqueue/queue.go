// Package evqueue is the delivery of a persistent watch: events are put in
// without ever blocking the putter (a store's receive loop or a writer
// holding the tree's lock), and one goroutine hands them to the reader's
// channel in order.
package evqueue

import (
	"context"
	"sync"

	"github.com/zksql/zksql/zkstore"
)

// Queue is one persistent watch's events on their way to its channel.
type Queue struct {
	out  chan zkstore.Event
	wake chan struct{} // buffered 1: something was put
	done chan struct{} // closed when the pump has ended and out is closed

	mu    sync.Mutex
	buf   []zkstore.Event
	ended bool // the last event is in buf; nothing more is taken
}

// New starts a queue whose pump runs until ctx ends (then the channel is
// closed at once, undelivered events dropped) or until the event given to
// End has been delivered (then the channel is closed after it).
func New(ctx context.Context) *Queue {
	q := &Queue{
		out:  make(chan zkstore.Event),
		wake: make(chan struct{}, 1),
		done: make(chan struct{}),
	}
	go q.pump(ctx)
	return q
}

// C is the reader's channel.
func (q *Queue) C() <-chan zkstore.Event { return q.out }

// Done is closed once the channel is closed.
func (q *Queue) Done() <-chan struct{} { return q.done }

// Put adds an event; it never blocks. After End it does nothing.
func (q *Queue) Put(ev zkstore.Event) {
	q.mu.Lock()
	if q.ended {
		q.mu.Unlock()
		return
	}
	q.buf = append(q.buf, ev)
	q.mu.Unlock()
	q.signal()
}

// End adds the last event; the channel closes after it. Later Puts and
// Ends do nothing.
func (q *Queue) End(ev zkstore.Event) {
	q.mu.Lock()
	if q.ended {
		q.mu.Unlock()
		return
	}
	q.buf = append(q.buf, ev)
	q.ended = true
	q.mu.Unlock()
	q.signal()
}

func (q *Queue) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

func (q *Queue) pump(ctx context.Context) {
	defer close(q.done)
	defer close(q.out)
	for {
		q.mu.Lock()
		batch, ended := q.buf, q.ended
		q.buf = nil
		q.mu.Unlock()
		for _, ev := range batch {
			select {
			case q.out <- ev:
			case <-ctx.Done():
				return
			}
		}
		if ended {
			return
		}
		select {
		case <-q.wake:
		case <-ctx.Done():
			return
		}
	}
}
