// Command zkgw serves Apache ZooKeeper's tree as MySQL tables (znodes,
// acls) over the MySQL wire protocol, so MySQL clients and BI tools such as
// Apache Superset (through SQLAlchemy and pymysql) can query it.
//
//	ZKGW_USER=reader ZKGW_PASSWORD=... zkgw -zk 127.0.0.1:2181
//	mariadb -h 127.0.0.1 -P 3306 -u reader -p zookeeper
//
// See README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/sirupsen/logrus"

	"github.com/zksql/zksql/zkstore"
	"github.com/zksql/zksql/zkstore/livestore"
	"github.com/zksql/zksql/zkstore/memstore"
)

func main() {
	if err := run(os.Args[1:], os.Getenv, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(args []string, getenv func(string) string, logw io.Writer) error {
	cfg, err := parseConfig(args, getenv)
	if err != nil {
		return err
	}
	logrus.SetOutput(logw)
	logger := log.New(logw, "zkgw: ", log.LstdFlags)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	st, closeStore, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeStore()

	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("zkgw: %w", err)
	}
	gw, err := newGateway(cfg, st, ln)
	if err != nil {
		return err
	}
	logger.Printf("serving %s on %s", cfg, gw.Addr())
	done := make(chan error, 1)
	go func() { done <- gw.Serve() }()
	select {
	case <-ctx.Done():
		logger.Printf("shutting down")
		gw.Close()
		return <-done
	case err := <-done:
		gw.Close()
		return err
	}
}

// openStore opens the session the gateway serves.
func openStore(ctx context.Context, cfg Config) (zkstore.Store, func(), error) {
	if cfg.Mem {
		srv := memstore.NewServer()
		st := srv.Open()
		if err := seedDemo(ctx, st); err != nil {
			st.Close()
			srv.Close()
			return nil, nil, err
		}
		return st, func() { st.Close(); srv.Close() }, nil
	}
	servers, chroot, _ := strings.Cut(cfg.ZK, "/")
	opts := []livestore.Option{livestore.SessionTimeout(cfg.ZKSession), livestore.AdminPort(cfg.ZKAdminPort)}
	if chroot != "" {
		opts = append(opts, livestore.Chroot("/"+chroot))
	}
	st, err := livestore.Open(ctx, strings.Split(servers, ","), opts...)
	if err != nil {
		return nil, nil, fmt.Errorf("zkgw: connecting to ZooKeeper: %w", err)
	}
	return st, func() { st.Close() }, nil
}
