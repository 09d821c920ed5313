package zkstore

import (
	"errors"
	"testing"
	"time"
)

func TestValidatePath(t *testing.T) {
	for _, tc := range []struct {
		path       string
		sequential bool
		ok         bool
	}{
		{"/", false, true},
		{"/a", false, true},
		{"/a/b-c_d.e", false, true},
		{"/a/...", false, true},
		{"/a/.b", false, true},
		{"/a/b.", false, true},
		{"/zk/ünïcode/日本", false, true},
		{"/a/", true, true}, // the server appends the digits
		{"/a/", false, false},
		{"", false, false},
		{"a", false, false},
		{"/a//b", false, false},
		{"/a/.", false, false},
		{"/a/./b", false, false},
		{"/a/..", false, false},
		{"/a/../b", false, false},
		{"/a\x00b", false, false},
		{"/a\x01b", false, false},
		{"/a\x7fb", false, false},
		{"/a\u0085b", false, false},
		{"/a\ue000b", false, false},
		{"/a\ufff5b", false, false},
		{"/a😀", false, false}, // surrogate pair in UTF-16
		{"/a\xffb", false, false},
	} {
		err := ValidatePath(tc.path, tc.sequential)
		if (err == nil) != tc.ok {
			t.Errorf("ValidatePath(%q, %v) = %v, want ok=%v", tc.path, tc.sequential, err, tc.ok)
		}
		if err != nil && !errors.Is(err, ErrInvalidPath) {
			t.Errorf("ValidatePath(%q) = %v, does not match ErrInvalidPath", tc.path, err)
		}
	}
}

func TestPathParts(t *testing.T) {
	for _, tc := range []struct{ path, parent, base string }{
		{"/", "", ""},
		{"/a", "/", "a"},
		{"/a/b", "/a", "b"},
		{"/a/b/c", "/a/b", "c"},
	} {
		if got := Parent(tc.path); got != tc.parent {
			t.Errorf("Parent(%q) = %q, want %q", tc.path, got, tc.parent)
		}
		if got := Base(tc.path); got != tc.base {
			t.Errorf("Base(%q) = %q, want %q", tc.path, got, tc.base)
		}
		if tc.parent != "" {
			if got := Join(tc.parent, tc.base); got != tc.path {
				t.Errorf("Join(%q, %q) = %q, want %q", tc.parent, tc.base, got, tc.path)
			}
		}
	}
}

func TestSequence(t *testing.T) {
	if got := SequenceSuffix(42); got != "0000000042" {
		t.Fatalf("SequenceSuffix(42) = %q", got)
	}
	if got := SequenceSuffix(-1); got != "-000000001" {
		t.Fatalf("SequenceSuffix(-1) = %q", got)
	}
	for _, tc := range []struct {
		path string
		n    int32
		ok   bool
	}{
		{"/q/item-0000000042", 42, true},
		{"/q/0000000000", 0, true},
		{"/q/item-000000004x", 0, false},
		{"/q/x", 0, false},
	} {
		n, ok := ParseSequence(tc.path)
		if n != tc.n || ok != tc.ok {
			t.Errorf("ParseSequence(%q) = %d, %v; want %d, %v", tc.path, n, ok, tc.n, tc.ok)
		}
	}
}

func TestStatKind(t *testing.T) {
	for _, tc := range []struct {
		owner int64
		kind  Kind
	}{
		{0, KindPersistent},
		{0x1000001234, KindEphemeral},
		{ContainerOwner(), KindContainer},
		{TTLOwner(5 * time.Second), KindTTL},
	} {
		s := Stat{EphemeralOwner: tc.owner}
		if s.Kind() != tc.kind {
			t.Errorf("Stat{EphemeralOwner: %#x}.Kind() = %v, want %v", tc.owner, s.Kind(), tc.kind)
		}
	}
	if got := (Stat{EphemeralOwner: TTLOwner(5 * time.Second)}).TTL(); got.Milliseconds() != 5000 {
		t.Errorf("TTL = %v, want 5s", got)
	}
}

func TestPerms(t *testing.T) {
	if got := PermString(PermAll); got != "cdrwa" {
		t.Fatalf("PermString(PermAll) = %q", got)
	}
	for _, s := range []string{"", "r", "cdrwa", "ar"} {
		p, ok := ParsePerms(s)
		if !ok {
			t.Fatalf("ParsePerms(%q) failed", s)
		}
		q, _ := ParsePerms(PermString(p))
		if p != q {
			t.Errorf("round trip of %q: %d != %d", s, p, q)
		}
	}
	if _, ok := ParsePerms("rx"); ok {
		t.Error("ParsePerms(\"rx\") accepted an unknown letter")
	}
	// Known value from ZooKeeper's DigestAuthenticationProvider for super:test.
	if got := DigestID("super", "test"); got != "super:D/InIHSb7yEEbrWz8b9l71RjZJU=" {
		t.Errorf("DigestID(super, test) = %q", got)
	}
}
