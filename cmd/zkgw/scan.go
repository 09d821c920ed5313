package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"

	"github.com/dolthub/go-mysql-server/sql"

	"github.com/zksql/zksql/zkstore"
)

// ErrMaxScan is returned when one query would visit more znodes than the
// gateway's max_scan allows.
var ErrMaxScan = errors.New("zkgw: query visits too many znodes")

// budgets counts the znodes each session's current query has visited, so
// max_scan bounds a query, not one table scan: a join that re-scans a table
// for every outer row draws on the same budget.
type budgets struct {
	max int
	mu  sync.Mutex
	m   map[uint32]*budget // by session id; an entry is reset when the query id changes
}

type budget struct {
	pid  uint64
	used int
}

func newBudgets(max int) *budgets { return &budgets{max: max, m: make(map[uint32]*budget)} }

// spend charges one visited znode to the query ctx belongs to.
func (b *budgets) spend(ctx *sql.Context) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	id := ctx.Session.ID()
	e := b.m[id]
	if e == nil || e.pid != ctx.Pid() {
		if len(b.m) > 4096 { // sessions that went away; forget them all rather than grow
			clear(b.m)
		}
		e = &budget{pid: ctx.Pid()}
		b.m[id] = e
	}
	e.used++
	if e.used > b.max {
		return fmt.Errorf("%w: more than max_scan=%d; narrow the WHERE clause with path = ..., parent = ... or path LIKE 'prefix%%'", ErrMaxScan, b.max)
	}
	return nil
}

// task is one step of a scan: emit a znode's rows, walk a subtree, or list
// a znode's children.
type task struct {
	path   string
	prefix string // walkPrefixed: the children walked are those whose name starts with it
	kind   taskKind
}

type taskKind int

const (
	emitOne      taskKind = iota // the znode itself
	walkTree                     // the znode and everything below it
	listKids                     // the znode's children, not the znode
	walkPrefixed                 // the subtrees of the znode's children named prefix...
)

// fetchFunc reads the rows one znode contributes; a znode that vanished
// contributes none (zkstore.ErrNoNode is not an error to the scan).
type fetchFunc func(ctx context.Context, path string) ([]sql.Row, error)

// scanIter runs tasks depth-first in path order, one znode at a time, so a
// LIMIT stops it early and memory stays bounded by the tree's fan-out.
type scanIter struct {
	gw      *gateway
	fetch   fetchFunc
	stack   []task
	pending []sql.Row
	seen    map[string]bool // several ranges may reach the same znode
}

func newScanIter(gw *gateway, fetch fetchFunc, tasks []task) *scanIter {
	st := make([]task, len(tasks))
	for i, t := range tasks { // reversed: the stack pops the first task first
		st[len(tasks)-1-i] = t
	}
	return &scanIter{gw: gw, fetch: fetch, stack: st, seen: make(map[string]bool)}
}

func (it *scanIter) Next(ctx *sql.Context) (sql.Row, error) {
	for {
		if len(it.pending) > 0 {
			r := it.pending[0]
			it.pending = it.pending[1:]
			return r, nil
		}
		if len(it.stack) == 0 {
			return nil, io.EOF
		}
		t := it.stack[len(it.stack)-1]
		it.stack = it.stack[:len(it.stack)-1]
		if err := it.step(ctx, t); err != nil {
			return nil, err
		}
	}
}

func (it *scanIter) step(ctx *sql.Context, t task) error {
	qctx, cancel := it.gw.queryContext(ctx)
	defer cancel()
	if t.kind != emitOne {
		kids, _, err := it.gw.store.Children(qctx, t.path)
		if errors.Is(err, zkstore.ErrNoNode) {
			return nil
		}
		if err != nil {
			return it.gw.storeErr(qctx, err)
		}
		sort.Strings(kids)
		next := emitOne
		if t.kind == walkTree || t.kind == walkPrefixed {
			next = walkTree
		}
		for i := len(kids) - 1; i >= 0; i-- {
			if t.kind == walkPrefixed && !strings.HasPrefix(kids[i], t.prefix) {
				continue
			}
			it.stack = append(it.stack, task{path: zkstore.Join(t.path, kids[i]), kind: next})
		}
		if t.kind != walkTree {
			return nil
		}
	}
	if it.seen[t.path] {
		return nil
	}
	it.seen[t.path] = true
	if err := it.gw.budgets.spend(ctx); err != nil {
		return err
	}
	rows, err := it.fetch(qctx, t.path)
	if errors.Is(err, zkstore.ErrNoNode) {
		return nil
	}
	if err != nil {
		return it.gw.storeErr(qctx, err)
	}
	it.pending = rows
	return nil
}

func (it *scanIter) Close(*sql.Context) error { return nil }
