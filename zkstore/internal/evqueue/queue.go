// Package evqueue is the delivery of a persistent watch's events: they are
// put without ever blocking the putter (a store's receive loop, or a
// writer holding the tree's lock) and without a goroutine, into a buffered
// channel; a reader that falls that far behind gets one
// zkstore.EventWatchResync in place of what did not fit.
package evqueue

import (
	"sync"

	"github.com/zksql/zksql/zkstore"
)

// Capacity is how many events wait for a reader before the rest are
// replaced by a resync.
const Capacity = 1024

// Queue is one persistent watch's channel.
//
// Two slots are kept free, one for the resync and one for the final
// event, so a send under mu never blocks: only Put and End send, and the
// reader only takes. While overflowed, events are dropped until the
// reader has taken everything, the resync included (the channel is
// empty): its re-read, which starts after it took the resync, sees every
// change dropped before, and every later change is delivered again.
type Queue struct {
	path string // the watched path, for the resync
	out  chan zkstore.Event

	mu       sync.Mutex
	overflow bool
	ended    bool
}

// New makes the queue of a watch on path.
func New(path string) *Queue {
	return &Queue{path: path, out: make(chan zkstore.Event, Capacity)}
}

// C is the reader's channel.
func (q *Queue) C() <-chan zkstore.Event { return q.out }

// Put delivers an event, or a resync when the reader is too far behind;
// after End or Close it does nothing.
func (q *Queue) Put(ev zkstore.Event) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.ended {
		return
	}
	if q.overflow {
		if len(q.out) > 0 {
			return
		}
		q.overflow = false
	}
	if len(q.out) < cap(q.out)-2 {
		q.out <- ev
		return
	}
	q.out <- zkstore.Event{Type: zkstore.EventWatchResync, Path: q.path}
	q.overflow = true
}

// End delivers the last event and closes the channel; later calls do
// nothing.
func (q *Queue) End(ev zkstore.Event) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.ended {
		return
	}
	q.ended = true
	q.out <- ev
	close(q.out)
}

// Close closes the channel after the events already in it, with no final
// event: the watch was removed by its owner.
func (q *Queue) Close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.ended {
		return
	}
	q.ended = true
	close(q.out)
}
