package recipe_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zksql/zksql/internal/testkit/interleave"
	"github.com/zksql/zksql/recipe"
	"github.com/zksql/zksql/watch"
	"github.com/zksql/zksql/zkstore"
)

// The recipes built on watches, under forced interleavings: the recipe's
// session is an interleave.Store, and at one chosen read or watch call it
// makes (counted from its start) another session makes one kind of change
// just before or just after the call. Each recipe then has to keep its
// promise: Discover ends on the registered set and never sends the same
// set twice in a row, Observe ends on the lowest candidate, and a lock
// waiter wakes exactly when no contender is left before it. Every kind of
// change is tried at every call of the undisturbed run.

// injection is one change at one call.
type injection struct {
	at    int
	after bool
	kind  int
}

// changeKind is a change another session makes; apply reports whether it
// applied (a deletion of nothing does not).
type changeKind struct {
	name  string
	apply func(ctx context.Context, w zkstore.Store) (bool, error)
}

// injector runs inj's change at its call, once, until stopped.
type injector struct {
	mu      sync.Mutex
	inj     *injection
	kinds   []changeKind
	w       zkstore.Store
	stopped bool
	applied string
	err     error
}

func (in *injector) hook(c interleave.Call, after bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.stopped || in.inj == nil || c.Seq != in.inj.at || after != in.inj.after {
		return
	}
	k := in.kinds[in.inj.kind]
	ok, err := k.apply(context.Background(), in.w)
	if errors.Is(err, zkstore.ErrNoNode) || errors.Is(err, zkstore.ErrNodeExists) || errors.Is(err, zkstore.ErrNotEmpty) {
		// The test's own step raced it (the recipe reads while the step
		// writes): the change did not apply.
		ok, err = false, nil
	}
	if err != nil && in.err == nil {
		in.err = fmt.Errorf("%s at %v: %w", k.name, c, err)
	}
	if ok {
		in.applied = fmt.Sprintf("%s %s %v", k.name, map[bool]string{false: "before", true: "after"}[after], c)
	}
}

func (in *injector) stop() {
	in.mu.Lock()
	in.stopped = true
	in.mu.Unlock()
}

func (in *injector) String() string {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.inj == nil {
		return "undisturbed"
	}
	return fmt.Sprintf("injection %+v (applied: %q)", *in.inj, in.applied)
}

// interleaved runs run undisturbed, then with every kind of change before
// and after every every-th call the undisturbed run made; it returns the
// number of runs.
func interleaved(t *testing.T, e env, kinds []changeKind, every int, run func(t *testing.T, e env, in *injector) int) int {
	calls := run(t, e, &injector{kinds: kinds})
	runs := 1
	for at := 0; at < calls; at += every {
		for k := range kinds {
			for _, after := range []bool{false, true} {
				in := &injector{kinds: kinds, inj: &injection{at: at, after: after, kind: k}}
				run(t, e, in)
				runs++
			}
		}
	}
	t.Logf("%d calls in the undisturbed run, %d runs", calls, runs)
	return runs
}

// pollUntil polls cond until it holds or d passes; it returns cond's last
// explanation.
func pollUntil(d time.Duration, cond func() (bool, string)) (bool, string) {
	deadline := time.Now().Add(d)
	for {
		ok, why := cond()
		if ok || time.Now().After(deadline) {
			return ok, why
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func mustW(t *testing.T, in *injector, what string, err error) {
	t.Helper()
	if err != nil && !errors.Is(err, zkstore.ErrNoNode) && !errors.Is(err, zkstore.ErrNodeExists) && !errors.Is(err, zkstore.ErrNotEmpty) {
		t.Fatalf("%v: %s: %v", in, what, err)
	}
}

// subtreeOps deletes p's children and then p (one level is all these
// recipes use).
func subtreeOps(ctx context.Context, w zkstore.Store, p string) ([]zkstore.Op, error) {
	names, _, err := w.Children(ctx, p)
	if err != nil {
		return nil, err
	}
	var ops []zkstore.Op
	for _, n := range names {
		ops = append(ops, &zkstore.DeleteOp{Path: zkstore.Join(p, n), Version: -1})
	}
	return append(ops, &zkstore.DeleteOp{Path: p, Version: -1}), nil
}

// --- Discover ---

// instances reads the registered set as Discover should report it.
func instances(ctx context.Context, w zkstore.Store, dir string) (map[string]string, error) {
	names, _, err := w.Children(ctx, dir)
	if errors.Is(err, zkstore.ErrNoNode) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	for _, n := range names {
		data, _, err := w.Get(ctx, zkstore.Join(dir, n))
		if errors.Is(err, zkstore.ErrNoNode) {
			continue
		}
		if err != nil {
			return nil, err
		}
		m[n] = string(data)
	}
	return m, nil
}

func discoverKinds(dir string) []changeKind {
	var n atomic.Int32
	first := func(ctx context.Context, w zkstore.Store) (string, error) {
		names, _, err := w.Children(ctx, dir)
		if errors.Is(err, zkstore.ErrNoNode) || err == nil && len(names) == 0 {
			return "", nil
		}
		if err != nil {
			return "", err
		}
		return zkstore.Join(dir, names[0]), nil
	}
	multi := func(ctx context.Context, w zkstore.Store, ops ...zkstore.Op) (bool, error) {
		_, err := w.Multi(ctx, ops...)
		if errors.Is(err, zkstore.ErrNoNode) || errors.Is(err, zkstore.ErrNodeExists) {
			return false, nil
		}
		return err == nil, err
	}
	val := func() []byte { return fmt.Appendf(nil, "inj%d", n.Add(1)) }
	return []changeKind{
		{"register", func(ctx context.Context, w zkstore.Store) (bool, error) {
			return multi(ctx, w, &zkstore.CreateOp{Path: zkstore.Join(dir, fmt.Sprintf("i%d", n.Add(1))), Data: val()})
		}},
		{"deregister", func(ctx context.Context, w zkstore.Store) (bool, error) {
			p, err := first(ctx, w)
			if p == "" {
				return false, err
			}
			return multi(ctx, w, &zkstore.DeleteOp{Path: p, Version: -1})
		}},
		{"set-data", func(ctx context.Context, w zkstore.Store) (bool, error) {
			p, err := first(ctx, w)
			if p == "" {
				return false, err
			}
			return multi(ctx, w, &zkstore.SetOp{Path: p, Data: val(), Version: -1})
		}},
		{"reregister", func(ctx context.Context, w zkstore.Store) (bool, error) {
			p, err := first(ctx, w)
			if p == "" {
				return false, err
			}
			return multi(ctx, w, &zkstore.DeleteOp{Path: p, Version: -1}, &zkstore.CreateOp{Path: p, Data: val()})
		}},
		{"reregister-same-data", func(ctx context.Context, w zkstore.Store) (bool, error) {
			p, err := first(ctx, w)
			if p == "" {
				return false, err
			}
			data, _, err := w.Get(ctx, p)
			if err != nil {
				return false, err
			}
			return multi(ctx, w, &zkstore.DeleteOp{Path: p, Version: -1}, &zkstore.CreateOp{Path: p, Data: data})
		}},
		{"drop-service", func(ctx context.Context, w zkstore.Store) (bool, error) {
			ops, err := subtreeOps(ctx, w, dir)
			if errors.Is(err, zkstore.ErrNoNode) {
				return false, nil
			}
			if err != nil {
				return false, err
			}
			return multi(ctx, w, ops...)
		}},
		{"create-service", func(ctx context.Context, w zkstore.Store) (bool, error) {
			return multi(ctx, w, &zkstore.CreateOp{Path: dir})
		}},
	}
}

// runDiscover: instances come and go, change data, and the service's own
// znode goes and comes; Discover's last set must equal the registered
// set after every step, and no set may follow an equal one.
func runDiscover(t *testing.T, e env, in *injector) int {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	w := e.Open(t)
	st := interleave.New(e.Open(t))
	service := fmt.Sprintf("il-%d", time.Now().UnixNano())
	dir := zkstore.Join(recipe.ServicesRoot, service)
	in.w = w
	in.kinds = discoverKinds(dir)
	_, err := recipe.Register(ctx, w, service, "a", []byte("a0"))
	mustW(t, in, "register a", err)
	st.SetHook(in.hook)
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	out := recipe.Discover(sctx, watch.StoreSource(st), service)
	var sets []map[string]string
	settle := func(step string) {
		ok, why := pollUntil(10*time.Second, func() (bool, string) {
			want, err := instances(ctx, w, dir)
			if err != nil {
				return false, err.Error()
			}
			for {
				select {
				case m, open := <-out:
					if !open {
						return false, "Discover ended"
					}
					if n := len(sets); n > 0 && maps.Equal(sets[n-1], m) {
						t.Fatalf("%v: %s: the unchanged set %v was sent again; sets %v", in, step, m, sets)
					}
					sets = append(sets, m)
					continue
				default:
				}
				break
			}
			if len(sets) == 0 {
				return false, "no set yet"
			}
			last := sets[len(sets)-1]
			return maps.Equal(last, want), fmt.Sprintf("last set %v, registered %v", last, want)
		})
		if !ok {
			t.Fatalf("%v: %s: %s; sets %v", in, step, why, sets)
		}
	}
	settle("first set")
	steps := []struct {
		name string
		ops  func() ([]zkstore.Op, error)
	}{
		{"register b", func() ([]zkstore.Op, error) {
			return []zkstore.Op{&zkstore.CreateOp{Path: zkstore.Join(dir, "b"), Data: []byte("b0")}}, nil
		}},
		{"set a", func() ([]zkstore.Op, error) {
			return []zkstore.Op{&zkstore.SetOp{Path: zkstore.Join(dir, "a"), Data: []byte("a1"), Version: -1}}, nil
		}},
		{"deregister a", func() ([]zkstore.Op, error) {
			return []zkstore.Op{&zkstore.DeleteOp{Path: zkstore.Join(dir, "a"), Version: -1}}, nil
		}},
		{"drop the service", func() ([]zkstore.Op, error) { return subtreeOps(ctx, w, dir) }},
		{"create the service", func() ([]zkstore.Op, error) { return []zkstore.Op{&zkstore.CreateOp{Path: dir}}, nil }},
		{"register c", func() ([]zkstore.Op, error) {
			return []zkstore.Op{&zkstore.CreateOp{Path: zkstore.Join(dir, "c"), Data: []byte("c0")}}, nil
		}},
	}
	for _, s := range steps {
		ops, err := s.ops()
		if err == nil {
			_, err = w.Multi(ctx, ops...)
		}
		mustW(t, in, s.name, err) // an injected change may have made it impossible
		settle(s.name)
	}
	in.stop()
	settle("the end")
	time.Sleep(5 * time.Millisecond)
	settle("after quiet")
	if in.err != nil {
		t.Fatalf("%v", in.err)
	}
	return st.Calls()
}

func TestDiscoverInterleavings(t *testing.T) {
	t.Run("mem", func(t *testing.T) {
		interleaved(t, memEnv(t), discoverKinds(""), 1, runDiscover)
	})
	t.Run("live", func(t *testing.T) {
		interleaved(t, liveEnv(t), discoverKinds(""), 6, runDiscover)
	})
}

// --- Observe (election) ---

// lowest is the data of dir's lowest-sequence candidate, "" if none.
func lowest(ctx context.Context, w zkstore.Store, dir string) (string, error) {
	names, _, err := w.Children(ctx, dir)
	if errors.Is(err, zkstore.ErrNoNode) || err == nil && len(names) == 0 {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	slices.SortFunc(names, func(a, b string) int {
		x, _ := zkstore.ParseSequence(a)
		y, _ := zkstore.ParseSequence(b)
		return int(x) - int(y)
	})
	data, _, err := w.Get(ctx, zkstore.Join(dir, names[0]))
	if errors.Is(err, zkstore.ErrNoNode) {
		return lowest(ctx, w, dir)
	}
	return string(data), err
}

// candidateKinds are candidates joining and resigning: the leader, a
// follower, all of them with the election's znode, which then comes back.
func candidateKinds(dir string) []changeKind {
	var n atomic.Int32
	sorted := func(ctx context.Context, w zkstore.Store) ([]string, error) {
		names, _, err := w.Children(ctx, dir)
		if errors.Is(err, zkstore.ErrNoNode) {
			return nil, nil
		}
		slices.SortFunc(names, func(a, b string) int {
			x, _ := zkstore.ParseSequence(a)
			y, _ := zkstore.ParseSequence(b)
			return int(x) - int(y)
		})
		return names, err
	}
	del := func(ctx context.Context, w zkstore.Store, name string) (bool, error) {
		err := w.Delete(ctx, zkstore.Join(dir, name), zkstore.AnyVersion)
		if errors.Is(err, zkstore.ErrNoNode) {
			return false, nil
		}
		return err == nil, err
	}
	return []changeKind{
		{"join", func(ctx context.Context, w zkstore.Store) (bool, error) {
			_, err := w.Create(ctx, zkstore.Join(dir, "c-"), fmt.Appendf(nil, "inj%d", n.Add(1)), zkstore.CreateOptions{Mode: zkstore.ModePersistentSequential})
			if errors.Is(err, zkstore.ErrNoNode) {
				return false, nil
			}
			return err == nil, err
		}},
		{"leader-resigns", func(ctx context.Context, w zkstore.Store) (bool, error) {
			names, err := sorted(ctx, w)
			if len(names) == 0 {
				return false, err
			}
			return del(ctx, w, names[0])
		}},
		{"follower-resigns", func(ctx context.Context, w zkstore.Store) (bool, error) {
			names, err := sorted(ctx, w)
			if len(names) < 2 {
				return false, err
			}
			return del(ctx, w, names[len(names)-1])
		}},
		{"leader-resigns-and-rejoins", func(ctx context.Context, w zkstore.Store) (bool, error) {
			names, err := sorted(ctx, w)
			if len(names) == 0 {
				return false, err
			}
			p := zkstore.Join(dir, names[0])
			data, _, err := w.Get(ctx, p)
			if err != nil {
				return false, err
			}
			_, err = w.Multi(ctx, &zkstore.DeleteOp{Path: p, Version: -1},
				&zkstore.CreateOp{Path: zkstore.Join(dir, "c-"), Data: data, Mode: zkstore.ModePersistentSequential})
			return err == nil, err
		}},
		{"drop-election", func(ctx context.Context, w zkstore.Store) (bool, error) {
			ops, err := subtreeOps(ctx, w, dir)
			if errors.Is(err, zkstore.ErrNoNode) {
				return false, nil
			}
			if err == nil {
				_, err = w.Multi(ctx, ops...)
			}
			return err == nil, err
		}},
		{"create-election", func(ctx context.Context, w zkstore.Store) (bool, error) {
			_, err := w.Create(ctx, dir, nil, zkstore.CreateOptions{})
			if errors.Is(err, zkstore.ErrNodeExists) {
				return false, nil
			}
			return err == nil, err
		}},
	}
}

// runObserve: candidates join and resign (the last candidate
// "leader-resigns-and-rejoins" reports the same leader again, which
// Observe must not resend); its last leader must be the lowest candidate
// after every step.
func runObserve(t *testing.T, e env, in *injector) int {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	w := e.Open(t)
	st := interleave.New(e.Open(t))
	dir := fmt.Sprintf("/il-election-%d", time.Now().UnixNano())
	in.w = w
	in.kinds = candidateKinds(dir)
	join := func(id string) error {
		_, err := w.Create(ctx, zkstore.Join(dir, "c-"), []byte(id), zkstore.CreateOptions{Mode: zkstore.ModePersistentSequential})
		return err
	}
	_, err := w.Create(ctx, dir, nil, zkstore.CreateOptions{})
	mustW(t, in, "create", err)
	mustW(t, in, "join x", join("x"))
	st.SetHook(in.hook)
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	out := recipe.Observe(sctx, watch.StoreSource(st), dir)
	var seen []string
	settle := func(step string) {
		ok, why := pollUntil(10*time.Second, func() (bool, string) {
			want, err := lowest(ctx, w, dir)
			if err != nil {
				return false, err.Error()
			}
			for {
				select {
				case l, open := <-out:
					if !open {
						return false, "Observe ended"
					}
					if n := len(seen); n > 0 && seen[n-1] == l {
						t.Fatalf("%v: %s: the same leader %q was sent again; leaders %q", in, step, l, seen)
					}
					seen = append(seen, l)
					continue
				default:
				}
				break
			}
			if len(seen) == 0 {
				return false, "no leader yet"
			}
			return seen[len(seen)-1] == want, fmt.Sprintf("last leader %q, lowest candidate %q", seen[len(seen)-1], want)
		})
		if !ok {
			t.Fatalf("%v: %s: %s; leaders %q", in, step, why, seen)
		}
	}
	settle("first leader")
	steps := []struct {
		name string
		do   func() error
	}{
		{"join y", func() error { return join("y") }},
		{"join z", func() error { return join("z") }},
		{"leader resigns", func() error { _, err := candidateKinds(dir)[1].apply(ctx, w); return err }},
		{"follower resigns", func() error { _, err := candidateKinds(dir)[2].apply(ctx, w); return err }},
		{"last resigns", func() error { _, err := candidateKinds(dir)[1].apply(ctx, w); return err }},
		{"join v", func() error { return join("v") }},
	}
	for _, s := range steps {
		mustW(t, in, s.name, s.do())
		settle(s.name)
	}
	in.stop()
	settle("the end")
	time.Sleep(5 * time.Millisecond)
	settle("after quiet")
	if in.err != nil {
		t.Fatalf("%v", in.err)
	}
	return st.Calls()
}

func TestObserveInterleavings(t *testing.T) {
	t.Run("mem", func(t *testing.T) {
		interleaved(t, memEnv(t), candidateKinds(""), 1, runObserve)
	})
	t.Run("live", func(t *testing.T) {
		interleaved(t, liveEnv(t), candidateKinds(""), 6, runObserve)
	})
}

// --- Mutex: the waiter wakes exactly when its predecessors are gone ---

// lockKinds are the other contenders' changes around a waiter (whose
// znode holds "waiter" and is never touched): one joins, its predecessor
// releases, the lowest releases, a later one leaves, the predecessor's
// data changes (its watch fires, but it is still there).
func lockKinds(dir string) []changeKind {
	// others lists the contenders other than the waiter by sequence, and
	// the index of the first one after it (len if none).
	others := func(ctx context.Context, w zkstore.Store) ([]string, int, error) {
		names, _, err := w.Children(ctx, dir)
		if err != nil {
			return nil, 0, err
		}
		slices.SortFunc(names, func(a, b string) int {
			x, _ := zkstore.ParseSequence(a)
			y, _ := zkstore.ParseSequence(b)
			return int(x) - int(y)
		})
		var out []string
		after := -1
		for _, n := range names {
			data, _, err := w.Get(ctx, zkstore.Join(dir, n))
			if errors.Is(err, zkstore.ErrNoNode) {
				continue
			}
			if err != nil {
				return nil, 0, err
			}
			if string(data) == "waiter" {
				after = len(out)
				continue
			}
			out = append(out, n)
		}
		if after < 0 {
			after = len(out)
		}
		return out, after, nil
	}
	del := func(ctx context.Context, w zkstore.Store, name string) (bool, error) {
		err := w.Delete(ctx, zkstore.Join(dir, name), zkstore.AnyVersion)
		return err == nil, err
	}
	var n atomic.Int32
	return []changeKind{
		{"join", func(ctx context.Context, w zkstore.Store) (bool, error) {
			_, err := w.Create(ctx, zkstore.Join(dir, "c-"), fmt.Appendf(nil, "inj%d", n.Add(1)), zkstore.CreateOptions{Mode: zkstore.ModePersistentSequential})
			return err == nil, err
		}},
		{"predecessor-releases", func(ctx context.Context, w zkstore.Store) (bool, error) {
			names, after, err := others(ctx, w)
			if err != nil || after == 0 {
				return false, err
			}
			return del(ctx, w, names[after-1])
		}},
		{"lowest-releases", func(ctx context.Context, w zkstore.Store) (bool, error) {
			names, after, err := others(ctx, w)
			if err != nil || after == 0 {
				return false, err
			}
			return del(ctx, w, names[0])
		}},
		{"later-leaves", func(ctx context.Context, w zkstore.Store) (bool, error) {
			names, after, err := others(ctx, w)
			if err != nil || after == len(names) {
				return false, err
			}
			return del(ctx, w, names[len(names)-1])
		}},
		{"set-predecessor", func(ctx context.Context, w zkstore.Store) (bool, error) {
			names, after, err := others(ctx, w)
			if err != nil || after == 0 {
				return false, err
			}
			_, err = w.Set(ctx, zkstore.Join(dir, names[after-1]), fmt.Appendf(nil, "set%d", n.Add(1)), zkstore.AnyVersion)
			return err == nil, err
		}},
	}
}

// runLockWait: a waiter queues behind two contenders of another session;
// contenders come, go and change while it waits. It must hold the lock
// only once no contender before it is left, and then within the
// deadline.
func runLockWait(t *testing.T, e env, in *injector) int {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	w := e.Open(t)
	st := interleave.New(e.Open(t))
	dir := fmt.Sprintf("/il-lock-%d", time.Now().UnixNano())
	in.w = w
	in.kinds = lockKinds(dir)
	_, err := w.Create(ctx, dir, nil, zkstore.CreateOptions{})
	mustW(t, in, "create", err)
	for _, id := range []string{"h1", "h2"} {
		_, err := w.Create(ctx, zkstore.Join(dir, "c-"), []byte(id), zkstore.CreateOptions{Mode: zkstore.ModePersistentSequential})
		mustW(t, in, "contender", err)
	}
	// before says whether a contender precedes ours (or ours is not there
	// yet), by sequence.
	before := func() (bool, string) {
		names, _, err := w.Children(ctx, dir)
		if err != nil {
			return true, err.Error()
		}
		mine := int32(-1)
		for _, n := range names {
			if data, _, err := w.Get(ctx, zkstore.Join(dir, n)); err == nil && string(data) == "waiter" {
				mine, _ = zkstore.ParseSequence(n)
			}
		}
		if mine < 0 {
			return true, fmt.Sprintf("our znode is not in %v", names)
		}
		for _, n := range names {
			if s, _ := zkstore.ParseSequence(n); s < mine {
				return true, fmt.Sprintf("%s precedes ours in %v", n, names)
			}
		}
		return false, ""
	}
	st.SetHook(in.hook)
	m := recipe.NewMutex(st, dir, []byte("waiter"))
	var held atomic.Bool
	early := make(chan string, 1)
	locked := make(chan error, 1)
	go func() {
		err := m.Lock(ctx)
		if err == nil {
			if pre, why := before(); pre {
				early <- why
			}
			held.Store(true)
		}
		locked <- err
	}()
	check := func(step string) {
		select {
		case why := <-early:
			t.Fatalf("%v: %s: the waiter holds the lock although %s", in, step, why)
		default:
		}
		ok, why := pollUntil(10*time.Second, func() (bool, string) {
			pre, why := before()
			if pre {
				return !held.Load(), why
			}
			return held.Load(), "no contender precedes, but the waiter still waits"
		})
		if !ok {
			t.Fatalf("%v: %s: %s", in, step, why)
		}
		if pre, _ := before(); pre {
			// It must not wake while a predecessor stays: give it a moment.
			time.Sleep(2 * time.Millisecond)
			if held.Load() {
				t.Fatalf("%v: %s: the waiter holds the lock while a contender precedes it", in, step)
			}
		}
	}
	steps := []struct {
		name string
		do   func() error
	}{
		{"set the predecessor", func() error { _, err := in.kinds[4].apply(ctx, w); return err }},
		{"a later contender joins", func() error { _, err := in.kinds[0].apply(ctx, w); return err }},
		{"the holder releases", func() error { _, err := in.kinds[2].apply(ctx, w); return err }},
		{"the rest release", func() error {
			names, _, err := w.Children(ctx, dir)
			for _, n := range names {
				if data, _, _ := w.Get(ctx, zkstore.Join(dir, n)); string(data) != "waiter" {
					if err := w.Delete(ctx, zkstore.Join(dir, n), zkstore.AnyVersion); err != nil && !errors.Is(err, zkstore.ErrNoNode) {
						return err
					}
				}
			}
			return err
		}},
	}
	check("queued")
	for _, s := range steps {
		mustW(t, in, s.name, s.do())
		check(s.name)
	}
	if err := <-locked; err != nil {
		t.Fatalf("%v: Lock: %v", in, err)
	}
	in.stop()
	calls := st.Calls()
	if err := m.Unlock(ctx); err != nil {
		t.Fatalf("%v: Unlock: %v", in, err)
	}
	if in.err != nil && !strings.Contains(in.err.Error(), "no node") {
		t.Fatalf("%v", in.err)
	}
	return calls
}

func TestLockWaitInterleavings(t *testing.T) {
	kinds := lockKinds("")
	t.Run("mem", func(t *testing.T) {
		interleaved(t, memEnv(t), kinds, 1, runLockWait)
	})
	t.Run("live", func(t *testing.T) {
		interleaved(t, liveEnv(t), kinds, 4, runLockWait)
	})
}

// --- Holders: Lost is closed exactly when the held znode goes ---

// holderKinds are changes around a holder's znode (the one whose data is
// "holder"): its data set (it still holds), another contender joining or
// leaving (it still holds), its znode deleted, or deleted and created
// again under the same name in one multi (either way the znode it held is
// gone: someone else's now stands in its place).
func holderKinds(dir string) []changeKind {
	own := func(ctx context.Context, w zkstore.Store) (string, error) {
		names, _, err := w.Children(ctx, dir)
		if err != nil {
			return "", err
		}
		for _, n := range names {
			if data, _, err := w.Get(ctx, zkstore.Join(dir, n)); err == nil && strings.HasPrefix(string(data), "holder") {
				return zkstore.Join(dir, n), nil
			}
		}
		return "", nil
	}
	var n atomic.Int32
	others := lockKinds(dir)
	return []changeKind{
		others[0], // join
		others[3], // later-leaves
		{"set-own", func(ctx context.Context, w zkstore.Store) (bool, error) {
			p, err := own(ctx, w)
			if p == "" {
				return false, err
			}
			_, err = w.Set(ctx, p, fmt.Appendf(nil, "holder set %d", n.Add(1)), zkstore.AnyVersion)
			return err == nil, err
		}},
		{"delete-own", func(ctx context.Context, w zkstore.Store) (bool, error) {
			p, err := own(ctx, w)
			if p == "" {
				return false, err
			}
			return true, w.Delete(ctx, p, zkstore.AnyVersion)
		}},
		{"recreate-own", func(ctx context.Context, w zkstore.Store) (bool, error) {
			p, err := own(ctx, w)
			if p == "" {
				return false, err
			}
			_, err = w.Multi(ctx, &zkstore.DeleteOp{Path: p, Version: -1}, &zkstore.CreateOp{Path: p, Data: []byte("impostor")})
			return err == nil, err
		}},
	}
}

// holdKind acquires something held as a znode under dir, with "holder" as
// the znode's data where the recipe lets it be chosen.
type holdKind struct {
	name    string
	acquire func(ctx context.Context, st zkstore.Store, dir string) (lost <-chan struct{}, release func(context.Context) error, err error)
}

var holdKinds = []holdKind{
	{"mutex", func(ctx context.Context, st zkstore.Store, dir string) (<-chan struct{}, func(context.Context) error, error) {
		m := recipe.NewMutex(st, dir, []byte("holder"))
		if err := m.Lock(ctx); err != nil {
			return nil, nil, err
		}
		return m.Lost(), m.Unlock, nil
	}},
	{"semaphore", func(ctx context.Context, st zkstore.Store, dir string) (<-chan struct{}, func(context.Context) error, error) {
		l, err := recipe.NewSemaphore(st, dir, 2, []byte("holder")).Acquire(ctx)
		if err != nil {
			return nil, nil, err
		}
		return l.Lost(), l.Release, nil
	}},
}

// runHolder: the holder's znode sees others come and go and its own data
// change; Lost must stay open through all of it unless an injected change
// removed the znode, and then close.
func runHolder(kind holdKind) func(t *testing.T, e env, in *injector) int {
	return func(t *testing.T, e env, in *injector) int {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		w := e.Open(t)
		st := interleave.New(e.Open(t))
		dir := fmt.Sprintf("/il-hold-%d", time.Now().UnixNano())
		in.w = w
		in.kinds = holderKinds(dir)
		lost, release, err := kind.acquire(ctx, st, dir)
		if err != nil {
			t.Fatalf("%v: acquire: %v", in, err)
		}
		// Inject only into the watching that follows the acquisition.
		base := st.Calls()
		if in.inj != nil {
			shifted := *in.inj
			shifted.at += base
			in.inj = &shifted
		}
		st.SetHook(in.hook)
		gone := func() bool {
			in.mu.Lock()
			defer in.mu.Unlock()
			return strings.HasPrefix(in.applied, "delete-own") || strings.HasPrefix(in.applied, "recreate-own")
		}
		check := func(step string) {
			if gone() {
				select {
				case <-lost:
				case <-time.After(10 * time.Second):
					t.Fatalf("%v: %s: the held znode is gone but Lost is still open", in, step)
				}
				return
			}
			time.Sleep(2 * time.Millisecond) // time to close, were it wrong
			select {
			case <-lost:
				if !gone() {
					t.Fatalf("%v: %s: Lost closed while the znode is held", in, step)
				}
			default:
			}
		}
		kinds := in.kinds
		for _, s := range []struct {
			name string
			k    changeKind
		}{{"a contender joins", kinds[0]}, {"its data is set", kinds[2]}, {"the contender leaves", kinds[1]}, {"its data is set again", kinds[2]}} {
			_, err := s.k.apply(ctx, w)
			mustW(t, in, s.name, err)
			check(s.name)
		}
		in.stop()
		check("the end")
		calls := st.Calls() - base
		if err := release(ctx); err != nil {
			t.Fatalf("%v: release: %v", in, err)
		}
		if in.err != nil {
			t.Fatalf("%v", in.err)
		}
		return calls
	}
}

func TestHolderInterleavings(t *testing.T) {
	for _, k := range holdKinds {
		t.Run(k.name, func(t *testing.T) {
			t.Run("mem", func(t *testing.T) {
				interleaved(t, memEnv(t), holderKinds(""), 1, runHolder(k))
			})
			t.Run("live", func(t *testing.T) {
				interleaved(t, liveEnv(t), holderKinds(""), 3, runHolder(k))
			})
		})
	}
}
