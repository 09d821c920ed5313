package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"
)

// Config is what the gateway needs to start. Password never appears in
// String, errors or logs.
type Config struct {
	Listen       string        // host:port; 127.0.0.1 unless told otherwise
	Database     string        // name of the one database the tables live in
	ZK           string        // comma-separated ensemble, optional /chroot; empty with Mem
	Mem          bool          // serve an in-memory store with a small demo tree
	User         string        // the one account; required
	Password     string        // its password; required, never defaulted
	Writable     bool          // allow INSERT/UPDATE/DELETE on znodes
	MaxScan      int           // znodes one query may visit
	QueryTimeout time.Duration // bound on the ZooKeeper work of one query
	ZKSession    time.Duration // ZooKeeper session timeout
	ZKAdminPort  int           // the servers' AdminServer port for the system tables; 0: four-letter words only
}

// String describes the configuration without the password.
func (c Config) String() string {
	src := "zk://" + c.ZK
	if c.Mem {
		src = "in-memory demo tree"
	}
	return fmt.Sprintf("listen=%s database=%s store=%s user=%s writable=%v max_scan=%d query_timeout=%s",
		c.Listen, c.Database, src, c.User, c.Writable, c.MaxScan, c.QueryTimeout)
}

// GoString keeps %#v from printing the password.
func (c Config) GoString() string { return "zkgw.Config{" + c.String() + "}" }

func (c Config) validate() error {
	if c.User == "" {
		return errors.New("zkgw: no user: set -user or ZKGW_USER (there is no default account)")
	}
	if c.Password == "" {
		return errors.New("zkgw: no password: set ZKGW_PASSWORD or -password-file (there is no default password)")
	}
	if c.Mem == (c.ZK != "") {
		return errors.New("zkgw: give exactly one of -zk host:port[,host:port][/chroot] and -mem")
	}
	if c.MaxScan <= 0 {
		return fmt.Errorf("zkgw: -max-scan must be positive, got %d", c.MaxScan)
	}
	if c.QueryTimeout <= 0 {
		return fmt.Errorf("zkgw: -query-timeout must be positive, got %s", c.QueryTimeout)
	}
	if c.Database == "" {
		return errors.New("zkgw: -database must not be empty")
	}
	return nil
}

// parseConfig reads flags, then the environment for what flags left unset.
// The password is taken only from ZKGW_PASSWORD or a file, never from a
// flag: command lines are visible to every user of the host.
func parseConfig(args []string, getenv func(string) string) (Config, error) {
	fs := flag.NewFlagSet("zkgw", flag.ContinueOnError)
	var c Config
	var pwFile string
	fs.StringVar(&c.Listen, "listen", "127.0.0.1:3306", "address to listen on (host:port)")
	fs.StringVar(&c.Database, "database", "zookeeper", "database name the tables appear in")
	fs.StringVar(&c.ZK, "zk", getenv("ZKGW_ZK"), "ZooKeeper ensemble host:port[,host:port][/chroot] (env ZKGW_ZK)")
	fs.BoolVar(&c.Mem, "mem", false, "serve an in-memory ZooKeeper with a small demo tree instead of -zk")
	fs.StringVar(&c.User, "user", getenv("ZKGW_USER"), "the account clients log in with (env ZKGW_USER); required")
	fs.StringVar(&pwFile, "password-file", getenv("ZKGW_PASSWORD_FILE"), "file holding the account's password (env ZKGW_PASSWORD_FILE, or the password itself in ZKGW_PASSWORD)")
	fs.BoolVar(&c.Writable, "writable", false, "allow INSERT, UPDATE and DELETE on znodes (read-only otherwise)")
	fs.IntVar(&c.MaxScan, "max-scan", 100000, "most znodes one query may visit")
	fs.DurationVar(&c.QueryTimeout, "query-timeout", 30*time.Second, "bound on the ZooKeeper work of one query")
	fs.DurationVar(&c.ZKSession, "zk-session-timeout", 15*time.Second, "ZooKeeper session timeout")
	fs.IntVar(&c.ZKAdminPort, "zk-admin-port", 8080, "the servers' AdminServer port, read by the system tables (servers, connections, ...); 0 reads the four-letter words only")
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("zkgw: unexpected arguments %q", fs.Args())
	}
	c.Password = getenv("ZKGW_PASSWORD")
	if pwFile != "" {
		if c.Password != "" {
			return Config{}, errors.New("zkgw: both ZKGW_PASSWORD and a password file are set; use one")
		}
		b, err := os.ReadFile(pwFile)
		if err != nil {
			// The error names the file, not its content.
			return Config{}, fmt.Errorf("zkgw: reading password file: %w", err)
		}
		c.Password = strings.TrimRight(string(b), "\r\n")
	}
	return c, c.validate()
}
