package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"strings"
	"time"

	"github.com/zksql/zksql/internal/eval"
	"github.com/zksql/zksql/parser"
	"github.com/zksql/zksql/zkstore"
)

// insertRow is one row of INSERT INTO znodes, evaluated and checked.
type insertRow struct {
	path string // as given; for sequential modes the prefix
	data []byte
	mode zkstore.CreateMode
	ttl  time.Duration
	acl  []zkstore.ACL  // the acl column; nil for the default ACL
	vals map[string]any // the values as evaluated, for VALUES(col)
}

// protectPrefix is the prefix Curator's protected mode gives sequential
// znodes: "_c_" + a random id + "-".
const protectPrefix = "_c_"

func (e *env) insertRows(s *parser.Insert) ([]insertRow, error) {
	out := make([]insertRow, 0, len(s.Rows))
	for i, row := range s.Rows {
		r := insertRow{mode: zkstore.ModePersistent, vals: map[string]any{}}
		var ttl int64
		hasTTL := false
		for j, col := range s.Columns {
			v, err := eval.Eval(row[j], nil, e.args)
			if err != nil {
				return nil, err
			}
			r.vals[col] = v
			switch col {
			case "path":
				if r.path, err = toText(col, v); err != nil {
					return nil, err
				}
			case "data":
				if r.data, err = toBytes(v); err != nil {
					return nil, err
				}
			case "mode":
				if v == nil {
					continue
				}
				m, err := toText(col, v)
				if err != nil {
					return nil, err
				}
				if r.mode, err = zkstore.ParseCreateMode(strings.ToLower(m)); err != nil {
					return nil, fmt.Errorf("row %d: %w; modes are persistent, ephemeral, persistent_sequential, ephemeral_sequential, container, persistent_ttl, persistent_sequential_ttl", i+1, err)
				}
			case "ttl":
				if ttl, hasTTL, err = toInt(col, v); err != nil {
					return nil, err
				}
			case "acl":
				if r.acl, err = aclColumn(i+1, v); err != nil {
					return nil, err
				}
			}
		}
		if r.data == nil {
			r.data = []byte{}
		}
		switch {
		case r.mode.IsTTL() && (!hasTTL || ttl <= 0):
			return nil, fmt.Errorf("%w: row %d: mode %s needs a positive ttl in milliseconds", zkstore.ErrBadArguments, i+1, r.mode)
		case r.mode.IsTTL() && time.Duration(ttl)*time.Millisecond > zkstore.MaxTTL:
			return nil, fmt.Errorf("%w: row %d: ttl %d ms exceeds the maximum %d ms", zkstore.ErrBadArguments, i+1, ttl, zkstore.MaxTTL.Milliseconds())
		case !r.mode.IsTTL() && hasTTL && ttl != 0:
			return nil, fmt.Errorf("%w: row %d: ttl is only for modes persistent_ttl and persistent_sequential_ttl, not %s", zkstore.ErrBadArguments, i+1, r.mode)
		}
		if r.mode.IsTTL() {
			r.ttl = time.Duration(ttl) * time.Millisecond
		}
		if err := zkstore.ValidatePath(r.path, r.mode.IsSequential()); err != nil {
			return nil, fmt.Errorf("row %d: %w", i+1, err)
		}
		if r.path == "/" {
			return nil, fmt.Errorf("%w: row %d: / always exists", zkstore.ErrNodeExists, i+1)
		}
		if err := e.checkData(r.path, r.data); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// checkData enforces max_data before anything is sent.
func (e *env) checkData(path string, data []byte) error {
	if len(data) > e.cfg.MaxData {
		return fmt.Errorf("%w: %d bytes for %s, but max_data is %d (raise it with the DSN option max_data=N)", zkstore.ErrDataTooLarge, len(data), path, e.cfg.MaxData)
	}
	return nil
}

// createOp makes the CreateOp for a row, with Curator's protection
// prefix on sequential names when protect_sequential is on.
func (e *env) createOp(r insertRow, wp *writePlan) *zkstore.CreateOp {
	path := r.path
	if r.mode.IsSequential() && e.cfg.ProtectSequential {
		var id [16]byte
		rand.Read(id[:])
		prefix := protectPrefix + hex.EncodeToString(id[:]) + "-"
		parent, base := zkstore.Parent(path+"x"), zkstore.Base(path+"x")
		base = base[:len(base)-1]
		path = zkstore.Join(parent, prefix+base)
		wp.protected = append(wp.protected, protected{op: len(wp.ops), parent: parent, prefix: prefix})
	}
	return &zkstore.CreateOp{Path: path, Data: r.data, Mode: r.mode, TTL: r.ttl, ACL: e.aclFor(r.acl)}
}

// aclFor is the ACL a create sends: the row's own, else default_acl,
// else nil (world:anyone:cdrwa). It goes in the create request itself,
// so the znode never exists with another ACL.
func (e *env) aclFor(own []zkstore.ACL) []zkstore.ACL {
	if own != nil {
		return own
	}
	return e.cfg.DefaultACL
}

// parents adds CreateOps for the missing ancestors of path (create_parents).
func (e *env) parents(path string, wp *writePlan) error {
	var missing []string
	for p := zkstore.Parent(path); p != "/" && p != ""; p = zkstore.Parent(p) {
		if wp.planned[p] {
			break
		}
		exists, err := e.exists(p)
		if err != nil {
			return err
		}
		if exists {
			break
		}
		missing = append(missing, p)
	}
	for i := len(missing) - 1; i >= 0; i-- {
		wp.planned[missing[i]] = true
		wp.add(&zkstore.CreateOp{Path: missing[i], Data: []byte{}, Mode: zkstore.ModePersistent, ACL: e.aclFor(nil)}, false)
	}
	return nil
}

// exists checks a znode (in a transaction, as it sees it).
func (e *env) exists(p string) (bool, error) {
	_, ok, err := e.st.Exists(e.ctx, p)
	if err != nil {
		return false, err
	}
	return ok, nil
}

func (e *env) insert(s *parser.Insert) (result, error) {
	if s.Table == parser.TableACLs {
		return e.insertACL(s)
	}
	rs, err := e.insertRows(s)
	if err != nil {
		return result{}, err
	}
	if s.OnDuplicate != nil {
		return e.upsert(s, rs)
	}
	if s.Ignore {
		return e.insertIgnore(rs)
	}
	wp := newWritePlan()
	for _, r := range rs {
		if e.cfg.CreateParents {
			if err := e.parents(r.path, wp); err != nil {
				return result{}, err
			}
		}
		wp.add(e.createOp(r, wp), true)
		if !r.mode.IsSequential() {
			wp.planned[r.path] = true
		}
	}
	return e.apply(wp)
}

// upsertRow is the row ON DUPLICATE KEY UPDATE is evaluated against: the
// existing znode, and VALUES(col) from the row being inserted.
type upsertRow struct {
	znodeRow
	ins insertRow
}

func (r upsertRow) Inserted(col string) (any, error) {
	if v, ok := r.ins.vals[col]; ok {
		return v, nil
	}
	switch col {
	case "data":
		return []byte{}, nil
	case "mode":
		return "persistent", nil
	}
	return nil, nil
}

// upsert is INSERT ... ON DUPLICATE KEY UPDATE: for each row, a znode that
// exists gets a SetOp carrying the version just read, one that does not a
// CreateOp, and all of them go in one multi. If another client creates,
// changes or deletes one of the znodes in between, the multi fails whole
// and the statement starts over (outside a transaction), after a short
// random pause, for as long as the statement's context lasts; when the
// context ends first, the last conflict is returned, matching ErrConflict.
func (e *env) upsert(s *parser.Insert, rs []insertRow) (result, error) {
	for attempt := 0; ; attempt++ {
		wp := newWritePlan()
		for _, r := range rs {
			if r.mode.IsSequential() {
				wp.add(e.createOp(r, wp), true)
				continue
			}
			sc := e.scanner(fetchData)
			z, ok, err := sc.fetch(r.path, nil)
			if err != nil && !isGone(err) {
				return result{}, err
			}
			if err != nil || !ok {
				if wp.planned[r.path] {
					return result{}, fmt.Errorf("%w: %s is inserted twice", zkstore.ErrNodeExists, r.path)
				}
				if e.cfg.CreateParents {
					if err := e.parents(r.path, wp); err != nil {
						return result{}, err
					}
				}
				wp.add(e.createOp(r, wp), true)
				wp.planned[r.path] = true
				continue
			}
			row := upsertRow{znodeRow{z}, r}
			data := z.data
			for _, a := range s.OnDuplicate {
				v, err := eval.Eval(a.Value, row, e.args)
				if err != nil {
					return result{}, err
				}
				if a.Column == "data" {
					if data, err = toBytes(v); err != nil {
						return result{}, err
					}
				}
			}
			if err := e.checkData(r.path, data); err != nil {
				return result{}, err
			}
			wp.add(&zkstore.SetOp{Path: r.path, Data: data, Version: z.stat.Version}, true)
		}
		res, err := e.apply(wp)
		if err == nil || e.tx != nil || wp.unknown || !e.otherWriter(wp, err) {
			return res, err
		}
		if !sleepCtx(e.ctx, retryPause(attempt)) {
			return result{}, &conflictError{kind: ErrConflict, err: err}
		}
	}
}

// otherWriter reports whether a failed upsert failed because another
// client wrote in between its read and its write: a znode read as absent
// appeared, or one read as present changed or vanished. A create whose
// parent is missing is that only with create_parents, where the next
// attempt creates the parent; otherwise retrying could not help.
func (e *env) otherWriter(wp *writePlan, err error) bool {
	if wp.failed < 0 || wp.failed >= len(wp.ops) {
		return false
	}
	switch wp.ops[wp.failed].(type) {
	case *zkstore.SetOp:
		return errors.Is(err, zkstore.ErrBadVersion) || errors.Is(err, zkstore.ErrNoNode)
	case *zkstore.CreateOp:
		return errors.Is(err, zkstore.ErrNodeExists) || (e.cfg.CreateParents && errors.Is(err, zkstore.ErrNoNode))
	}
	return false
}

// retryPause is a random pause before retry attempt+1: up to 100 µs
// doubled per attempt, at most 20 ms, so writers that collided spread out.
func retryPause(attempt int) time.Duration {
	limit := 100 * time.Microsecond << min(attempt, 8)
	limit = min(limit, 20*time.Millisecond)
	return time.Duration(mrand.Int64N(int64(limit) + 1))
}

// sleepCtx pauses for d, or less if ctx ends first; it reports whether
// ctx is still live.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return ctx.Err() == nil
	case <-ctx.Done():
		return false
	}
}
