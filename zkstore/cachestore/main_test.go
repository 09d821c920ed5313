package cachestore_test

import (
	"context"
	"flag"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zksql/zksql/internal/clustertest"
	"github.com/zksql/zksql/internal/zkserver"
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
// by test t.
type cacheCluster struct {
	inner innerCluster
	roots func(t testing.TB, s zkstore.Store) []string
	opts  []cachestore.Option

	mu     sync.Mutex
	stores map[zkstore.Store]zkstore.Store // cache → inner
}

var (
	_ storetest.Cluster        = (*cacheCluster)(nil)
	_ storetest.RequestLimiter = (*cacheCluster)(nil)
)

func newCacheCluster(inner innerCluster, roots func(t testing.TB, s zkstore.Store) []string, opts ...cachestore.Option) *cacheCluster {
	return &cacheCluster{inner: inner, roots: roots, opts: opts, stores: make(map[zkstore.Store]zkstore.Store)}
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
	t.Cleanup(func() { cs.Close() })
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
	prefix := "storetest-" + sanitize(t.Name()) + "-"
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

// sanitize is storetest's own, for the base path's name.
func sanitize(name string) string {
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

func TestConformanceMemRoot(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Cluster {
		return newCacheCluster(memCluster(t), rootOnly)
	})
}

func TestConformanceMemSubtree(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Cluster {
		return newCacheCluster(memCluster(t), caseBase)
	})
}

func TestConformanceLiveRoot(t *testing.T) {
	c := newCacheCluster(liveCluster(t), rootOnly)
	storetest.Run(t, func(t *testing.T) storetest.Cluster { return c })
}

func TestConformanceLiveSubtree(t *testing.T) {
	c := newCacheCluster(liveCluster(t), caseBase)
	storetest.Run(t, func(t *testing.T) storetest.Cluster { return c })
}
