package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zksql/zksql/zkstore"
)

// RequestLimiter is a Cluster that knows its request limit: the servers'
// jute.maxbuffer, which the sessions it opens are configured with too. A
// Cluster that is not one is taken to have zkstore.DefaultMaxRequestSize.
type RequestLimiter interface {
	MaxRequestSize() int
}

// requestLimit is c's request limit.
func requestLimit(c Cluster) int {
	if l, ok := c.(RequestLimiter); ok {
		return l.MaxRequestSize()
	}
	return zkstore.DefaultMaxRequestSize
}

// paddedCreates returns n creates under parent whose multi request is
// exactly size bytes long, the padding spread over their data.
func paddedCreates(parent string, n, size int) []zkstore.Op {
	ops := make([]zkstore.Op, n)
	for i := range ops {
		ops[i] = &zkstore.CreateOp{Path: parent + "/big-" + strconv.Itoa(i)}
	}
	pad := size - zkstore.MultiRequestSize(ops)
	for i, op := range ops {
		k := pad / n
		if i == 0 {
			k += pad % n
		}
		op.(*zkstore.CreateOp).Data = bytes.Repeat([]byte{byte('a' + i)}, k)
	}
	return ops
}

// wantTooLarge checks a refused request's error: it matches
// ErrRequestTooLarge and names the size and the limit.
func wantTooLarge(t *testing.T, what string, err error, size, limit int) {
	t.Helper()
	wantErr(t, what, err, zkstore.ErrRequestTooLarge)
	if err != nil && (!strings.Contains(err.Error(), fmt.Sprintf("%d bytes, the limit is %d", size, limit))) {
		t.Errorf("%s: %q does not give the size %d and the limit %d", what, err, size, limit)
	}
}

func init() {
	register(
		// The server reads a request whose length is exactly its
		// jute.maxbuffer and drops the connection for one byte more; the
		// stores refuse that one before sending, so the outcome is known:
		// nothing applied.
		testCase{"Request/MultiAtLimit", func(t *testing.T, f *fixture) {
			limit := requestLimit(f.c)
			n := max(2, limit/(600<<10)+1) // each create's data stays under 1 MiB
			over := paddedCreates(f.base, n, limit+1)
			if got := zkstore.MultiRequestSize(over); got != limit+1 {
				t.Fatalf("padded multi is %d bytes, want %d", got, limit+1)
			}
			res, err := f.s.Multi(f.ctx, over...)
			wantTooLarge(t, "multi of limit+1 bytes", err, limit+1, limit)
			if len(res) != n {
				t.Fatalf("%d results for %d ops", len(res), n)
			}
			for i, r := range res {
				wantErr(t, fmt.Sprintf("result %d", i), r.Err, zkstore.ErrRequestTooLarge)
			}
			for _, op := range over {
				f.mustNotExist(f.s, op.OpPath())
			}
			// Exactly the limit is read and answered: the multi fails at
			// its last op, a check of a znode that is not there. (Applying
			// it would also work, but would write megabytes to the server's
			// log within a short session timeout; livestore's
			// TestServerRequestLimit applies such multis.)
			at := paddedCreates(f.base, n, limit-zkstore.MultiRequestSize([]zkstore.Op{&zkstore.CheckOp{Path: f.p("none")}})+zkstore.MultiRequestSize(nil))
			at = append(at, &zkstore.CheckOp{Path: f.p("none"), Version: 0})
			if got := zkstore.MultiRequestSize(at); got != limit {
				t.Fatalf("padded multi is %d bytes, want %d", got, limit)
			}
			_, err = f.s.Multi(f.ctx, at...)
			if want := fmt.Sprintf("multi: op %d (check) %s: zk: node does not exist", n, f.p("none")); err == nil || err.Error() != want {
				t.Fatalf("multi of exactly the limit, %d bytes: %v, want %q", limit, err, want)
			}
			for _, op := range at {
				f.mustNotExist(f.s, op.OpPath())
			}
		}},
		// A single request is measured the same way; a path alone can
		// make it too large.
		testCase{"Request/SingleAtLimit", func(t *testing.T, f *fixture) {
			limit := requestLimit(f.c)
			long := func(size int) string {
				p := f.p("x")
				return p + strings.Repeat("y", size-zkstore.DeleteRequestSize(p))
			}
			p := long(limit + 1)
			wantTooLarge(t, "delete of limit+1 bytes", f.s.Delete(f.ctx, p, -1), limit+1, limit)
			_, err := f.s.Set(f.ctx, p, nil, -1)
			wantTooLarge(t, "set of a longer path", err, zkstore.SetRequestSize(p, nil), limit)
			_, err = f.s.Create(f.ctx, p, nil, zkstore.CreateOptions{})
			wantTooLarge(t, "create of a longer path", err, zkstore.CreateRequestSize(p, nil, nil, zkstore.ModePersistent), limit)
			_, err = f.s.SetACL(f.ctx, p, zkstore.OpenACLUnsafe(), -1)
			wantTooLarge(t, "setacl of a longer path", err, zkstore.SetACLRequestSize(p, zkstore.OpenACLUnsafe()), limit)
			// Reads: a path and, for getData, exists and getChildren, a
			// watch flag.
			exact := f.p("x")
			exact += strings.Repeat("y", limit-zkstore.PathRequestSize(exact, true))
			if _, _, err := f.s.Get(f.ctx, exact); !errors.Is(err, zkstore.ErrNoNode) {
				t.Errorf("get of exactly the limit: %v, want ErrNoNode", err)
			}
			if _, ok, err := f.s.Exists(f.ctx, exact); ok || err != nil {
				t.Errorf("exists of exactly the limit: %v, %v", ok, err)
			}
			rp := exact + "y"
			_, _, err = f.s.Get(f.ctx, rp)
			wantTooLarge(t, "get of limit+1", err, limit+1, limit)
			_, _, err = f.s.Exists(f.ctx, rp)
			wantTooLarge(t, "exists of limit+1", err, limit+1, limit)
			_, _, err = f.s.Children(f.ctx, rp)
			wantTooLarge(t, "children of limit+1", err, limit+1, limit)
			rp += "y"
			_, _, err = f.s.GetACL(f.ctx, rp) // no watch flag
			wantTooLarge(t, "getACL of limit+1", err, limit+1, limit)
			wantTooLarge(t, "sync of limit+1", f.s.Sync(f.ctx, rp), limit+1, limit)
			// Exactly the limit is read and answered by the server.
			p = long(limit)
			wantErr(t, "delete of exactly the limit", f.s.Delete(f.ctx, p, -1), zkstore.ErrNoNode)
			// The session is fine after the refusals.
			f.mk(f.p("after"), []byte("x"))
		}},
	)
}

// The texts of errors are part of the contract: users grep logs and tests
// compare messages, so every store words the same failure the same way.
func init() {
	register(
		testCase{"Errors/Text", func(t *testing.T, f *fixture) {
			f.mk(f.p("a"), nil)
			_, err := f.s.Multi(f.ctx, &zkstore.CheckOp{Path: f.p("a"), Version: -1}, &zkstore.CreateOp{Path: f.p("a")})
			want := "multi: op 1 (create) " + f.p("a") + ": zk: node already exists"
			if err == nil || err.Error() != want {
				t.Errorf("failed multi: %v, want %q", err, want)
			}
			_, err = f.s.Multi(f.ctx, &zkstore.DeleteOp{Path: f.p("a") + "/", Version: -1})
			if err == nil || !strings.HasPrefix(err.Error(), "multi: op 0 (delete) "+f.p("a")+"/: zk: invalid path") {
				t.Errorf("multi refused before sending: %v", err)
			}
			_, err = f.s.SetACL(f.ctx, f.p("a"), nil, -1)
			if want := "setACL " + f.p("a") + ": zk: invalid ACL specified"; err == nil || err.Error() != want {
				t.Errorf("setACL: %v, want %q", err, want)
			}
			_, err = f.s.Set(f.ctx, f.p("a"), make([]byte, 1<<20+1), -1)
			if want := "set " + f.p("a") + ": zk: data exceeds the size limit: 1048577 bytes, the limit is 1048576"; err == nil || err.Error() != want {
				t.Errorf("set too large: %v, want %q", err, want)
			}
			_, err = f.s.Create(f.ctx, f.p("t"), nil, zkstore.CreateOptions{Mode: zkstore.ModePersistent, TTL: time.Second})
			if want := "create " + f.p("t") + ": zk: bad arguments: a TTL is only for the TTL modes, not persistent"; err == nil || err.Error() != want {
				t.Errorf("create with a TTL: %v, want %q", err, want)
			}
		}},
	)
}
