package main

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// progressInterval is how often the progress line is redrawn.
const progressInterval = 200 * time.Millisecond

// progress draws, on a terminal, a line saying how many ZooKeeper
// requests a running statement has made, once the statement
// has run for a while; stop erases it. The counts come from the counting
// store under the driver.
type progress struct {
	w     io.Writer
	n     *counters
	start time.Time
	after time.Duration
	base  [2]int64 // counts when the statement began
	done  chan struct{}
	wg    sync.WaitGroup
	shown bool // guarded by wg: only the goroutine writes, stop reads after Wait
}

func startProgress(w io.Writer, n *counters, after time.Duration) *progress {
	p := &progress{
		w: w, n: n, start: time.Now(), after: after,
		base: [2]int64{n.listings.Load(), n.requests.Load()},
		done: make(chan struct{}),
	}
	p.wg.Add(1)
	go p.loop()
	return p
}

func (p *progress) loop() {
	defer p.wg.Done()
	t := time.NewTicker(progressInterval)
	defer t.Stop()
	for {
		select {
		case <-p.done:
			return
		case <-t.C:
			if time.Since(p.start) >= p.after {
				p.draw()
			}
		}
	}
}

// line is the progress text now. It counts requests, not znodes: a walk
// may skip listing a leaf whose Stat says it has no children.
func (p *progress) line() string {
	listings := p.n.listings.Load() - p.base[0]
	reqs := p.n.requests.Load() - p.base[1]
	return fmt.Sprintf("… %d requests (%d reads, %d listings), %s (Ctrl-C cancels)",
		reqs, reqs-listings, listings, time.Since(p.start).Truncate(100*time.Millisecond))
}

func (p *progress) draw() {
	// \r and erase-line redraw in place; the line goes to stderr so it
	// never mixes with results.
	fmt.Fprint(p.w, "\r\x1b[K"+p.line())
	p.shown = true
}

// stop ends the progress line and erases it, before the result is printed.
func (p *progress) stop() {
	close(p.done)
	p.wg.Wait()
	if p.shown {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}
