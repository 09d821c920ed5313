package storetest

import (
	"testing"

	"github.com/zksql/zksql/zkstore"
)

func init() {
	register(
		testCase{"Zxid/Increasing", func(t *testing.T, f *fixture) {
			last := f.stat(f.base).Czxid
			next := func(what string, z int64) {
				t.Helper()
				if z <= last {
					t.Errorf("%s: zxid %d not after %d", what, z, last)
				}
				last = z
			}
			f.mk(f.p("a"), nil)
			next("create a", f.stat(f.p("a")).Czxid)
			next("set a", f.set(f.s, f.p("a"), []byte("1"), -1).Mzxid)
			f.mk(f.p("b"), nil)
			next("create b", f.stat(f.p("b")).Czxid)
			next("set a again", f.set(f.s, f.p("a"), []byte("2"), -1).Mzxid)
			f.del(f.s, f.p("b"), -1)
			next("delete b", f.stat(f.base).Pzxid)
			o := f.open()
			f.create(o, f.p("e"), nil, zkstore.CreateOptions{Mode: zkstore.ModeEphemeral})
			next("create e by another session", f.stat(f.p("e")).Czxid)
			if err := o.Close(); err != nil {
				t.Fatal(err)
			}
			next("close of e's session", f.stat(f.base).Pzxid)
			res, err := f.s.Multi(f.ctx, &zkstore.CreateOp{Path: f.p("m")}, &zkstore.SetOp{Path: f.p("a"), Version: -1})
			if err != nil {
				t.Fatal(err)
			}
			next("multi", res[1].Stat.Mzxid)
		}},
		testCase{"Zxid/MultiSharesOne", func(t *testing.T, f *fixture) {
			f.mk(f.p("a"), nil)
			f.mk(f.p("gone"), nil)
			res, err := f.s.Multi(f.ctx,
				&zkstore.CreateOp{Path: f.p("b")},
				&zkstore.CreateOp{Path: f.p("b/c")},
				&zkstore.SetOp{Path: f.p("a"), Data: []byte("x"), Version: -1},
				&zkstore.DeleteOp{Path: f.p("gone"), Version: -1},
			)
			if err != nil {
				t.Fatal(err)
			}
			z := res[2].Stat.Mzxid
			b, c := f.stat(f.p("b")), f.stat(f.p("b/c"))
			base := f.stat(f.base)
			if b.Czxid != z || c.Czxid != z || b.Pzxid != z || base.Pzxid != z {
				t.Errorf("zxids: set %d, b %d (Pzxid %d), b/c %d, base Pzxid %d; want one", z, b.Czxid, b.Pzxid, c.Czxid, base.Pzxid)
			}
			if b.Ctime != c.Ctime || b.Ctime != res[2].Stat.Mtime {
				t.Errorf("times: b %d, b/c %d, set %d; want one", b.Ctime, c.Ctime, res[2].Stat.Mtime)
			}
		}},
		testCase{"Zxid/SetACLAndReadsKeepZxids", func(t *testing.T, f *fixture) {
			f.mk(f.p("a"), []byte("x"))
			st := f.stat(f.p("a"))
			f.get(f.s, f.p("a"))
			f.children(f.s, f.p("a"))
			f.sync(f.s)
			if _, err := f.s.SetACL(f.ctx, f.p("a"), zkstore.OpenACLUnsafe(), -1); err != nil {
				t.Fatal(err)
			}
			got := f.stat(f.p("a"))
			st.Aversion = 1
			wantStat(t, "after reads and SetACL", got, st)
		}},
	)
}
