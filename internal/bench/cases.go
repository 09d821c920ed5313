package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"runtime/pprof"
	"strconv"
	"sync"
	"time"
)

// benchCase is one row (or several) of the report.
type benchCase struct {
	name string
	run  func(ctx context.Context, b *bench) ([]result, error)
}

// allCases in report order.
var allCases = []benchCase{
	{"point-select-prepared", pointSelectPrepared},
	{"point-select-unprepared", pointSelectUnprepared},
	{"point-select-sync", pointSelectSync},
	{"point-update", pointUpdate},
	{"select-concurrent", selectConcurrent},
	{"scan-subtree", scanSubtree},
	{"count-children", countChildren},
	{"limit-reads", limitReads},
	{"scan-heap", scanHeap},
	{"watch-latency", watchLatency},
	{"watch-tree", watchTree},
	{"mem-point-select", memPointSelect},
	{"point-layers", pointLayers},
	{"update-layers", updateLayers},
	{"cached-point-select", cachedPointSelect},
	{"cached-scan", cachedScan},
	{"cached-visible", cachedVisible},
	{"cache-heap", cacheHeap},
}

// side measures one side once, returning the figure for the round.
type side func() (float64, error)

// interleave runs a warm-up round, then rounds alternating which side goes
// first, and returns each side's figures. Each side runs with the pprof
// label side=<its index among sides> (the driver is 0 in the cases with
// a target), so a -cpuprofile can be split by side: go tool pprof
// -tagfocus=side:0. Only the side's own goroutine carries the label, not
// go-zookeeper's send and receive loops.
func interleave(rounds int, sides ...side) ([][]float64, error) {
	out := make([][]float64, len(sides))
	for r := -1; r < rounds; r++ {
		for k := range sides {
			i := k
			if r%2 == 1 {
				i = len(sides) - 1 - k
			}
			var v float64
			var err error
			pprof.Do(context.Background(), pprof.Labels("side", strconv.Itoa(i)), func(context.Context) {
				v, err = sides[i]()
			})
			if err != nil {
				return nil, err
			}
			if r >= 0 {
				out[i] = append(out[i], v)
			}
		}
	}
	return out, nil
}

// perOp times n calls of fn and returns microseconds per call.
func perOp(n int, fn func() error) (float64, error) {
	t := time.Now()
	for range n {
		if err := fn(); err != nil {
			return 0, err
		}
	}
	return float64(time.Since(t).Nanoseconds()) / 1e3 / float64(n), nil
}

const pointQuery = "SELECT data, version FROM znodes WHERE path = ?"

func pointSelectPrepared(ctx context.Context, b *bench) ([]result, error) {
	stmt, err := b.db.PrepareContext(ctx, pointQuery)
	if err != nil {
		return nil, err
	}
	defer stmt.Close()
	var data []byte
	var version int64
	xs, err := interleave(b.cfg.rounds,
		func() (float64, error) {
			return perOp(b.cfg.points, func() error { return stmt.QueryRowContext(ctx, b.point).Scan(&data, &version) })
		},
		func() (float64, error) {
			return perOp(b.cfg.points, func() error { _, _, err := b.raw.Get(b.point); return err })
		})
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(data, payload) {
		return nil, fmt.Errorf("read %q, want %q", data, payload)
	}
	return []result{sided("µs/op", xs[0], xs[1], "<=", 1.05)}, nil
}

func pointSelectUnprepared(ctx context.Context, b *bench) ([]result, error) {
	// The same text every time, the path a literal: the statement cache
	// is what keeps this from parsing each time.
	query := "SELECT data, version FROM znodes WHERE path = '" + b.point + "'"
	var data []byte
	var version int64
	xs, err := interleave(b.cfg.rounds,
		func() (float64, error) {
			return perOp(b.cfg.points, func() error { return b.db.QueryRowContext(ctx, query).Scan(&data, &version) })
		},
		func() (float64, error) {
			return perOp(b.cfg.points, func() error { _, _, err := b.raw.Get(b.point); return err })
		})
	if err != nil {
		return nil, err
	}
	return []result{sided("µs/op", xs[0], xs[1], "<=", 1.08)}, nil
}

func pointUpdate(ctx context.Context, b *bench) ([]result, error) {
	const update = "UPDATE znodes SET data = ? WHERE path = ?"
	xs, err := interleave(b.cfg.rounds,
		func() (float64, error) {
			return perOp(b.cfg.points, func() error {
				res, err := b.db.ExecContext(ctx, update, payload, b.point)
				if err != nil {
					return err
				}
				if n, _ := res.RowsAffected(); n != 1 {
					return fmt.Errorf("UPDATE affected %d rows, want 1", n)
				}
				return nil
			})
		},
		func() (float64, error) {
			return perOp(b.cfg.points, func() error { _, err := b.raw.Set(b.point, payload, -1); return err })
		})
	if err != nil {
		return nil, err
	}
	return []result{sided("µs/op", xs[0], xs[1], "<=", 1.05)}, nil
}

// selectConcurrent: G goroutines of point reads; figures are ops/s.
func selectConcurrent(ctx context.Context, b *bench) ([]result, error) {
	stmt, err := b.db.PrepareContext(ctx, pointQuery)
	if err != nil {
		return nil, err
	}
	defer stmt.Close()
	g, n := b.cfg.goroutines, b.cfg.perG
	throughput := func(fn func() error) (float64, error) {
		var wg sync.WaitGroup
		errs := make(chan error, g)
		t := time.Now()
		for range g {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range n {
					if err := fn(); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		el := time.Since(t)
		close(errs)
		if err := <-errs; err != nil {
			return 0, err
		}
		return float64(g*n) / el.Seconds(), nil
	}
	query := "SELECT data, version FROM znodes WHERE path = '" + b.point + "'"
	// The floor: database/sql over a driver that only calls the raw Get
	// (floorConnector), what any database/sql driver pays.
	floorDB := sql.OpenDB(floorConnector{b.raw})
	defer floorDB.Close()
	floorDB.SetMaxIdleConns(g + 4)
	floorStmt, err := floorDB.PrepareContext(ctx, pointQuery)
	if err != nil {
		return nil, err
	}
	defer floorStmt.Close()
	scan := func(r *sql.Row) error {
		var data []byte
		var version int64
		return r.Scan(&data, &version)
	}
	var out []result
	for _, v := range []struct {
		name          string
		driver, floor func() error
	}{
		{"/prepared",
			func() error { return scan(stmt.QueryRowContext(ctx, b.point)) },
			func() error { return scan(floorStmt.QueryRowContext(ctx, b.point)) }},
		{"/unprepared",
			func() error { return scan(b.db.QueryRowContext(ctx, query)) },
			func() error { return scan(floorDB.QueryRowContext(ctx, pointQuery, b.point)) }},
	} {
		xs, err := interleave(b.cfg.rounds,
			func() (float64, error) { return throughput(v.driver) },
			func() (float64, error) {
				return throughput(func() error { _, _, err := b.raw.Get(b.point); return err })
			},
			func() (float64, error) { return throughput(v.floor) })
		if err != nil {
			return nil, err
		}
		r := sided("ops/s", xs[0], xs[1], ">=", 0.95)
		r.Case = v.name
		r.Note = fmt.Sprintf("%d goroutines, %d point SELECTs each per round; sql.DB with SetMaxIdleConns(%d)", g, n, g+4)
		f := sided("ops/s", xs[2], xs[1], "", 0)
		f.Case = v.name + "-floor"
		f.Note = "the same through database/sql over a driver that only calls the raw Get"
		out = append(out, r, f)
	}
	return out, nil
}

// scanSubtree: every znode below the tree with its data, through the
// driver, the naive sequential walk and the tuned concurrent walk.
func scanSubtree(ctx context.Context, b *bench) ([]result, error) {
	query := "SELECT path, data FROM znodes WHERE path LIKE ?"
	pattern := b.tree + "/%"
	check := func(who string, n int) error {
		if n != b.treeN {
			return fmt.Errorf("%s read %d znodes, want %d", who, n, b.treeN)
		}
		return nil
	}
	ms := func(fn func() (int, error), who string) side {
		return func() (float64, error) {
			t := time.Now()
			n, err := fn()
			el := time.Since(t)
			if err == nil {
				err = check(who, n)
			}
			return float64(el.Nanoseconds()) / 1e6, err
		}
	}
	driverScan := ms(func() (int, error) { return scanRows(ctx, b.db, query, pattern) }, "driver")
	// Each comparison in rounds of its own, so that the two sides of a
	// round run back to back.
	xs, err := interleave(b.cfg.scanRounds, driverScan,
		ms(func() (int, error) { rows, err := tunedWalk(b.raw, b.tree); return len(rows), err }, "tuned walk"))
	if err != nil {
		return nil, err
	}
	tuned := sided("ms", xs[0], xs[1], "<=", 1.05)
	tuned.Case = "/tuned"
	tuned.Note = fmt.Sprintf("SELECT path, data ... LIKE '<tree>/%%' over %d znodes vs a hand-written walk keeping %d requests outstanding (Get, then Children where NumChildren > 0), rows unordered", b.treeN, window)
	xs, err = interleave(max(1, b.cfg.scanRounds/2), driverScan,
		ms(func() (int, error) { return naiveWalk(b.raw, b.tree) }, "naive walk"))
	if err != nil {
		return nil, err
	}
	naive := sided("ms", xs[0], xs[1], "<=", 0.50)
	naive.Case = "/naive"
	naive.Note = "the same vs the sequential recursive walk, Children and Get per znode"
	return []result{naive, tuned}, nil
}

// scanRows runs query and reads every row, returning how many there were.
func scanRows(ctx context.Context, db *sql.DB, query string, args ...any) (int, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	var path string
	var data []byte
	for rows.Next() {
		if err := rows.Scan(&path, &data); err != nil {
			return n, err
		}
		n++
	}
	return n, rows.Err()
}

// countChildren: COUNT(*) of a parent's children vs Children + Get each.
func countChildren(ctx context.Context, b *bench) ([]result, error) {
	xs, err := interleave(b.cfg.rounds,
		func() (float64, error) {
			t := time.Now()
			var n int
			if err := b.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM znodes WHERE parent = ?", b.kids).Scan(&n); err != nil {
				return 0, err
			}
			if n != b.kidsN {
				return 0, fmt.Errorf("COUNT(*) = %d, want %d", n, b.kidsN)
			}
			return float64(time.Since(t).Nanoseconds()) / 1e6, nil
		},
		func() (float64, error) {
			t := time.Now()
			names, _, err := b.raw.Children(b.kids)
			if err != nil {
				return 0, err
			}
			for _, n := range names {
				if _, _, err := b.raw.Get(b.kids + "/" + n); err != nil {
					return 0, err
				}
			}
			return float64(time.Since(t).Nanoseconds()) / 1e6, nil
		})
	if err != nil {
		return nil, err
	}
	r := sided("ms", xs[0], xs[1], "<=", 0.10)
	r.Note = fmt.Sprintf("%d children", b.kidsN)
	return []result{r}, nil
}
