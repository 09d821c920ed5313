package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/dolthub/go-mysql-server/sql"

	"github.com/zksql/zksql/zkstore"
)

// aclEditor turns one statement's INSERTs, UPDATEs and DELETEs of acls
// rows into one setACL of one znode when the statement completes: the
// znode's ACL is read, the statement's changes applied to it, and the
// result written with the aversion it was read with. ZooKeeper's multi
// cannot carry setACL, so a statement that changes the ACLs of several
// znodes is refused (nothing is written) rather than applied in part.
//
// UPDATE and DELETE rows carry the aversion they were read with: if the
// ACL changed since, the statement fails and nothing is written; the
// gateway never retries.
type aclEditor struct {
	t        *table
	path     string
	aversion *int32 // of the rows updated or deleted
	adds     []zkstore.ACL
	removes  []zkstore.ACL
	updates  [][2]zkstore.ACL // old, new: replaced in place
}

func (e *aclEditor) StatementBegin(*sql.Context) { *e = aclEditor{t: e.t} }

func (e *aclEditor) DiscardChanges(*sql.Context, error) error {
	*e = aclEditor{t: e.t}
	return nil
}

func (e *aclEditor) Close(*sql.Context) error { return nil }

// entry is the ACL entry an acls row holds, after checking the row names
// the statement's one znode.
func (e *aclEditor) entry(r sql.Row) (zkstore.ACL, error) {
	path, ok := r[aclPath].(string)
	if !ok {
		return zkstore.ACL{}, errors.New("zkgw: an acls row needs a path")
	}
	if err := zkstore.ValidatePath(path, false); err != nil {
		return zkstore.ACL{}, err
	}
	if e.path == "" {
		e.path = path
	} else if e.path != path {
		return zkstore.ACL{}, errors.New("zkgw: one statement can change the ACL of one znode only (ZooKeeper cannot set several ACLs atomically)")
	}
	scheme, _ := r[aclScheme].(string)
	id, idOK := r[aclID].(string)
	permStr, _ := r[aclPerms].(string)
	if scheme == "" || !idOK {
		return zkstore.ACL{}, errors.New("zkgw: an ACL entry needs a scheme and an id")
	}
	perms, ok := zkstore.ParsePerms(permStr)
	if !ok || perms == 0 {
		return zkstore.ACL{}, fmt.Errorf("zkgw: perms %q: want one or more of the letters cdrwa", permStr)
	}
	return zkstore.ACL{Perms: perms, Scheme: scheme, ID: id}, nil
}

// readWith records the aversion an updated or deleted row was read with.
func (e *aclEditor) readWith(r sql.Row) error {
	v, ok := r[aclAversion].(int32)
	if !ok {
		return errors.New("zkgw: an acls row was read without its aversion")
	}
	if e.aversion != nil && *e.aversion != v {
		return fmt.Errorf("zkgw: the ACL of %s changed while it was read, nothing was applied: %w", e.path, zkstore.ErrBadVersion)
	}
	e.aversion = &v
	return nil
}

func (e *aclEditor) Insert(_ *sql.Context, r sql.Row) error {
	if !e.t.gw.cfg.Writable {
		return errReadOnly
	}
	a, err := e.entry(r)
	if err != nil {
		return err
	}
	if r[aclAversion] != nil { // an INSERT that names the aversion it expects
		if err := e.readWith(r); err != nil {
			return err
		}
	}
	e.adds = append(e.adds, a)
	return nil
}

func (e *aclEditor) Update(_ *sql.Context, old, new sql.Row) error {
	if !e.t.gw.cfg.Writable {
		return errReadOnly
	}
	if fmt.Sprint(old[aclAversion]) != fmt.Sprint(new[aclAversion]) {
		return errors.New("zkgw: aversion cannot be set; it is the ACL version the row was read with")
	}
	if fmt.Sprint(old[aclPath]) != fmt.Sprint(new[aclPath]) {
		return errors.New("zkgw: path cannot be updated; INSERT the entry for the other znode")
	}
	was, err := e.entry(old)
	if err != nil {
		return err
	}
	now, err := e.entry(new)
	if err != nil {
		return err
	}
	if err := e.readWith(old); err != nil {
		return err
	}
	e.updates = append(e.updates, [2]zkstore.ACL{was, now})
	return nil
}

func (e *aclEditor) Delete(_ *sql.Context, r sql.Row) error {
	if !e.t.gw.cfg.Writable {
		return errReadOnly
	}
	a, err := e.entry(r)
	if err != nil {
		return err
	}
	if err := e.readWith(r); err != nil {
		return err
	}
	e.removes = append(e.removes, a)
	return nil
}

// StatementComplete reads the znode's ACL, applies the statement's
// changes and sets the result with the aversion read.
func (e *aclEditor) StatementComplete(ctx *sql.Context) error {
	ed := *e
	*e = aclEditor{t: e.t}
	if ed.path == "" {
		return nil
	}
	qctx, cancel := ed.t.gw.queryContext(ctx)
	defer cancel()
	acl, st, err := ed.t.gw.store.GetACL(qctx, ed.path)
	if err != nil {
		return ed.t.gw.storeErr(qctx, err)
	}
	if ed.aversion != nil && *ed.aversion != st.Aversion {
		return fmt.Errorf("zkgw: the ACL of %s changed since it was read, nothing was applied: %w", ed.path, zkstore.ErrBadVersion)
	}
	next, err := applyACLChanges(acl, ed.removes, ed.updates, ed.adds)
	if err != nil {
		return err
	}
	if _, err := ed.t.gw.store.SetACL(qctx, ed.path, next, st.Aversion); err != nil {
		if errors.Is(err, zkstore.ErrBadVersion) {
			return fmt.Errorf("zkgw: the ACL of %s changed since it was read, nothing was applied: %w", ed.path, err)
		}
		return ed.t.gw.storeErr(qctx, err)
	}
	return nil
}

// applyACLChanges removes, replaces, then adds entries. An entry is its
// scheme and id: a znode's ACL holds each at most once, and an empty ACL
// is refused (ZooKeeper would answer InvalidACL).
func applyACLChanges(acl, removes []zkstore.ACL, updates [][2]zkstore.ACL, adds []zkstore.ACL) ([]zkstore.ACL, error) {
	for _, a := range acl {
		// ZooKeeper hides digest hashes ("user:x") from a session without
		// ADMIN on the znode; writing them back would destroy them.
		if a.Scheme == "digest" && strings.HasSuffix(a.ID, ":x") {
			return nil, errors.New("zkgw: ZooKeeper hid the ACL's digest entries from the gateway (no ADMIN permission); it cannot change this ACL")
		}
	}
	next := append([]zkstore.ACL(nil), acl...)
	for _, u := range updates {
		i := indexACL(next, u[0], true)
		if i < 0 {
			return nil, fmt.Errorf("zkgw: no %s entry with those perms in the ACL, nothing was applied: %w", u[0].Scheme, zkstore.ErrBadVersion)
		}
		if (u[1].Scheme != u[0].Scheme || u[1].ID != u[0].ID) && indexACL(next, u[1], false) >= 0 {
			return nil, fmt.Errorf("zkgw: the ACL already has an entry for this %s id", u[1].Scheme)
		}
		next[i] = u[1]
	}
	for _, r := range removes {
		i := indexACL(next, r, true)
		if i < 0 {
			return nil, fmt.Errorf("zkgw: no %s entry with those perms in the ACL, nothing was applied: %w", r.Scheme, zkstore.ErrBadVersion)
		}
		next = append(next[:i], next[i+1:]...)
	}
	for _, a := range adds {
		if indexACL(next, a, false) >= 0 {
			return nil, fmt.Errorf("zkgw: the ACL already has an entry for this %s id; UPDATE its perms instead", a.Scheme)
		}
		next = append(next, a)
	}
	if len(next) == 0 {
		return nil, errors.New("zkgw: a znode's ACL cannot be empty; UPDATE the last entry instead of deleting it")
	}
	return next, nil
}

// indexACL finds the entry with a's scheme and id (and perms, if exact).
func indexACL(acl []zkstore.ACL, a zkstore.ACL, exact bool) int {
	for i, x := range acl {
		if x.Scheme == a.Scheme && x.ID == a.ID && (!exact || x.Perms == a.Perms) {
			return i
		}
	}
	return -1
}
