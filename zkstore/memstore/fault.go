package memstore

import (
	"errors"
	"sync"
)

// Fault decides whether a request fails. It is called for every request a
// session makes, after the client-side checks, with the operation's name and
// path: "create", "get", "set", "delete", "exists", "children", "getACL",
// "setACL", "multi" (with the first op's path), "sync" and "addAuth". It
// returns nil to let the request through, an error to fail it before it is
// applied, or FailAfter(err) to apply it and then fail it: the write took
// effect but the caller cannot know, as when a connection breaks before the
// reply arrives.
type Fault func(op, path string) error

// InjectFault installs f, replacing any fault before it; nil removes it.
func (srv *Server) InjectFault(f Fault) {
	if f == nil {
		srv.fault.Store(nil)
		return
	}
	srv.fault.Store(&f)
}

type afterApply struct{ err error }

func (a *afterApply) Error() string { return a.err.Error() }
func (a *afterApply) Unwrap() error { return a.err }

// FailAfter is a Fault's answer for "apply the request, then fail with err".
func FailAfter(err error) error { return &afterApply{err} }

// FailOnce is a Fault that fails the first request matching op and path
// ("" matches any) with err (wrap it in FailAfter to fail after applying),
// and lets every other request through.
func FailOnce(op, path string, err error) Fault {
	var once sync.Once
	return func(o, p string) error {
		if (op != "" && o != op) || (path != "" && p != path) {
			return nil
		}
		var out error
		once.Do(func() { out = err })
		return out
	}
}

// checkFault consults the installed Fault: err to return (nil for none) and
// whether to apply the request first.
func (srv *Server) checkFault(op, path string) (err error, after bool) {
	f := srv.fault.Load()
	if f == nil {
		return nil, false
	}
	err = (*f)(op, path)
	var a *afterApply
	if errors.As(err, &a) {
		return a.err, true
	}
	return err, false
}
