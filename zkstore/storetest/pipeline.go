package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/zksql/zksql/zkstore"
)

// pipeliner is the case's session as a zkstore.Pipeliner; a store that
// does not offer the optional capability skips the Pipeline cases.
func (f *fixture) pipeliner(t *testing.T) zkstore.Pipeliner {
	t.Helper()
	p, ok := f.s.(zkstore.Pipeliner)
	if !ok {
		t.Skipf("%T is not a zkstore.Pipeliner", f.s)
	}
	return p
}

// plainStore hides every optional capability of the store it wraps, as a
// wrapper written without them would.
type plainStore struct{ zkstore.Store }

func init() {
	register(
		testCase{"Pipeline/ReadsAsSync", func(t *testing.T, f *fixture) {
			// Many reads outstanding at once, taken in another order than
			// sent, give what Get and Children give.
			p := f.pipeliner(t)
			f.mk(f.p("d"), []byte("dir"))
			var paths []string
			for i := range 40 {
				path := f.p(fmt.Sprintf("d/n%02d", i))
				f.mk(path, []byte(path))
				paths = append(paths, path)
			}
			gets := make([]zkstore.PendingRead, len(paths))
			for i, path := range paths {
				gets[i] = p.GetAsync(f.ctx, path)
			}
			list := p.ChildrenAsync(f.ctx, f.p("d"))
			names, st, err := list.Children()
			if err != nil {
				t.Fatalf("ChildrenAsync: %v", err)
			}
			wantNames, wantSt, _ := f.s.Children(f.ctx, f.p("d"))
			if !slices.Equal(names, wantNames) || len(names) != 40 {
				t.Errorf("ChildrenAsync names = %q, want %q", names, wantNames)
			}
			wantStat(t, "ChildrenAsync stat", st, wantSt)
			for i := len(paths) - 1; i >= 0; i-- {
				data, st, err := gets[i].Get()
				if err != nil {
					t.Fatalf("GetAsync %s: %v", paths[i], err)
				}
				wantData(t, "GetAsync "+paths[i], data, []byte(paths[i]))
				wantStat(t, "GetAsync stat "+paths[i], st, f.stat(paths[i]))
				if !gets[i].Done() {
					t.Errorf("Done false after Get")
				}
			}
		}},
		testCase{"Pipeline/Errors", func(t *testing.T, f *fixture) {
			p := f.pipeliner(t)
			_, st, err := p.GetAsync(f.ctx, f.p("missing")).Get()
			wantErr(t, "GetAsync missing", err, zkstore.ErrNoNode)
			wantStat(t, "GetAsync missing stat", st, zkstore.Stat{})
			_, _, err = p.ChildrenAsync(f.ctx, f.p("missing")).Children()
			wantErr(t, "ChildrenAsync missing", err, zkstore.ErrNoNode)
			_, _, err = p.GetAsync(f.ctx, "bad//path").Get()
			wantErr(t, "GetAsync bad path", err, zkstore.ErrInvalidPath)
			ctx, cancel := context.WithCancel(f.ctx)
			cancel()
			if _, _, err := p.GetAsync(ctx, f.base).Get(); err == nil {
				t.Errorf("GetAsync with an ended context succeeded")
			}
		}},
		testCase{"Pipeline/Wrapped", func(t *testing.T, f *fixture) {
			// zkstore.GetAsync serves a wrapper that forwards the
			// capability and one that hides it alike.
			f.pipeliner(t)
			f.mk(f.p("w"), []byte("w"))
			for _, st := range []zkstore.Store{f.s, plainStore{f.s}} {
				data, _, err := zkstore.GetAsync(f.ctx, st, f.p("w")).Get()
				if err != nil || string(data) != "w" {
					t.Errorf("zkstore.GetAsync through %T = %q, %v", st, data, err)
				}
				names, _, err := zkstore.ChildrenAsync(f.ctx, st, f.base).Children()
				if err != nil || !slices.Equal(names, []string{"w"}) {
					t.Errorf("zkstore.ChildrenAsync through %T = %q, %v", st, names, err)
				}
			}
			if zkstore.Pipelines(plainStore{f.s}) {
				t.Errorf("a wrapper without the capability reports it")
			}
		}},
	)
}
