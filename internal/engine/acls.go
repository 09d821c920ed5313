package engine

import (
	"errors"
	"fmt"
	"strings"

	"github.com/zksql/zksql/internal/eval"
	"github.com/zksql/zksql/parser"
	"github.com/zksql/zksql/zkstore"
)

// aclRow is one row of the acls table: one entry of a znode's ACL.
type aclRow struct {
	path     string
	acl      zkstore.ACL
	aversion int32
	all      []zkstore.ACL // the znode's whole ACL
	index    int           // of acl in all
}

func (r aclRow) Value(col string) (any, error) {
	switch col {
	case "path":
		return r.path, nil
	case "scheme":
		return r.acl.Scheme, nil
	case "id":
		return r.acl.ID, nil
	case "perms":
		return zkstore.PermString(r.acl.Perms), nil
	}
	return nil, zerrorf("unknown column %s in table acls", col)
}

// aclSource expands each znode src yields into its ACL entries, read
// with GetACL. A znode that vanished is skipped; any other error (such as
// ErrNoAuth: reading an ACL needs READ or ADMIN) stops the scan.
func aclSource(e *env, src rowSource) func() (eval.Row, error) {
	var pending []aclRow
	return func() (eval.Row, error) {
		for len(pending) == 0 {
			z, err := src.next()
			if z == nil || err != nil {
				return nil, err
			}
			acl, st, err := e.st.GetACL(e.ctx, z.path)
			if err != nil {
				if isGone(err) {
					continue
				}
				return nil, zerrorf("reading the ACL of %s: %w", z.path, err)
			}
			for i, a := range acl {
				pending = append(pending, aclRow{path: z.path, acl: a, aversion: st.Aversion, all: acl, index: i})
			}
		}
		r := pending[0]
		pending = pending[1:]
		return r, nil
	}
}

// ACL writes. Each changed znode gets one SetACL carrying the aversion
// read with its ACL, so a concurrent ACL change fails the statement with
// ErrConflict (and zkstore.ErrBadVersion). ZooKeeper's multi has no
// setACL, so a statement changing the ACLs of several znodes applies them
// one znode at a time, and ACL writes are refused inside transactions.

func (e *env) noACLTx() error {
	if e.tx != nil {
		return zerrorf("the acls table cannot be written inside a transaction: ZooKeeper's multi has no setACL")
	}
	return nil
}

// toPerms reads a perms value: cdrwa letters, or the bit mask.
func toPerms(v any) (int32, error) {
	switch v := v.(type) {
	case int64:
		if v < 0 || v > int64(zkstore.PermAll) {
			return 0, fmt.Errorf("%w: perms %d out of range 0-31", zkstore.ErrInvalidACL, v)
		}
		return int32(v), nil
	case string, []byte:
		s, _ := toText("perms", v)
		p, ok := zkstore.ParsePerms(strings.ToLower(s))
		if !ok {
			return 0, fmt.Errorf("%w: perms %q: use the letters c, d, r, w, a", zkstore.ErrInvalidACL, truncate(s, 20))
		}
		return p, nil
	}
	return 0, fmt.Errorf("%w: perms cannot be %T", zkstore.ErrInvalidACL, v)
}

// aclValue evaluates one acls column value into the entry.
func aclSet(a *zkstore.ACL, col string, v any) error {
	switch col {
	case "perms":
		p, err := toPerms(v)
		if err != nil {
			return err
		}
		a.Perms = p
	case "scheme", "id":
		s, err := toText(col, v)
		if err != nil {
			return err
		}
		if col == "scheme" {
			a.Scheme = s
		} else {
			a.ID = s
		}
	}
	return nil
}

func findACL(acl []zkstore.ACL, scheme, id string) int {
	for i, a := range acl {
		if a.Scheme == scheme && a.ID == id {
			return i
		}
	}
	return -1
}

// setACL writes one znode's new ACL under the aversion read.
func (e *env) setACL(path string, acl []zkstore.ACL, aversion int32) error {
	if _, err := e.st.SetACL(e.ctx, path, acl, aversion); err != nil {
		if errors.Is(err, zkstore.ErrBadVersion) {
			return &conflictError{kind: ErrConflict, err: err}
		}
		return requestHint(err, e.cfg)
	}
	return nil
}

type aclInsertRow struct {
	aclRow
	ins map[string]any
}

func (r aclInsertRow) Inserted(col string) (any, error) { return r.ins[col], nil }

// insertACL adds entries: INSERT INTO acls (path, scheme, id, perms).
// An entry for a scheme and id already there is a duplicate key error
// (zkstore.ErrNodeExists) unless ON DUPLICATE KEY UPDATE says what to do.
func (e *env) insertACL(s *parser.Insert) (result, error) {
	if err := e.noACLTx(); err != nil {
		return result{}, err
	}
	type entry struct {
		acl  zkstore.ACL
		vals map[string]any
	}
	var paths []string
	byPath := map[string][]entry{}
	for _, row := range s.Rows {
		en := entry{vals: map[string]any{}}
		var path string
		for j, col := range s.Columns {
			v, err := eval.Eval(row[j], nil, e.args)
			if err != nil {
				return result{}, err
			}
			en.vals[col] = v
			if col == "path" {
				if path, err = toText(col, v); err != nil {
					return result{}, err
				}
				continue
			}
			if err := aclSet(&en.acl, col, v); err != nil {
				return result{}, err
			}
		}
		if err := zkstore.ValidatePath(path, false); err != nil {
			return result{}, err
		}
		if err := e.checkSystemWrite(path); err != nil {
			return result{}, err
		}
		if _, ok := byPath[path]; !ok {
			paths = append(paths, path)
		}
		byPath[path] = append(byPath[path], en)
	}
	var res result
	for _, path := range paths {
		acl, st, err := e.st.GetACL(e.ctx, path)
		if err != nil {
			return res, err
		}
		acl = append([]zkstore.ACL(nil), acl...)
		changed := int64(0)
		for _, en := range byPath[path] {
			i := findACL(acl, en.acl.Scheme, en.acl.ID)
			if i < 0 {
				acl = append(acl, en.acl)
				changed++
				continue
			}
			if s.Ignore {
				continue // INSERT IGNORE: the entry is there already
			}
			if s.OnDuplicate == nil {
				return res, fmt.Errorf("%w: the ACL of %s already has an entry for %s:%s", zkstore.ErrNodeExists, path, en.acl.Scheme, en.acl.ID)
			}
			row := aclInsertRow{aclRow{path: path, acl: acl[i], aversion: st.Aversion, all: acl, index: i}, en.vals}
			next := acl[i]
			for _, a := range s.OnDuplicate {
				v, err := eval.Eval(a.Value, row, e.args)
				if err != nil {
					return res, err
				}
				if err := aclSet(&next, a.Column, v); err != nil {
					return res, err
				}
			}
			if next != acl[i] {
				acl[i] = next
				changed++
			}
		}
		if changed == 0 {
			continue
		}
		if err := e.setACL(path, acl, st.Aversion); err != nil {
			return res, err
		}
		res.affected += changed
	}
	return res, nil
}

// matchACL collects the matched entries of each znode, in scan order.
func (e *env) matchACL(where parser.Expr, exprs ...parser.Expr) ([]string, map[string][]aclRow, error) {
	src, err := e.scan(parser.TableACLs, where, exprs...)
	if err != nil {
		return nil, nil, err
	}
	var paths []string
	by := map[string][]aclRow{}
	for {
		r, err := src()
		if err != nil {
			return nil, nil, err
		}
		if r == nil {
			return paths, by, nil
		}
		a := r.(aclRow)
		if _, ok := by[a.path]; !ok {
			paths = append(paths, a.path)
		}
		by[a.path] = append(by[a.path], a)
	}
}

// deleteACL removes the matched entries. Removing every entry of a znode
// is refused by ZooKeeper (zkstore.ErrInvalidACL).
func (e *env) deleteACL(s *parser.Delete) (result, error) {
	return e.rewriteACLs(s.Where, func(rows []aclRow) ([]zkstore.ACL, int64, error) {
		drop := map[int]bool{}
		for _, r := range rows {
			drop[r.index] = true
		}
		var acl []zkstore.ACL
		for i, a := range rows[0].all {
			if !drop[i] {
				acl = append(acl, a)
			}
		}
		if acl == nil {
			acl = []zkstore.ACL{}
		}
		return acl, int64(len(rows)), nil
	})
}

// updateACL changes the matched entries: UPDATE acls SET perms = ...
func (e *env) updateACL(s *parser.Update) (result, error) {
	return e.rewriteACLs(s.Where, func(rows []aclRow) ([]zkstore.ACL, int64, error) {
		acl := append([]zkstore.ACL(nil), rows[0].all...)
		changed := int64(0)
		for _, r := range rows {
			next := acl[r.index]
			for _, a := range s.Set {
				v, err := eval.Eval(a.Value, r, e.args)
				if err != nil {
					return nil, 0, err
				}
				if err := aclSet(&next, a.Column, v); err != nil {
					return nil, 0, err
				}
			}
			if next != acl[r.index] {
				acl[r.index] = next
				changed++
			}
		}
		return acl, changed, nil
	})
}

// rewriteACLs is DELETE and UPDATE on the acls table: for each znode with
// entries matching where, change gets those entries (all from one read of
// the znode's ACL) and returns the znode's new ACL and how many entries it
// changed; when any did, the ACL is set, conditional on that read's
// aversion.
func (e *env) rewriteACLs(where parser.Expr, change func(rows []aclRow) ([]zkstore.ACL, int64, error)) (result, error) {
	if err := e.noACLTx(); err != nil {
		return result{}, err
	}
	paths, by, err := e.matchACL(where)
	if err != nil {
		return result{}, err
	}
	// Every znode is checked before the first is written: the ACLs of
	// several znodes are set one by one.
	for _, p := range paths {
		if err := e.checkSystemWrite(p); err != nil {
			return result{}, err
		}
	}
	var res result
	for _, p := range paths {
		rows := by[p]
		acl, n, err := change(rows)
		if err != nil {
			return res, err
		}
		if n == 0 {
			continue
		}
		if err := e.setACL(p, acl, rows[0].aversion); err != nil {
			return res, err
		}
		res.affected += n
	}
	return res, nil
}
