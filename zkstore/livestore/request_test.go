package livestore

import (
	"bytes"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/zksql/zksql/internal/testkit/zkserver"
	"github.com/zksql/zksql/zkstore"
)

// TestServerRequestLimit measures the server's own rule, bypassing ours:
// with our limit set above the server's jute.maxbuffer, a multi whose
// request packet (as zkstore.MultiRequestSize counts it) is exactly
// jute.maxbuffer bytes is applied, and one a byte longer makes the server
// drop the connection: a connection loss, outcome unknown, and nothing
// applied. With our limit equal to jute.maxbuffer the longer one is
// refused before it is sent. Both the default jute.maxbuffer (1048575, on
// a server of its own) and the harness's 2 MiB (the shared server) are
// measured.
func TestServerRequestLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	def := zkserver.StartTB(t, zkserver.Options{SystemProperties: map[string]string{
		"jute.maxbuffer": strconv.Itoa(zkstore.DefaultMaxRequestSize),
	}})
	for _, c := range []struct {
		name  string
		addr  string
		limit int
	}{
		{"default", def.Addr(), zkstore.DefaultMaxRequestSize},
		{"harness", SharedServerAddr(t), zkserver.JuteMaxBuffer},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := ctxT(t)
			root := openStore(t, c.addr)
			b := base(t, root)
			padded := func(name string, size int) []zkstore.Op {
				ops := []zkstore.Op{
					&zkstore.CreateOp{Path: b + "/" + name + "-1"},
					&zkstore.CreateOp{Path: b + "/" + name + "-2"},
					&zkstore.CreateOp{Path: b + "/" + name + "-3"},
				}
				pad := size - zkstore.MultiRequestSize(ops)
				for i, op := range ops {
					k := pad / 3
					if i == 0 {
						k += pad % 3
					}
					op.(*zkstore.CreateOp).Data = bytes.Repeat([]byte{'x'}, k)
				}
				if got := zkstore.MultiRequestSize(ops); got != size {
					t.Fatalf("padded to %d, want %d", got, size)
				}
				return ops
			}

			// Our check off (limit above the server's).
			// A long session timeout: applying megabytes on a loaded
			// machine must not end in a client-side timeout.
			raw := openStore(t, c.addr, MaxRequestSize(c.limit+4096), SessionTimeout(20*time.Second))
			if _, err := raw.Multi(ctx, padded("at", c.limit)...); err != nil {
				t.Fatalf("multi of exactly jute.maxbuffer = %d bytes: %v", c.limit, err)
			}
			_, err := raw.Multi(ctx, padded("over", c.limit+1)...)
			if !errors.Is(err, zkstore.ErrConnectionLoss) {
				t.Fatalf("multi of %d bytes sent to a server with jute.maxbuffer %d: %v, want the server to drop the connection", c.limit+1, c.limit, err)
			}
			t.Logf("jute.maxbuffer %d: %d bytes applied; %d bytes: %v", c.limit, c.limit, c.limit+1, err)
			if _, ok, err := root.Exists(ctx, b+"/over-1"); ok || err != nil {
				t.Fatalf("the dropped multi was applied: %v %v", ok, err)
			}

			if c.limit == zkstore.DefaultMaxRequestSize {
				// Single creates and sets, whose data fits MaxDataSize
				// only under the default limit.
				p := b + "/single"
				data := bytes.Repeat([]byte{'y'}, c.limit-zkstore.CreateRequestSize(p, nil, nil, zkstore.ModePersistent))
				if _, err := raw.Create(ctx, p, data, zkstore.CreateOptions{}); err != nil {
					t.Fatalf("create of exactly %d bytes: %v", c.limit, err)
				}
				data = bytes.Repeat([]byte{'z'}, c.limit-zkstore.SetRequestSize(p, nil))
				if _, err := raw.Set(ctx, p, data, -1); err != nil {
					t.Fatalf("set of exactly %d bytes: %v", c.limit, err)
				}
				if _, err := raw.Set(ctx, p, append(data, 'z'), -1); !errors.Is(err, zkstore.ErrConnectionLoss) {
					t.Fatalf("set of %d bytes: %v, want the server to drop the connection", c.limit+1, err)
				}
				if got, _, err := root.Get(ctx, p); err != nil || !bytes.Equal(got, data) {
					t.Fatalf("after the dropped set: %d bytes, %v", len(got), err)
				}
			}

			// Our check on: refused before sending, the session untouched.
			ours := openStore(t, c.addr, MaxRequestSize(c.limit))
			sid := ours.SessionID()
			_, err = ours.Multi(ctx, padded("over", c.limit+1)...)
			if !errors.Is(err, zkstore.ErrRequestTooLarge) {
				t.Fatalf("multi of %d bytes with MaxRequestSize(%d): %v", c.limit+1, c.limit, err)
			}
			if _, err := ours.Multi(ctx, padded("at2", c.limit)...); err != nil || ours.SessionID() != sid || ours.State() != zkstore.StateConnected {
				t.Fatalf("after the refusal: %v, session %#x (was %#x), %v", err, ours.SessionID(), sid, ours.State())
			}
		})
	}
}

// The size livestore counts while encoding a multi is the one
// zkstore.MultiRequestSize computes, which memstore checks: for every op
// kind, mode and ACL.
func TestMultiSizeMatchesZkstore(t *testing.T) {
	s := &Store{cfg: defaultConfig()} // no chroot: the paths are sent as given
	acl := append(zkstore.DigestACL(zkstore.PermAll, "u", "p"), zkstore.WorldACL(zkstore.PermRead)...)
	ops := []zkstore.Op{
		&zkstore.CreateOp{Path: "/a", Data: []byte("data")},
		&zkstore.CreateOp{Path: "/a/b", ACL: acl},
		&zkstore.CreateOp{Path: "/a/s-", Mode: zkstore.ModePersistentSequential, Data: []byte{}},
		&zkstore.CreateOp{Path: "/a/t", Mode: zkstore.ModePersistentTTL, TTL: time.Hour},
		&zkstore.CreateOp{Path: "/a/k", Mode: zkstore.ModeContainer},
		&zkstore.CreateOp{Path: "/a/e", Mode: zkstore.ModeEphemeral, ACL: zkstore.CreatorAllACL()},
		&zkstore.SetOp{Path: "/a", Data: []byte("new"), Version: 3},
		&zkstore.SetOp{Path: "/a/ü"},
		&zkstore.DeleteOp{Path: "/a/b", Version: -1},
		&zkstore.CheckOp{Path: "/a", Version: 1},
	}
	for n := 0; n <= len(ops); n++ {
		zops := make([]multiOp, n)
		for i, op := range ops[:n] {
			mo, err := s.multiOp(op, false)
			if err != nil {
				t.Fatal(err)
			}
			zops[i] = mo
		}
		req := &multiRequest{zops}
		counted := requestHeaderSize + req.size()
		buf := make([]byte, 1<<16)
		written, err := req.Encode(buf)
		if err != nil {
			t.Fatal(err)
		}
		if want := zkstore.MultiRequestSize(ops[:n]); counted != want || requestHeaderSize+written != want {
			t.Errorf("%d ops: counted %d, encoded %d + header, zkstore says %d", n, counted, written, want)
		}
	}
}
