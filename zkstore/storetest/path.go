package storetest

import (
	"strings"
	"testing"

	"github.com/zksql/zksql/zkstore"
)

// invalidPaths are refused by every operation; %s is the case's base.
var invalidPaths = []struct{ name, path string }{
	{"Empty", ""},
	{"Relative", "relative/path"},
	{"TrailingSlash", "%s/a/"},
	{"DoubleSlash", "%s//a"},
	{"Dot", "%s/."},
	{"DotDot", "%s/.."},
	{"DotInMiddle", "%s/./a"},
	{"DotDotInMiddle", "%s/../a"},
	{"NUL", "%s/a\x00b"},
	{"Control", "%s/a\x01b"},
	{"DEL", "%s/a\x7fb"},
	{"C1Control", "%s/a\u0085b"},
	{"PrivateUse", "%s/a\ue000b"},
	{"Specials", "%s/a\ufff5b"},
	{"Astral", "%s/a😀"},
	{"InvalidUTF8", "%s/a\xffb"},
}

func init() {
	for _, ip := range invalidPaths {
		register(testCase{"Path/Invalid" + ip.name, func(t *testing.T, f *fixture) {
			p := strings.ReplaceAll(ip.path, "%s", f.base)
			checkInvalidPath(t, f, p)
		}})
	}
	register(
		testCase{"Path/SequentialTrailingSlash", func(t *testing.T, f *fixture) {
			// "/p/" is a valid sequential path, and only that.
			f.mk(f.p("p"), nil)
			got := f.seq(f.s, f.p("p/"), zkstore.ModePersistentSequential)
			if got != f.p("p/0000000000") {
				t.Errorf("Create(p/, sequential) = %q", got)
			}
			_, err := f.s.Create(f.ctx, f.p("p/"), nil, zkstore.CreateOptions{})
			wantErr(t, "Create(p/, persistent)", err, zkstore.ErrInvalidPath)
			_, err = f.s.Create(f.ctx, f.p("p//"), nil, zkstore.CreateOptions{Mode: zkstore.ModePersistentSequential})
			wantErr(t, "Create(p//, sequential)", err, zkstore.ErrInvalidPath)
			_, err = f.s.Create(f.ctx, f.p("p/./"), nil, zkstore.CreateOptions{Mode: zkstore.ModePersistentSequential})
			wantErr(t, "Create(p/./, sequential)", err, zkstore.ErrInvalidPath)
		}},
		testCase{"Path/SequentialDotName", func(t *testing.T, f *fixture) {
			// "." alone is invalid, but the server appends digits to it.
			got := f.seq(f.s, f.p("."), zkstore.ModePersistentSequential)
			if got != f.p(".0000000000") {
				t.Errorf("Create(., sequential) = %q", got)
			}
		}},
		testCase{"Path/ValidOddNames", func(t *testing.T, f *fixture) {
			names := []string{"...", ".a", "a.", "a b", "-", "ünïcode", "日本", "a:b", "a%2Fb", "\u00a0", "zookeeper"}
			for _, n := range names {
				f.mk(f.p(n), []byte(n))
			}
			got, _ := f.children(f.s, f.base)
			if len(got) != len(names) {
				t.Errorf("children = %q", got)
			}
			for _, n := range names {
				data, _ := f.get(f.s, f.p(n))
				wantData(t, n, data, []byte(n))
			}
		}},
		testCase{"Path/Deep", func(t *testing.T, f *fixture) {
			p := f.base
			for i := range 30 {
				p += "/" + string(rune('a'+i%26))
				f.mk(p, nil)
			}
			if !f.exists(f.s, p) {
				t.Error("deep znode missing")
			}
		}},
		testCase{"Path/LongName", func(t *testing.T, f *fixture) {
			n := strings.Repeat("x", 1000)
			f.mk(f.p(n), nil)
			names, _ := f.children(f.s, f.base)
			if len(names) != 1 || names[0] != n {
				t.Errorf("children = %d names", len(names))
			}
		}},
		testCase{"Path/ErrorCarriesPath", func(t *testing.T, f *fixture) {
			_, _, err := f.s.Get(f.ctx, f.p("missing"))
			if err == nil || !strings.Contains(err.Error(), f.p("missing")) {
				t.Errorf("Get error %q does not name the path", err)
			}
		}},
	)
}

func checkInvalidPath(t *testing.T, f *fixture, p string) {
	t.Helper()
	ctx := f.ctx
	parent := f.stat(f.base)
	for _, mode := range []zkstore.CreateMode{zkstore.ModePersistent, zkstore.ModeEphemeral, zkstore.ModeContainer, zkstore.ModePersistentTTL} {
		opts := zkstore.CreateOptions{Mode: mode}
		if mode.IsTTL() {
			opts.TTL = 3600e9
		}
		_, err := f.s.Create(ctx, p, nil, opts)
		wantErr(t, "Create "+mode.String(), err, zkstore.ErrInvalidPath)
	}
	_, _, err := f.s.Get(ctx, p)
	wantErr(t, "Get", err, zkstore.ErrInvalidPath)
	_, _, _, err = f.s.GetW(ctx, p)
	wantErr(t, "GetW", err, zkstore.ErrInvalidPath)
	_, err = f.s.Set(ctx, p, nil, -1)
	wantErr(t, "Set", err, zkstore.ErrInvalidPath)
	wantErr(t, "Delete", f.s.Delete(ctx, p, -1), zkstore.ErrInvalidPath)
	_, _, err = f.s.Exists(ctx, p)
	wantErr(t, "Exists", err, zkstore.ErrInvalidPath)
	_, _, _, err = f.s.ExistsW(ctx, p)
	wantErr(t, "ExistsW", err, zkstore.ErrInvalidPath)
	_, _, err = f.s.Children(ctx, p)
	wantErr(t, "Children", err, zkstore.ErrInvalidPath)
	_, _, _, err = f.s.ChildrenW(ctx, p)
	wantErr(t, "ChildrenW", err, zkstore.ErrInvalidPath)
	_, _, err = f.s.GetACL(ctx, p)
	wantErr(t, "GetACL", err, zkstore.ErrInvalidPath)
	_, err = f.s.SetACL(ctx, p, zkstore.OpenACLUnsafe(), -1)
	wantErr(t, "SetACL", err, zkstore.ErrInvalidPath)
	wantErr(t, "Sync", f.s.Sync(ctx, p), zkstore.ErrInvalidPath)
	for _, op := range []zkstore.Op{
		&zkstore.CreateOp{Path: p},
		&zkstore.SetOp{Path: p, Version: -1},
		&zkstore.DeleteOp{Path: p, Version: -1},
		&zkstore.CheckOp{Path: p, Version: -1},
	} {
		_, err = f.s.Multi(ctx, &zkstore.CreateOp{Path: f.p("ok")}, op)
		wantErr(t, "Multi", err, zkstore.ErrInvalidPath)
	}
	wantStat(t, "base after refused calls", f.stat(f.base), parent)
	// The session is fine.
	f.mk(f.p("after"), nil)
}
