package memstore_test

import (
	"slices"
	"testing"

	"github.com/zksql/zksql/zkstore"
)

func TestACLValidation(t *testing.T) {
	s := connect(t, newServer(t))
	mustCreate(t, s, "/acl", nil, zkstore.CreateOptions{})
	for _, acl := range [][]zkstore.ACL{
		{},
		{{Perms: 31, Scheme: "auth"}},
		{{Perms: 31, Scheme: "foo", ID: "bar"}},
		{{Perms: 31, Scheme: "sasl", ID: "bar"}},
		{{Perms: 31, Scheme: "super", ID: "bar"}},
		{{Perms: 31, Scheme: "world", ID: "foo"}},
		{{Perms: 31, Scheme: "digest", ID: "nocolon"}},
		{{Perms: 31, Scheme: "digest", ID: "a:b:c"}},
		{{Perms: 31, Scheme: "digest", ID: "a:"}},
		{{Perms: 31, Scheme: "ip", ID: "10.0.0.0/33"}},
		{{Perms: 31, Scheme: "ip", ID: "hello"}},
		{{Perms: 31, Scheme: "ip", ID: "::1"}}, // 3.8 knows IPv4 only
	} {
		_, err := s.Create(ctx, "/acl/x", nil, zkstore.CreateOptions{ACL: acl})
		wantErr(t, "create with "+aclString(acl), err, zkstore.ErrInvalidACL)
	}
	for i, acl := range [][]zkstore.ACL{
		{{Perms: 31, Scheme: "digest", ID: ":a"}},
		{{Perms: 31, Scheme: "ip", ID: "127.0.0.1"}},
		{{Perms: 31, Scheme: "ip", ID: "127.0.0.0/8"}},
		{{Perms: 99, Scheme: "world", ID: "anyone"}},
	} {
		mustCreate(t, s, "/acl/ok"+string(rune('a'+i)), nil, zkstore.CreateOptions{ACL: acl})
	}
	mustCreate(t, s, "/acl/dup", nil, zkstore.CreateOptions{ACL: append(zkstore.OpenACLUnsafe(), zkstore.OpenACLUnsafe()...)})
	if acl, _, _ := s.GetACL(ctx, "/acl/dup"); len(acl) != 1 {
		t.Errorf("duplicates kept: %v", acl)
	}
	_, err := s.SetACL(ctx, "/acl/missing", nil, -1)
	wantErr(t, "setACL empty on missing (InvalidACL first)", err, zkstore.ErrInvalidACL)
}

func aclString(acl []zkstore.ACL) string {
	s := ""
	for _, a := range acl {
		s += a.Scheme + ":" + a.ID + ":" + zkstore.PermString(a.Perms) + " "
	}
	return s
}

func TestACLChecks(t *testing.T) {
	srv := newServer(t)
	s := connect(t, srv)
	other := connect(t, srv)
	mustCreate(t, s, "/a", nil, zkstore.CreateOptions{})
	// 10.1.2.3 never matches the session's 127.0.0.1.
	mustCreate(t, s, "/a/no", nil, zkstore.CreateOptions{ACL: []zkstore.ACL{{Perms: 31, Scheme: "ip", ID: "10.1.2.3"}}})
	mustCreate(t, s, "/a/ip", nil, zkstore.CreateOptions{ACL: []zkstore.ACL{{Perms: 31, Scheme: "ip", ID: "127.0.0.0/8"}}})
	if _, _, err := s.Get(ctx, "/a/ip"); err != nil {
		t.Errorf("ip ACL: %v", err)
	}
	_, _, err := s.Get(ctx, "/a/no")
	wantErr(t, "get", err, zkstore.ErrNoAuth)
	_, _, err = s.Children(ctx, "/a/no")
	wantErr(t, "children", err, zkstore.ErrNoAuth)
	_, _, err = s.GetACL(ctx, "/a/no")
	wantErr(t, "getACL", err, zkstore.ErrNoAuth)
	if _, ok, err := s.Exists(ctx, "/a/no"); !ok || err != nil {
		t.Errorf("exists needs no permission: %v %v", ok, err)
	}
	// The order of checks, as PrepRequestProcessor has it.
	_, err = s.Create(ctx, "/a/no/x", nil, zkstore.CreateOptions{})
	wantErr(t, "create under no CREATE", err, zkstore.ErrNoAuth)
	wantErr(t, "delete missing under no DELETE", s.Delete(ctx, "/a/no/x", -1), zkstore.ErrNoAuth)
	_, err = s.Set(ctx, "/a/no", nil, 7)
	wantErr(t, "set bad version without WRITE", err, zkstore.ErrNoAuth)
	_, err = s.Set(ctx, "/a/missing", nil, 7)
	wantErr(t, "set missing", err, zkstore.ErrNoNode)
	_, err = s.SetACL(ctx, "/a/no", zkstore.OpenACLUnsafe(), 7)
	wantErr(t, "setACL without ADMIN", err, zkstore.ErrNoAuth)
	_, err = s.Multi(ctx, &zkstore.CheckOp{Path: "/a/no", Version: -1})
	wantErr(t, "check without READ", err, zkstore.ErrNoAuth)

	// getACL with ADMIN but not READ shows digests; with READ only, hides them.
	mustCreate(t, s, "/a/r", nil, zkstore.CreateOptions{ACL: append(zkstore.DigestACL(31, "u", "p"), zkstore.WorldACL(zkstore.PermRead)...)})
	mustCreate(t, s, "/a/adm", nil, zkstore.CreateOptions{ACL: append(zkstore.DigestACL(31, "u", "p"), zkstore.WorldACL(zkstore.PermAdmin)...)})
	acl, _, _ := s.GetACL(ctx, "/a/r")
	if acl[0].ID != "u:x" {
		t.Errorf("READ-only getACL %v", acl)
	}
	acl, _, _ = s.GetACL(ctx, "/a/adm")
	if acl[0].ID != zkstore.DigestID("u", "p") {
		t.Errorf("ADMIN getACL %v", acl)
	}
	_, err = s.Set(ctx, "/a/r", []byte("x"), -1)
	wantErr(t, "set without digest", err, zkstore.ErrNoAuth)
	if err := s.AddAuth(ctx, "digest", []byte("u:p")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Set(ctx, "/a/r", []byte("x"), -1); err != nil {
		t.Errorf("set with digest: %v", err)
	}
	_, err = other.Set(ctx, "/a/r", []byte("x"), -1)
	wantErr(t, "auth is per session", err, zkstore.ErrNoAuth)
	if acl, _, _ = s.GetACL(ctx, "/a/r"); acl[0].ID != zkstore.DigestID("u", "p") {
		t.Errorf("authed getACL %v", acl)
	}
}

// The "auth" scheme expands to the session's digest ids in the server's
// ConcurrentHashMap order; this order was observed on a live server.
func TestAuthSchemeExpansion(t *testing.T) {
	s := connect(t, newServer(t))
	for _, a := range []string{"u:p", "u:p", "nocolon", "v:q:r"} {
		if err := s.AddAuth(ctx, "digest", []byte(a)); err != nil {
			t.Fatalf("AddAuth %q: %v", a, err)
		}
	}
	mustCreate(t, s, "/x", nil, zkstore.CreateOptions{ACL: zkstore.CreatorAllACL()})
	acl, _, _ := s.GetACL(ctx, "/x")
	want := []zkstore.ACL{
		{Perms: 31, Scheme: "digest", ID: "nocolon:Ra+cHr2ZoHvBjtNArFGNGlVie4g="},
		{Perms: 31, Scheme: "digest", ID: "v:CmL5ebCEXlR5EfFhKHiy8AwxDK4="},
		{Perms: 31, Scheme: "digest", ID: "u:Jq7wMyA/w2Vd5WIDAKdu4OIIFEQ="},
	}
	if !slices.Equal(acl, want) {
		t.Errorf("expanded %v\nwant %v", acl, want)
	}
	mustCreate(t, s, "/y", nil, zkstore.CreateOptions{ACL: []zkstore.ACL{{Perms: 3, Scheme: "auth"}, {Perms: 1, Scheme: "world", ID: "anyone"}}})
	acl, _, _ = s.GetACL(ctx, "/y")
	if len(acl) != 4 || acl[0].ID != "nocolon:x" || acl[3] != zkstore.WorldACL(1)[0] {
		t.Errorf("mixed %v", acl)
	}
	wantErr(t, "unknown scheme", s.AddAuth(ctx, "foo", []byte("x")), zkstore.ErrAuthFailed)
	if err := s.AddAuth(ctx, "ip", []byte("whatever")); err != nil {
		t.Errorf("ip auth: %v", err)
	}
	if s.State() != zkstore.StateConnected {
		t.Errorf("state after failed auth %v", s.State())
	}
}
