package cachestore_test

import (
	"context"
	"flag"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zksql/zksql/internal/testkit/clustertest"
	"github.com/zksql/zksql/internal/testkit/zkserver"
	"github.com/zksql/zksql/zkstore"
	"github.com/zksql/zksql/zkstore/cachestore"
	"github.com/zksql/zksql/zkstore/memstore"
	"github.com/zksql/zksql/zkstore/storetest"
)

// longFlag runs the consistency test at full length.
var longFlag = flag.Bool("zksql.long", false, "run the cache consistency test at full length (also ZKSQL_LONG=1)")

func long() bool { return *longFlag || os.Getenv("ZKSQL_LONG") == "1" }

func TestMain(m *testing.M) {
	// Server ticks of 100ms, as livestore's tests: expiry takes a second
	// or two.
	os.Exit(zkserver.RunShared(m, zkserver.Options{TickTime: 100 * time.Millisecond}))
}

// innerCluster is what the cache wraps: the conformance suite's cluster,
// which can also cut a session off.
type innerCluster interface {
	storetest.Cluster
	Suspend(t testing.TB, s zkstore.Store) (resume func())
}

func memCluster(t testing.TB) innerCluster {
	return clustertest.NewMem(t, memstore.ContainerCheckInterval(50*time.Millisecond))
}

func liveCluster(t testing.TB) innerCluster {
	return clustertest.NewLive(zkserver.SharedAddr(t), 3*time.Second)
}

// cacheCluster opens every session as a cachestore over a session of the
// inner cluster. roots gives the subtrees to cache for a session opened
// by test t. The sessions are one Group: the suite expects what one
// ZooKeeper server gives, that a session's read sees another session's
// write that returned before; a cache sees it only once its event has
// arrived, unless it syncs first, which the Group does.
type cacheCluster struct {
	inner innerCluster
	group *cachestore.Group
	roots func(t testing.TB, s zkstore.Store) []string
	opts  []cachestore.Option

	mu     sync.Mutex
	stores map[zkstore.Store]zkstore.Store // cache → inner
	total  cachestore.Stats                // of the stores closed so far
}

var (
	_ storetest.Cluster        = (*cacheCluster)(nil)
	_ storetest.RequestLimiter = (*cacheCluster)(nil)
)

func newCacheCluster(inner innerCluster, roots func(t testing.TB, s zkstore.Store) []string, opts ...cachestore.Option) *cacheCluster {
	g := cachestore.NewGroup()
	opts = append([]cachestore.Option{cachestore.InGroup(g)}, opts...)
	return &cacheCluster{inner: inner, group: g, roots: roots, opts: opts, stores: make(map[zkstore.Store]zkstore.Store)}
}

func rootOnly(testing.TB, zkstore.Store) []string { return []string{"/"} }

func (c *cacheCluster) Open(t testing.TB) zkstore.Store {
	t.Helper()
	in := c.inner.Open(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cs, err := cachestore.New(ctx, in, c.roots(t, in), c.opts...)
	if err != nil {
		t.Fatalf("cachestore.New: %v", err)
	}
	t.Cleanup(func() {
		cs.Close()
		st := cs.Stats()
		c.mu.Lock()
		c.total.Hits += st.Hits
		c.total.Misses += st.Misses
		c.total.Rereads += st.Rereads
		c.total.Loads += st.Loads
		c.mu.Unlock()
	})
	c.mu.Lock()
	c.stores[cs] = in
	c.mu.Unlock()
	return cs
}

func (c *cacheCluster) innerOf(t testing.TB, s zkstore.Store) zkstore.Store {
	c.mu.Lock()
	defer c.mu.Unlock()
	in := c.stores[s]
	if in == nil {
		t.Fatalf("store %v was not opened by this cluster", s)
	}
	return in
}

func (c *cacheCluster) Expire(t testing.TB, s zkstore.Store) {
	t.Helper()
	c.inner.Expire(t, c.innerOf(t, s))
}

func (c *cacheCluster) Suspend(t testing.TB, s zkstore.Store) (resume func()) {
	t.Helper()
	return c.inner.Suspend(t, c.innerOf(t, s))
}

func (c *cacheCluster) MaxRequestSize() int {
	if l, ok := c.inner.(storetest.RequestLimiter); ok {
		return l.MaxRequestSize()
	}
	return zkstore.DefaultMaxRequestSize
}

// caseBase caches only the conformance case's own base path (a subtree
// below "/", whose parent is not cached): the suite's fixture makes the
// base with its first session, so every later session finds it among
// "/"'s children by the name the suite gives it. The first session caches
// a path that does not exist.
func caseBase(t testing.TB, s zkstore.Store) []string {
	t.Helper()
	prefix := strings.TrimPrefix(storetest.CaseBasePrefix(t.Name()), "/")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	names, _, err := s.Children(ctx, "/")
	if err != nil {
		t.Fatalf("list /: %v", err)
	}
	for _, n := range names {
		if strings.HasPrefix(n, prefix) {
			return []string{"/" + n}
		}
	}
	return []string{"/" + prefix + "not-yet"}
}

// checkServed fails the run unless the cache answered most of the
// suite's reads of cached paths itself: a suite passed by sending every
// read to the server would prove nothing about the cache.
func checkServed(t *testing.T, clusters []*cacheCluster) {
	var total cachestore.Stats
	for _, c := range clusters {
		c.mu.Lock()
		total.Hits += c.total.Hits
		total.Misses += c.total.Misses
		total.Rereads += c.total.Rereads
		total.Loads += c.total.Loads
		c.mu.Unlock()
	}
	t.Logf("reads answered from memory %d, sent to the server %d; znodes re-read %d; loads %d",
		total.Hits, total.Misses, total.Rereads, total.Loads)
	if total.Hits+total.Misses < 250 {
		return // a part of the suite ran (-run): too few reads to judge
	}
	if total.Hits < 3*total.Misses {
		t.Errorf("the cache answered %d reads and sent %d to the server", total.Hits, total.Misses)
	}
}

func runMem(t *testing.T, roots func(testing.TB, zkstore.Store) []string) {
	var (
		mu       sync.Mutex
		clusters []*cacheCluster
	)
	storetest.Run(t, func(t *testing.T) storetest.Cluster {
		c := newCacheCluster(memCluster(t), roots)
		mu.Lock()
		clusters = append(clusters, c)
		mu.Unlock()
		return c
	})
	checkServed(t, clusters)
}

func TestConformanceMemRoot(t *testing.T)    { runMem(t, rootOnly) }
func TestConformanceMemSubtree(t *testing.T) { runMem(t, caseBase) }

func TestConformanceLiveRoot(t *testing.T) {
	c := newCacheCluster(liveCluster(t), rootOnly)
	storetest.Run(t, func(t *testing.T) storetest.Cluster { return c })
	checkServed(t, []*cacheCluster{c})
}

func TestConformanceLiveSubtree(t *testing.T) {
	c := newCacheCluster(liveCluster(t), caseBase)
	storetest.Run(t, func(t *testing.T) storetest.Cluster { return c })
	checkServed(t, []*cacheCluster{c})
}
