package engine

import (
	"context"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"

	"database/sql/driver"

	"github.com/zksql/zksql/zkstore"
)

// UnreadableError ends the rows of a SELECT run with skip_unreadable=true
// that left out znodes the session may not read (ZooKeeper answered
// ErrNoAuth for their data, children or ACL). The rows before it are every
// row the session could read; a znode in Paths is missing from them, and
// so is its subtree when its children could not be listed. It matches
// zkstore.ErrNoAuth.
type UnreadableError struct {
	// Paths are the znodes not read, sorted; at most maxUnreadablePaths.
	Paths []string
	// Total counts every znode not read, including those beyond Paths.
	Total int
}

// maxUnreadablePaths bounds UnreadableError.Paths.
const maxUnreadablePaths = 100

func (e *UnreadableError) Error() string {
	var b strings.Builder
	b.WriteString("zksql: not authorized to read ")
	b.WriteString(strconv.Itoa(e.Total))
	b.WriteString(" znode(s), left out of the result (skip_unreadable=true): ")
	const shown = 5
	for i, p := range e.Paths {
		if i == shown {
			b.WriteString(", …")
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(truncate(p, 200))
	}
	return b.String()
}

func (e *UnreadableError) Unwrap() error { return zkstore.ErrNoAuth }

// unreadableSet collects the znodes a statement could not read. Reads may
// run concurrently (the walk prefetches).
type unreadableSet struct {
	mu    sync.Mutex
	paths []string
	total int
}

func (s *unreadableSet) add(path string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.total++
	if len(s.paths) < maxUnreadablePaths {
		s.paths = append(s.paths, path)
	}
}

// err returns the UnreadableError, or nil if every znode was read.
func (s *unreadableSet) err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.total == 0 {
		return nil
	}
	p := slices.Clone(s.paths)
	slices.SortFunc(p, comparePaths)
	return &UnreadableError{Paths: slices.Compact(p), Total: s.total}
}

// skipUnreadableStore is the session as a skip_unreadable SELECT sees it:
// a read refused with ErrNoAuth is recorded and reported as ErrNoNode, so
// the scan leaves the znode (and a subtree it could not list) out, as it
// does a znode deleted while it walks. Exists needs no permission and
// passes through.
type skipUnreadableStore struct {
	zkstore.Store
	set *unreadableSet
}

func (s skipUnreadableStore) skip(op, path string, err error) error {
	if errors.Is(err, zkstore.ErrNoAuth) {
		s.set.add(path)
		return zkstore.WrapPath(op, path, zkstore.ErrNoNode)
	}
	return err
}

func (s skipUnreadableStore) Get(ctx context.Context, path string) ([]byte, zkstore.Stat, error) {
	d, st, err := s.Store.Get(ctx, path)
	return d, st, s.skip("get", path, err)
}

func (s skipUnreadableStore) Children(ctx context.Context, path string) ([]string, zkstore.Stat, error) {
	n, st, err := s.Store.Children(ctx, path)
	return n, st, s.skip("children", path, err)
}

func (s skipUnreadableStore) GetACL(ctx context.Context, path string) ([]zkstore.ACL, zkstore.Stat, error) {
	a, st, err := s.Store.GetACL(ctx, path)
	return a, st, s.skip("getACL", path, err)
}

// skipUnreadable makes a SELECT's reads skip unreadable znodes; see
// reportUnreadable. Transactions never skip: Commit checks what they read.
func (e *env) skipUnreadable() *unreadableSet {
	if !e.cfg.SkipUnreadable || e.tx != nil {
		return nil
	}
	set := &unreadableSet{}
	e.st = skipUnreadableStore{Store: e.st, set: set}
	return set
}

// reportUnreadable makes r end with the UnreadableError, after its last
// row, if set recorded any znode.
func (e *env) reportUnreadable(r *rows, set *unreadableSet) {
	if set == nil || r == nil || r.next == nil {
		return
	}
	next := r.next
	r.next = func(dest []driver.Value) error {
		err := next(dest)
		if err == io.EOF {
			if uerr := set.err(); uerr != nil {
				return e.wrap(uerr)
			}
		}
		return err
	}
}
