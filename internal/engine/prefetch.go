package engine

import (
	"slices"
	"strings"

	"github.com/zksql/zksql/zkstore"
)

// maxPrefetch is how many znodes a subtree walk reads ahead of the rows it
// has produced. go-zookeeper calls are synchronous, but concurrent calls
// are pipelined on the session's one connection, so reading ahead in that
// many goroutines keeps that many requests outstanding: a walk then costs
// about what the server needs to answer, not a round trip per znode.
const maxPrefetch = 64

// maxScouts is how many reads a walk keeps beyond its window to learn the
// shape of the tree ahead: the next sibling of each directory being
// walked, read (and listed) before the window reaches it. Without them a
// pre-order walk drains its pipeline at every directory: the names that
// come after a directory's entry are unknown until its listing is in, and
// that listing is asked for only once the window reaches the directory.
// On the bench's tree (100 directories over 10,000 znodes) scouting took
// about 7% off the fastest scan (BENCHMARKS.md).
const maxScouts = 8

// prefetchWalk is walkSource with reads kept outstanding. It yields the
// same rows in the same order (pre-order, children sorted) and counts
// max_scan the same way, but reads the next znodes of that order while the
// consumer handles the current one. The read-ahead starts small and grows
// with every znode consumed, so a LIMIT that stops the scan early has
// made few reads it did not need; it is bounded by maxPrefetch znodes read
// and not yet consumed, so memory stays bounded too.
//
// It is used outside transactions (which record every read in order) and
// for the znodes table (not the lazy acls walk).
type prefetchWalk struct {
	s      *scanner
	root   string
	prefix string

	head    *walkItem // the rest of the pre-order, as far as known
	results chan walkResult
	flying  int // reads started and not yet received
	ahead   int // reads started and not yet consumed
	scouts  int // of those, started by scout beyond the window
	// scoutGets counts the scouted async reads still at their Get.
	scoutGets int
	done      int // znodes consumed
	err       error
	began     bool

	// async is the store when it can send a read and take the reply
	// later: the reads are then kept outstanding from the walk's own
	// goroutine; otherwise each runs in a goroutine of its own.
	async zkstore.Pipeliner
}

// The walk takes a zkstore.Pipeliner's replies from its own goroutine. A
// profile of the goroutine-per-read walk on two cores showed most of its
// CPU in waking goroutines (futexwakeup, wakep, chansend: about a third);
// with replies taken in walk order from the walk's goroutine only the
// replies it waits for wake it.

// walkItem is one entry of the remaining pre-order: a znode, or a run of
// siblings not yet turned into znode entries (names[i:] of dir), which
// keeps a wide level at the cost of its names only.
type walkItem struct {
	next *walkItem

	path    string
	state   uint8 // itemWaiting, itemFlying, itemDone
	z       *znode
	names   []string // children, once read
	readErr error

	dir string // a run when set
	run []string
	i   int

	pend  zkstore.PendingRead // the read in flight (async)
	stage uint8               // stageGet or stageChildren (async)

	scouted bool // started by scout, beyond the window
}

const (
	stageGet uint8 = iota
	stageChildren
)

const (
	itemWaiting uint8 = iota
	itemFlying
	itemDone
)

type walkResult struct {
	it    *walkItem
	z     *znode
	names []string
	err   error
}

// newWalk returns the walk of root's subtree (only paths starting with
// prefix, if any): read ahead where it can be.
func newWalk(s *scanner, root, prefix string) rowSource {
	if s.tx != nil || s.lazy {
		return &walkSource{s: s, root: root, prefix: prefix}
	}
	w := &prefetchWalk{s: s, root: root, prefix: prefix}
	if a, ok := zkstore.PipelinerOf(s.st); ok {
		w.async = a
	}
	return w
}

func (w *prefetchWalk) descend(p string) bool {
	if w.prefix == "" || p == "/" || strings.HasPrefix(p, w.prefix) {
		return true
	}
	return strings.HasPrefix(w.prefix, p+"/")
}

func (w *prefetchWalk) emit(p string) bool {
	return w.prefix == "" || strings.HasPrefix(p, w.prefix)
}

func (w *prefetchWalk) next() (*znode, error) {
	if w.err != nil {
		return nil, w.err
	}
	if !w.began {
		w.began = true
		if zkstore.ValidatePath(w.root, false) != nil {
			return nil, nil
		}
		w.results = make(chan walkResult, maxPrefetch)
		w.head = &walkItem{path: w.root}
	}
	for {
		// Turn a run at the head into its first znode.
		for w.head != nil && w.head.dir != "" {
			w.expand(nil, w.head)
		}
		w.schedule()
		it := w.head
		if it == nil {
			return nil, nil
		}
		switch it.state {
		case itemFlying:
			if w.async != nil {
				w.advance(it, true)
			} else {
				w.receive()
			}
			continue
		case itemWaiting:
			if w.done < w.s.maxScan {
				// Listed after the reads that follow it were started
				// (they filled the window meanwhile): it is needed now.
				w.start(it)
				continue
			}
			// Past max_scan, which visit reports.
			if err := w.s.visit(); err != nil {
				return nil, w.fail(err)
			}
			return nil, w.fail(zerrorf("internal error: scan stalled at %s", it.path))
		}
		w.head = it.next
		w.ahead--
		if it.scouted {
			w.scouts--
		}
		w.done++
		if err := w.s.visit(); err != nil {
			return nil, w.fail(err)
		}
		if it.readErr != nil {
			if isGone(it.readErr) {
				continue
			}
			return nil, w.fail(zerrorf("scanning %s: %w", it.path, it.readErr))
		}
		if it.z != nil && w.emit(it.path) {
			return it.z, nil
		}
	}
}

// expand turns the next name of the run r (after prev, nil at the head)
// worth descending into a znode entry before r. It reports false when the
// run had none left; r is then spent.
func (w *prefetchWalk) expand(prev, r *walkItem) bool {
	for r.i < len(r.run) {
		p := zkstore.Join(r.dir, r.run[r.i])
		r.i++
		if !w.descend(p) {
			continue
		}
		it := &walkItem{path: p, next: r}
		if r.i >= len(r.run) {
			it.next = r.next // r is spent: drop it
		}
		if prev == nil {
			w.head = it
		} else {
			prev.next = it
		}
		return true
	}
	if prev == nil {
		w.head = r.next
	} else {
		prev.next = r.next
	}
	return false
}

// window is how many reads may be ahead of the consumer: one at first,
// one more per two znodes consumed, up to maxPrefetch. A LIMIT that stops
// early has read at most about half as many znodes again as it needed;
// a long scan reaches the full window after some 126 znodes.
func (w *prefetchWalk) window() int { return min(maxPrefetch, 1+w.done/2) }

// schedule starts reads for the first waiting entries of the pre-order,
// as far as the window allows, then scouts beyond it. Once max_scan znodes
// were consumed it starts none: the next znode fails the statement.
func (w *prefetchWalk) schedule() {
	var prev *walkItem
	it := w.head
	// n counts the window's reads among the entries passed. Once the
	// window is full grown it is counted by position, not by all the reads
	// ahead, so a directory listed late (after the reads of the entries
	// beyond it had started) does not wait until those are consumed: its
	// children come first in the pre-order, so they are read first. The
	// reads ahead then stay under twice the window (plus the scouts).
	// While it grows, all the reads ahead count, so a LIMIT that stops
	// early has read no more than the window.
	full := w.window() == maxPrefetch
	n := 0
	if !full {
		n = w.ahead - w.scouts
	}
	polling := true
	for it != nil && w.done < w.s.maxScan {
		if it.dir != "" {
			if n >= w.window() {
				break
			}
			if !w.expand(prev, it) {
				it = it.next // spent and unlinked; prev stays
				continue
			}
			if prev == nil {
				it = w.head
			} else {
				it = prev.next
			}
		}
		switch it.state {
		case itemWaiting:
			if n >= w.window() {
				break
			}
			w.start(it)
			if !full {
				n++
			}
		case itemFlying:
			if w.async != nil && polling {
				// A Get in: send its Children now. Replies come in the
				// order the requests were sent, so once one is not in,
				// the later ones are rarely in either: stop polling.
				w.advance(it, false)
				polling = it.state != itemFlying || it.stage == stageChildren
			}
		}
		if it.state == itemWaiting {
			break // the window is full
		}
		if full && !it.scouted {
			n++
		}
		prev, it = it, it.next
	}
	// Scout when it may start a read, or has a Get in flight whose
	// Children it should send as soon as it is in.
	if full && w.done < w.s.maxScan && (w.scouts < maxScouts || w.scoutGets > 0) {
		w.scout(prev, it)
	}
}

// scout starts, beyond the window (from it, after prev), the read of the
// first name of each sibling run that has no read ahead of it yet, up to
// maxScouts reads besides the window's; a scouted directory is listed as
// soon as its Get is in. Only once the window is full grown, so a LIMIT
// that stops a scan early reads no more than before.
func (w *prefetchWalk) scout(prev, it *walkItem) {
	// parents holds the directories of the entries passed so far (from
	// the window's last): a run of such a directory is reached by their
	// reads first.
	var buf [8]string // the depth of most trees: no allocation per row
	parents := buf[:0]
	if prev != nil && prev.dir == "" {
		parents = append(parents, zkstore.Parent(prev.path))
	}
	for it != nil {
		if it.dir == "" {
			if it.state == itemFlying && w.async != nil {
				w.advance(it, false) // a scouted Get in: list it now
			}
			if p := zkstore.Parent(it.path); len(parents) == 0 || parents[len(parents)-1] != p {
				parents = append(parents, p)
			}
			prev, it = it, it.next
			continue
		}
		if slices.Contains(parents, it.dir) || w.scouts >= maxScouts {
			prev, it = it, it.next
			continue
		}
		if !w.expand(prev, it) {
			// Spent and unlinked: go on after prev.
			if prev == nil {
				it = w.head
			} else {
				it = prev.next
			}
			continue
		}
		if prev == nil {
			it = w.head
		} else {
			it = prev.next
		}
		it.scouted = true
		w.start(it) // the run's next name, now an entry before the run
		w.scouts++
		parents = append(parents, zkstore.Parent(it.path))
		prev, it = it, it.next
	}
}

// start reads one znode in a goroutine of its own. The result channel
// has room for every read that can be outstanding, so the goroutine never
// blocks and ends with its read, whether or not anyone receives.
func (w *prefetchWalk) start(it *walkItem) {
	it.state = itemFlying
	w.flying++
	w.ahead++
	s, path, emit := w.s, it.path, w.emit(it.path)
	if w.async != nil {
		if emit && s.level == fetchData {
			it.stage, it.pend = stageGet, w.async.GetAsync(s.ctx, path)
			if it.scouted {
				w.scoutGets++
			}
		} else {
			it.stage, it.pend = stageChildren, w.async.ChildrenAsync(s.ctx, path)
		}
		return
	}
	go func() {
		z, names, err := s.read(path, emit)
		w.results <- walkResult{it, z, names, err}
	}()
}

// receive waits for one read and files it under its entry; the children
// it listed come right after it in the pre-order.
func (w *prefetchWalk) receive() {
	r := <-w.results
	w.finish(r.it, r.z, r.names, r.err)
}

// finish files a read's outcome under its entry; the children it listed
// come right after it in the pre-order.
func (w *prefetchWalk) finish(it *walkItem, z *znode, names []string, err error) {
	w.flying--
	it.state, it.z, it.readErr, it.pend = itemDone, z, err, nil
	if err == nil && len(names) > 0 {
		it.next = &walkItem{dir: it.path, run: names, next: it.next}
	}
}

// advance takes an async read's reply, waiting for it if block, and
// sends the Children that a Get's Stat calls for: the same reads as
// scanner.read, in two steps.
func (w *prefetchWalk) advance(it *walkItem, block bool) {
	for it.state == itemFlying {
		if !block && !it.pend.Done() {
			return
		}
		if it.stage == stageGet {
			if it.scouted {
				w.scoutGets--
			}
			data, st, err := it.pend.Get()
			if err != nil {
				w.finish(it, nil, nil, err)
				return
			}
			it.z = &znode{path: it.path, data: data, hasData: true, stat: st, hasStat: true}
			if st.NumChildren == 0 {
				w.finish(it, it.z, nil, nil)
				return
			}
			it.stage, it.pend = stageChildren, w.async.ChildrenAsync(w.s.ctx, it.path)
			continue
		}
		names, st, err := it.pend.Children()
		switch {
		case it.z != nil && (err == nil || isGone(err)):
			w.finish(it, it.z, names, nil) // gone after its Get: the row stays, no children
		case err != nil:
			w.finish(it, nil, nil, err)
		default:
			w.finish(it, &znode{path: it.path, stat: st, hasStat: true}, names, nil)
		}
	}
}

// fail records a terminal error and waits for the reads in flight.
func (w *prefetchWalk) fail(err error) error {
	w.err = err
	w.close()
	return err
}

// close waits for the reads in flight, so no goroutine of the statement
// outlives it. Each ends with its request (at the latest when the
// statement's context ends).
func (w *prefetchWalk) close() {
	if w.async != nil {
		// Nothing runs for an async read: its reply, when it comes, is
		// dropped into its buffered channel.
		w.flying = 0
	}
	for w.flying > 0 {
		<-w.results
		w.flying--
	}
	w.head = nil
	if w.err == nil {
		w.err = errClosedSource
	}
}

var errClosedSource = zerrorf("internal error: scan used after close")

// read fetches what a walk needs of one znode: its row at the scanner's
// level when it is emitted, and its children. With data to read, a Get
// comes first and Children only when the Stat says there are children, so
// a leaf costs one request.
func (s *scanner) read(path string, emit bool) (*znode, []string, error) {
	if emit && s.level == fetchData {
		data, st, err := s.st.Get(s.ctx, path)
		if err != nil {
			return nil, nil, err
		}
		z := &znode{path: path, data: data, hasData: true, stat: st, hasStat: true}
		if st.NumChildren == 0 {
			return z, nil, nil
		}
		names, _, err := s.st.Children(s.ctx, path)
		if err != nil && !isGone(err) {
			return nil, nil, err
		}
		return z, names, nil
	}
	names, st, err := s.st.Children(s.ctx, path)
	if err != nil {
		return nil, nil, err
	}
	return &znode{path: path, stat: st, hasStat: true}, names, nil
}
