package watch

import (
	"context"
	"errors"
	"time"

	"github.com/zksql/zksql/zkstore"
)

// run runs the stream until ctx ends or the Source has no session to
// give: each turn of its loop asks for a session if it has none, reads
// the whole state if it must, reads again what fired while a read
// failed, and then delivers the next event or waits for whatever comes
// first (a watch, the session, a retry).
func (e *engine) run(ctx context.Context) {
	defer close(e.out)
	defer e.wg.Wait()
	defer close(e.done)
	defer func() { e.dropSession() }()

	if err := zkstore.ValidatePath(e.path, false); err != nil {
		e.flush(ctx, []Event{{Type: Error, Path: e.path, Err: err}})
		return
	}
	l := &loop{e: e, ctx: ctx, stopSess: func() {}, needLoad: true}
	defer l.stop()
	for ctx.Err() == nil {
		if !l.openSession() || !l.loadAll() || !l.readPending() || !l.step() {
			return
		}
	}
}

// loop is the state of a stream's run. Its methods return false when the
// stream ends.
type loop struct {
	e   *engine
	ctx context.Context

	st        zkstore.Store
	sess      <-chan zkstore.SessionEvent
	stopSess  context.CancelFunc
	sctx      context.Context // the session's: ends with it
	connected bool
	needLoad  bool
	loaded    bool
	retry     <-chan time.Time
	timer     *time.Timer
	backoff   time.Duration
	queue     []Event // status events, and the data events read before them
	fresh     bool    // st has not been read from successfully yet
	// pending are the watches whose firing is still to be read: the
	// read failed with a lost connection. The session's watches are
	// intact, so reading these again is all it takes (no resync).
	pending []watchKey
	// saidExpired: the session's expiry is reported (once).
	saidExpired bool
	// burst counts the events delivered in a row without the full
	// select (see maxBurst).
	burst int
	// quietLoad: the load to come re-reads after the persistent
	// watch said events may be missing (a reconnect, a reader too far
	// behind); the session kept its watch, so what it finds is
	// reported as changes, not as a resync.
	quietLoad bool
}

func (l *loop) stop() {
	if l.timer != nil {
		l.timer.Stop()
	}
	l.stopSess()
}

// later arms the retry timer, backing off.
func (l *loop) later() {
	l.backoff = min(max(2*l.backoff, minBackoff), maxBackoff)
	if l.timer == nil {
		l.timer = time.NewTimer(l.backoff)
	} else {
		l.timer.Reset(l.backoff)
	}
	l.retry = l.timer.C
}

// status queues a status event behind every data event pending.
func (l *loop) status(ev Event) {
	e := l.e
	if l.loaded {
		for {
			d, ok := e.k.next()
			if !ok {
				break
			}
			e.k.commit(d)
			l.queue = append(l.queue, e.copyOut(d))
		}
	}
	ev.Path = e.path
	if n := len(l.queue); n > 0 && ev.Type == Error && l.queue[n-1].Type == Error {
		l.queue[n-1] = ev // a slow reader needs only the latest failure
		return
	}
	l.queue = append(l.queue, ev)
}

// ended handles a session that expired or was closed.
func (l *loop) ended(err error) {
	if errors.Is(err, zkstore.ErrSessionExpired) && !l.saidExpired {
		l.status(Event{Type: Expired, Err: err})
		l.saidExpired = true
	}
	l.stopSess()
	l.stopSess, l.sess, l.st = func() {}, nil, nil
	l.e.newGen()
	l.e.dropSession()
	l.needLoad, l.pending, l.quietLoad = true, nil, false
	if l.fresh {
		l.later() // the Source gave a dead session: do not spin
	} else {
		l.retry = nil
	}
}

// failed handles an error of a read (by fired for key, if fired).
func (l *loop) failed(err error, key *watchKey) bool {
	switch {
	case l.ctx.Err() != nil:
		return false
	case sessionGone(err):
		l.ended(err)
	case errors.Is(err, zkstore.ErrInvalidPath):
		l.status(Event{Type: Error, Err: err})
		l.e.flush(l.ctx, l.queue)
		return false
	case errors.Is(err, zkstore.ErrConnectionLoss):
		// Disconnected comes from the session's events; retry quietly.
		// The session lives on with its watches: a failed update is
		// completed by reading its keys again, not by a resync.
		var ra *retryAt
		switch {
		case key == nil:
			l.needLoad = true
		case errors.As(err, &ra):
			l.pending = append(l.pending, ra.keys...)
		default:
			l.pending = append(l.pending, *key)
		}
		l.later()
	default:
		l.status(Event{Type: Error, Err: err})
		l.needLoad, l.quietLoad = true, false
		l.later()
	}
	return true
}

// openSession asks the Source for a session when the stream has none,
// once the events queued (an Expired above all) are delivered: opening
// one may take long.
func (l *loop) openSession() bool {
	if l.st != nil || l.retry != nil || len(l.queue) > 0 {
		return true
	}
	s, err := l.e.src.Store(l.ctx)
	switch {
	case err == nil:
		l.st = s
		var cancel context.CancelFunc
		l.sctx, cancel = context.WithCancel(l.ctx)
		l.stopSess = cancel
		l.sess = s.SessionEvents(l.sctx)
		l.connected, l.fresh, l.saidExpired = true, true, false
		l.e.claim(s)
	case l.ctx.Err() != nil:
		return false
	case sessionGone(err):
		switch {
		case !errors.Is(err, zkstore.ErrSessionExpired):
			l.status(Event{Type: Error, Err: err})
		case !l.saidExpired:
			l.status(Event{Type: Expired, Err: err})
		}
		l.e.flush(l.ctx, l.queue)
		return false
	default:
		l.status(Event{Type: Error, Err: err})
		l.later()
	}
	return true
}

// loadAll reads the whole state afresh when it must (the first time, on
// a new session, after the watches may have been lost), with new
// watches.
func (l *loop) loadAll() bool {
	if l.st == nil || !l.needLoad || l.retry != nil {
		return true
	}
	e := l.e
	e.newGen()
	err := e.watchRecursive(l.sctx, l.st)
	if err == nil {
		err = e.k.load(l.ctx, &reader{st: l.st, e: e})
	}
	if err != nil {
		return l.failed(err, nil)
	}
	l.needLoad, l.backoff, l.fresh, l.pending = false, 0, false, nil
	if !l.loaded {
		l.loaded = true
		if !e.cfg.initial {
			e.k.skipInitial()
		}
	} else if !l.quietLoad {
		e.k.resync()
	}
	l.quietLoad = false
	return true
}

// readPending reads again the znodes whose watches fired while a read
// failed, and those a persistent watch named.
func (l *loop) readPending() bool {
	if l.st == nil || l.needLoad || l.retry != nil || len(l.pending) == 0 {
		return true
	}
	e := l.e
	keys := l.pending
	l.pending = nil
	seen := map[watchKey]bool{}
	r := &reader{st: l.st, e: e}
	if e.recursive {
		r.readAhead(l.ctx, keys)
	}
	for i, k := range keys {
		if seen[k] {
			continue
		}
		seen[k] = true
		if err := e.k.fired(l.ctx, r, k, zkstore.Event{}); err != nil {
			if !l.failed(err, &k) {
				return false
			}
			if l.st != nil && !l.needLoad {
				l.pending = append(l.pending, keys[i+1:]...)
			}
			break
		}
	}
	if len(l.pending) == 0 {
		l.backoff = 0
	}
	return true
}

// step delivers the next event, or handles whatever else comes first.
func (l *loop) step() bool {
	e := l.e
	var (
		ev     Event
		ok     bool
		queued = len(l.queue) > 0
		out    chan<- Event
	)
	if queued {
		ev, ok = l.queue[0], true
	} else if l.loaded {
		ev, ok = e.k.next()
		if ok {
			ev = e.copyOut(ev)
		}
	}
	if ok {
		out = e.out
		if l.burst < maxBurst {
			// A consumer waiting takes the event without the full
			// select, which costs more than the rest of a delivery;
			// every maxBurst events the full one gives the watches
			// and the session their turn.
			select {
			case out <- ev:
				l.burst++
				l.delivered(ev, queued)
				return true
			default:
			}
		}
	}
	l.burst = 0
	select {
	case out <- ev:
		l.delivered(ev, queued)
	case f := <-e.firings:
		return l.watchFired(f)
	case dev, ok := <-e.direct[0].ch:
		return l.watchFired(e.takeDirect(0, dev, ok))
	case dev, ok := <-e.direct[1].ch:
		return l.watchFired(e.takeDirect(1, dev, ok))
	case <-e.fallBack:
		l.fallBack()
	case pev, ok := <-e.pw:
		l.persistentEvents(pev, ok)
	case se, ok := <-l.sess:
		l.sessionEvent(se, ok)
	case <-l.retry:
		l.retry = nil
	case <-l.ctx.Done():
		return false
	}
	return true
}

// maxBurst bounds the events a stream delivers in a row to a waiting
// consumer before it looks at anything else.
const maxBurst = 64

// delivered takes ev, just received by the consumer, off what is to be
// delivered.
func (l *loop) delivered(ev Event, queued bool) {
	if queued {
		l.queue[0] = Event{}
		l.queue = l.queue[1:]
	} else {
		l.e.k.commit(ev)
	}
}

// watchFired reads again what a one-shot watch that fired covers.
func (l *loop) watchFired(f firing) bool {
	e := l.e
	if f.gen != e.gen {
		return true
	}
	delete(e.armed, f.key)
	if f.ev.Type == zkstore.EventNotWatching {
		if sessionGone(f.ev.Err) {
			l.ended(f.ev.Err)
		} else {
			l.needLoad = true // the watch was lost: read everything again
		}
		return true
	}
	if l.needLoad {
		return true
	}
	if err := e.k.fired(l.ctx, &reader{st: l.st, e: e}, f.key, f.ev); err != nil {
		return l.failed(err, &f.key)
	}
	return true
}

// fallBack makes a Tree give up its persistent recursive watch for
// one-shot watches (see samePath) and read its subtree with them.
func (l *loop) fallBack() {
	if !l.e.recursive || l.st == nil {
		return
	}
	l.e.fallToOneShot(l.st)
	l.needLoad, l.pending = true, nil
	if l.loaded {
		l.quietLoad = true // the session kept what it had
	}
}

// persistentEvents takes the events of a Tree's persistent recursive
// watch. Node events carry no data: the znodes they name are read again
// (those waiting too, their reads sent together) by readPending, as
// after a one-shot watch whose read failed.
func (l *loop) persistentEvents(ev zkstore.Event, ok bool) {
	if ok && isNodeEvent(ev.Type) {
		keys, other, closed := l.e.takeBatch([]watchKey{{ev.Path, false}})
		if !l.needLoad {
			l.pending = append(l.pending, keys...)
		}
		if !closed && other.Type == 0 {
			return
		}
		ev, ok = other, !closed
	}
	switch {
	case !ok:
		// Not by the end of the session (pw is then nil): the watch is
		// gone, so set it again and re-read.
		l.e.pw = nil
		l.needLoad = true
	case ev.Type == zkstore.EventWatchResync:
		if !l.needLoad {
			l.needLoad, l.quietLoad = true, true
		}
	case ev.Type == zkstore.EventNotWatching && sessionGone(ev.Err):
		l.ended(ev.Err)
	case ev.Type == zkstore.EventNotWatching:
		l.e.pw = nil
		l.needLoad = true // the watch was lost: read everything again
	}
}

// sessionEvent reports the session's connection state and ends a
// session that expired or was closed.
func (l *loop) sessionEvent(se zkstore.SessionEvent, ok bool) {
	if !ok {
		l.sess = nil
		return
	}
	switch se.State {
	case zkstore.StateDisconnected, zkstore.StateConnecting:
		if l.connected {
			l.connected = false
			l.status(Event{Type: Disconnected, Err: zkstore.ErrConnectionLoss})
		}
	case zkstore.StateConnected:
		if !l.connected {
			l.connected = true
			l.status(Event{Type: Reconnected})
			l.retry = nil // retry a failed read now
		}
	case zkstore.StateExpired:
		err := se.Err // who ended the session, where known
		if err == nil {
			err = zkstore.ErrSessionExpired
		}
		l.ended(err)
	case zkstore.StateClosed:
		l.ended(zkstore.ErrClosed)
	}
}
