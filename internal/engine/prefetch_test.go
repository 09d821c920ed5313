package engine

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"database/sql/driver"

	"github.com/zksql/zksql/internal/testkit/zkserver"
	"github.com/zksql/zksql/zkstore"
	"github.com/zksql/zksql/zkstore/livestore"
	"github.com/zksql/zksql/zkstore/memstore"
)

// randomTree fills a memstore with a tree (fillTree) under /t.
func randomTree(t *testing.T, seed uint64) (*memstore.Server, zkstore.Store) {
	t.Helper()
	srv := memstore.NewServer()
	t.Cleanup(srv.Close)
	st := srv.Open()
	t.Cleanup(func() { st.Close() })
	fillTree(t, st, "/t", seed)
	return srv, st
}

// fillTree creates root and a tree below it whose names exercise the
// walk order (component order: "/t/a/b" before "/t/a-b") and whose
// fan-out varies from none to wide.
func fillTree(t *testing.T, st zkstore.Store, root string, seed uint64) {
	t.Helper()
	ctx := context.Background()
	r := rand.New(rand.NewPCG(seed, 1))
	names := []string{"a", "a-b", "a.b", "b", "ab", "c0", "c1", "z", "0", "A"}
	var grow func(p string, depth int)
	grow = func(p string, depth int) {
		if depth == 0 {
			return
		}
		n := r.IntN(len(names) + 1)
		if depth == 1 && r.IntN(3) == 0 {
			n = 0
		}
		for _, name := range r.Perm(len(names))[:n] {
			c := p + "/" + names[name]
			if _, err := st.Create(ctx, c, []byte(c), zkstore.CreateOptions{}); err != nil {
				t.Fatal(err)
			}
			grow(c, depth-1)
		}
	}
	if _, err := st.Create(ctx, root, nil, zkstore.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	grow(root, 4)
}

// drain reads a source to its end or first error.
func drain(src rowSource) (rows []string, err error) {
	for {
		z, err := src.next()
		if err != nil || z == nil {
			return rows, err
		}
		row := z.path
		if z.hasData {
			row += "=" + string(z.data)
		}
		if z.hasStat {
			row += fmt.Sprintf(" v%d n%d", z.stat.Version, z.stat.NumChildren)
		}
		rows = append(rows, row)
	}
}

// TestPrefetchWalkMatchesWalk: the read-ahead walk yields exactly the
// rows, in the order, of the one-request-at-a-time walk, for every prefix
// and fetch level, and fails at the same row with max_scan.
func TestPrefetchWalkMatchesWalk(t *testing.T) {
	for seed := range uint64(4) {
		_, st := randomTree(t, seed)
		ctx := context.Background()
		for _, pre := range []struct{ root, prefix string }{
			{"/", ""}, {"/t", "/t/"}, {"/t", "/t/a"}, {"/t/a", "/t/a/"}, {"/t", "/t/a-"}, {"/t/nope", "/t/nope/"},
		} {
			for _, level := range []fetchLevel{fetchName, fetchStat, fetchData} {
				for _, maxScan := range []int{1 << 20, 1, 7, 40} {
					seq := &walkSource{s: &scanner{ctx: ctx, st: st, level: level, maxScan: maxScan}, root: pre.root, prefix: pre.prefix}
					pw := newWalk(&scanner{ctx: ctx, st: st, level: level, maxScan: maxScan}, pre.root, pre.prefix)
					if _, ok := pw.(*prefetchWalk); !ok {
						t.Fatalf("newWalk outside a transaction gave %T", pw)
					}
					want, werr := drain(seq)
					got, gerr := drain(pw)
					name := fmt.Sprintf("seed %d root %s prefix %q level %d max_scan %d", seed, pre.root, pre.prefix, level, maxScan)
					if !slices.Equal(got, want) {
						t.Errorf("%s:\n got %q\nwant %q", name, got, want)
					}
					if errors.Is(werr, ErrMaxScan) != errors.Is(gerr, ErrMaxScan) || (werr == nil) != (gerr == nil) {
						t.Errorf("%s: error %v, want %v", name, gerr, werr)
					}
					pw.(*prefetchWalk).close()
				}
			}
		}
	}
}

// TestPrefetchWalkReadError: a failed read fails the scan at that znode,
// after the rows before it, as the one-at-a-time walk does.
func TestPrefetchWalkReadError(t *testing.T) {
	srv, _ := randomTree(t, 7)
	st := srv.Open()
	defer st.Close()
	ctx := context.Background()
	all, err := drain(&walkSource{s: &scanner{ctx: ctx, st: st, level: fetchData, maxScan: 1 << 20}, root: "/t", prefix: "/t/"})
	if err != nil || len(all) < 10 {
		t.Fatalf("%d rows, %v", len(all), err)
	}
	victim, _, _ := strings.Cut(all[len(all)/2], "=")
	boom := errors.New("boom")
	srv.InjectFault(memstore.FailOnce("get", victim, boom))
	w := newWalk(&scanner{ctx: ctx, st: st, level: fetchData, maxScan: 1 << 20}, "/t", "/t/")
	got, err := drain(w)
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), victim) {
		t.Fatalf("error %v, want boom at %s", err, victim)
	}
	if !slices.Equal(got, all[:len(all)/2]) {
		t.Fatalf("rows before the error:\n got %q\nwant %q", got, all[:len(all)/2])
	}
	if pw := w.(*prefetchWalk); pw.flying != 0 {
		t.Fatalf("%d reads still in flight after the error", pw.flying)
	}
}

// slowStore delays every read, so that reads are in flight when a scan
// is abandoned.
type slowStore struct {
	zkstore.Store
	delay time.Duration
	reads *atomic.Int64
}

func (s slowStore) Get(ctx context.Context, p string) ([]byte, zkstore.Stat, error) {
	s.reads.Add(1)
	time.Sleep(s.delay)
	return s.Store.Get(ctx, p)
}

func (s slowStore) Children(ctx context.Context, p string) ([]string, zkstore.Stat, error) {
	s.reads.Add(1)
	time.Sleep(s.delay)
	return s.Store.Children(ctx, p)
}

// TestPrefetchWalkCloseWaits: closing the rows of a scan read part-way
// waits for the reads in flight (TestMain fails the run on a goroutine
// left behind), and the read-ahead stays within its window.
func TestPrefetchWalkCloseWaits(t *testing.T) {
	srv := memstore.NewServer()
	defer srv.Close()
	st := srv.Open()
	defer st.Close()
	ctx := context.Background()
	st.Create(ctx, "/w", nil, zkstore.CreateOptions{})
	for i := range 300 {
		if _, err := st.Create(ctx, fmt.Sprintf("/w/n%03d", i), []byte("x"), zkstore.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	var reads atomic.Int64
	slow := slowStore{Store: srv.Open(), delay: time.Millisecond, reads: &reads}
	defer slow.Close()
	cn := testSession(t, New(*testOptions()), slow)
	r, err := cn.queryString(ctx, "SELECT path, data FROM znodes WHERE path LIKE '/w/%'")
	if err != nil {
		t.Fatal(err)
	}
	vals := make([]driver.Value, 2)
	for i := range 200 {
		if err := r.Next(vals); err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
		if want := fmt.Sprintf("/w/n%03d", i); vals[0] != want {
			t.Fatalf("row %d: %v, want %s", i, vals[0], want)
		}
	}
	// 200 rows: the listing of /w, 200 Gets, at most a window ahead.
	if n := reads.Load(); n > 1+200+maxPrefetch {
		t.Errorf("%d reads for 200 rows: more than a window ahead", n)
	}
	r.Close()
	n := reads.Load()
	time.Sleep(20 * time.Millisecond)
	if m := reads.Load(); m != n {
		t.Errorf("reads went on after Close: %d, then %d", n, m)
	}
}

// TestPrefetchWindowGrows: the read-ahead starts at one znode and grows
// by one per two consumed, up to maxPrefetch.
func TestPrefetchWindowGrows(t *testing.T) {
	w := &prefetchWalk{}
	for _, c := range []struct{ done, want int }{{0, 1}, {1, 1}, {2, 2}, {10, 6}, {126, 64}, {100000, 64}} {
		w.done = c.done
		if got := w.window(); got != c.want {
			t.Errorf("window after %d: %d, want %d", c.done, got, c.want)
		}
	}
}

// TestPrefetchWalkLive: on a live server the walk sends its reads
// asynchronously (livestore's GetAsync/ChildrenAsync, no goroutine per
// read) and still yields exactly the one-at-a-time walk's rows; a context
// cancelled mid-walk fails it.
func TestPrefetchWalkLive(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, err := livestore.Open(ctx, []string{zkserver.SharedAddr(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	root := fmt.Sprintf("/prefetch-live-%d", time.Now().UnixNano())
	fillTree(t, st, root, 3)
	defer removeTree(t, st, root)
	for _, pre := range []struct{ root, prefix string }{
		{root, root + "/"}, {root, root + "/a"}, {root + "/a", root + "/a/"},
	} {
		for _, level := range []fetchLevel{fetchName, fetchStat, fetchData} {
			for _, maxScan := range []int{1 << 20, 5} {
				seq := &walkSource{s: &scanner{ctx: ctx, st: st, level: level, maxScan: maxScan}, root: pre.root, prefix: pre.prefix}
				w := newWalk(&scanner{ctx: ctx, st: st, level: level, maxScan: maxScan}, pre.root, pre.prefix)
				if pw, ok := w.(*prefetchWalk); !ok || pw.async == nil {
					t.Fatalf("newWalk on livestore gave %T without async reads", w)
				}
				want, werr := drain(seq)
				got, gerr := drain(w)
				name := fmt.Sprintf("prefix %q level %d max_scan %d", pre.prefix, level, maxScan)
				if !slices.Equal(got, want) {
					t.Errorf("%s:\n got %q\nwant %q", name, got, want)
				}
				if errors.Is(werr, ErrMaxScan) != errors.Is(gerr, ErrMaxScan) || (werr == nil) != (gerr == nil) {
					t.Errorf("%s: error %v, want %v", name, gerr, werr)
				}
				w.(*prefetchWalk).close()
			}
		}
	}
	cctx, ccancel := context.WithCancel(ctx)
	w := newWalk(&scanner{ctx: cctx, st: st, level: fetchData, maxScan: 1 << 20}, root, root+"/")
	if z, err := w.next(); z == nil || err != nil {
		t.Fatalf("first row: %v, %v", z, err)
	}
	ccancel()
	if _, err := drain(w); !errors.Is(err, context.Canceled) {
		t.Fatalf("after cancel: %v, want context.Canceled", err)
	}
}

// removeTree deletes root and everything below it, deepest first.
func removeTree(t *testing.T, st zkstore.Store, root string) {
	t.Helper()
	ctx := context.Background()
	names, _, err := st.Children(ctx, root)
	if err != nil {
		t.Errorf("removing %s: %v", root, err)
		return
	}
	for _, n := range names {
		removeTree(t, st, zkstore.Join(root, n))
	}
	if err := st.Delete(ctx, root, -1); err != nil {
		t.Errorf("removing %s: %v", root, err)
	}
}

// listingStore records the paths listed with Children.
type listingStore struct {
	zkstore.Store
	mu     sync.Mutex
	listed []string
}

func (s *listingStore) Children(ctx context.Context, p string) ([]string, zkstore.Stat, error) {
	s.mu.Lock()
	s.listed = append(s.listed, p)
	s.mu.Unlock()
	return s.Store.Children(ctx, p)
}

func (s *listingStore) wasListed(p string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Contains(s.listed, p)
}

// TestPrefetchScoutsNextDirectory: once its window is full grown, a walk
// lists the next directory while its window is still far from it
// (maxScouts), so the pre-order does not stop to wait for that listing;
// before then (a LIMIT that stops early) it reads nothing beyond its
// window.
func TestPrefetchScoutsNextDirectory(t *testing.T) {
	srv := memstore.NewServer()
	defer srv.Close()
	base := srv.Open()
	defer base.Close()
	ctx := context.Background()
	base.Create(ctx, "/w", nil, zkstore.CreateOptions{})
	for d := range 3 {
		dir := fmt.Sprintf("/w/d%d", d)
		base.Create(ctx, dir, nil, zkstore.CreateOptions{})
		for i := range 300 {
			if _, err := base.Create(ctx, fmt.Sprintf("%s/n%03d", dir, i), []byte("x"), zkstore.CreateOptions{}); err != nil {
				t.Fatal(err)
			}
		}
	}
	st := &listingStore{Store: base}
	w := newWalk(&scanner{ctx: ctx, st: st, level: fetchData, maxScan: 1 << 20}, "/w", "/w/")
	defer w.(*prefetchWalk).close()
	consume := func(n int) {
		for range n {
			if z, err := w.next(); z == nil || err != nil {
				t.Fatalf("walk ended early: %v", err)
			}
		}
	}
	// d0 and 20 of its leaves: the window (11 reads) is far from d1.
	consume(21)
	time.Sleep(10 * time.Millisecond)
	if st.wasListed("/w/d1") {
		t.Fatalf("/w/d1 listed after 21 rows, before the window was full grown: %q", st.listed)
	}
	// d0 and 150 of its leaves: the window (64) ends inside d0's leaves,
	// 150 znodes before d1; the scout has listed d1 already. Past d1, it
	// lists d2.
	waitListed := func(p string) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for !st.wasListed(p) {
			if time.Now().After(deadline) {
				t.Fatalf("%s not listed ahead of the walk: %q", p, st.listed)
			}
			time.Sleep(time.Millisecond)
		}
	}
	consume(130)
	waitListed("/w/d1")
	if st.wasListed("/w/d2") {
		t.Fatalf("/w/d2 listed before the walk reached d1: one scout per run is enough")
	}
	consume(200)
	waitListed("/w/d2")
	// The rows are still the pre-order.
	var got []string
	for {
		z, err := w.next()
		if err != nil {
			t.Fatal(err)
		}
		if z == nil {
			break
		}
		got = append(got, z.path)
	}
	if len(got) != 3+900-351 || got[0] != "/w/d1/n049" || got[251] != "/w/d2" || got[len(got)-1] != "/w/d2/n299" {
		t.Fatalf("%d rows after 351: first %q, 251st %q, last %q", len(got), got[0], got[251], got[len(got)-1])
	}
}
