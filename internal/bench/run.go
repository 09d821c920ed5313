package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"runtime"
	"strings"
	"time"

	"github.com/go-zookeeper/zk"

	_ "github.com/zksql/zksql/driver" // registers "zookeeper"
	"github.com/zksql/zksql/internal/testkit/zkserver"
)

// bench is one run: the server, the two clients and the data set.
type bench struct {
	cfg  config
	addr string
	raw  *zk.Conn
	db   *sql.DB
	base string // the run's own path

	// The data set, under base.
	point, tree, kids, big string
	// watched and watchedRaw: the watch case's znodes, one per side, so
	// neither side's watch fires (and re-reads) in the other's rounds.
	watched, watchedRaw string
	treeN, kidsN, bigN  int
}

// run measures every selected case and writes the report to out.
func run(ctx context.Context, cfg config, out io.Writer) (err error) {
	b := &bench{cfg: cfg, addr: cfg.zk}
	if b.addr == "" {
		// A server closer to production than the test default (C1 only,
		// 256 MiB): full JIT, room for 100,000 znodes.
		srv, err := zkserver.Start(ctx, zkserver.Options{
			JVMArgs: []string{"-Xmx1g", "-XX:TieredStopAtLevel=4"},
		})
		if err != nil {
			return fmt.Errorf("starting ZooKeeper: %w", err)
		}
		defer srv.Close()
		b.addr = srv.Addr()
	}
	if b.raw, err = dialRaw(ctx, b.addr); err != nil {
		return err
	}
	defer b.raw.Close()

	var tag [6]byte
	rand.Read(tag[:])
	b.base = "/zksql-bench-" + hex.EncodeToString(tag[:])
	if b.db, err = sql.Open("zookeeper", b.dsn()); err != nil {
		return err
	}
	defer b.db.Close()
	// A pool that keeps as many connections as goroutines use it: the
	// default (2 idle) closes and reopens connections under concurrency.
	b.db.SetMaxIdleConns(cfg.goroutines + 4)
	if err := b.db.PingContext(ctx); err != nil {
		return fmt.Errorf("driver: %w", err)
	}

	if err := b.build(ctx); err != nil {
		return fmt.Errorf("building the data set: %w", err)
	}
	if cfg.zk != "" {
		defer func() {
			if cerr := b.cleanup(context.WithoutCancel(ctx)); cerr != nil && err == nil {
				err = fmt.Errorf("removing %s: %w", b.base, cerr)
			}
		}()
	}

	if err := b.warmUp(ctx); err != nil {
		return fmt.Errorf("warming up: %w", err)
	}
	rep := newReporter(out, cfg.json)
	if !cfg.json {
		fmt.Fprintf(out, "zksql bench: %s, %s/%s, GOMAXPROCS %d, ZooKeeper %s, %d rounds\n\n",
			runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0), b.addr, cfg.rounds)
	}
	for _, c := range allCases {
		if !b.selected(c.name) {
			continue
		}
		cctx := ctx
		if cfg.background {
			cctx = context.Background()
		}
		res, err := c.run(cctx, b)
		if err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
		for _, r := range res {
			r.Case = c.name + r.Case
			r.finish()
			rep.add(r)
		}
	}
	return rep.flush()
}

func (b *bench) selected(name string) bool {
	if b.cfg.cases == "" {
		return true
	}
	for _, c := range strings.Split(b.cfg.cases, ",") {
		if strings.TrimSpace(c) == name {
			return true
		}
	}
	return false
}

// dsn is the driver's DSN: max_scan raised so the 100,000-znode scan
// (plus its directories) is allowed.
func (b *bench) dsn() string {
	return "zk://" + b.addr + "/?" + url.Values{"max_scan": {"10000000"}}.Encode()
}

// dialRaw opens a go-zookeeper session and waits until it is established.
func dialRaw(ctx context.Context, addr string) (*zk.Conn, error) {
	c, events, err := zk.Connect([]string{addr}, 30*time.Second, zk.WithLogger(quiet{}))
	if err != nil {
		return nil, err
	}
	// Drain the session events for as long as the connection lives.
	ready := make(chan struct{})
	go func() {
		once := false
		for ev := range events {
			if ev.State == zk.StateHasSession && !once {
				once = true
				close(ready)
			}
		}
	}()
	select {
	case <-ready:
		return c, nil
	case <-ctx.Done():
		c.Close()
		return nil, ctx.Err()
	case <-time.After(30 * time.Second):
		c.Close()
		return nil, fmt.Errorf("no ZooKeeper session with %s within 30s", addr)
	}
}

type quiet struct{}

func (quiet) Printf(string, ...any) {}

// warmUp runs point reads and writes through both clients before anything
// is measured, so the server's JIT has compiled its request path.
func (b *bench) warmUp(ctx context.Context) error {
	n := max(200, b.cfg.points*2)
	var data []byte
	for i := range n {
		if _, _, err := b.raw.Get(b.point); err != nil {
			return err
		}
		if err := b.db.QueryRowContext(ctx, "SELECT data FROM znodes WHERE path = ?", b.point).Scan(&data); err != nil {
			return err
		}
		if i%4 == 0 {
			if _, err := b.raw.Set(b.point, payload, -1); err != nil {
				return err
			}
		}
	}
	return nil
}
