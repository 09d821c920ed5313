package driver_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/zksql/zksql/driver"
)

// secret is the password used by the redaction tests. It must appear in no
// output meant for display and in no error.
const secret = "s3cr3t-PW"

// config returns NewConfig() changed by set.
func config(set func(c *driver.Config)) *driver.Config {
	c := driver.NewConfig()
	set(c)
	return c
}

func zk(servers ...string) func(c *driver.Config) {
	return func(c *driver.Config) { c.Servers = servers }
}

func digest(user, password string) driver.Credential {
	return driver.Credential{Scheme: "digest", User: user, Password: password}
}

// validDSNs maps DSNs to the Config ParseDSN returns and to the DSN
// FormatDSN then writes.
var validDSNs = []struct {
	in   string
	want *driver.Config
	out  string
}{
	// mem: stores.
	{"mem:", config(func(c *driver.Config) { c.Mem = true }), "mem:"},
	{"mem:shared", config(func(c *driver.Config) { c.Mem, c.MemName = true, "shared" }), "mem:shared"},
	{"mem:a.b_c-1?max_scan=100", config(func(c *driver.Config) { c.Mem, c.MemName, c.MaxScan = true, "a.b_c-1", 100 }), "mem:a.b_c-1?max_scan=100"},
	{"mem:?read_only=1&create_parents=true", config(func(c *driver.Config) { c.Mem, c.ReadOnly, c.CreateParents = true, true, true }), "mem:?create_parents=true&read_only=true"},
	{"mem:t?auth=digest:alice:pw", config(func(c *driver.Config) {
		c.Mem, c.MemName, c.Auth = true, "t", []driver.Credential{digest("alice", "pw")}
	}), "mem:t?auth=digest:alice:pw"},
	{"mem:?", config(func(c *driver.Config) { c.Mem = true }), "mem:"},

	// Servers.
	{"zk://localhost:2181", config(zk("localhost:2181")), "zk://localhost:2181"},
	{"zk://localhost", config(zk("localhost:2181")), "zk://localhost:2181"},
	{"localhost", config(zk("localhost:2181")), "zk://localhost:2181"},
	{"zk1:2181,zk2:2182,zk3", config(zk("zk1:2181", "zk2:2182", "zk3:2181")), "zk://zk1:2181,zk2:2182,zk3:2181"},
	{"zk://ZK1.Example.COM:02181", config(zk("zk1.example.com:2181")), "zk://zk1.example.com:2181"},
	{"zk_1.local.:1", config(zk("zk_1.local.:1")), "zk://zk_1.local.:1"},
	{"10.0.0.1:65535,10.0.0.2", config(zk("10.0.0.1:65535", "10.0.0.2:2181")), "zk://10.0.0.1:65535,10.0.0.2:2181"},
	{"zk://[::1]:2181", config(zk("[::1]:2181")), "zk://[::1]:2181"},
	{"[::1]", config(zk("[::1]:2181")), "zk://[::1]:2181"},
	{"[0:0:0:0:0:0:0:1]:2182,[2001:DB8::1]", config(zk("[::1]:2182", "[2001:db8::1]:2181")), "zk://[::1]:2182,[2001:db8::1]:2181"},
	{"zk://[127.0.0.1]:3000", config(zk("127.0.0.1:3000")), "zk://127.0.0.1:3000"},
	{"zk://[::ffff:10.1.2.3]", config(zk("[::ffff:10.1.2.3]:2181")), "zk://[::ffff:10.1.2.3]:2181"},

	// Chroot.
	{"zk://zk1,zk2/app/prod", config(func(c *driver.Config) { c.Servers, c.Chroot = []string{"zk1:2181", "zk2:2181"}, "/app/prod" }), "zk://zk1:2181,zk2:2181/app/prod"},
	{"zk1/", config(zk("zk1:2181")), "zk://zk1:2181"},
	{"zk://h/a%20b/%3F%40%25+", config(func(c *driver.Config) { c.Servers, c.Chroot = []string{"h:2181"}, "/a b/?@%+" }), "zk://h:2181/a%20b/%3F%40%25+"},
	{"zk://h/%C3%BCn%C3%AF/x,y:z", config(func(c *driver.Config) { c.Servers, c.Chroot = []string{"h:2181"}, "/ünï/x,y:z" }), "zk://h:2181/%C3%BCn%C3%AF/x,y:z"},
	{"zk://h/ünï", config(func(c *driver.Config) { c.Servers, c.Chroot = []string{"h:2181"}, "/ünï" }), "zk://h:2181/%C3%BCn%C3%AF"},
	{"zk://h/...", config(func(c *driver.Config) { c.Servers, c.Chroot = []string{"h:2181"}, "/..." }), "zk://h:2181/..."},
	{"zk://h/a%2Fb", config(func(c *driver.Config) { c.Servers, c.Chroot = []string{"h:2181"}, "/a/b" }), "zk://h:2181/a/b"},

	// Timeouts.
	{"zk://h?session_timeout=15s", config(func(c *driver.Config) { c.Servers, c.SessionTimeout = []string{"h:2181"}, 15*time.Second }), "zk://h:2181?session_timeout=15s"},
	{"h?session_timeout=1s", config(func(c *driver.Config) { c.Servers, c.SessionTimeout = []string{"h:2181"}, time.Second }), "zk://h:2181?session_timeout=1s"},
	{"h?session_timeout=10m", config(func(c *driver.Config) { c.Servers, c.SessionTimeout = []string{"h:2181"}, 10*time.Minute }), "zk://h:2181?session_timeout=10m0s"},
	{"h?session_timeout=1500ms", config(func(c *driver.Config) { c.Servers, c.SessionTimeout = []string{"h:2181"}, 1500*time.Millisecond }), "zk://h:2181?session_timeout=1.5s"},
	{"h?session_timeout=1m30s", config(func(c *driver.Config) { c.Servers, c.SessionTimeout = []string{"h:2181"}, 90*time.Second }), "zk://h:2181?session_timeout=1m30s"},
	{"h?connect_timeout=24h", config(func(c *driver.Config) { c.Servers, c.ConnectTimeout = []string{"h:2181"}, 24*time.Hour }), "zk://h:2181?connect_timeout=24h0m0s"},
	{"h?connect_timeout=1ms", config(func(c *driver.Config) { c.Servers, c.ConnectTimeout = []string{"h:2181"}, time.Millisecond }), "zk://h:2181?connect_timeout=1ms"},
	{"h?session_timeout=10s&connect_timeout=5000ms", config(zk("h:2181")), "zk://h:2181"},

	// Auth.
	{"zk://h?auth=digest:alice:" + secret, config(func(c *driver.Config) {
		c.Servers, c.Auth = []string{"h:2181"}, []driver.Credential{digest("alice", secret)}
	}), "zk://h:2181?auth=digest:alice:" + secret},
	{"h?auth=digest:alice:a:b::c", config(func(c *driver.Config) {
		c.Servers, c.Auth = []string{"h:2181"}, []driver.Credential{digest("alice", "a:b::c")}
	}), "zk://h:2181?auth=digest:alice:a:b::c"},
	{"h?auth=DIGEST:alice:p%26w%25d%3D+%20x", config(func(c *driver.Config) {
		c.Servers, c.Auth = []string{"h:2181"}, []driver.Credential{digest("alice", "p&w%d=+ x")}
	}), "zk://h:2181?auth=digest:alice:p%26w%25d=+%20x"},
	{"h?auth=digest%3Abob%3Aabc==", config(func(c *driver.Config) {
		c.Servers, c.Auth = []string{"h:2181"}, []driver.Credential{digest("bob", "abc==")}
	}), "zk://h:2181?auth=digest:bob:abc=="},
	{"h?read_only=1&auth=digest:bob:2&auth=digest:alice:1", config(func(c *driver.Config) {
		c.Servers, c.ReadOnly = []string{"h:2181"}, true
		c.Auth = []driver.Credential{digest("bob", "2"), digest("alice", "1")}
	}), "zk://h:2181?auth=digest:bob:2&auth=digest:alice:1&read_only=true"},
	{"h?auth=digest:al%40ice:%C3%BC%00", config(func(c *driver.Config) {
		c.Servers, c.Auth = []string{"h:2181"}, []driver.Credential{digest("al@ice", "ü\x00")}
	}), "zk://h:2181?auth=digest:al@ice:%C3%BC%00"},

	// Read cache and current reads.
	{"mem:?cache=/services,/config", config(func(c *driver.Config) { c.Mem, c.Cache = true, []string{"/config", "/services"} }), "mem:?cache=/config,/services"},
	{"h/app?stale_reads=1&cache=/", config(func(c *driver.Config) {
		c.Servers, c.Chroot, c.Cache, c.StaleReads = []string{"h:2181"}, "/app", []string{"/"}, true
	}), "zk://h:2181/app?cache=/&stale_reads=true"},
	{"h?cache=/a%2Cb,/c%20d/%C3%BC", config(func(c *driver.Config) { c.Servers, c.Cache = []string{"h:2181"}, []string{"/a,b", "/c d/ü"} }), "zk://h:2181?cache=/a%2Cb,/c%20d/%C3%BC"},
	{"h?cache=/a&stale_reads=false", config(func(c *driver.Config) { c.Servers, c.Cache = []string{"h:2181"}, []string{"/a"} }), "zk://h:2181?cache=/a"},
	{"mem:x?sync_reads=true", config(func(c *driver.Config) { c.Mem, c.MemName, c.SyncReads = true, "x", true }), "mem:x?sync_reads=true"},
	{"h?sync_reads=0", config(zk("h:2181")), "zk://h:2181"},

	// Booleans and limits.
	{"h?protect_sequential=true", config(func(c *driver.Config) { c.Servers, c.ProtectSequential = []string{"h:2181"}, true }), "zk://h:2181?protect_sequential=true"},
	{"h?protect_sequential=1&create_parents=0&read_only=FALSE", config(func(c *driver.Config) { c.Servers, c.ProtectSequential = []string{"h:2181"}, true }), "zk://h:2181?protect_sequential=true"},
	{"mem:?skip_unreadable=1", config(func(c *driver.Config) { c.Mem, c.SkipUnreadable = true, true }), "mem:?skip_unreadable=true"},
	{"h?protect_sequential=False&read_only=TRUE", config(func(c *driver.Config) { c.Servers, c.ReadOnly = []string{"h:2181"}, true }), "zk://h:2181?read_only=true"},
	{"h?max_data=512&max_scan=1", config(func(c *driver.Config) { c.Servers, c.MaxData, c.MaxScan = []string{"h:2181"}, 512, 1 }), "zk://h:2181?max_data=512&max_scan=1"},
	{"h?max_scan=100000&max_data=1048576", config(zk("h:2181")), "zk://h:2181"},
	{"h?max_request=1048575", config(zk("h:2181")), "zk://h:2181"},
	{"h?max_request=2097152", config(func(c *driver.Config) { c.Servers, c.MaxRequest = []string{"h:2181"}, 2<<20 }), "zk://h:2181?max_request=2097152"},
	{"mem:?max_request=100", config(func(c *driver.Config) { c.Mem, c.MaxRequest = true, 100 }), "mem:?max_request=100"},
	{"h?max_scan=2147483647&max_data=2147483647", config(func(c *driver.Config) { c.Servers, c.MaxData, c.MaxScan = []string{"h:2181"}, 1<<31-1, 1<<31-1 }), "zk://h:2181?max_data=2147483647&max_scan=2147483647"},
	{"h/app?create_chroot=1", config(func(c *driver.Config) { c.Servers, c.Chroot, c.CreateChroot = []string{"h:2181"}, "/app", true }), "zk://h:2181/app?create_chroot=true"},
	{"h/app?create_chroot=false", config(func(c *driver.Config) { c.Servers, c.Chroot = []string{"h:2181"}, "/app" }), "zk://h:2181/app"},
	{"h?", config(zk("h:2181")), "zk://h:2181"},
	{"h?&&max_scan=5&", config(func(c *driver.Config) { c.Servers, c.MaxScan = []string{"h:2181"}, 5 }), "zk://h:2181?max_scan=5"},

	// Everything, to check the option order.
	{"zk1,[::1]:2182/app?session_timeout=3s&read_only=1&protect_sequential=1&max_scan=9&max_data=99&create_parents=1&connect_timeout=2s&auth=digest:u:p&create_chroot=1",
		config(func(c *driver.Config) {
			c.Servers = []string{"zk1:2181", "[::1]:2182"}
			c.Chroot = "/app"
			c.SessionTimeout = 3 * time.Second
			c.ConnectTimeout = 2 * time.Second
			c.Auth = []driver.Credential{digest("u", "p")}
			c.CreateParents, c.ReadOnly, c.ProtectSequential = true, true, true
			c.CreateChroot = true
			c.MaxScan, c.MaxData = 9, 99
		}),
		"zk://zk1:2181,[::1]:2182/app?auth=digest:u:p&connect_timeout=2s&create_chroot=true&create_parents=true&max_data=99&max_scan=9&protect_sequential=true&read_only=true&session_timeout=3s"},
}

// invalidDSNs maps DSNs to a substring of the error ParseDSN returns.
var invalidDSNs = []struct {
	in, err string
}{
	{"", "empty DSN"},
	{"mysql://h", `scheme "mysql" not supported`},
	{"zookeeper://h:2181", `scheme "zookeeper" not supported`},
	{"mem://x", "write mem:NAME, not mem://NAME"},
	{"mem:a/b", "store name may contain only"},
	{"mem:a b", "store name may contain only"},
	{"mem:" + strings.Repeat("n", 129), "store name may contain only"},
	{"mem:x?session_timeout=1s", "session_timeout does not apply to mem:"},
	{"mem:?connect_timeout=5s", "connect_timeout does not apply to mem:"},

	// Servers.
	{"zk://", "no ZooKeeper servers"},
	{"zk:///app", "no ZooKeeper servers"},
	{"/app", "no ZooKeeper servers"},
	{"?max_scan=1", "no ZooKeeper servers"},
	{"zk://h,,i", "empty server address"},
	{"zk://h,", "empty server address"},
	{"zk://h:", `server "h:": port must be a number from 1 to 65535`},
	{"zk://h:0", "port must be"},
	{"zk://h:65536", "port must be"},
	{"zk://h:abc", "port must be"},
	{"zk://h:+1", "port must be"},
	{"zk://h:-1", "port must be"},
	{"zk://h:99999999999999999999999", "port must be"},
	{"zk://::1", "write IPv6 addresses in brackets"},
	{"2001:db8::1:2181", "write IPv6 addresses in brackets"},
	{"zk://[::1", "missing ']'"},
	{"zk://[::1]x", "want [IPV6]:PORT"},
	{"zk://[::1]:", "port must be"},
	{"zk://[zk1]:2181", `"zk1" is not an IP address`},
	{"zk://[fe80::1%eth0]:2181", "IPv6 zones are not supported"},
	{"zk://-bad", "not a valid host name"},
	{"zk://bad-", "not a valid host name"},
	{"zk://a..b", "not a valid host name"},
	{"zk://.", "not a valid host name"},
	{"zk://h%41", "not a valid host name"},
	{"zk://h h", "not a valid host name"},
	{"zk://" + strings.Repeat("a", 64), "not a valid host name"},
	{"zk://h,H:2181", "server h:2181 listed more than once"},
	{"zk://[::1],[0::1]:2181", "server [::1]:2181 listed more than once"},
	{"zk://alice:pw@h", "credentials before '@' are not supported"},
	{"alice@h:2181", "credentials before '@' are not supported"},

	// Chroot.
	{"zk://h/app/", "must not end with /"},
	{"zk://h//", "must not end with /"},
	{"zk://h/a//b", "empty node name at byte 3"},
	{"zk://h/a/./b", "relative paths not allowed"},
	{"zk://h/a/..", "relative paths not allowed"},
	{"zk://h/a%zz", "invalid percent-encoding"},
	{"zk://h/a%00", "null character"},
	{"zk://h/a%7F", "U+007F"},
	{"zk://h/a\uf000", "U+F000"},
	{"zk://h/a%FF", "invalid UTF-8"},
	{"zk://h/a@b", "'@' in the chroot must be written %40"},

	// Options.
	{"zk://h?foo=1", `unknown option "foo"; known options are admin_port, auth, cache, connect_timeout`},
	{"zk://h?sessionTimeout=1s", "did you mean session_timeout?"},
	{"zk://h?Read-Only=1", "did you mean read_only?"},
	{"zk://h?a%20b=1", "unknown option; known options"},
	{"zk://h?max_scan", "option max_scan has no value"},
	{"zk://h?a b c", "option 1 has no '='"},
	{"zk://h?read_only=1&read_only=0", "option read_only given more than once"},
	{"zk://h?session_timeout=abc", `option session_timeout: "abc" is not a duration`},
	{"zk://h?session_timeout=", `"" is not a duration`},
	{"zk://h?session_timeout=0", `option session_timeout: "0" has no unit`},
	{"zk://h?session_timeout=15", `option session_timeout: "15" has no unit; write session_timeout=15s for seconds (or 15ms for milliseconds)`},
	{"zk://h?connect_timeout=5000", `option connect_timeout: "5000" has no unit; write connect_timeout=5000s`},
	{"zk://h?session_timeout=15ms", "option session_timeout: 15ms is outside what a ZooKeeper server grants; write a value from 1s to 10m0s"},
	{"zk://h?session_timeout=999ms", "outside what a ZooKeeper server grants"},
	{"zk://h?session_timeout=10m1ms", "outside what a ZooKeeper server grants"},
	{"zk://h?session_timeout=24h", "outside what a ZooKeeper server grants"},
	{"zk://h?session_timeout=0s", "must be positive"},
	{"zk://h?session_timeout=-1s", "must be positive"},
	{"zk://h?session_timeout=1500us", "not a whole number of milliseconds"},
	{"zk://h?session_timeout=25h", "too long"},
	{"zk://h?session_timeout=86400001", "has no unit"},
	{"zk://h?session_timeout=99999999999999999999", "has no unit"},
	{"zk://h?connect_timeout=0s", "option connect_timeout: must be positive"},
	{"zk://h?create_parents=yes", "option create_parents: want true, false, 1 or 0"},
	{"zk://h/app?create_chroot=yes", "option create_chroot: want true, false, 1 or 0"},
	{"zk://h?create_chroot=true", "option create_chroot needs a chroot"},
	{"zk://h/?create_chroot=true", "option create_chroot needs a chroot"},
	{"mem:?create_chroot=true", "option create_chroot does not apply to mem: stores"},
	{"zk://h?read_only=", "option read_only: want true, false, 1 or 0"},
	{"zk://h?protect_sequential=2", "option protect_sequential: want true"},
	{"zk://h?max_scan=0", "option max_scan: want an integer from 1 to 2147483647"},
	{"zk://h?max_scan=-1", "option max_scan: want an integer"},
	{"zk://h?max_scan=1.5", "option max_scan: want an integer"},
	{"zk://h?max_scan=2147483648", "option max_scan: want an integer"},
	{"zk://h?max_data=0", "option max_data: want an integer"},
	{"zk://h?max_data=1MiB", "option max_data: want an integer"},
	{"zk://h?max_request=0", "option max_request: want an integer from 1 to 2147483647"},
	{"zk://h?max_request=1MiB", "option max_request: want an integer"},
	{"zk://h?max_scan=1%zz", "option max_scan: invalid percent-encoding"},

	// Read cache and current reads.
	{"zk://h?cache=", "option cache has no subtree"},
	{"zk://h?cache=config", `option cache: "config": path must start with / at byte 0; write absolute paths such as cache=/config,/services`},
	{"zk://h?cache=/a,", `option cache: "": path must not be empty`},
	{"zk://h?cache=/a/", `option cache: "/a/": path must not end with /`},
	{"zk://h?cache=/a,/a", `option cache: "/a" listed more than once`},
	{"zk://h?cache=/a/b,/a", `option cache: "/a/b" is inside "/a", which is cached already`},
	{"zk://h?cache=/,/x", `option cache: "/x" is inside "/"`},
	{"zk://h?cache=/zookeeper/config", `option cache: "/zookeeper/config" is ZooKeeper's own subtree`},
	{"zk://h?cache=/a%zz", "option cache: invalid percent-encoding"},
	{"zk://h?cache=/a&cache=/b", "option cache given more than once"},
	{"zk://h?stale_reads=true", "option stale_reads applies only to cached reads"},
	{"mem:?cache=/a&stale_reads=maybe", "option stale_reads: want true, false, 1 or 0"},
	{"mem:?sync_reads=yes", "option sync_reads: want true, false, 1 or 0"},

	// Auth.
	{"zk://h?auth=digest:alice", "auth option 1: want auth=digest:USER:PASSWORD"},
	{"zk://h?auth=", "auth option 1: want auth=digest:USER:PASSWORD"},
	{"zk://h?auth=foo:alice:pw", `auth option 1: scheme "foo" not supported`},
	{"zk://h?auth=digest:a:b&auth=digest:c:d&auth=sasl:x:y", `auth option 3: scheme "sasl" not supported`},
	{"zk://h?auth=digest::pw", "auth option 1: empty user"},
	{"zk://h?auth=digest:alice:", "auth option 1: empty password"},
	{"zk://h?auth=digest:a:b%zz", "auth option 1: invalid percent-encoding"},
	{"zk://h?auth=digest:a:pre&post", "unknown option after auth option 1; if the password contains '&'"},
}

func TestParseDSN(t *testing.T) {
	for _, tt := range validDSNs {
		t.Run(tt.in, func(t *testing.T) {
			cfg, err := driver.ParseDSN(tt.in)
			if err != nil {
				t.Fatalf("ParseDSN(%q): %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, cfg); diff != "" {
				t.Errorf("ParseDSN(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
			if got := cfg.FormatDSN(); got != tt.out {
				t.Errorf("ParseDSN(%q).FormatDSN() = %q, want %q", tt.in, got, tt.out)
			}
		})
	}
}

func TestParseDSNRoundTrip(t *testing.T) {
	for _, tt := range validDSNs {
		cfg, err := driver.ParseDSN(tt.in)
		if err != nil {
			t.Errorf("ParseDSN(%q): %v", tt.in, err)
			continue
		}
		checkRoundTrip(t, tt.in, cfg)
	}
}

// checkRoundTrip checks that cfg, parsed from dsn, formats to a DSN that
// parses back to an equal Config and formats the same again.
func checkRoundTrip(t *testing.T, dsn string, cfg *driver.Config) {
	t.Helper()
	dsn2 := cfg.FormatDSN()
	cfg2, err := driver.ParseDSN(dsn2)
	if err != nil {
		t.Fatalf("%q formatted as %q: %v", dsn, dsn2, err)
	}
	if diff := cmp.Diff(cfg, cfg2); diff != "" {
		t.Fatalf("%q formatted as %q parses differently (-first +second):\n%s", dsn, dsn2, diff)
	}
	if dsn3 := cfg2.FormatDSN(); dsn3 != dsn2 {
		t.Fatalf("%q formatted as %q, then as %q", dsn, dsn2, dsn3)
	}
}

func TestParseDSNInvalid(t *testing.T) {
	for _, tt := range invalidDSNs {
		t.Run(tt.in, func(t *testing.T) {
			cfg, err := driver.ParseDSN(tt.in)
			if err == nil {
				t.Fatalf("ParseDSN(%q) = %v, want error containing %q", tt.in, cfg, tt.err)
			}
			if cfg != nil {
				t.Errorf("ParseDSN(%q) returned a Config with its error", tt.in)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "invalid DSN: ") {
				t.Errorf("ParseDSN(%q) error %q does not start with %q", tt.in, msg, "invalid DSN: ")
			}
			if !strings.Contains(msg, tt.err) {
				t.Errorf("ParseDSN(%q) error %q does not contain %q", tt.in, msg, tt.err)
			}
		})
	}
}

// secretDSNs put the secret in every position a password can take,
// including misplaced and mis-encoded ones.
var secretDSNs = []string{
	"zk://h?auth=foo:alice:" + secret,
	"zk://h?auth=digest:" + secret,
	"zk://h?auth=" + secret,
	"zk://h?auth=digest::" + secret,
	"zk://h?auth=digest:alice:" + secret + "%zz",
	"zk://h?auth=digest:alice:%zz" + secret,
	"zk://h?auth=SASL:alice:" + secret,
	"zk://h?auth=Foo-" + secret + ":alice:" + secret,
	"zk://h?auth=digest:alice:pre&" + secret,
	"zk://h?auth=digest:alice:pre&" + secret + "=1",
	"zk://h?auth=digest:alice:pre&x=" + secret,
	"zk://h?auth=digest:a:b&auth=digest:alice:" + secret + "&max_scan=0",
	"zk://h?auth=digest:alice:" + secret + "&read_only=maybe",
	"zk://h?auth=digest:alice:" + secret + "&auth=x",
	"zk://alice:" + secret + "@h",
	"zk://alice:" + secret + "@h/app",
	"zk://alice:pre/" + secret + "@h",
	"alice:" + secret + "@h:2181",
	"zk://h,alice:" + secret + "@h2",
	"mem:alice:" + secret,
	"mem:x?auth=digest:alice:" + secret + "&session_timeout=1s",
}

func TestParseDSNErrorsHidePassword(t *testing.T) {
	for _, dsn := range secretDSNs {
		cfg, err := driver.ParseDSN(dsn)
		if err == nil {
			t.Errorf("ParseDSN(%q) = %v, want error", dsn, cfg)
			continue
		}
		if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("ParseDSN(%q) error leaks the password: %v", dsn, err)
		}
	}
}

func TestConfigRedaction(t *testing.T) {
	for _, dsn := range []string{
		"zk://h/app?auth=digest:alice:" + secret,
		"zk://h?auth=digest:bob:x&auth=digest:alice:" + secret + "&read_only=1",
		"mem:m?auth=digest:alice:" + url(secret+"&:%"),
	} {
		cfg, err := driver.ParseDSN(dsn)
		if err != nil {
			t.Fatalf("ParseDSN(%q): %v", dsn, err)
		}
		if !strings.Contains(cfg.FormatDSN(), url(cfg.Auth[len(cfg.Auth)-1].Password)) {
			t.Errorf("FormatDSN() = %q, want the password in it", cfg.FormatDSN())
		}
		var logs bytes.Buffer
		slog.New(slog.NewJSONHandler(&logs, nil)).Info("open", "cfg", cfg, "cred", cfg.Auth[0], "val", *cfg)
		slog.New(slog.NewTextHandler(&logs, nil)).Info("open", "cfg", cfg, "auth", cfg.Auth)
		outputs := map[string]string{
			"String":   cfg.String(),
			"GoString": cfg.GoString(),
			"Redacted": cfg.Redacted(),
			"slog":     logs.String(),
		}
		if js, err := json.Marshal(cfg); err != nil {
			t.Fatalf("json.Marshal: %v", err)
		} else {
			outputs["json"] = string(js)
		}
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10.3v", "%T"} {
			outputs[verb+" *Config"] = fmt.Sprintf(verb, cfg)
			outputs[verb+" Config"] = fmt.Sprintf(verb, *cfg)
			outputs[verb+" []Credential"] = fmt.Sprintf(verb, cfg.Auth)
			outputs[verb+" Credential"] = fmt.Sprintf(verb, cfg.Auth[len(cfg.Auth)-1])
			outputs[verb+" *Credential"] = fmt.Sprintf(verb, &cfg.Auth[0])
			outputs[verb+" struct"] = fmt.Sprintf(verb, struct{ C driver.Config }{*cfg})
		}
		for name, out := range outputs {
			if strings.Contains(out, "s3cr3t") || strings.Contains(strings.ToLower(out), "733363723374") {
				t.Errorf("%s of %q leaks the password: %s", name, dsn, out)
			}
		}
		for _, name := range []string{"String", "Redacted", "%v *Config", "%+v *Config", "%#v *Config", "%v Credential", "slog"} {
			if !strings.Contains(outputs[name], "alice:xxxxx") && !strings.Contains(outputs[name], `Password:"xxxxx"`) && !strings.Contains(outputs[name], "Password:xxxxx") {
				t.Errorf("%s of %q = %s, want the password shown as xxxxx", name, dsn, outputs[name])
			}
		}
	}
}

// url percent-encodes s the way FormatDSN writes option values.
func url(s string) string {
	return strings.NewReplacer("%", "%25", "&", "%26").Replace(s)
}

func TestConfigFormatting(t *testing.T) {
	cfg := config(func(c *driver.Config) {
		c.Servers = []string{"zk1:2181"}
		c.Chroot = "/app"
		c.Auth = []driver.Credential{digest("alice", secret)}
	})
	for _, tt := range []struct{ format, want string }{
		{"%v", "zk://zk1:2181/app?auth=digest:alice:xxxxx"},
		{"%s", "zk://zk1:2181/app?auth=digest:alice:xxxxx"},
		{"%q", `"zk://zk1:2181/app?auth=digest:alice:xxxxx"`},
		{"%+v", "{Servers:[zk1:2181] Chroot:/app Mem:false MemName: SessionTimeout:10s ConnectTimeout:5s Auth:[{Scheme:digest User:alice Password:xxxxx}] CreateParents:false CreateChroot:false ReadOnly:false ProtectSequential:false MaxScan:100000 MaxData:1048576 MaxRequest:1048575 SkipUnreadable:false DefaultACL:[] AdminPorts:[] ProbeTimeout:2s Cache:[] StaleReads:false SyncReads:false Logger:<nil>}"},
		{"%#v", `driver.Config{Servers:[]string{"zk1:2181"}, Chroot:"/app", Mem:false, MemName:"", SessionTimeout:10000000000, ConnectTimeout:5000000000, Auth:[]driver.Credential{driver.Credential{Scheme:"digest", User:"alice", Password:"xxxxx"}}, CreateParents:false, CreateChroot:false, ReadOnly:false, ProtectSequential:false, MaxScan:100000, MaxData:1048576, MaxRequest:1048575, SkipUnreadable:false, DefaultACL:[]zkstore.ACL(nil), AdminPorts:[]int(nil), ProbeTimeout:2000000000, Cache:[]string(nil), StaleReads:false, SyncReads:false, Logger:(*slog.Logger)(nil)}`},
	} {
		if got := fmt.Sprintf(tt.format, cfg); got != tt.want {
			t.Errorf("Sprintf(%q, cfg) =\n%s\nwant\n%s", tt.format, got, tt.want)
		}
	}
	if got, want := fmt.Sprint(driver.Credential{Scheme: "digest", User: "bob"}), "digest:bob:"; got != want {
		t.Errorf("Credential without password prints %q, want %q", got, want)
	}
	var nilCfg *driver.Config
	if got := fmt.Sprint(nilCfg); got != "<nil>" {
		t.Errorf("Sprint(nil *Config) = %q, want <nil>", got)
	}
}

func TestNewConfig(t *testing.T) {
	want := &driver.Config{
		SessionTimeout:    10 * time.Second,
		ConnectTimeout:    5 * time.Second,
		MaxScan:           100000,
		MaxData:           1 << 20,
		MaxRequest:        1<<20 - 1,
		ProtectSequential: false,
		ProbeTimeout:      2 * time.Second,
	}
	if diff := cmp.Diff(want, driver.NewConfig()); diff != "" {
		t.Errorf("NewConfig() mismatch (-want +got):\n%s", diff)
	}
}

func TestConfigFormatDSNDefaults(t *testing.T) {
	mem := driver.NewConfig()
	mem.Mem = true
	if got := mem.FormatDSN(); got != "mem:" {
		t.Errorf("default mem: FormatDSN() = %q, want %q", got, "mem:")
	}
	zkc := driver.NewConfig()
	zkc.Servers = []string{"localhost:2181"}
	if got := zkc.FormatDSN(); got != "zk://localhost:2181" {
		t.Errorf("default zk FormatDSN() = %q, want %q", got, "zk://localhost:2181")
	}
	for _, cfg := range []*driver.Config{mem, zkc} {
		parsed, err := driver.ParseDSN(cfg.FormatDSN())
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(cfg, parsed); diff != "" {
			t.Errorf("ParseDSN(%q) mismatch (-want +got):\n%s", cfg.FormatDSN(), diff)
		}
	}
}

func TestConfigClone(t *testing.T) {
	cfg, err := driver.ParseDSN("zk://a,b/app?auth=digest:u:p&max_scan=7")
	if err != nil {
		t.Fatal(err)
	}
	c := cfg.Clone()
	if diff := cmp.Diff(cfg, c); diff != "" {
		t.Fatalf("Clone() mismatch (-orig +clone):\n%s", diff)
	}
	c.Servers[0] = "changed:1"
	c.Auth[0].Password = "changed"
	c.MaxScan = 8
	if cfg.Servers[0] != "a:2181" || cfg.Auth[0].Password != "p" || cfg.MaxScan != 7 {
		t.Errorf("changing the clone changed the original: %+v", cfg)
	}

	mem := driver.NewConfig()
	mem.Mem = true
	if c := mem.Clone(); c.Servers != nil || c.Auth != nil {
		t.Errorf("Clone() of a Config without servers or auth = %+v, want nil slices", c)
	}
	var nilCfg *driver.Config
	if nilCfg.Clone() != nil {
		t.Error("Clone() of nil != nil")
	}
}

func ExampleParseDSN() {
	cfg, err := driver.ParseDSN("zk1:2181,zk2,[::1]:2182/app?session_timeout=15s&auth=digest:alice:s3cr3t")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(cfg.Servers)
	fmt.Println(cfg.Chroot, cfg.SessionTimeout)
	fmt.Println(cfg)             // passwords are redacted
	fmt.Println(cfg.FormatDSN()) // but not here

	_, err = driver.ParseDSN("zk://zk1?auth=sha1:alice:s3cr3t")
	fmt.Println(err)
	// Output:
	// [zk1:2181 zk2:2181 [::1]:2182]
	// /app 15s
	// zk://zk1:2181,zk2:2181,[::1]:2182/app?auth=digest:alice:xxxxx&session_timeout=15s
	// zk://zk1:2181,zk2:2181,[::1]:2182/app?auth=digest:alice:s3cr3t&session_timeout=15s
	// invalid DSN: auth option 1: scheme "sha1" not supported; write auth=digest:USER:PASSWORD
}

func ExampleConfig_FormatDSN() {
	cfg := driver.NewConfig()
	cfg.Mem = true
	cfg.MemName = "tests"
	cfg.MaxScan = 1000
	cfg.ReadOnly = true
	fmt.Println(cfg.FormatDSN())
	// Output:
	// mem:tests?max_scan=1000&read_only=true
}
