package main

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zksql/zksql/driver"
	"github.com/zksql/zksql/watch"
	"github.com/zksql/zksql/zkstore"
	"github.com/zksql/zksql/zkstore/livestore"
	"github.com/zksql/zksql/zkstore/memstore"
)

// limitReads: a LIMIT 10 scan of the subtree, counting the requests the
// driver sends (through a Store wrapper that counts every call).
func limitReads(ctx context.Context, b *bench) ([]result, error) {
	var st *countingStore
	conn, err := driver.NewStoreConnector(func(ctx context.Context) (zkstore.Store, error) {
		s, err := livestore.Open(ctx, []string{b.addr})
		if err != nil {
			return nil, err
		}
		st = &countingStore{Store: s}
		return st, nil
	}, nil)
	if err != nil {
		return nil, err
	}
	db := sql.OpenDB(conn)
	defer db.Close()
	if err := db.PingContext(ctx); err != nil {
		return nil, err
	}
	query := fmt.Sprintf("SELECT path, data FROM znodes WHERE path LIKE ? LIMIT %d", b.cfg.limit)
	var calls []float64
	for range b.cfg.rounds {
		before := st.calls.Load()
		n, err := scanRows(ctx, db, query, b.tree+"/%")
		if err != nil {
			return nil, err
		}
		if n != b.cfg.limit {
			return nil, fmt.Errorf("LIMIT %d gave %d rows", b.cfg.limit, n)
		}
		calls = append(calls, float64(st.calls.Load()-before))
	}
	r := result{Unit: "store calls", Driver: median(calls), Raw: float64(b.treeN), Cmp: "<=", Target: 0.02, Rounds: len(calls)}
	r.Value = r.Driver / r.Raw
	r.Note = fmt.Sprintf("LIMIT %d over a %d-znode subtree; raw is the subtree's size, value the fraction of it read", b.cfg.limit, b.treeN)
	return []result{r}, nil
}

// countingStore counts every call that reaches ZooKeeper.
type countingStore struct {
	zkstore.Store
	calls atomic.Int64
}

func (s *countingStore) Get(ctx context.Context, p string) ([]byte, zkstore.Stat, error) {
	s.calls.Add(1)
	return s.Store.Get(ctx, p)
}
func (s *countingStore) GetW(ctx context.Context, p string) ([]byte, zkstore.Stat, <-chan zkstore.Event, error) {
	s.calls.Add(1)
	return s.Store.GetW(ctx, p)
}
func (s *countingStore) Exists(ctx context.Context, p string) (zkstore.Stat, bool, error) {
	s.calls.Add(1)
	return s.Store.Exists(ctx, p)
}
func (s *countingStore) ExistsW(ctx context.Context, p string) (zkstore.Stat, bool, <-chan zkstore.Event, error) {
	s.calls.Add(1)
	return s.Store.ExistsW(ctx, p)
}
func (s *countingStore) Children(ctx context.Context, p string) ([]string, zkstore.Stat, error) {
	s.calls.Add(1)
	return s.Store.Children(ctx, p)
}
func (s *countingStore) ChildrenW(ctx context.Context, p string) ([]string, zkstore.Stat, <-chan zkstore.Event, error) {
	s.calls.Add(1)
	return s.Store.ChildrenW(ctx, p)
}
func (s *countingStore) GetACL(ctx context.Context, p string) ([]zkstore.ACL, zkstore.Stat, error) {
	s.calls.Add(1)
	return s.Store.GetACL(ctx, p)
}
func (s *countingStore) Sync(ctx context.Context, p string) error {
	s.calls.Add(1)
	return s.Store.Sync(ctx, p)
}
func (s *countingStore) Multi(ctx context.Context, ops ...zkstore.Op) ([]zkstore.OpResult, error) {
	s.calls.Add(1)
	return s.Store.Multi(ctx, ops...)
}

// scanHeap: a streamed scan of the big subtree, sampling the heap while
// it runs. The raw figure is the tuned walk's, which collects its rows as
// hand-written code does.
func scanHeap(ctx context.Context, b *bench) ([]result, error) {
	query := "SELECT path, data FROM znodes WHERE path LIKE ?"
	var dHeap, wHeap, dTime, wTime []float64
	if err := b.buildBig(ctx); err != nil {
		return nil, err
	}
	for range b.cfg.heapRounds {
		var n int
		var err error
		peak, el := peakHeap(func() { n, err = scanRows(ctx, b.db, query, b.big+"/%") })
		if err == nil && n != b.bigN {
			err = fmt.Errorf("driver read %d znodes, want %d", n, b.bigN)
		}
		if err != nil {
			return nil, err
		}
		dHeap, dTime = append(dHeap, peak), append(dTime, el)
		var rows []znodeRow
		peak, el = peakHeap(func() { rows, err = tunedWalk(b.raw, b.big) })
		if err == nil && len(rows) != b.bigN {
			err = fmt.Errorf("tuned walk read %d znodes, want %d", len(rows), b.bigN)
		}
		if err != nil {
			return nil, err
		}
		rows = nil
		wHeap, wTime = append(wHeap, peak), append(wTime, el)
	}
	r := result{Unit: "MiB peak heap growth", Driver: median(dHeap), Raw: median(wHeap), Cmp: "<=", Target: 32, Rounds: len(dHeap)}
	r.Value = r.Driver
	r.Note = fmt.Sprintf("%d znodes streamed with rows.Next in %.2fs; raw is the tuned walk collecting its rows (%.2fs); value is the driver's MiB",
		b.bigN, median(dTime), median(wTime))
	return []result{r}, nil
}

// peakHeap runs fn after a GC and returns the most the heap's objects grew
// (MiB) while it ran, sampled every 200µs, and fn's duration in seconds.
func peakHeap(fn func()) (mib, seconds float64) {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	base := sample[0].Value.Uint64()
	var peak uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s := []metrics.Sample{{Name: sample[0].Name}}
		t := time.NewTicker(200 * time.Microsecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			peak = max(peak, s[0].Value.Uint64())
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	start := time.Now()
	fn()
	seconds = time.Since(start).Seconds()
	close(stop)
	wg.Wait()
	if peak < base {
		return 0, seconds
	}
	return float64(peak-base) / (1 << 20), seconds
}

// watchLatency: the time from sending a write to holding the new data,
// through a watch.Node stream and through a hand-written GetW loop (which
// re-reads with GetW when its watch fires, as it must to see the data and
// to watch on). The writes come from a third session in both.
func watchLatency(ctx context.Context, b *bench) ([]result, error) {
	writer, err := dialRaw(ctx, b.addr)
	if err != nil {
		return nil, err
	}
	defer writer.Close()
	watcher, err := dialRaw(ctx, b.addr)
	if err != nil {
		return nil, err
	}
	defer watcher.Close()

	wctx, cancel := context.WithCancel(ctx)
	src := watch.FromDB(b.db)
	events := watch.Node(wctx, src, b.watched)
	defer func() {
		cancel()
		for range events {
		}
		src.Close()
	}()
	if ev, ok := <-events; !ok || ev.Err != nil {
		return nil, fmt.Errorf("watch stream: first event %v", ev)
	}
	seq := 0
	next := func() []byte { seq++; return []byte("v" + strconv.Itoa(seq)) }

	_, _, ch, err := watcher.GetW(b.watchedRaw)
	if err != nil {
		return nil, err
	}
	n := b.cfg.watches
	xs, err := interleave(b.cfg.rounds,
		func() (float64, error) {
			var total time.Duration
			for range n {
				v := next()
				t := time.Now()
				if _, err := writer.Set(b.watched, v, -1); err != nil {
					return 0, err
				}
				for {
					ev, ok := <-events
					if !ok {
						return 0, fmt.Errorf("watch stream ended")
					}
					if ev.Err != nil {
						return 0, ev.Err
					}
					if string(ev.Data) == string(v) {
						break
					}
				}
				total += time.Since(t)
			}
			return float64(total.Nanoseconds()) / 1e3 / float64(n), nil
		},
		func() (float64, error) {
			var total time.Duration
			for range n {
				v := next()
				t := time.Now()
				if _, err := writer.Set(b.watchedRaw, v, -1); err != nil {
					return 0, err
				}
				for {
					<-ch
					var data []byte
					if data, _, ch, err = watcher.GetW(b.watchedRaw); err != nil {
						return 0, err
					}
					if string(data) == string(v) {
						break
					}
				}
				total += time.Since(t)
			}
			return float64(total.Nanoseconds()) / 1e3 / float64(n), nil
		})
	if err != nil {
		return nil, err
	}
	r := sided("µs/event", xs[0], xs[1], "<=", 1.20)
	r.Note = "Set from another session until the new data is in hand: watch.Node vs GetW, re-armed with GetW; each side watches a znode of its own, idle in the other side's rounds"
	return []result{r}, nil
}

// memPointSelect: the in-memory store, a point SELECT through database/sql
// vs the direct store call: what the SQL layer costs when the store costs
// nearly nothing. The prepared read with context.Background has issue
// 15's absolute targets, ns/op and allocs/op (the `/prepared-allocs`
// row); with a cancellable context (database/sql then watches the
// context per Rows) and unprepared it is reported.
func memPointSelect(ctx context.Context, b *bench) ([]result, error) {
	srv := memstore.NewServer()
	defer srv.Close()
	st := srv.Open()
	defer st.Close()
	if _, err := st.Create(ctx, "/point", payload, zkstore.CreateOptions{}); err != nil {
		return nil, err
	}
	conn, err := driver.NewStoreConnector(func(context.Context) (zkstore.Store, error) { return srv.Open(), nil }, nil)
	if err != nil {
		return nil, err
	}
	db := sql.OpenDB(conn)
	defer db.Close()
	stmt, err := db.PrepareContext(ctx, pointQuery)
	if err != nil {
		return nil, err
	}
	defer stmt.Close()
	query := "SELECT data, version FROM znodes WHERE path = '/point'"
	n := b.cfg.points * 10
	var data []byte
	var version int64
	background := context.Background()
	prepared := func() error { return stmt.QueryRowContext(background, "/point").Scan(&data, &version) }
	cancellable := func() error { return stmt.QueryRowContext(ctx, "/point").Scan(&data, &version) }
	unprepared := func() error { return db.QueryRowContext(ctx, query).Scan(&data, &version) }
	direct := func() error { _, _, err := st.Get(ctx, "/point"); return err }

	var out []result
	for _, c := range []struct {
		name string
		fn   func() error
	}{{"/prepared", prepared}, {"/prepared-cancellable", cancellable}, {"/unprepared", unprepared}} {
		var da, wa []float64
		xs, err := interleave(b.cfg.rounds,
			func() (float64, error) { ns, a, err := nsAllocs(n, c.fn); da = append(da, a); return ns, err },
			func() (float64, error) { ns, a, err := nsAllocs(n, direct); wa = append(wa, a); return ns, err })
		if err != nil {
			return nil, err
		}
		r := sided("ns/op", xs[0], xs[1], "", 0)
		r.Case = c.name
		r.DriverAllocs, r.RawAllocs = round(median(da)), round(median(wa))
		if c.name == "/prepared" {
			r.Cmp, r.Target, r.valueIsRatio = "<=", memPointTargetNs, false
			r.Value = r.Driver
			r.Note = "context.Background; value is the driver's ns/op"
			a := result{Case: "/prepared-allocs", Unit: "allocs/op", Driver: median(da), Raw: median(wa),
				Cmp: "<=", Target: memPointTargetAllocs, Rounds: len(da)}
			a.Value = a.Driver
			a.Note = "context.Background; value is the driver's allocs/op, raw the direct store call's"
			out = append(out, r, a)
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

// Issue 15's targets for a mem: point SELECT, prepared, with
// context.Background: absolute, whatever the direct store call costs.
const (
	memPointTargetNs     = 1500
	memPointTargetAllocs = 10
)

// nsAllocs times n calls of fn: ns and allocations per call.
func nsAllocs(n int, fn func() error) (ns, allocs float64, err error) {
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	t := time.Now()
	for range n {
		if err := fn(); err != nil {
			return 0, 0, err
		}
	}
	el := time.Since(t)
	runtime.ReadMemStats(&m1)
	return float64(el.Nanoseconds()) / float64(n), float64(m1.Mallocs-m0.Mallocs) / float64(n), nil
}

// pointLayers splits a point read's cost by layer, each against the raw
// Get in the same rounds: livestore's Get with a cancellable context, the
// driver with context.Background (database/sql then starts no goroutine
// per Rows) and with a cancellable context, and the floor: a driver that
// does nothing but the raw Get (floorConnector), through database/sql,
// prepared and not. Reported, no target: it shows what bounds the
// point-read ratios.
func pointLayers(ctx context.Context, b *bench) ([]result, error) {
	st, err := livestore.Open(ctx, []string{b.addr})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	stmt, err := b.db.PrepareContext(ctx, pointQuery)
	if err != nil {
		return nil, err
	}
	defer stmt.Close()
	floorDB := sql.OpenDB(floorConnector{b.raw})
	defer floorDB.Close()
	floor, err := floorDB.PrepareContext(ctx, pointQuery)
	if err != nil {
		return nil, err
	}
	defer floor.Close()
	cctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	unprepared := "SELECT data, version FROM znodes WHERE path = '" + b.point + "'"
	var data []byte
	var version int64
	n := b.cfg.points
	xs, err := interleave(b.cfg.rounds,
		func() (float64, error) {
			return perOp(n, func() error { _, _, err := b.raw.Get(b.point); return err })
		},
		func() (float64, error) {
			return perOp(n, func() error { _, _, err := st.Get(cctx, b.point); return err })
		},
		func() (float64, error) {
			return perOp(n, func() error { return stmt.QueryRowContext(context.Background(), b.point).Scan(&data, &version) })
		},
		func() (float64, error) {
			return perOp(n, func() error { return stmt.QueryRowContext(cctx, b.point).Scan(&data, &version) })
		},
		func() (float64, error) {
			return perOp(n, func() error { return floor.QueryRowContext(context.Background(), b.point).Scan(&data, &version) })
		},
		func() (float64, error) {
			return perOp(n, func() error { return floor.QueryRowContext(cctx, b.point).Scan(&data, &version) })
		},
		func() (float64, error) {
			return perOp(n, func() error { return b.db.QueryRowContext(cctx, unprepared).Scan(&data, &version) })
		},
		func() (float64, error) {
			return perOp(n, func() error { return floorDB.QueryRowContext(cctx, pointQuery, b.point).Scan(&data, &version) })
		})
	if err != nil {
		return nil, err
	}
	var out []result
	for i, name := range []string{"/livestore-get", "/driver-background", "/driver-cancellable", "/floor-background", "/floor-cancellable",
		"/driver-unprepared-cancellable", "/floor-unprepared-cancellable"} {
		r := sided("µs/op", xs[i+1], xs[0], "", 0)
		r.Case = name
		out = append(out, r)
	}
	return out, nil
}

// updateLayers is pointLayers for the point UPDATE: the driver and the
// floor driver (whose Exec is the raw Set) against the raw Set, with a
// cancellable context. Reported, no target.
func updateLayers(ctx context.Context, b *bench) ([]result, error) {
	const update = "UPDATE znodes SET data = ? WHERE path = ?"
	floorDB := sql.OpenDB(floorConnector{b.raw})
	defer floorDB.Close()
	cctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	exec := func(db *sql.DB) func() (float64, error) {
		return func() (float64, error) {
			return perOp(b.cfg.points, func() error {
				res, err := db.ExecContext(cctx, update, payload, b.point)
				if err != nil {
					return err
				}
				if n, _ := res.RowsAffected(); n != 1 {
					return fmt.Errorf("UPDATE affected %d rows, want 1", n)
				}
				return nil
			})
		}
	}
	xs, err := interleave(b.cfg.rounds,
		func() (float64, error) {
			return perOp(b.cfg.points, func() error { _, err := b.raw.Set(b.point, payload, -1); return err })
		},
		exec(b.db), exec(floorDB))
	if err != nil {
		return nil, err
	}
	var out []result
	for i, name := range []string{"/driver-cancellable", "/floor-cancellable"} {
		r := sided("µs/op", xs[i+1], xs[0], "", 0)
		r.Case = name
		out = append(out, r)
	}
	return out, nil
}
