// Package storetest is the conformance suite every zkstore.Store runs, in
// the manner of gocloud.dev's drivertest packages.
//
// A store package calls Run from a test with a function that gives a
// Cluster: the in-memory store a fresh server per call, the live store
// sessions on one shared ZooKeeper. Every case works under a fresh base path
// of its own, so cases never see each other's znodes, and never changes "/"
// or "/zookeeper".
//
// The expectations are ZooKeeper 3.8's as a real server shows them, not as
// its documentation tells them; where the two differ the case says so.
package storetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/zksql/zksql/zkstore"
)

// testCase is one conformance case; name is "Area/Case".
type testCase struct {
	name string
	fn   func(t *testing.T, f *fixture)
}

// registry holds every case, appended by the area files' init functions.
var registry []testCase

func register(cases ...testCase) { registry = append(registry, cases...) }

// Run runs the conformance suite: every case as a subtest named Area/Case,
// each with a Cluster of its own from newCluster.
func Run(t *testing.T, newCluster func(t *testing.T) Cluster) {
	areas := map[string][]testCase{}
	var order []string
	for _, tc := range registry {
		area, _, _ := strings.Cut(tc.name, "/")
		if _, ok := areas[area]; !ok {
			order = append(order, area)
		}
		areas[area] = append(areas[area], tc)
	}
	for _, area := range order {
		t.Run(area, func(t *testing.T) {
			for _, tc := range areas[area] {
				_, name, _ := strings.Cut(tc.name, "/")
				t.Run(name, func(t *testing.T) {
					c := newCluster(t)
					f := newFixture(t, c)
					tc.fn(t, f)
				})
			}
		})
	}
}

// fixture is what a case works with: the cluster, one opened session and a
// fresh persistent base path.
type fixture struct {
	t     *testing.T
	c     Cluster
	admin zkstore.Store // a session for the suite's own bookkeeping
	s     zkstore.Store // the case's first session
	base  string        // a fresh persistent znode for this case only
	ctx   context.Context
	start time.Time
}

// Time bounds of the suite.
const (
	eventTimeout = 10 * time.Second // for an event that must arrive
	quietPeriod  = 300 * time.Millisecond
	reapTimeout  = 15 * time.Second // containers and TTL nodes
	timeSlack    = 2 * time.Second  // between the server's clock and ours
)

func newFixture(t *testing.T, c Cluster) *fixture {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	f := &fixture{t: t, c: c, ctx: ctx, start: time.Now()}
	f.admin = c.Open(t)
	f.base = CaseBasePrefix(t.Name()) + randHex(6)
	if _, err := f.admin.Create(ctx, f.base, nil, zkstore.CreateOptions{}); err != nil {
		t.Fatalf("create base %s: %v", f.base, err)
	}
	t.Cleanup(func() { removeAll(f.admin, f.base) })
	f.s = c.Open(t)
	return f
}

// removeAll deletes path and everything under it, as far as it can: the
// suite's litter on a shared server.
func removeAll(s zkstore.Store, path string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var rm func(p string, depth int)
	rm = func(p string, depth int) {
		if depth > 20 {
			return
		}
		names, _, err := s.Children(ctx, p)
		if err != nil {
			return
		}
		for _, n := range names {
			rm(zkstore.Join(p, n), depth+1)
		}
		_ = s.Delete(ctx, p, zkstore.AnyVersion)
	}
	rm(path, 0)
}

// p is a path under the case's base.
func (f *fixture) p(rel string) string {
	if rel == "" {
		return f.base
	}
	return f.base + "/" + strings.TrimPrefix(rel, "/")
}

// open opens another session on the case's cluster.
func (f *fixture) open() zkstore.Store {
	f.t.Helper()
	return f.c.Open(f.t)
}

// CaseBasePrefix is how the base path of the case named name begins (the
// rest is random): a Store wrapper's tests use it to find, or to cache, a
// case's own subtree.
func CaseBasePrefix(name string) string { return "/storetest-" + SafeName(name) + "-" }

// SafeName turns a test's name into a znode name: letters, digits, '-'
// and '_' are kept, anything else becomes '_', and only the last 80
// characters are kept.
func SafeName(name string) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	s := b.String()
	if len(s) > 80 {
		s = s[len(s)-80:]
	}
	return s
}

func randHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// ---- calls that must succeed ----

func (f *fixture) create(s zkstore.Store, path string, data []byte, opts zkstore.CreateOptions) string {
	f.t.Helper()
	got, err := s.Create(f.ctx, path, data, opts)
	if err != nil {
		f.t.Fatalf("Create(%q, mode %v): %v", path, opts.Mode, err)
	}
	return got
}

// mk creates a persistent znode with data through the fixture's session.
func (f *fixture) mk(path string, data []byte) string {
	f.t.Helper()
	return f.create(f.s, path, data, zkstore.CreateOptions{})
}

func (f *fixture) get(s zkstore.Store, path string) ([]byte, zkstore.Stat) {
	f.t.Helper()
	data, st, err := s.Get(f.ctx, path)
	if err != nil {
		f.t.Fatalf("Get(%q): %v", path, err)
	}
	return data, st
}

// stat is the Stat of an existing znode, read with Exists.
func (f *fixture) stat(path string) zkstore.Stat {
	f.t.Helper()
	st, ok, err := f.s.Exists(f.ctx, path)
	if err != nil || !ok {
		f.t.Fatalf("Exists(%q) = %v, %v; want an existing znode", path, ok, err)
	}
	return st
}

func (f *fixture) set(s zkstore.Store, path string, data []byte, version int32) zkstore.Stat {
	f.t.Helper()
	st, err := s.Set(f.ctx, path, data, version)
	if err != nil {
		f.t.Fatalf("Set(%q, version %d): %v", path, version, err)
	}
	return st
}

func (f *fixture) del(s zkstore.Store, path string, version int32) {
	f.t.Helper()
	if err := s.Delete(f.ctx, path, version); err != nil {
		f.t.Fatalf("Delete(%q, version %d): %v", path, version, err)
	}
}

func (f *fixture) children(s zkstore.Store, path string) ([]string, zkstore.Stat) {
	f.t.Helper()
	names, st, err := s.Children(f.ctx, path)
	if err != nil {
		f.t.Fatalf("Children(%q): %v", path, err)
	}
	return names, st
}

func (f *fixture) sync(s zkstore.Store) {
	f.t.Helper()
	if err := s.Sync(f.ctx, f.base); err != nil {
		f.t.Fatalf("Sync(%q): %v", f.base, err)
	}
}

// exists reports whether path exists, failing the case on an error.
func (f *fixture) exists(s zkstore.Store, path string) bool {
	f.t.Helper()
	_, ok, err := s.Exists(f.ctx, path)
	if err != nil {
		f.t.Fatalf("Exists(%q): %v", path, err)
	}
	return ok
}

func (f *fixture) mustNotExist(s zkstore.Store, path string) {
	f.t.Helper()
	if f.exists(s, path) {
		f.t.Fatalf("%s exists, want it gone", path)
	}
}

// ---- assertions ----

// wantErr fails unless err matches target with errors.Is.
func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: error = %v, want one matching %v", what, err, target)
	}
}

// fatalErr is wantErr that stops the case.
func fatalErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: error = %v, want one matching %v", what, err, target)
	}
}

// wantStat compares whole Stats.
func wantStat(t *testing.T, what string, got, want zkstore.Stat) {
	t.Helper()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s: Stat mismatch (-want +got):\n%s", what, diff)
	}
}

// wantData compares data, treating nil and empty as equal.
func wantData(t *testing.T, what string, got, want []byte) {
	t.Helper()
	if !bytes.Equal(got, want) {
		t.Errorf("%s: data = %s, want %s", what, short(got), short(want))
	}
}

func short(b []byte) string {
	if len(b) > 40 {
		return fmt.Sprintf("%q... (%d bytes)", b[:40], len(b))
	}
	return fmt.Sprintf("%q", b)
}

// wantTime checks a Stat time is within the slack of [f.start, now].
func (f *fixture) wantTime(what string, ms int64) {
	f.t.Helper()
	tm := time.UnixMilli(ms)
	lo, hi := f.start.Add(-timeSlack), time.Now().Add(timeSlack)
	if tm.Before(lo) || tm.After(hi) {
		f.t.Errorf("%s = %v (%d), want within [%v, %v]", what, tm, ms, lo, hi)
	}
}

// newStat is the Stat ZooKeeper gives a znode just created with zxid z at
// time ms: every zxid z, versions 0, no children.
func newStat(z, ms int64, dataLen int, owner int64) zkstore.Stat {
	return zkstore.Stat{Czxid: z, Mzxid: z, Pzxid: z, Ctime: ms, Mtime: ms, DataLength: int32(dataLen), EphemeralOwner: owner}
}

// checkCreated checks the whole Stat of a znode just created after the
// parent had Stat parentBefore, and the parent's Stat now. It returns the
// znode's Stat.
func (f *fixture) checkCreated(path string, dataLen int, owner int64, parentBefore zkstore.Stat) zkstore.Stat {
	f.t.Helper()
	st := f.stat(path)
	if st.Czxid <= parentBefore.Pzxid || st.Czxid <= parentBefore.Mzxid {
		f.t.Errorf("%s: Czxid %d not after the parent's Pzxid %d / Mzxid %d", path, st.Czxid, parentBefore.Pzxid, parentBefore.Mzxid)
	}
	f.wantTime(path+" Ctime", st.Ctime)
	wantStat(f.t, path, st, newStat(st.Czxid, st.Ctime, dataLen, owner))
	want := parentBefore
	want.Cversion++
	want.NumChildren++
	want.Pzxid = st.Czxid
	wantStat(f.t, "parent of "+path, f.stat(zkstore.Parent(path)), want)
	return st
}

// ---- watches ----

// recv waits for the one event of a watch, then checks the channel closes.
func recv(t *testing.T, what string, ch <-chan zkstore.Event) zkstore.Event {
	t.Helper()
	select {
	case ev, ok := <-ch:
		if !ok {
			t.Fatalf("%s: watch channel closed without an event", what)
		}
		select {
		case ev2, ok := <-ch:
			if ok {
				t.Errorf("%s: second event %+v on a one-shot watch", what, ev2)
			}
		case <-time.After(eventTimeout):
			t.Errorf("%s: watch channel not closed after its event", what)
		}
		return ev
	case <-time.After(eventTimeout):
		t.Fatalf("%s: no event within %v", what, eventTimeout)
	}
	return zkstore.Event{}
}

// wantEvent receives the watch's event and checks its type and path.
func wantEvent(t *testing.T, what string, ch <-chan zkstore.Event, typ zkstore.EventType, path string) {
	t.Helper()
	ev := recv(t, what, ch)
	if ev.Type != typ || ev.Path != path || ev.Err != nil {
		t.Errorf("%s: event = {%v %q %v}, want {%v %q <nil>}", what, ev.Type, ev.Path, ev.Err, typ, path)
	}
}

// wantNotWatching receives an EventNotWatching with an error matching target.
func wantNotWatching(t *testing.T, what string, ch <-chan zkstore.Event, path string, target error) {
	t.Helper()
	ev := recv(t, what, ch)
	if ev.Type != zkstore.EventNotWatching || ev.Path != path || !errors.Is(ev.Err, target) {
		t.Errorf("%s: event = {%v %q %v}, want {NotWatching %q %v}", what, ev.Type, ev.Path, ev.Err, path, target)
	}
}

// noEvent checks that nothing is waiting on ch now.
func noEvent(t *testing.T, what string, ch <-chan zkstore.Event) {
	t.Helper()
	select {
	case ev, ok := <-ch:
		if ok {
			t.Errorf("%s: unexpected event {%v %q %v}", what, ev.Type, ev.Path, ev.Err)
		} else {
			t.Errorf("%s: watch channel closed without an event", what)
		}
	default:
	}
}

// quiet checks that nothing arrives on ch after a barrier: it sets a
// sentinel watch through s, fires it, waits for it (events of one session
// are delivered in order, so anything the earlier changes fired has been
// delivered by then), waits a little more and checks ch is silent.
func (f *fixture) quiet(s zkstore.Store, what string, ch <-chan zkstore.Event) {
	f.t.Helper()
	sentinel := f.base + "-sentinel-" + randHex(4) // outside the base: fires no watch there
	_, ok, sch, err := s.ExistsW(f.ctx, sentinel)
	if err != nil || ok {
		f.t.Fatalf("ExistsW(%q) = %v, %v", sentinel, ok, err)
	}
	f.create(f.admin, sentinel, nil, zkstore.CreateOptions{})
	wantEvent(f.t, "sentinel", sch, zkstore.EventNodeCreated, sentinel)
	time.Sleep(quietPeriod)
	noEvent(f.t, what, ch)
	f.del(f.admin, sentinel, zkstore.AnyVersion)
}

// eventually polls cond until it holds or the timeout passes.
func eventually(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(25 * time.Millisecond)
	}
}
