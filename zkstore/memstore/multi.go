package memstore

import (
	"context"
	"errors"

	"github.com/zksql/zksql/zkstore"
)

// Multi applies ops in one transaction, which takes one zxid whether it
// succeeds or fails; an empty multi takes one too. Each op sees the effects
// of the ops before it (a parent created earlier, sequence numbers already
// taken). Watches fire only once every op has applied, in op order.
//
// An op the client would refuse before sending (bad path, bad mode, data
// too large) fails the multi without a transaction; its results still say
// which op it was. A multi larger than the request limit fails as a whole
// with ErrRequestTooLarge in every result.
func (s *Session) Multi(ctx context.Context, ops ...zkstore.Op) ([]zkstore.OpResult, error) {
	const op = "multi"
	// first is the path faults are matched with (InjectFault). Errors of
	// the multi as a whole name no path, as livestore's do.
	first := ""
	if len(ops) > 0 && zkstore.ValidOp(ops[0]) == nil {
		first = ops[0].OpPath()
	}
	if err := s.precheck(ctx, op, ""); err != nil {
		return nil, err
	}
	for i, o := range ops {
		if _, err := s.validateOp(o); err != nil {
			return failedResults(len(ops), i, err), zkstore.MultiOpError(i, o, err)
		}
	}
	if err := s.checkRequest(zkstore.MultiRequestSize(ops)); err != nil {
		res := make([]zkstore.OpResult, len(ops))
		for i := range res {
			res[i].Err = err
		}
		return res, wrap(op, "", err)
	}
	results := make([]zkstore.OpResult, len(ops))
	var (
		failAt  int
		failErr error
	)
	err := s.write(op, first, func(t *txn) error {
		for i, o := range ops {
			res, err := t.apply(o)
			if err != nil {
				results = failedResults(len(ops), i, err)
				failAt, failErr = i, err
				return err
			}
			results[i] = res
		}
		return nil
	})
	var pe *zkstore.PathError
	switch {
	case err == nil:
		return results, nil
	case failErr != nil && errors.As(err, &pe) && pe.Err == failErr:
		return results, zkstore.MultiOpError(failAt, ops[failAt], failErr)
	case errors.As(err, &pe) && pe.Op == op:
		pe.Path = "" // wrapped by write with the fault path
	}
	return nil, err // refused, or a fault: the outcome is not the caller's to see
}

func opPath(o zkstore.Op) string {
	if o == nil {
		return ""
	}
	return o.OpPath()
}

// failedResults is a failed multi's results: nil errors before the failing
// op, its error, then ErrRuntimeInconsistency.
func failedResults(n, failed int, err error) []zkstore.OpResult {
	res := make([]zkstore.OpResult, n)
	for i := range res {
		switch {
		case i == failed:
			res[i].Err = err
		case i > failed:
			res[i].Err = zkstore.ErrRuntimeInconsistency
		}
	}
	return res
}

// validateOp is the client side's check of one op; it returns the op's data
// length.
func (s *Session) validateOp(o zkstore.Op) (int, error) {
	if err := zkstore.ValidOp(o); err != nil {
		return 0, err
	}
	switch o := o.(type) {
	case *zkstore.CreateOp:
		if o == nil {
			return 0, zkstore.ErrBadArguments
		}
		return len(o.Data), s.validateCreate(o.Path, o.Data, o.Mode, o.TTL)
	case *zkstore.SetOp:
		if o == nil {
			return 0, zkstore.ErrBadArguments
		}
		if err := zkstore.ValidatePath(o.Path, false); err != nil {
			return 0, err
		}
		if len(o.Data) > s.srv.cfg.maxDataSize {
			return 0, zkstore.DataTooLarge(len(o.Data), s.srv.cfg.maxDataSize)
		}
		return len(o.Data), nil
	case *zkstore.DeleteOp:
		if o == nil {
			return 0, zkstore.ErrBadArguments
		}
		return 0, zkstore.ValidatePath(o.Path, false)
	case *zkstore.CheckOp:
		if o == nil {
			return 0, zkstore.ErrBadArguments
		}
		return 0, zkstore.ValidatePath(o.Path, false)
	}
	return 0, zkstore.ErrBadArguments
}

// apply runs one validated op within the multi's transaction.
func (t *txn) apply(o zkstore.Op) (zkstore.OpResult, error) {
	switch o := o.(type) {
	case *zkstore.CreateOp:
		acl := o.ACL
		if acl == nil {
			acl = zkstore.OpenACLUnsafe()
		}
		p, err := t.create(o.Path, o.Data, acl, o.Mode, o.TTL.Milliseconds())
		return zkstore.OpResult{Path: p}, err
	case *zkstore.SetOp:
		st, err := t.setData(o.Path, o.Data, o.Version)
		return zkstore.OpResult{Stat: st}, err
	case *zkstore.DeleteOp:
		return zkstore.OpResult{}, t.delete(o.Path, o.Version)
	case *zkstore.CheckOp:
		return zkstore.OpResult{}, t.check(o.Path, o.Version)
	}
	return zkstore.OpResult{}, zkstore.ErrBadArguments
}
