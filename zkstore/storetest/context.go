package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/zksql/zksql/zkstore"
)

func init() {
	register(
		testCase{"Context/Canceled", func(t *testing.T, f *fixture) {
			f.mk(f.p("a"), nil)
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			checkCtxErr(t, f, ctx, context.Canceled)
		}},
		testCase{"Context/DeadlineExceeded", func(t *testing.T, f *fixture) {
			f.mk(f.p("a"), nil)
			ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
			defer cancel()
			checkCtxErr(t, f, ctx, context.DeadlineExceeded)
		}},
		testCase{"Context/StoreSurvives", func(t *testing.T, f *fixture) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			for range 5 {
				_, _, _ = f.s.Get(ctx, f.base)
				_, _ = f.s.Create(ctx, f.p("x"), nil, zkstore.CreateOptions{})
			}
			// The write may or may not have been applied; the session is fine.
			f.mk(f.p("after"), []byte("ok"))
			data, _ := f.get(f.s, f.p("after"))
			wantData(t, "after cancelled calls", data, []byte("ok"))
			if f.s.State() != zkstore.StateConnected {
				t.Errorf("State() = %v", f.s.State())
			}
		}},
		testCase{"Context/WatchAfterCancel", func(t *testing.T, f *fixture) {
			f.mk(f.p("a"), nil)
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			_, _, _, err := f.s.GetW(ctx, f.p("a"))
			wantErr(t, "GetW", err, context.Canceled)
			// A watch set normally still works.
			ch := f.getW(f.s, f.p("a"))
			f.set(f.s, f.p("a"), nil, -1)
			wantEvent(t, "GetW", ch, zkstore.EventNodeDataChanged, f.p("a"))
		}},
	)
}

func checkCtxErr(t *testing.T, f *fixture, ctx context.Context, target error) {
	t.Helper()
	s, p := f.s, f.p("a")
	check := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, target) {
			t.Errorf("%s with a done context: %v, want one matching %v", what, err, target)
		}
	}
	_, _, err := s.Get(ctx, p)
	check("Get", err)
	_, _, _, err = s.GetW(ctx, p)
	check("GetW", err)
	_, _, err = s.Exists(ctx, p)
	check("Exists", err)
	_, _, _, err = s.ExistsW(ctx, p)
	check("ExistsW", err)
	_, _, err = s.Children(ctx, p)
	check("Children", err)
	_, _, _, err = s.ChildrenW(ctx, p)
	check("ChildrenW", err)
	_, _, err = s.GetACL(ctx, p)
	check("GetACL", err)
	check("Sync", s.Sync(ctx, p))
	_, err = s.Create(ctx, f.p("new"), nil, zkstore.CreateOptions{})
	check("Create", err)
	_, err = s.Set(ctx, p, []byte("x"), -1)
	check("Set", err)
	_, err = s.SetACL(ctx, p, zkstore.OpenACLUnsafe(), -1)
	check("SetACL", err)
	check("Delete", s.Delete(ctx, f.p("other"), -1))
	_, err = s.Multi(ctx, &zkstore.CheckOp{Path: p, Version: -1})
	check("Multi", err)
	check("AddAuth", s.AddAuth(ctx, "digest", []byte("u:p")))
}
