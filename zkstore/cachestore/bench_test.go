package cachestore_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/zksql/zksql/internal/testkit/zkserver"
	"github.com/zksql/zksql/zkstore"
	"github.com/zksql/zksql/zkstore/cachestore"
	"github.com/zksql/zksql/zkstore/livestore"
	"github.com/zksql/zksql/zkstore/memstore"
)

type nopLogger struct{}

func (nopLogger) Printf(string, ...any) {}

// nsPerOp is the last run's time per op of a sub-benchmark, for the
// ratios its parent prints.
func nsPerOp(b *testing.B) float64 { return float64(b.Elapsed().Nanoseconds()) / float64(b.N) }

// BenchmarkPointGetLive: a cached Get against the raw go-zookeeper
// client's Get and livestore's, on the same server in the same run. It
// prints the ratios (cached / raw, cached / livestore).
func BenchmarkPointGetLive(b *testing.B) {
	addr := zkserver.SharedAddr(b)
	ctx := context.Background()
	in, err := livestore.Open(ctx, []string{addr})
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	base := testBase(b, in)
	p := base + "/point"
	if _, err := in.Create(ctx, p, make([]byte, 100), zkstore.CreateOptions{}); err != nil {
		b.Fatal(err)
	}
	conn, events, err := zk.Connect([]string{addr}, 10*time.Second, zk.WithLogInfo(false), zk.WithLogger(nopLogger{}))
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	for ev := range events {
		if ev.State == zk.StateHasSession {
			break
		}
	}
	var raw, inner, cached float64
	b.Run("raw", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := conn.Get(p); err != nil {
				b.Fatal(err)
			}
		}
		raw = nsPerOp(b)
	})
	b.Run("livestore", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := in.Get(ctx, p); err != nil {
				b.Fatal(err)
			}
		}
		inner = nsPerOp(b)
	})
	inCache, err := livestore.Open(ctx, []string{addr})
	if err != nil {
		b.Fatal(err)
	}
	cs, err := cachestore.New(ctx, inCache, []string{base})
	if err != nil {
		b.Fatal(err)
	}
	defer cs.Close()
	b.Run("cached", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := cs.Get(ctx, p); err != nil {
				b.Fatal(err)
			}
		}
		cached = nsPerOp(b)
	})
	if raw > 0 && inner > 0 && cached > 0 {
		fmt.Printf("BenchmarkPointGetLive: raw %.0f ns, livestore %.0f ns, cached %.0f ns; cached/raw %.4f, cached/livestore %.4f\n",
			raw, inner, cached, cached/raw, cached/inner)
	}
}

// BenchmarkPointGetMem: a cached Get against memstore's own Get.
func BenchmarkPointGetMem(b *testing.B) {
	srv := memstore.NewServer()
	defer srv.Close()
	ctx := context.Background()
	in := srv.Connect()
	p := "/point"
	if _, err := in.Create(ctx, p, make([]byte, 100), zkstore.CreateOptions{}); err != nil {
		b.Fatal(err)
	}
	var inner, cached float64
	b.Run("memstore", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := in.Get(ctx, p); err != nil {
				b.Fatal(err)
			}
		}
		inner = nsPerOp(b)
	})
	cs, err := cachestore.New(ctx, srv.Connect(), []string{"/"})
	if err != nil {
		b.Fatal(err)
	}
	defer cs.Close()
	b.Run("cached", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := cs.Get(ctx, p); err != nil {
				b.Fatal(err)
			}
		}
		cached = nsPerOp(b)
	})
	if inner > 0 && cached > 0 {
		fmt.Printf("BenchmarkPointGetMem: memstore %.0f ns, cached %.0f ns; cached/memstore %.3f\n", inner, cached, cached/inner)
	}
}

// BenchmarkCacheHeap loads a cache of 100,000 znodes with 100 bytes of
// data each (1,000 parents of 100 children under one root) and reports the
// heap it holds (runtime.MemStats.HeapAlloc after minus before, both
// after a GC) as MiB, and the load time. Target: ≤ 64 MiB.
func BenchmarkCacheHeap(b *testing.B) {
	const parents, children = 1000, 100
	srv := memstore.NewServer()
	defer srv.Close()
	ctx := context.Background()
	in := srv.Connect()
	data := make([]byte, 100)
	if _, err := in.Create(ctx, "/tree", nil, zkstore.CreateOptions{}); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < parents; i++ {
		ops := []zkstore.Op{&zkstore.CreateOp{Path: fmt.Sprintf("/tree/p%04d", i), Data: data}}
		for j := 0; j < children-1; j++ {
			ops = append(ops, &zkstore.CreateOp{Path: fmt.Sprintf("/tree/p%04d/c%03d", i, j), Data: data})
		}
		if _, err := in.Multi(ctx, ops...); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		cs := measureLoad(b, ctx, srv.Connect(), "/tree")
		if loads := cs.Stats().Loads; loads != 1 {
			b.Fatalf("%d loads, want the one of New", loads)
		}
		cs.Close()
	}
}

// measureLoad loads a cache of root over inner and reports the load time
// and the heap the cache holds (runtime.MemStats.HeapAlloc after minus
// before, both after a GC) in MiB and per znode.
func measureLoad(b *testing.B, ctx context.Context, inner zkstore.Store, root string) *cachestore.Store {
	b.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	cs, err := cachestore.New(ctx, inner, []string{root})
	if err != nil {
		b.Fatal(err)
	}
	load := time.Since(start)
	runtime.GC()
	runtime.ReadMemStats(&after)
	n := cs.Stats().Znodes
	held := float64(int64(after.HeapAlloc) - int64(before.HeapAlloc))
	b.ReportMetric(held/(1<<20), "MiB")
	b.ReportMetric(held/float64(n), "B/znode")
	b.ReportMetric(load.Seconds()*1000, "ms-load")
	b.ReportMetric(float64(n), "znodes")
	return cs
}

// rawConn connects the raw go-zookeeper client to addr.
func rawConn(b *testing.B, addr string) *zk.Conn {
	conn, events, err := zk.Connect([]string{addr}, 10*time.Second, zk.WithLogInfo(false), zk.WithLogger(nopLogger{}))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(conn.Close)
	for ev := range events {
		if ev.State == zk.StateHasSession {
			break
		}
	}
	return conn
}

// BenchmarkOtherWriteVisibleLive: another session's Set until a reader
// holds the new data: with the raw client, a GetW whose event is awaited
// and which is then re-armed (GetW again, which reads the data); with the
// cache, cached Gets until one returns the new version. It prints the
// ratio cached / raw.
func BenchmarkOtherWriteVisibleLive(b *testing.B) {
	addr := zkserver.SharedAddr(b)
	ctx := context.Background()
	writer := rawConn(b, addr)
	p := fmt.Sprintf("/cachestore-visible-%d", time.Now().UnixNano())
	if _, err := writer.Create(p, []byte("0"), 0, zk.WorldACL(zk.PermAll)); err != nil {
		b.Fatal(err)
	}
	var raw, cached float64
	b.Run("raw-GetW", func(b *testing.B) {
		reader := rawConn(b, addr)
		_, _, ch, err := reader.GetW(p)
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if _, err := writer.Set(p, []byte("x"), -1); err != nil {
				b.Fatal(err)
			}
			<-ch
			if _, _, ch, err = reader.GetW(p); err != nil {
				b.Fatal(err)
			}
		}
		raw = nsPerOp(b)
	})
	b.Run("cached", func(b *testing.B) {
		in, err := livestore.Open(ctx, []string{addr})
		if err != nil {
			b.Fatal(err)
		}
		cs, err := cachestore.New(ctx, in, []string{p})
		if err != nil {
			b.Fatal(err)
		}
		defer cs.Close()
		for b.Loop() {
			st, err := writer.Set(p, []byte("x"), -1)
			if err != nil {
				b.Fatal(err)
			}
			for {
				_, got, err := cs.Get(ctx, p)
				if err != nil {
					b.Fatal(err)
				}
				if got.Version >= st.Version {
					break
				}
				time.Sleep(20 * time.Microsecond)
			}
		}
		cached = nsPerOp(b)
	})
	if raw > 0 && cached > 0 {
		fmt.Printf("BenchmarkOtherWriteVisibleLive: raw GetW re-armed %.0f ns, cached %.0f ns; cached/raw %.3f\n", raw, cached, cached/raw)
	}
}

// walk reads every znode under root (data and children) with up to
// window reads outstanding, as a tuned walk does; it returns the count.
func walk(ctx context.Context, b *testing.B, st zkstore.Store, root string, window int) int {
	type pending struct {
		path     string
		get, kid zkstore.PendingRead
	}
	queue := []string{root}
	var inflight []pending
	n := 0
	for len(queue) > 0 || len(inflight) > 0 {
		for len(queue) > 0 && len(inflight) < window {
			p := queue[0]
			queue = queue[1:]
			inflight = append(inflight, pending{p, zkstore.GetAsync(ctx, st, p), zkstore.ChildrenAsync(ctx, st, p)})
		}
		r := inflight[0]
		inflight = inflight[1:]
		if _, _, err := r.get.Get(); err != nil {
			b.Fatal(err)
		}
		names, _, err := r.kid.Children()
		if err != nil {
			b.Fatal(err)
		}
		n++
		for _, name := range names {
			queue = append(queue, zkstore.Join(r.path, name))
		}
	}
	return n
}

// BenchmarkSubtreeWalkLive: reading every znode of a 10,100-znode subtree
// (data and children), from the cache against a walk with 64 reads
// outstanding on livestore, same server, same run. It prints the ratio.
func BenchmarkSubtreeWalkLive(b *testing.B) {
	addr := zkserver.SharedAddr(b)
	ctx := context.Background()
	in, err := livestore.Open(ctx, []string{addr})
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	base := testBase(b, in)
	data := make([]byte, 100)
	for i := 0; i < 100; i++ {
		ops := []zkstore.Op{&zkstore.CreateOp{Path: fmt.Sprintf("%s/p%03d", base, i), Data: data}}
		for j := 0; j < 100; j++ {
			ops = append(ops, &zkstore.CreateOp{Path: fmt.Sprintf("%s/p%03d/c%03d", base, i, j), Data: data})
		}
		if _, err := in.Multi(ctx, ops...); err != nil {
			b.Fatal(err)
		}
	}
	const want = 1 + 100*101
	var tuned, cached float64
	b.Run("walk64-livestore", func(b *testing.B) {
		for b.Loop() {
			if n := walk(ctx, b, in, base, 64); n != want {
				b.Fatalf("walked %d znodes, want %d", n, want)
			}
		}
		tuned = nsPerOp(b)
	})
	inCache, err := livestore.Open(ctx, []string{addr})
	if err != nil {
		b.Fatal(err)
	}
	cs, err := cachestore.New(ctx, inCache, []string{base})
	if err != nil {
		b.Fatal(err)
	}
	defer cs.Close()
	b.Run("cached", func(b *testing.B) {
		for b.Loop() {
			if n := walk(ctx, b, cs, base, 64); n != want {
				b.Fatalf("walked %d znodes, want %d", n, want)
			}
		}
		cached = nsPerOp(b)
	})
	if tuned > 0 && cached > 0 {
		fmt.Printf("BenchmarkSubtreeWalkLive: walk of %d znodes, 64 outstanding %.1f ms, cached %.2f ms; cached/walk %.4f\n",
			want, tuned/1e6, cached/1e6, cached/tuned)
	}
}
