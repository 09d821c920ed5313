package main

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/zksql/zksql/driver"
	"github.com/zksql/zksql/zkstore"
	"github.com/zksql/zksql/zkstore/memstore"
)

// database is what the shell runs statements on.
type database struct {
	db      *sql.DB
	cfg     *driver.Config
	display string    // the DSN as shown to the user: passwords redacted
	n       *counters // requests made, for the progress line
	closers []func()  // run by close, last first
}

// openDatabase opens dsn, or the demo tree when dsn is "". Every form goes
// through driver.NewStoreConnector with a counting store, so that the
// progress line works whatever the shell is connected to; zk:// and
// mem:NAME sessions are opened by driver.OpenStore, as the driver's own
// connector opens them.
func openDatabase(ctx context.Context, dsn string) (*database, error) {
	d := &database{n: new(counters)}
	var open driver.OpenFunc
	sessionAuth := false // open adds d.cfg.Auth itself
	if dsn == "" {
		srv := memstore.NewServer()
		holder := srv.Open() // owns the demo tree's ephemerals
		if err := buildDemo(ctx, holder); err != nil {
			holder.Close()
			srv.Close()
			return nil, fmt.Errorf("building the demo tree: %w", err)
		}
		d.closers = append(d.closers, srv.Close, func() { holder.Close() })
		d.cfg = driver.NewConfig()
		d.cfg.Mem = true
		d.display = "in-memory demo tree (mem:, not saved)"
		open = func(context.Context) (zkstore.Store, error) { return srv.Open(), nil }
	} else {
		cfg, err := driver.ParseDSN(dsn)
		if err != nil {
			return nil, err
		}
		d.cfg = cfg
		d.display = cfg.Redacted()
		switch {
		case cfg.Mem && cfg.MemName == "":
			srv := memstore.NewServer(memstore.MaxDataSize(max(cfg.MaxData, memstore.DefaultMaxDataSize)))
			d.closers = append(d.closers, srv.Close)
			open = func(context.Context) (zkstore.Store, error) { return srv.Open(), nil }
		default:
			// driver.OpenStore adds the credentials when the session
			// opens (and go-zookeeper re-sends them on reconnect).
			sessionAuth = true
			open = func(ctx context.Context) (zkstore.Store, error) { return driver.OpenStore(ctx, cfg) }
		}
	}
	n := d.n
	counted := func(ctx context.Context) (zkstore.Store, error) {
		st, err := open(ctx)
		if err != nil {
			return nil, err
		}
		return countingStore{Store: st, n: n}, nil
	}
	stmtCfg := d.cfg.Clone()
	if sessionAuth {
		// The connector must not add the credentials a second time.
		stmtCfg.Auth = nil
	}
	c, err := driver.NewStoreConnector(counted, stmtCfg)
	if err != nil {
		d.close()
		return nil, err
	}
	d.db = sql.OpenDB(c)
	return d, nil
}

func (d *database) close() {
	if d.db != nil {
		d.db.Close()
	}
	for i := len(d.closers) - 1; i >= 0; i-- {
		d.closers[i]()
	}
}
