package main

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/go-zookeeper/zk"
)

// window is the number of requests kept outstanding when building and
// removing the data set, and by the tuned hand-written walk.
const window = 64

// payload is every data znode's content: 64 bytes, as a small config
// value would be.
var payload = []byte("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")

// build creates the data set under b.base, level by level, each level with
// window creates outstanding.
func (b *bench) build(ctx context.Context) error {
	b.point = b.base + "/point"
	b.watched = b.base + "/watched"
	b.watchedRaw = b.base + "/watched-raw"
	b.tree = b.base + "/tree"
	b.kids = b.base + "/kids"
	b.big = b.base + "/big"
	levels := [][]string{
		{b.base},
		{b.point, b.watched, b.watchedRaw, b.tree, b.kids, b.big},
	}
	// tree: 10 directories of 9 subdirectories of leaves; 100 + 90*L znodes.
	leaves := max(1, (b.cfg.tree-100)/90)
	var l1, l2, l3 []string
	for i := range 10 {
		d := fmt.Sprintf("%s/d%02d", b.tree, i)
		l1 = append(l1, d)
		for j := range 9 {
			s := fmt.Sprintf("%s/s%d", d, j)
			l2 = append(l2, s)
			for k := range leaves {
				l3 = append(l3, fmt.Sprintf("%s/n%04d", s, k))
			}
		}
	}
	b.treeN = len(l1) + len(l2) + len(l3)
	var kids []string
	for i := range b.cfg.children {
		kids = append(kids, fmt.Sprintf("%s/c%05d", b.kids, i))
	}
	b.kidsN = len(kids)
	levels = append(levels, append(l1, kids...), l2, l3)
	return b.create(ctx, levels)
}

// buildBig creates the big subtree, the first time it is needed: 100,000
// creates leave the server busy (garbage collection, a snapshot) for a
// while, which should not fall on the point cases.
func (b *bench) buildBig(ctx context.Context) error {
	if b.bigN > 0 {
		return nil
	}
	// big: D directories of leaves, D + D*L znodes.
	dirs := max(1, b.cfg.big/1000)
	per := max(1, b.cfg.big/dirs-1)
	var b1, b2 []string
	for i := range dirs {
		d := fmt.Sprintf("%s/d%03d", b.big, i)
		b1 = append(b1, d)
		for k := range per {
			b2 = append(b2, fmt.Sprintf("%s/n%05d", d, k))
		}
	}
	b.bigN = len(b1) + len(b2)
	if err := b.create(ctx, [][]string{b1, b2}); err != nil {
		return err
	}
	return b.warmUp(ctx)
}

// create makes the znodes, level by level, window creates outstanding.
func (b *bench) create(ctx context.Context, levels [][]string) error {
	for _, l := range levels {
		if err := each(ctx, l, func(p string) error {
			_, err := b.raw.Create(p, payload, 0, zk.WorldACL(zk.PermAll))
			return err
		}); err != nil {
			return err
		}
	}
	return nil
}

// cleanup removes the data set, deepest znodes first.
func (b *bench) cleanup(ctx context.Context) error {
	var levels [][]string
	level := []string{b.base}
	for len(level) > 0 {
		levels = append(levels, level)
		var next []string
		var mu sync.Mutex
		if err := each(ctx, level, func(p string) error {
			names, _, err := b.raw.Children(p)
			if errors.Is(err, zk.ErrNoNode) {
				return nil
			}
			mu.Lock()
			for _, n := range names {
				next = append(next, p+"/"+n)
			}
			mu.Unlock()
			return err
		}); err != nil {
			return err
		}
		level = next
	}
	for i := len(levels) - 1; i >= 0; i-- {
		if err := each(ctx, levels[i], func(p string) error {
			err := b.raw.Delete(p, -1)
			if errors.Is(err, zk.ErrNoNode) {
				return nil
			}
			return err
		}); err != nil {
			return err
		}
	}
	return nil
}

// each calls fn for every path with up to window calls at once and
// returns the first error. go-zookeeper pipelines concurrent calls on its
// one connection, so this is how a client keeps requests outstanding.
func each(ctx context.Context, paths []string, fn func(string) error) error {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	sem := make(chan struct{}, window)
	for _, p := range paths {
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := fn(p); err != nil {
				mu.Lock()
				if first == nil {
					first = fmt.Errorf("%s: %w", p, err)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return first
	}
	return ctx.Err()
}
