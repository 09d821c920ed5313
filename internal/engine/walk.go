package engine

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/zksql/zksql/zkstore"
)

// fetchLevel is how much of each znode a statement needs.
type fetchLevel int

const (
	fetchName fetchLevel = iota // path, name, parent: no request per row
	fetchStat                   // Stat fields: Exists (or the Stat a listing returned)
	fetchData                   // data: Get
)

// znode is one row of the znodes table as far as it was fetched.
type znode struct {
	path    string
	stat    zkstore.Stat
	hasStat bool
	data    []byte
	hasData bool
}

// scanner reads znodes for one statement: it counts the znodes visited
// against max_scan and records reads in the transaction, if any.
type scanner struct {
	ctx     context.Context
	st      zkstore.Store
	level   fetchLevel
	maxScan int
	visited int
	tx      *transaction
	// lazy: point reads need not check that the znode exists; the caller
	// reads each znode itself (the acls table's GetACL).
	lazy bool
	// early is a read sent before the statement was planned (sendEarly).
	early *earlyRead
}

// visit counts one more znode visited.
func (s *scanner) visit() error {
	s.visited++
	if s.visited > s.maxScan {
		return maxScanError(s.maxScan)
	}
	return s.ctx.Err()
}

func maxScanError(n int) error {
	return &scanLimitError{n}
}

type scanLimitError struct{ max int }

func (e *scanLimitError) Error() string {
	return "zksql: statement would visit more than max_scan=" + itoa(e.max) +
		" znodes; narrow the WHERE clause (path = ?, path IN (...), parent = ?, path LIKE '/prefix/%') or raise the limit with the DSN option max_scan=N"
}
func (e *scanLimitError) Unwrap() error { return ErrMaxScan }

// fetch reads path at the scanner's level. known is a Stat already read
// (from a listing); exists says the znode is known to exist. ok is false
// when the znode does not exist (or vanished: deleted concurrently).
func (s *scanner) fetch(path string, known *zkstore.Stat) (z *znode, ok bool, err error) {
	z = &znode{path: path}
	level := s.level
	switch {
	case level == fetchData:
		data, st, err := s.st.Get(s.ctx, path)
		if err != nil {
			return nil, false, readErr(err)
		}
		z.data, z.hasData, z.stat, z.hasStat = data, true, st, true
	case known != nil:
		z.stat, z.hasStat = *known, true
	case level == fetchStat || known == nil:
		st, exists, err := s.st.Exists(s.ctx, path)
		if err != nil {
			return nil, false, readErr(err)
		}
		if !exists {
			return nil, false, nil
		}
		z.stat, z.hasStat = st, true
	}
	return z, true, nil
}

// readErr turns a missing znode into "skip it" (nil, handled by callers
// through errors.Is) and keeps every other error.
func readErr(err error) error { return err }

// isGone reports an error that means the znode does not exist (any more).
func isGone(err error) bool { return errors.Is(err, zkstore.ErrNoNode) }

// rowSource yields znodes one at a time; nil at the end.
type rowSource interface {
	next() (*znode, error)
}

// pointSource reads a fixed set of paths (path = x, path IN (...)).
//
// On a store that can send a read and take its reply later (livestore),
// the reads are sent ahead, up to maxPrefetch at a time: the first as the
// source is made, while the statement is still being planned, so the
// driver's and database/sql's own work overlaps the round trip instead of
// adding to it, and an IN list costs about one round trip, not one per
// path. Only outside transactions (which record their reads in order) and
// when the data is read anyway (Get).
type pointSource struct {
	s     *scanner
	paths []string
	i     int

	async zkstore.Pipeliner
	ahead []zkstore.PendingRead // reads sent for paths[i:], in order
	one   [1]zkstore.PendingRead
}

func newPointSource(s *scanner, paths []string) *pointSource {
	p := &pointSource{s: s, paths: paths} // a single valid path: never modified
	if len(paths) != 1 || zkstore.ValidatePath(paths[0], false) != nil {
		ps := make([]string, 0, len(paths))
		for _, path := range paths {
			if zkstore.ValidatePath(path, false) == nil {
				ps = append(ps, path)
			}
		}
		slices.SortFunc(ps, comparePaths)
		p.paths = slices.Compact(ps)
	}
	if a, ok := zkstore.PipelinerOf(s.st); ok && !s.lazy && s.level == fetchData {
		p.async, p.ahead = a, p.one[:0]
		if len(p.paths) > 0 {
			if early := s.takeEarly(p.paths[0]); early != nil {
				p.ahead = append(p.ahead, early)
			}
		}
		p.sendAhead()
	}
	return p
}

// sendAhead sends reads for the paths after those in flight, up to
// maxPrefetch outstanding and never past max_scan.
func (p *pointSource) sendAhead() {
	for len(p.ahead) < maxPrefetch && p.i+len(p.ahead) < len(p.paths) && p.s.visited+len(p.ahead) < p.s.maxScan {
		p.ahead = append(p.ahead, p.async.GetAsync(p.s.ctx, p.paths[p.i+len(p.ahead)]))
	}
}

func (p *pointSource) next() (*znode, error) {
	for p.i < len(p.paths) {
		path := p.paths[p.i]
		if err := p.s.visit(); err != nil {
			return nil, err
		}
		if p.s.lazy {
			p.i++
			return &znode{path: path}, nil
		}
		var (
			z   *znode
			ok  bool
			err error
		)
		if p.async != nil {
			z, ok, err = p.takeAhead()
		} else {
			p.i++
			z, ok, err = p.s.fetch(path, nil)
		}
		if err != nil {
			if isGone(err) {
				continue
			}
			return nil, err
		}
		if !ok {
			continue
		}
		return z, nil
	}
	return nil, nil
}

// takeAhead waits for the read of paths[i], which sendAhead sent, after
// sending the reads that follow.
func (p *pointSource) takeAhead() (*znode, bool, error) {
	if len(p.ahead) == 0 {
		p.sendAhead()
	}
	pending := p.ahead[0]
	p.ahead = p.ahead[1:]
	path := p.paths[p.i]
	p.i++
	p.sendAhead()
	data, st, err := pending.Get()
	if err != nil {
		return nil, false, err
	}
	return &znode{path: path, data: data, hasData: true, stat: st, hasStat: true}, true, nil
}

// childrenSource lists the children of one znode (parent = x).
type childrenSource struct {
	s      *scanner
	parent string
	names  []string
	listed bool
	i      int
}

func (c *childrenSource) next() (*znode, error) {
	if !c.listed {
		c.listed = true
		if zkstore.ValidatePath(c.parent, false) != nil {
			return nil, nil
		}
		names, err := c.s.list(c.parent)
		if err != nil {
			if isGone(err) {
				return nil, nil
			}
			return nil, err
		}
		c.names = names
	}
	for c.i < len(c.names) {
		path := zkstore.Join(c.parent, c.names[c.i])
		c.i++
		if err := c.s.visit(); err != nil {
			return nil, err
		}
		var z *znode
		var ok bool
		var err error
		if c.s.level == fetchName {
			z, ok = &znode{path: path}, true
		} else {
			z, ok, err = c.s.fetch(path, nil)
		}
		if err != nil {
			if isGone(err) {
				continue
			}
			return nil, err
		}
		if ok {
			return z, nil
		}
	}
	return nil, nil
}

// list returns path's children, sorted (in a transaction, as it sees
// them: its store merges its creates and deletes).
func (s *scanner) list(path string) ([]string, error) {
	names, _, err := s.st.Children(s.ctx, path)
	return names, err
}

// listStat is list that also returns the Stat of path.
func (s *scanner) listStat(path string) ([]string, zkstore.Stat, error) {
	return s.st.Children(s.ctx, path)
}

// walkSource walks a subtree depth-first in pre-order, children in sorted
// order, so rows come out sorted by path component by component. It holds
// one children list per level of the path being visited, never the tree.
// With a prefix it descends only into znodes whose path can lead to one
// starting with the prefix, and yields only those that do.
type walkSource struct {
	s       *scanner
	root    string
	prefix  string
	stack   []walkFrame
	started bool
}

type walkFrame struct {
	dir   string
	names []string
	i     int
}

func (w *walkSource) descend(p string) bool {
	if w.prefix == "" || p == "/" || strings.HasPrefix(p, w.prefix) {
		return true
	}
	return strings.HasPrefix(w.prefix, p+"/")
}

func (w *walkSource) emit(p string) bool {
	return w.prefix == "" || strings.HasPrefix(p, w.prefix)
}

func (w *walkSource) next() (*znode, error) {
	if !w.started {
		w.started = true
		if zkstore.ValidatePath(w.root, false) != nil {
			return nil, nil
		}
		z, err := w.visit(w.root)
		if z != nil || err != nil {
			return z, err
		}
	}
	for len(w.stack) > 0 {
		top := &w.stack[len(w.stack)-1]
		if top.i >= len(top.names) {
			w.stack = w.stack[:len(w.stack)-1]
			continue
		}
		p := zkstore.Join(top.dir, top.names[top.i])
		top.i++
		if !w.descend(p) {
			continue
		}
		z, err := w.visit(p)
		if z != nil || err != nil {
			return z, err
		}
	}
	return nil, nil
}

// visit lists p's children (pushing them) and returns p's row if it is to
// be emitted. A znode that vanished is skipped with its subtree.
func (w *walkSource) visit(p string) (*znode, error) {
	if err := w.s.visit(); err != nil {
		return nil, err
	}
	names, st, err := w.s.listStat(p)
	if err != nil {
		if isGone(err) {
			return nil, nil
		}
		return nil, zerrorf("scanning %s: %w", p, err)
	}
	if len(names) > 0 {
		w.stack = append(w.stack, walkFrame{dir: p, names: names})
	}
	if !w.emit(p) {
		return nil, nil
	}
	if w.s.lazy {
		return &znode{path: p, stat: st, hasStat: true}, nil
	}
	z, ok, err := w.s.fetch(p, &st)
	if err != nil {
		if isGone(err) {
			return nil, nil
		}
		return nil, zerrorf("scanning %s: %w", p, err)
	}
	if !ok {
		return nil, nil
	}
	return z, nil
}

// comparePaths orders paths as the walk yields them: component by
// component, so "/a/b" sorts before "/a-b".
func comparePaths(a, b string) int {
	for {
		if a == b {
			return 0
		}
		ai := strings.IndexByte(a[1:], '/')
		bi := strings.IndexByte(b[1:], '/')
		var ah, bh string
		if ai < 0 {
			ah, a = a[1:], ""
		} else {
			ah, a = a[1:ai+1], a[ai+1:]
		}
		if bi < 0 {
			bh, b = b[1:], ""
		} else {
			bh, b = b[1:bi+1], b[bi+1:]
		}
		if c := strings.Compare(ah, bh); c != 0 {
			return c
		}
		switch {
		case a == "" && b == "":
			return 0
		case a == "":
			return -1
		case b == "":
			return 1
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
