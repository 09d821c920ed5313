package engine

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/zksql/zksql/zkstore"
)

// FuzzACLSpec: any text either fails to parse as an ACL or parses to
// entries that format back to a text parsing to the same entries; the
// redacted form shows no digest hash.
func FuzzACLSpec(f *testing.F) {
	for _, s := range []string{
		"world:anyone:cdrwa", "auth::cdrwa,world:anyone:r", "ip:::1:r", "ip:10.0.0.0/8:rw",
		"digest:" + zkstore.DigestID("alice", "pw") + ":cdrwa", "WORLD:anyone:RW", " world:anyone: ",
		`[{"scheme":"digest","id":"a,b:` + zkstore.DigestID("x", "y")[2:] + `","perms":"r"}]`,
		`{"scheme":"world","id":"anyone","perms":31}`, `[{"scheme":"ip","id":"1.2.3.4","perms":"a"}]`,
		"digest:alice:pw:cdrwa", "world:anyone:rx", "[", "{}", "", ",", "::", "x509:CN=a,O=b:r",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		acl, err := parseACLSpec(s)
		if err != nil {
			if !strings.HasPrefix(err.Error(), zkstore.ErrInvalidACL.Error()+": ") {
				t.Fatalf("parseACLSpec(%q) error %q does not start with ErrInvalidACL", s, err)
			}
			return
		}
		if len(acl) == 0 {
			t.Fatalf("parseACLSpec(%q) = an empty ACL", s)
		}
		text := formatACLSpec(acl, false)
		again, err := parseACLSpec(text)
		if err != nil {
			t.Fatalf("parseACLSpec(%q) formats as %q, which fails: %v", s, text, err)
		}
		if !cmp.Equal(acl, again) {
			t.Fatalf("parseACLSpec(%q) = %v, formats as %q, parses as %v", s, acl, text, again)
		}
		shown := formatACLSpec(acl, true)
		for _, a := range acl {
			_, hash, _ := strings.Cut(a.ID, ":")
			if a.Scheme != "digest" || !strings.Contains(shown, hash) {
				continue
			}
			elsewhere := false
			for _, b := range acl {
				elsewhere = elsewhere || b.Scheme != "digest" && strings.Contains(b.ID, hash)
			}
			if !elsewhere {
				t.Fatalf("redacted form %q shows the digest hash of %q", shown, s)
			}
		}
	})
}
