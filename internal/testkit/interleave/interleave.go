// Package interleave forces the interleavings of another client's writes
// with a ZooKeeper client's own reads and watches, for tests: a Store
// wrapper runs a hook just before and just after every read and watch
// call, so that a test can make another session's change exactly there.
// The interleavings a busy ZooKeeper produces only now and then happen
// every time, at every call the code under test makes.
//
// watch's own interleaving harness (watch/interleave_test.go) predates
// this package and keeps its copy; recipe's uses this one.
package interleave

import (
	"context"
	"fmt"
	"sync"

	"github.com/zksql/zksql/zkstore"
)

// Call is one read or watch call made through a Store.
type Call struct {
	Op   string // Get, GetW, Exists, ExistsW, Children or ChildrenW
	Path string
	Seq  int // its position among the calls of the Store, from 0
}

func (c Call) String() string { return fmt.Sprintf("#%d %s %s", c.Seq, c.Op, c.Path) }

// Hook runs before (after false) and after (after true) a call.
type Hook func(c Call, after bool)

// Store is a zkstore.Store whose read and watch calls run a hook before
// and after them. Writes and everything else pass straight through.
type Store struct {
	zkstore.Store
	mu   sync.Mutex
	hook Hook
	n    int
}

// New wraps st.
func New(st zkstore.Store) *Store { return &Store{Store: st} }

// SetHook sets the hook (nil: none) for the calls that start from now.
func (s *Store) SetHook(h Hook) {
	s.mu.Lock()
	s.hook = h
	s.mu.Unlock()
}

// Calls is the number of read and watch calls made so far.
func (s *Store) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

// around runs the hook before op on path and returns what runs it after.
func (s *Store) around(op, path string) func() {
	s.mu.Lock()
	c := Call{op, path, s.n}
	s.n++
	hook := s.hook
	s.mu.Unlock()
	if hook == nil {
		return func() {}
	}
	hook(c, false)
	return func() { hook(c, true) }
}

func (s *Store) Get(ctx context.Context, p string) ([]byte, zkstore.Stat, error) {
	defer s.around("Get", p)()
	return s.Store.Get(ctx, p)
}

func (s *Store) GetW(ctx context.Context, p string) ([]byte, zkstore.Stat, <-chan zkstore.Event, error) {
	defer s.around("GetW", p)()
	return s.Store.GetW(ctx, p)
}

func (s *Store) Exists(ctx context.Context, p string) (zkstore.Stat, bool, error) {
	defer s.around("Exists", p)()
	return s.Store.Exists(ctx, p)
}

func (s *Store) ExistsW(ctx context.Context, p string) (zkstore.Stat, bool, <-chan zkstore.Event, error) {
	defer s.around("ExistsW", p)()
	return s.Store.ExistsW(ctx, p)
}

func (s *Store) Children(ctx context.Context, p string) ([]string, zkstore.Stat, error) {
	defer s.around("Children", p)()
	return s.Store.Children(ctx, p)
}

func (s *Store) ChildrenW(ctx context.Context, p string) ([]string, zkstore.Stat, <-chan zkstore.Event, error) {
	defer s.around("ChildrenW", p)()
	return s.Store.ChildrenW(ctx, p)
}
