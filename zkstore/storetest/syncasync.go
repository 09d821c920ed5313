package storetest

import (
	"errors"
	"testing"

	"github.com/zksql/zksql/zkstore"
)

func init() {
	register(
		testCase{"SyncAsync/ThenRead", func(t *testing.T, f *fixture) {
			// Another session writes; this one sends a sync and a read
			// behind it, then takes both: the read sees the write. Also
			// through a wrapper without the capability (a sync made at
			// once).
			other := f.c.Open(t)
			f.mk(f.p("a"), []byte("v1"))
			for name, st := range map[string]zkstore.Store{"store": f.s, "plain": plainStore{f.s}} {
				want := []byte("v-" + name)
				if _, err := other.Set(f.ctx, f.p("a"), want, zkstore.AnyVersion); err != nil {
					t.Fatal(err)
				}
				sync := zkstore.SyncAsync(f.ctx, st, "/")
				read := zkstore.GetAsync(f.ctx, st, f.p("a"))
				if err := sync.Wait(); err != nil {
					t.Fatalf("%s: SyncAsync: %v", name, err)
				}
				got, _, err := read.Get()
				if err != nil {
					t.Fatalf("%s: Get after SyncAsync: %v", name, err)
				}
				wantData(t, name+": Get sent behind SyncAsync", got, want)
			}
		}},
		testCase{"SyncAsync/AsSync", func(t *testing.T, f *fixture) {
			// SyncAsync fails where Sync does, with the same error.
			for _, path := range []string{f.base, f.p("missing"), "no-slash", f.base + "/", "/a//b"} {
				errSync := f.s.Sync(f.ctx, path)
				errAsync := zkstore.SyncAsync(f.ctx, f.s, path).Wait()
				if (errSync == nil) != (errAsync == nil) {
					t.Fatalf("sync %q: Sync %v, SyncAsync %v", path, errSync, errAsync)
				}
				for _, sentinel := range []error{zkstore.ErrInvalidPath, zkstore.ErrNoNode, zkstore.ErrBadArguments} {
					if errors.Is(errSync, sentinel) != errors.Is(errAsync, sentinel) {
						t.Fatalf("sync %q: Sync %v, SyncAsync %v", path, errSync, errAsync)
					}
				}
			}
		}},
	)
}
