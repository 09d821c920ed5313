package main

import (
	"bufio"
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/zksql/zksql/internal/testkit/zkserver"
	"github.com/zksql/zksql/watch"
	"github.com/zksql/zksql/zkstore"
	"github.com/zksql/zksql/zkstore/livestore"
)

// watchTree: watch.Tree over the big subtree (-big znodes, default
// 100,000). Two rows: the watches it costs the server (its own count,
// mntr's zk_watch_count) with the persistent recursive watch against the
// one-shot fallback (a data and a child watch per znode, what every Tree
// cost before); and the time to the initial Synced against the tuned walk.
func watchTree(ctx context.Context, b *bench) ([]result, error) {
	if err := b.buildBig(ctx); err != nil {
		return nil, err
	}
	want := b.bigN + 1 // the root's Created too
	recursive, err := treeWatches(ctx, b, false, want)
	if err != nil {
		return nil, err
	}
	oneShot, err := treeWatches(ctx, b, true, want)
	if err != nil {
		return nil, err
	}
	w := result{Unit: "watches", Driver: float64(recursive), Raw: float64(oneShot), Cmp: "<=", Target: 2, Rounds: 1}
	w.Value = w.Driver
	w.Case = "/server-watches"
	w.Note = fmt.Sprintf("server-side watches (mntr zk_watch_count, before/after) of a synced Tree over %d znodes: persistent recursive %d vs the one-shot fallback %d (data + child watch per znode; the columns keep 4 digits); value is the count", want, recursive, oneShot)

	st, err := livestore.Open(ctx, []string{b.addr})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	xs, err := interleave(b.cfg.scanRounds,
		func() (float64, error) {
			t := time.Now()
			err := syncTree(ctx, st, b.big, want)
			return float64(time.Since(t).Nanoseconds()) / 1e6, err
		},
		func() (float64, error) {
			t := time.Now()
			rows, err := tunedWalk(b.raw, b.big)
			el := time.Since(t)
			if err == nil && len(rows) != b.bigN {
				err = fmt.Errorf("tuned walk read %d znodes, want %d", len(rows), b.bigN)
			}
			return float64(el.Nanoseconds()) / 1e6, err
		})
	if err != nil {
		return nil, err
	}
	s := sided("ms", xs[0], xs[1], "<=", 1.10)
	s.Case = "/initial-sync"
	s.Note = fmt.Sprintf("watch.Tree over %d znodes from its start to its Synced event (every Created read) vs the tuned walk (%d outstanding) of the same subtree", want, window)
	return []result{w, s}, nil
}

// syncTree runs a Tree on st until its initial Synced, checking that it
// reported want znodes.
func syncTree(ctx context.Context, st zkstore.Store, root string, want int) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	n := 0
	for ev := range watch.Tree(ctx, watch.StoreSource(st), root) {
		switch {
		case ev.Err != nil:
			return fmt.Errorf("Tree: %v", ev)
		case ev.Type == watch.Created:
			n++
		case ev.Type == watch.Synced:
			if n != want {
				return fmt.Errorf("Tree reported %d znodes, want %d", n, want)
			}
			return nil
		}
	}
	return fmt.Errorf("Tree ended before Synced: %w", ctx.Err())
}

// oneShotStore hides a store's AddWatch, so a Tree on it falls back to
// one-shot watches.
type oneShotStore struct{ zkstore.Store }

// treeWatches is how many watches the server gains while a Tree, synced
// on a session of its own, follows the big subtree.
func treeWatches(ctx context.Context, b *bench, oneShot bool, want int) (int, error) {
	st, err := livestore.Open(ctx, []string{b.addr})
	if err != nil {
		return 0, err
	}
	defer st.Close()
	before, err := stableWatches(ctx, b.addr)
	if err != nil {
		return 0, err
	}
	var s zkstore.Store = st
	if oneShot {
		s = oneShotStore{st}
	}
	tctx, cancel := context.WithCancel(ctx)
	defer cancel()
	n := 0
	for ev := range watch.Tree(tctx, watch.StoreSource(s), b.big) {
		if ev.Err != nil {
			return 0, fmt.Errorf("Tree: %v", ev)
		}
		if ev.Type == watch.Created {
			n++
		}
		if ev.Type == watch.Synced {
			break
		}
	}
	if n != want {
		return 0, fmt.Errorf("Tree reported %d znodes, want %d", n, want)
	}
	after, err := serverWatches(ctx, b.addr)
	if err != nil {
		return 0, err
	}
	// The server drops the session's watches after it closes, not while
	// the close returns: wait for that, so the next count starts clean.
	cancel()
	st.Close()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if now, err := serverWatches(ctx, b.addr); err != nil || now <= before {
			break
		}
	}
	return after - before, nil
}

// stableWatches is the server's count of watches once it holds still:
// the server drops a closed session's watches after the close returned.
func stableWatches(ctx context.Context, addr string) (int, error) {
	last, err := serverWatches(ctx, addr)
	for same := 0; err == nil && same < 3; {
		time.Sleep(100 * time.Millisecond)
		var now int
		if now, err = serverWatches(ctx, addr); now == last {
			same++
		} else {
			last, same = now, 0
		}
	}
	return last, err
}

// serverWatches is the server's own count of watches: mntr's
// zk_watch_count (mntr must be in 4lw.commands.whitelist).
func serverWatches(ctx context.Context, addr string) (int, error) {
	reply, err := zkserver.FourLetterWord(ctx, addr, "mntr")
	if err != nil {
		return 0, fmt.Errorf("mntr: %w", err)
	}
	sc := bufio.NewScanner(strings.NewReader(reply))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "zk_watch_count"); ok {
			return strconv.Atoi(strings.TrimSpace(v))
		}
	}
	return 0, fmt.Errorf("mntr has no zk_watch_count (is mntr whitelisted?): %q", reply)
}
