package driver_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/zksql/zksql/driver"
)

// fuzzSeeds are valid and invalid DSNs to start FuzzParseDSN from.
var fuzzSeeds = []string{
	"mem:",
	"mem:shared",
	"mem:t?max_scan=100&read_only=1",
	"mem://x",
	"localhost",
	"zk1:2181,zk2:2182,zk3",
	"zk://localhost:2181",
	"zk://ZK1.Example.COM:02181/app/prod",
	"zk://[::1]:2181,[2001:db8::1]/x",
	"zk://[127.0.0.1]:3000",
	"zk://[fe80::1%eth0]:2181",
	"zk://h/a%20b/%3F%40%25+",
	"zk://h/ünï/x,y:z",
	"zk://h/a//b",
	"zk://h/a/../b",
	"zk://alice:pw@h",
	"zk://h,,i",
	"zk://h?",
	"zk://h?&&max_scan=5&",
	"h?session_timeout=15000&connect_timeout=1500ms",
	"h?session_timeout=1500us",
	"h?session_timeout=99999999999999999999",
	"h?auth=digest:alice:a:b::c",
	"h?auth=DIGEST:alice:p%26w%25d%3D+%20x",
	"h?auth=digest:a:b&auth=sasl:x:y",
	"h?auth=digest:a:pre&post",
	"h?protect_sequential=0&create_parents=1&read_only=TRUE",
	"h?max_data=512&max_scan=2147483647",
	"h/app?create_chroot=1",
	"h?max_request=2097152",
	"mem:?max_request=0",
	"h?session_timeout=15",
	"h?session_timeout=15ms",
	"h?session_timeout=10m&connect_timeout=1ms",
	"h?create_chroot=true",
	"mem:x?create_chroot=0",
	"h?sessionTimeout=1s",
	"mysql://root@localhost/db",
	"mem:?cache=/services,/config&stale_reads=1",
	"h/app?cache=/a%2Cb,/c%20d&sync_reads=true",
	"h?cache=/a,/a/b",
	"h?cache=/zookeeper",
	"h?cache=,&stale_reads=1",
	"mem:?sync_reads=1&cache=/",
	"zk1,[::1]:2182/app?session_timeout=3s&read_only=1&protect_sequential=0&max_scan=9&max_data=99&create_parents=1&connect_timeout=2s&auth=digest:u:p",
}

// refPassword stands in for the fuzzed password: whatever the password,
// ParseDSN and every redacted form must behave as they do for this one.
const refPassword = "R3f-pass"

// withAuth appends an auth option with the given password to dsn.
func withAuth(dsn, password string) string {
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return dsn + sep + "auth=digest:fuzz:" + strings.NewReplacer("%", "%25", "&", "%26").Replace(password)
}

// displayed returns every form of cfg meant for display.
func displayed(cfg *driver.Config) []string {
	out := []string{cfg.String(), cfg.GoString(), cfg.Redacted()}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		out = append(out, fmt.Sprintf(verb, cfg), fmt.Sprintf(verb, *cfg), fmt.Sprintf(verb, cfg.Auth))
	}
	return out
}

func FuzzParseDSN(f *testing.F) {
	for _, dsn := range fuzzSeeds {
		f.Add(dsn, secret)
	}

	f.Fuzz(func(t *testing.T, dsn, password string) {
		if len(dsn) > 1000 || len(password) > 100 {
			t.Skip("too long")
		}

		// Any DSN: no panic, and a valid one round-trips.
		cfg, err := driver.ParseDSN(dsn)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "invalid DSN: ") {
				t.Fatalf("ParseDSN(%q) error %q lacks the \"invalid DSN: \" prefix", dsn, err)
			}
		} else {
			checkRoundTrip(t, dsn, cfg)
		}

		// Nothing but FormatDSN may depend on a password: adding an auth
		// option with the fuzzed password must give the same error, or a
		// Config that displays the same, as adding one with refPassword.
		if password == "" {
			return
		}
		dsnP, dsnR := withAuth(dsn, password), withAuth(dsn, refPassword)
		cfgP, errP := driver.ParseDSN(dsnP)
		cfgR, errR := driver.ParseDSN(dsnR)
		if (errP == nil) != (errR == nil) {
			t.Fatalf("ParseDSN(%q) error %v, but ParseDSN(%q) error %v", dsnP, errP, dsnR, errR)
		}
		if errP != nil {
			if errP.Error() != errR.Error() {
				t.Fatalf("error depends on the password:\nParseDSN(%q): %v\nParseDSN(%q): %v", dsnP, errP, dsnR, errR)
			}
			return
		}
		checkRoundTrip(t, dsnP, cfgP)
		if got := cfgP.Auth[len(cfgP.Auth)-1]; got.Password != password {
			t.Fatalf("ParseDSN(%q) password = %q, want %q", dsnP, got.Password, password)
		}
		if p, r := displayed(cfgP), displayed(cfgR); !cmp.Equal(p, r) {
			t.Fatalf("display depends on the password (-%q +%q):\n%s", password, refPassword, cmp.Diff(p, r))
		}
	})
}
