// Package mariadbtest starts a private MariaDB server for a test: a fresh
// data directory made by mariadb-install-db, a mariadbd listening only on
// a unix socket in that directory (no TCP port, so nothing to clash with
// and nothing reachable from outside), stopped and removed when the test
// ends. The differential test of internal/eval uses it to check zksql's
// expressions against a real SQL engine.
//
// Debian's mariadb-server package provides the binaries
// (apt-get install -y mariadb-server); .ci/run installs it. Without them
// Start skips the test, or fails it when CI=true: a CI run must never pass
// by skipping its differential test.
package mariadbtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
)

// InstallHint says how to get the server binaries.
const InstallHint = "install Debian's mariadb-server (apt-get install -y mariadb-server) or set MARIADBD and MARIADB_INSTALL_DB"

// startTimeout bounds installing the data directory and starting the
// server on a loaded machine.
const startTimeout = 2 * time.Minute

// Server is a running mariadbd.
type Server struct {
	dir     string
	socket  string
	cmd     *exec.Cmd
	exited  chan struct{} // closed when cmd has been waited for
	waitErr error
}

// binaries finds mariadbd and mariadb-install-db: $MARIADBD and
// $MARIADB_INSTALL_DB, else PATH, else Debian's locations.
func binaries() (server, install string, err error) {
	find := func(env string, names ...string) (string, error) {
		if p := os.Getenv(env); p != "" {
			return p, nil
		}
		for _, n := range names {
			if p, err := exec.LookPath(n); err == nil {
				return p, nil
			}
			for _, dir := range []string{"/usr/sbin", "/usr/bin", "/usr/local/bin", "/usr/local/sbin"} {
				p := filepath.Join(dir, n)
				if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
					return p, nil
				}
			}
		}
		return "", fmt.Errorf("%s not found", names[0])
	}
	if server, err = find("MARIADBD", "mariadbd", "mysqld"); err != nil {
		return "", "", err
	}
	if install, err = find("MARIADB_INSTALL_DB", "mariadb-install-db", "mysql_install_db"); err != nil {
		return "", "", err
	}
	return server, install, nil
}

// Available reports whether a server can be started here.
func Available() error {
	_, _, err := binaries()
	return err
}

// Require skips the test when MariaDB is not installed, and fails it
// instead when CI=true.
func Require(tb testing.TB) {
	tb.Helper()
	err := Available()
	if err == nil {
		return
	}
	msg := "MariaDB is not available (" + err.Error() + "); " + InstallHint
	if ci, _ := strconv.ParseBool(os.Getenv("CI")); ci {
		tb.Fatal(msg + " [CI is set, so this is a failure, not a skip]")
	}
	tb.Skip(msg)
}

// Start starts a server for tb and returns a database handle on it,
// connected as root to the server's own socket, with the session settings
// a differential test needs: UTC, binary collation for literals (zksql
// compares bytewise). The server is stopped and its directory removed in
// tb.Cleanup.
func Start(tb testing.TB) (*Server, *sql.DB) {
	tb.Helper()
	Require(tb)
	ctx, cancel := context.WithTimeout(tb.Context(), startTimeout)
	defer cancel()
	// A unix socket path must fit in 108 bytes; tb.TempDir() names grow
	// with the test's name, so the directory is a short one of our own.
	dir, err := os.MkdirTemp("", "mariadbtest-")
	if err != nil {
		tb.Fatal(err)
	}
	s := &Server{dir: dir, socket: filepath.Join(dir, "mysqld.sock"), exited: make(chan struct{})}
	tb.Cleanup(func() {
		died := false
		select {
		case <-s.exited:
			died = s.cmd != nil // it stopped before the test ended
		default:
		}
		if err := s.stop(); err != nil {
			tb.Errorf("mariadbtest: stopping the server: %v", err)
		}
		if died {
			tb.Errorf("mariadbtest: mariadbd exited during the test (%v); last lines of its log:\n%s", s.waitErr, s.logTail(30))
		}
		os.RemoveAll(dir)
	})
	if err := s.start(ctx); err != nil {
		tb.Fatalf("mariadbtest: %v\nserver log:\n%s", err, s.logTail(30))
	}
	db, err := s.open(ctx)
	if err != nil {
		tb.Fatalf("mariadbtest: %v\nserver log:\n%s", err, s.logTail(30))
	}
	tb.Cleanup(func() { db.Close() })
	return s, db
}

// serverArgs are the options both the bootstrap and the server take:
// small InnoDB files, since the tests store nothing.
func serverArgs(data string) []string {
	args := []string{"--no-defaults", "--datadir=" + data,
		"--innodb-log-file-size=4M", "--innodb-buffer-pool-size=16M"}
	if os.Geteuid() == 0 {
		args = append(args, "--user=root") // mariadbd refuses to run as root otherwise
	}
	return args
}

func (s *Server) start(ctx context.Context) error {
	server, install, err := binaries()
	if err != nil {
		return err
	}
	data := filepath.Join(s.dir, "data")
	inst := exec.CommandContext(ctx, install, append(serverArgs(data),
		"--auth-root-authentication-method=normal", "--skip-test-db", "--skip-name-resolve")...)
	if out, err := inst.CombinedOutput(); err != nil {
		return fmt.Errorf("%s: %v\n%s", filepath.Base(install), err, tail(string(out), 20))
	}
	s.cmd = exec.Command(server, append(serverArgs(data),
		"--socket="+s.socket, "--skip-networking", "--skip-log-bin",
		"--pid-file="+filepath.Join(s.dir, "mysqld.pid"),
		"--log-error="+s.logPath())...)
	s.cmd.SysProcAttr = &syscall.SysProcAttr{}
	setParentDeathSignal(s.cmd.SysProcAttr)
	if err := s.cmd.Start(); err != nil {
		return err
	}
	go func() {
		s.waitErr = s.cmd.Wait()
		close(s.exited)
	}()
	// Poll until the socket answers; give up when the server exits.
	for {
		if _, err := os.Stat(s.socket); err == nil {
			return nil
		}
		select {
		case <-s.exited:
			return fmt.Errorf("mariadbd exited during start-up: %v", s.waitErr)
		case <-ctx.Done():
			return fmt.Errorf("mariadbd did not open %s: %w", s.socket, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (s *Server) open(ctx context.Context) (*sql.DB, error) {
	cfg := mysql.NewConfig()
	cfg.User = "root"
	cfg.Net = "unix"
	cfg.Addr = s.socket
	cfg.Params = map[string]string{
		"time_zone":            "'+00:00'",
		"collation_connection": "'utf8mb4_bin'",
	}
	cfg.Collation = "utf8mb4_bin"
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, err
	}
	db := sql.OpenDB(connector)
	for {
		err := db.PingContext(ctx)
		if err == nil {
			return db, nil
		}
		select {
		case <-s.exited:
			db.Close()
			return nil, fmt.Errorf("mariadbd exited: %v", s.waitErr)
		case <-ctx.Done():
			db.Close()
			return nil, fmt.Errorf("connecting to %s: %v", s.socket, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// stop asks the server to shut down (SIGTERM) and kills it if it has not
// within 30 seconds.
func (s *Server) stop() error {
	if s.cmd == nil || s.cmd.Process == nil {
		return nil
	}
	select {
	case <-s.exited:
		return nil
	default:
	}
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	select {
	case <-s.exited:
		return nil
	case <-time.After(30 * time.Second):
	}
	if err := s.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	<-s.exited
	return fmt.Errorf("mariadbd ignored SIGTERM for 30s and was killed")
}

func (s *Server) logPath() string { return filepath.Join(s.dir, "error.log") }

func (s *Server) logTail(n int) string {
	b, err := os.ReadFile(s.logPath())
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	return tail(string(b), n)
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
