package driver_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/zksql/zksql/driver"
	"github.com/zksql/zksql/zkstore"
)

// secretHash is the digest id of alice with the redaction tests' password:
// a password hash, which no display form and no error may show.
var secretHash = zkstore.DigestID("alice", secret)

func init() {
	fuzzSeeds = append(fuzzSeeds,
		"h?default_acl=auth::cdrwa",
		"mem:?default_acl=world:anyone:r,digest:"+secretHash+":cdrwa",
		"h?default_acl=%5B%7B%22scheme%22:%22ip%22,%22id%22:%2210.0.0.0/8%22,%22perms%22:31%7D%5D",
		"h?default_acl=digest:alice:"+secret+":cdrwa",
		"h?default_acl=",
	)
}

var validACLDSNs = []struct {
	in   string
	want []zkstore.ACL
	out  string
}{
	{"mem:?default_acl=auth::cdrwa", zkstore.CreatorAllACL(), "mem:?default_acl=auth::cdrwa"},
	{"mem:?default_acl=world:anyone:r", zkstore.ReadACLUnsafe(), "mem:?default_acl=world:anyone:r"},
	{"mem:?default_acl=WORLD:anyone:RWDCA", zkstore.OpenACLUnsafe(), "mem:?default_acl=world:anyone:cdrwa"},
	{"mem:?default_acl=world:anyone:,auth::a", []zkstore.ACL{{Scheme: "world", ID: "anyone"}, {Scheme: "auth", Perms: zkstore.PermAdmin}},
		"mem:?default_acl=world:anyone:,auth::a"},
	{"mem:?default_acl=world:anyone:r,%20digest:" + secretHash + ":cdrwa",
		append(zkstore.ReadACLUnsafe(), zkstore.DigestACL(zkstore.PermAll, "alice", secret)...),
		"mem:?default_acl=world:anyone:r,digest:" + secretHash + ":cdrwa"},
	{"mem:?default_acl=ip:::1:r,ip:10.0.0.0/8:rw", []zkstore.ACL{{Scheme: "ip", ID: "::1", Perms: zkstore.PermRead}, {Scheme: "ip", ID: "10.0.0.0/8", Perms: zkstore.PermRead | zkstore.PermWrite}},
		"mem:?default_acl=ip:::1:r,ip:10.0.0.0/8:rw"},
	// The JSON form: the rows of the acls table.
	{`zk://h?default_acl=[{"scheme":"world","id":"anyone","perms":"r"},{"scheme":"auth","id":"","perms":31}]`,
		[]zkstore.ACL{{Scheme: "world", ID: "anyone", Perms: zkstore.PermRead}, {Scheme: "auth", Perms: zkstore.PermAll}},
		"zk://h:2181?default_acl=world:anyone:r,auth::cdrwa"},
	{`zk://h?default_acl={"scheme":"world","id":"anyone","perms":"cr"}`,
		[]zkstore.ACL{{Scheme: "world", ID: "anyone", Perms: zkstore.PermRead | zkstore.PermCreate}},
		"zk://h:2181?default_acl=world:anyone:cr"},
	// An id with ',' can only be written in JSON, and is formatted so.
	{`zk://h?default_acl=[{"scheme":"digest","id":"a,b:` + secretHash[len("alice:"):] + `","perms":"r"}]`,
		[]zkstore.ACL{{Scheme: "digest", ID: "a,b:" + secretHash[len("alice:"):], Perms: zkstore.PermRead}},
		"zk://h:2181?default_acl=%5B%7B%22scheme%22:%22digest%22,%22id%22:%22a,b:" + secretHash[len("alice:"):] + "%22,%22perms%22:%22r%22%7D%5D"},
}

func TestParseDSNDefaultACL(t *testing.T) {
	for _, tt := range validACLDSNs {
		t.Run(tt.in, func(t *testing.T) {
			cfg, err := driver.ParseDSN(tt.in)
			if err != nil {
				t.Fatalf("ParseDSN(%q): %v", tt.in, err)
			}
			if !cmp.Equal(cfg.DefaultACL, tt.want) {
				t.Errorf("DefaultACL = %v, want %v", cfg.DefaultACL, tt.want)
			}
			if got := cfg.FormatDSN(); got != tt.out {
				t.Errorf("FormatDSN() = %q, want %q", got, tt.out)
			}
			checkRoundTrip(t, tt.in, cfg)
			c := cfg.Clone()
			c.DefaultACL[0].Perms = 0
			if cfg.DefaultACL[0].Perms == 0 && tt.want[0].Perms != 0 {
				t.Errorf("Clone shares DefaultACL")
			}
		})
	}
}

func TestParseDSNDefaultACLInvalid(t *testing.T) {
	for _, tt := range []struct{ in, err string }{
		{"zk://h?default_acl=", "option default_acl: empty"},
		{"zk://h?default_acl=world", "entry 1: want SCHEME:ID:PERMS"},
		{"zk://h?default_acl=world:anyone:r,", "entry 2: want SCHEME:ID:PERMS"},
		{"zk://h?default_acl=world:anyone:rx", "entry 1: perms must be made of the letters c, d, r, w, a"},
		{"zk://h?default_acl=world:me:r", "the world scheme has the one id anyone"},
		{"zk://h?default_acl=auth:alice:r", "the auth scheme takes no id; write auth::PERMS"},
		{"zk://h?default_acl=sasl:alice:r", `scheme "sasl" not supported; use world, auth, digest or ip`},
		{"zk://h?default_acl=ip::r", "an ip id is an address"},
		{"zk://h?default_acl=[]", "an empty ACL lets nobody in"},
		{"zk://h?default_acl=[{\"scheme\":\"world\"}]", "entry 1: needs scheme, id and perms"},
		{"zk://h?default_acl=[{\"scheme\":\"world\",\"id\":\"anyone\",\"perms\":32}]", "perms must be cdrwa letters or a mask from 0 to 31"},
		{"zk://h?default_acl=[{", "not a JSON array"},
		{"zk://h?default_acl=auth::r&default_acl=auth::r", "option default_acl given more than once"},
		{"zk://h?default_acl=auth::r%zz", "option default_acl: invalid percent-encoding"},
	} {
		cfg, err := driver.ParseDSN(tt.in)
		if err == nil {
			t.Errorf("ParseDSN(%q) = %v, want error containing %q", tt.in, cfg, tt.err)
			continue
		}
		if msg := err.Error(); !strings.HasPrefix(msg, "invalid DSN: ") || !strings.Contains(msg, tt.err) {
			t.Errorf("ParseDSN(%q) error %q, want %q", tt.in, msg, tt.err)
		}
	}
	// A Config built by hand is checked when it is formatted back.
	cfg := driver.NewConfig()
	cfg.Mem = true
	cfg.DefaultACL = []zkstore.ACL{}
	if _, err := driver.ParseDSN(cfg.FormatDSN()); err == nil || !strings.Contains(err.Error(), "default_acl: empty") {
		t.Errorf("an empty DefaultACL formats to a DSN that parses with error %v", err)
	}
}

// TestDefaultACLRedacted: a digest id in default_acl is a password hash;
// neither it nor a password written in its place shows in any display
// form or error.
func TestDefaultACLRedacted(t *testing.T) {
	hash := secretHash[len("alice:"):]
	cfg, err := driver.ParseDSN("zk://h?auth=digest:alice:" + secret + "&default_acl=digest:" + secretHash + ":cdrwa,world:anyone:r")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(cfg.FormatDSN(), hash) {
		t.Fatalf("FormatDSN() = %q lost the digest id", cfg.FormatDSN())
	}
	for _, s := range displayed(cfg) {
		if strings.Contains(s, hash) || strings.Contains(s, secret) {
			t.Errorf("display shows the hash or password: %s", s)
		}
	}
	if got, want := cfg.String(), "zk://h:2181?auth=digest:alice:xxxxx&default_acl=digest:alice:xxxxx:cdrwa,world:anyone:r"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	// The display forms must not change the Config.
	if cfg.DefaultACL[0].ID != secretHash {
		t.Errorf("displaying the Config changed DefaultACL to %v", cfg.DefaultACL)
	}
	for _, dsn := range []string{
		"zk://h?default_acl=digest:alice:" + secret + ":cdrwa", // a password where the hash goes
		"zk://h?default_acl=digest:alice:" + hash + ":cdrwx",
		"zk://h?default_acl=digest:" + secret + ":cdrwa",
		"zk://h?default_acl=world:" + secret + ":r",
		"zk://h?default_acl=" + secret + ":" + hash + ":r",
		`zk://h?default_acl=[{"scheme":"digest","id":"alice:` + secret + `","perms":"r"}]`,
		`zk://h?default_acl=[{"scheme":"digest","id":"alice:` + hash + `"}]`,
		`zk://h?default_acl=[{"scheme":"` + secret + `"`,
	} {
		_, err := driver.ParseDSN(dsn)
		if err == nil {
			t.Errorf("ParseDSN(%q) succeeded", dsn)
			continue
		}
		if msg := err.Error(); strings.Contains(msg, secret) || strings.Contains(msg, hash) {
			t.Errorf("ParseDSN(%q) error shows a secret: %v", dsn, msg)
		}
	}
}
