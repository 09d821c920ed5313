package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/zksql/zksql/zkstore"
)

// sessionEventUntil reads ch until an event in state want arrives.
func sessionEventUntil(t *testing.T, ch <-chan zkstore.SessionEvent, want zkstore.State) (zkstore.SessionEvent, bool) {
	t.Helper()
	timeout := time.After(eventTimeout)
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				return zkstore.SessionEvent{}, false
			}
			if ev.State == want {
				return ev, true
			}
		case <-timeout:
			return zkstore.SessionEvent{}, false
		}
	}
}

// drainClosed reads ch until it is closed, failing if that takes too long.
func drainClosed(t *testing.T, what string, ch <-chan zkstore.SessionEvent) []zkstore.SessionEvent {
	t.Helper()
	var evs []zkstore.SessionEvent
	timeout := time.After(eventTimeout)
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				return evs
			}
			evs = append(evs, ev)
		case <-timeout:
			t.Errorf("%s: SessionEvents channel not closed", what)
			return evs
		}
	}
}

func init() {
	register(
		testCase{"Session/IDs", func(t *testing.T, f *fixture) {
			o := f.open()
			if f.s.SessionID() == 0 || o.SessionID() == 0 || f.s.SessionID() == o.SessionID() {
				t.Errorf("SessionIDs %#x and %#x: want distinct and non-zero", f.s.SessionID(), o.SessionID())
			}
			if f.s.State() != zkstore.StateConnected {
				t.Errorf("State() = %v, want connected", f.s.State())
			}
		}},
		testCase{"Session/EphemeralOwner", func(t *testing.T, f *fixture) {
			o := f.open()
			f.create(f.s, f.p("mine"), nil, zkstore.CreateOptions{Mode: zkstore.ModeEphemeral})
			f.create(o, f.p("theirs"), nil, zkstore.CreateOptions{Mode: zkstore.ModeEphemeral})
			if st := f.stat(f.p("mine")); st.EphemeralOwner != f.s.SessionID() {
				t.Errorf("mine: EphemeralOwner %#x, want %#x", st.EphemeralOwner, f.s.SessionID())
			}
			if st := f.stat(f.p("theirs")); st.EphemeralOwner != o.SessionID() {
				t.Errorf("theirs: EphemeralOwner %#x, want %#x", st.EphemeralOwner, o.SessionID())
			}
		}},
		testCase{"Session/CloseRemovesOwnEphemerals", func(t *testing.T, f *fixture) {
			a, b := f.open(), f.open()
			f.create(a, f.p("a1"), nil, zkstore.CreateOptions{Mode: zkstore.ModeEphemeral})
			f.create(a, f.p("a-"), nil, zkstore.CreateOptions{Mode: zkstore.ModeEphemeralSequential})
			f.create(a, f.p("apersist"), nil, zkstore.CreateOptions{})
			f.create(b, f.p("b1"), nil, zkstore.CreateOptions{Mode: zkstore.ModeEphemeral})
			f.mk(f.p("dir"), nil)
			f.create(a, f.p("dir/a2"), nil, zkstore.CreateOptions{Mode: zkstore.ModeEphemeral})
			before := f.stat(f.base)
			if err := a.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			f.sync(f.s)
			names, st := f.children(f.s, f.base)
			if want := []string{"apersist", "b1", "dir"}; !equalStrings(names, want) {
				t.Errorf("children after Close = %q, want %q", names, want)
			}
			if kids, _ := f.children(f.s, f.p("dir")); len(kids) != 0 {
				t.Errorf("dir children after Close = %q", kids)
			}
			// One closeSession transaction deletes them all.
			want := before
			want.Cversion += 2
			want.NumChildren -= 2
			want.Pzxid = st.Pzxid
			wantStat(t, "base after Close", st, want)
			if st.Pzxid <= before.Pzxid || st.Pzxid != f.stat(f.p("dir")).Pzxid {
				t.Errorf("Pzxid base %d, dir %d: want one new zxid", st.Pzxid, f.stat(f.p("dir")).Pzxid)
			}
		}},
		testCase{"Session/ExpireRemovesEphemerals", func(t *testing.T, f *fixture) {
			a := f.open()
			f.create(a, f.p("a1"), nil, zkstore.CreateOptions{Mode: zkstore.ModeEphemeral})
			f.create(f.s, f.p("mine"), nil, zkstore.CreateOptions{Mode: zkstore.ModeEphemeral})
			f.c.Expire(t, a)
			if a.State() != zkstore.StateExpired {
				t.Errorf("State() after Expire = %v", a.State())
			}
			f.sync(f.s)
			f.mustNotExist(f.s, f.p("a1"))
			if !f.exists(f.s, f.p("mine")) {
				t.Error("another session's ephemeral is gone")
			}
		}},
		testCase{"Session/CallsAfterExpire", func(t *testing.T, f *fixture) {
			a := f.open()
			f.mk(f.p("x"), nil)
			f.c.Expire(t, a)
			_, _, err := a.Get(f.ctx, f.p("x"))
			wantErr(t, "Get", err, zkstore.ErrSessionExpired)
			_, err = a.Create(f.ctx, f.p("y"), nil, zkstore.CreateOptions{})
			wantErr(t, "Create", err, zkstore.ErrSessionExpired)
			_, _, err = a.Exists(f.ctx, f.p("x"))
			wantErr(t, "Exists", err, zkstore.ErrSessionExpired)
			_, err = a.Set(f.ctx, f.p("x"), nil, -1)
			wantErr(t, "Set", err, zkstore.ErrSessionExpired)
			_, _, _, err = a.GetW(f.ctx, f.p("x"))
			wantErr(t, "GetW", err, zkstore.ErrSessionExpired)
			_, err = a.Multi(f.ctx, &zkstore.CheckOp{Path: f.p("x"), Version: -1})
			wantErr(t, "Multi", err, zkstore.ErrSessionExpired)
			f.mustNotExist(f.s, f.p("y"))
			_ = a.Close()
			if a.State() != zkstore.StateExpired && a.State() != zkstore.StateClosed {
				t.Errorf("State() after Expire and Close = %v", a.State())
			}
		}},
		testCase{"Session/ExpireEvent", func(t *testing.T, f *fixture) {
			a := f.open()
			id := a.SessionID()
			ch := a.SessionEvents(f.ctx)
			f.c.Expire(t, a)
			ev, ok := sessionEventUntil(t, ch, zkstore.StateExpired)
			if !ok {
				t.Fatal("no StateExpired session event")
			}
			if ev.SessionID != id && ev.SessionID != 0 {
				t.Errorf("expired event SessionID %#x, want %#x", ev.SessionID, id)
			}
		}},
		testCase{"Session/CloseIdempotent", func(t *testing.T, f *fixture) {
			a := f.open()
			if err := a.Close(); err != nil {
				t.Errorf("first Close: %v", err)
			}
			if err := a.Close(); err != nil {
				t.Errorf("second Close: %v", err)
			}
			if a.State() != zkstore.StateClosed {
				t.Errorf("State() after Close = %v", a.State())
			}
		}},
		testCase{"Session/CloseConcurrent", func(t *testing.T, f *fixture) {
			a := f.open()
			var wg sync.WaitGroup
			for range 4 {
				wg.Go(func() { _ = a.Close() })
			}
			wg.Wait()
			if a.State() != zkstore.StateClosed {
				t.Errorf("State() = %v", a.State())
			}
		}},
		testCase{"Session/CallsAfterClose", func(t *testing.T, f *fixture) {
			a := f.open()
			f.mk(f.p("x"), nil)
			if err := a.Close(); err != nil {
				t.Fatal(err)
			}
			ctx := f.ctx
			_, err := a.Create(ctx, f.p("y"), nil, zkstore.CreateOptions{})
			wantErr(t, "Create", err, zkstore.ErrClosed)
			_, _, err = a.Get(ctx, f.p("x"))
			wantErr(t, "Get", err, zkstore.ErrClosed)
			_, _, _, err = a.GetW(ctx, f.p("x"))
			wantErr(t, "GetW", err, zkstore.ErrClosed)
			_, err = a.Set(ctx, f.p("x"), nil, -1)
			wantErr(t, "Set", err, zkstore.ErrClosed)
			wantErr(t, "Delete", a.Delete(ctx, f.p("x"), -1), zkstore.ErrClosed)
			_, _, err = a.Exists(ctx, f.p("x"))
			wantErr(t, "Exists", err, zkstore.ErrClosed)
			_, _, _, err = a.ExistsW(ctx, f.p("x"))
			wantErr(t, "ExistsW", err, zkstore.ErrClosed)
			_, _, err = a.Children(ctx, f.p("x"))
			wantErr(t, "Children", err, zkstore.ErrClosed)
			_, _, _, err = a.ChildrenW(ctx, f.p("x"))
			wantErr(t, "ChildrenW", err, zkstore.ErrClosed)
			_, _, err = a.GetACL(ctx, f.p("x"))
			wantErr(t, "GetACL", err, zkstore.ErrClosed)
			_, err = a.SetACL(ctx, f.p("x"), nil, -1)
			wantErr(t, "SetACL", err, zkstore.ErrClosed)
			_, err = a.Multi(ctx, &zkstore.CheckOp{Path: f.p("x"), Version: -1})
			wantErr(t, "Multi", err, zkstore.ErrClosed)
			wantErr(t, "Sync", a.Sync(ctx, f.p("x")), zkstore.ErrClosed)
			wantErr(t, "AddAuth", a.AddAuth(ctx, "digest", []byte("u:p")), zkstore.ErrClosed)
			f.mustNotExist(f.s, f.p("y"))
			if !f.exists(f.s, f.p("x")) {
				t.Error("x deleted through a closed store")
			}
		}},
		testCase{"Session/EventsClosedOnClose", func(t *testing.T, f *fixture) {
			a := f.open()
			id := a.SessionID()
			ch := a.SessionEvents(context.Background())
			if err := a.Close(); err != nil {
				t.Fatal(err)
			}
			for _, ev := range drainClosed(t, "after Close", ch) {
				if ev.SessionID != id && ev.SessionID != 0 {
					t.Errorf("event %+v carries another session id than %#x", ev, id)
				}
			}
			// Asked after Close, the channel is closed too.
			drainClosed(t, "asked after Close", a.SessionEvents(context.Background()))
		}},
		testCase{"Session/EventsClosedOnCancel", func(t *testing.T, f *fixture) {
			ctx, cancel := context.WithCancel(f.ctx)
			ch := f.s.SessionEvents(ctx)
			cancel()
			drainClosed(t, "after cancel", ch)
			if f.s.State() != zkstore.StateConnected {
				t.Errorf("State() = %v", f.s.State())
			}
			f.mk(f.p("still-works"), nil)
		}},
		testCase{"Session/Sync", func(t *testing.T, f *fixture) {
			o := f.open()
			f.mk(f.p("a"), []byte("x"))
			if err := o.Sync(f.ctx, f.p("a")); err != nil {
				t.Fatalf("Sync: %v", err)
			}
			data, _ := f.get(o, f.p("a"))
			wantData(t, "after Sync", data, []byte("x"))
			// sync does not look at the znode.
			if err := o.Sync(f.ctx, f.p("missing")); err != nil {
				t.Errorf("Sync(missing): %v", err)
			}
			if err := o.Sync(f.ctx, "/"); err != nil {
				t.Errorf("Sync(/): %v", err)
			}
			wantErr(t, "Sync invalid path", o.Sync(f.ctx, "bad"), zkstore.ErrInvalidPath)
		}},
		testCase{"Session/ConcurrentUse", func(t *testing.T, f *fixture) {
			f.mk(f.p("q"), nil)
			var wg sync.WaitGroup
			errs := make(chan error, 100)
			for g := range 8 {
				wg.Go(func() {
					for i := range 10 {
						if _, err := f.s.Create(f.ctx, f.p("q/n-"), nil, zkstore.CreateOptions{Mode: zkstore.ModePersistentSequential}); err != nil {
							errs <- err
						}
						if _, _, err := f.s.Get(f.ctx, f.p("q")); err != nil {
							errs <- err
						}
						if g%2 == 0 && i%3 == 0 {
							if _, err := f.s.Set(f.ctx, f.p("q"), []byte{byte(i)}, -1); err != nil {
								errs <- err
							}
						}
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			names, st := f.children(f.s, f.p("q"))
			if len(names) != 80 || st.Cversion != 80 {
				t.Fatalf("%d children, Cversion %d; want 80", len(names), st.Cversion)
			}
			for i, n := range names {
				if n != "n-"+zkstore.SequenceSuffix(int32(i)) {
					t.Fatalf("child %d = %q", i, n)
				}
			}
		}},
		testCase{"Session/ClosedSessionIDStable", func(t *testing.T, f *fixture) {
			a := f.open()
			id := a.SessionID()
			_ = a.Close()
			if got := a.SessionID(); got != id && got != 0 {
				t.Errorf("SessionID after Close = %#x, was %#x", got, id)
			}
		}},
	)
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

var _ = errors.Is
