// Command bench measures zksql against the raw go-zookeeper client, side by
// side on the same live ZooKeeper in the same run.
//
//	go run ./internal/bench              # full sizes, a ZooKeeper of its own
//	go run ./internal/bench -short       # small sizes, a few seconds
//	go run ./internal/bench -zk host:port -json
//
// Each case runs through the driver (database/sql, DSN zk://...) and
// through go-zookeeper directly, interleaved round by round (the order
// alternates so neither side always runs on a warmer server), and reports
// the medians and their ratio driver/raw next to the target.
// The data set lives under a path of its own (/zksql-bench-<random>),
// removed at the end when the server is not the bench's own.
//
// The timed cases use a context that can be cancelled, as a program
// would; go-zookeeper takes none.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"time"
)

// config sizes the run; defaults are the sizes.
type config struct {
	zk     string // "" starts a server
	json   bool
	cases  string // comma-separated case names; "" means all
	rounds int
	// scanRounds and heapRounds for the long cases (seconds per round).
	scanRounds, heapRounds int

	points     int // ops per round for point cases
	goroutines int // concurrent point SELECTs
	perG       int // ops per goroutine per round
	tree       int // znodes in the scanned subtree
	children   int // children counted
	big        int // znodes in the heap-measured scan
	watches    int // write->event samples per round
	memOps     bool
	limit      int // LIMIT of the limited scan
	// background: statements get context.Background, which database/sql
	// and livestore can serve without a goroutine of their own.
	background bool
}

func defaultConfig() config {
	return config{rounds: 41, scanRounds: 11, heapRounds: 3, points: 300, goroutines: 64, perG: 50,
		tree: 10000, children: 1000, big: 100000, watches: 100, memOps: true, limit: 10}
}

// shortConfig is small enough for CI: it proves every case runs.
func shortConfig() config {
	return config{rounds: 3, scanRounds: 3, heapRounds: 1, points: 50, goroutines: 8, perG: 10,
		tree: 1000, children: 50, big: 2000, watches: 5, memOps: true, limit: 10}
}

func main() {
	maybeHeapChild()
	short := flag.Bool("short", false, "small sizes: proves every case runs, measures little")
	zk := flag.String("zk", "", "use this ZooKeeper (host:port) instead of starting one")
	js := flag.Bool("json", false, "print one JSON object per case and line")
	cases := flag.String("cases", "", "comma-separated cases to run (default all)")
	rounds := flag.Int("rounds", 0, "rounds per case (default 41, -short 3)")
	tree := flag.Int("tree", 0, "znodes in the scanned subtree (default 10000)")
	big := flag.Int("big", 0, "znodes in the streamed, heap-measured scan (default 100000)")
	points := flag.Int("points", 0, "operations per round in the point cases (default 300)")
	bg := flag.Bool("background", false, "run the driver's statements with context.Background (no cancellation) instead of a cancellable context")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		defer f.Close()
		defer pprof.StopCPUProfile()
	}

	cfg := defaultConfig()
	if *short {
		cfg = shortConfig()
	}
	cfg.zk, cfg.json, cfg.cases, cfg.background = *zk, *js, *cases, *bg
	for _, o := range []struct{ flag, dst *int }{{rounds, &cfg.rounds}, {tree, &cfg.tree}, {big, &cfg.big}, {points, &cfg.points}} {
		if *o.flag > 0 {
			*o.dst = *o.flag
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	start := time.Now()
	err := run(ctx, cfg, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		stop()
		pprof.StopCPUProfile()
		os.Exit(1)
	}
	if !cfg.json {
		fmt.Fprintf(os.Stdout, "\n(%s in all)\n", time.Since(start).Round(time.Second))
	}
}
