package storetest

import (
	"bytes"
	"context"
	"testing"

	"github.com/zksql/zksql/zkstore"
)

// getAppenders are the ways a caller reads through zkstore.GetAppend: the
// case's session (its own GetAppend if it has one, else Get) and the same
// session behind a wrapper without the capability (always Get).
func (f *fixture) getAppenders() map[string]zkstore.Store {
	return map[string]zkstore.Store{"store": f.s, "plain": plainStore{f.s}}
}

func init() {
	register(
		testCase{"GetAppend/AsGet", func(t *testing.T, f *fixture) {
			// What Get reads, appended to the caller's buffer, whose
			// first bytes stay; an empty znode appends nothing.
			f.mk(f.p("a"), []byte("some data"))
			f.mk(f.p("empty"), nil)
			for name, st := range f.getAppenders() {
				for _, rel := range []string{"a", "empty"} {
					path := f.p(rel)
					want, wantSt := f.get(f.s, path)
					buf := make([]byte, 3, 64)
					copy(buf, "pre")
					got, gotSt, err := zkstore.GetAppend(f.ctx, st, path, buf)
					if err != nil {
						t.Fatalf("%s: GetAppend %s: %v", name, path, err)
					}
					wantData(t, name+": GetAppend "+path, got, append([]byte("pre"), want...))
					wantStat(t, name+": GetAppend stat "+path, gotSt, wantSt)
				}
			}
		}},
		testCase{"GetAppend/CallerOwnsBytes", func(t *testing.T, f *fixture) {
			// Writing into the bytes GetAppend returned, or into the
			// buffer passed to it, changes nothing in the store.
			f.mk(f.p("a"), []byte("original"))
			for name, st := range f.getAppenders() {
				got, _, err := zkstore.GetAppend(f.ctx, st, f.p("a"), nil)
				if err != nil {
					t.Fatalf("%s: GetAppend: %v", name, err)
				}
				for i := range got {
					got[i] = 'X'
				}
				again, _, err := zkstore.GetAppend(f.ctx, st, f.p("a"), got[:0])
				if err != nil {
					t.Fatalf("%s: GetAppend again: %v", name, err)
				}
				wantData(t, name+": GetAppend after the caller wrote into its bytes", again, []byte("original"))
				clear(again)
				data, _ := f.get(f.s, f.p("a"))
				wantData(t, name+": Get after the caller wrote into its buffer", data, []byte("original"))
			}
		}},
		testCase{"GetAppend/Errors", func(t *testing.T, f *fixture) {
			// Get's errors, with the buffer given back unchanged.
			secret := f.restricted("r", zkstore.WorldACL(zkstore.PermAll&^zkstore.PermRead))
			ended, cancel := context.WithCancel(f.ctx)
			cancel()
			for name, st := range f.getAppenders() {
				buf := []byte("kept")
				for _, c := range []struct {
					what string
					ctx  context.Context
					path string
					want error
				}{
					{"missing", f.ctx, f.p("missing"), zkstore.ErrNoNode},
					{"bad path", f.ctx, "bad//path", zkstore.ErrInvalidPath},
					{"unreadable", f.ctx, secret, zkstore.ErrNoAuth},
				} {
					got, st, err := zkstore.GetAppend(c.ctx, st, c.path, buf)
					wantErr(t, name+": GetAppend "+c.what, err, c.want)
					wantStat(t, name+": GetAppend "+c.what+" stat", st, zkstore.Stat{})
					if !bytes.Equal(got, []byte("kept")) {
						t.Errorf("%s: GetAppend %s returned buffer %q, want it unchanged", name, c.what, got)
					}
				}
				if _, _, err := zkstore.GetAppend(ended, st, f.base, buf); err == nil {
					t.Errorf("%s: GetAppend with an ended context succeeded", name)
				}
			}
		}},
	)
}
