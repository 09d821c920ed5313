package cachestore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/zksql/zksql/zkstore"
	"github.com/zksql/zksql/zkstore/cachestore"
)

func bothClusters(t *testing.T, fn func(t *testing.T, c innerCluster)) {
	t.Run("mem", func(t *testing.T) { fn(t, memCluster(t)) })
	t.Run("live", func(t *testing.T) { fn(t, liveCluster(t)) })
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// getData reads p through s and fails the test on an error.
func getData(t *testing.T, s zkstore.Store, p string) (string, zkstore.Stat) {
	t.Helper()
	data, st, err := s.Get(ctxT(t), p)
	if err != nil {
		t.Fatalf("Get(%s): %v", p, err)
	}
	return string(data), st
}

// waitData polls s until p holds want.
func waitData(t *testing.T, s zkstore.Store, p, want string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		data, _, err := s.Get(ctxT(t), p)
		if err == nil && string(data) == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("Get(%s) = %q, %v after 30s; want %q", p, data, err, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestDisconnected: while the session is disconnected a cached read fails
// at once with ErrConnectionLoss (or, with StaleReads, answers the state
// from before); once it is back, the changes made meanwhile (which raised
// no event on a live server) are read and nothing goes backwards.
func TestDisconnected(t *testing.T) {
	bothClusters(t, func(t *testing.T, c innerCluster) {
		ctx := ctxT(t)
		other := c.Open(t)
		base := testBase(t, other)
		p := base + "/a"
		if _, err := other.Create(ctx, p, []byte("before"), zkstore.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		strict, strictInner := openCache(t, c, []string{base})
		stale, staleInner := openCache(t, c, []string{base}, cachestore.StaleReads(true))
		_, before := getData(t, strict, p)
		getData(t, stale, p)

		resumeStrict := c.Suspend(t, strictInner)
		resumeStale := c.Suspend(t, staleInner)
		if _, err := other.Set(ctx, p, []byte("during"), -1); err != nil {
			t.Fatal(err)
		}
		if _, err := other.Create(ctx, base+"/new", nil, zkstore.CreateOptions{}); err != nil {
			t.Fatal(err)
		}

		// Fails at once, not when ctx ends.
		short, cancel := context.WithTimeout(ctx, 10*time.Second)
		_, _, err := strict.Get(short, p)
		cancel()
		if !errors.Is(err, zkstore.ErrConnectionLoss) {
			t.Errorf("Get while disconnected: %v, want ErrConnectionLoss", err)
		}
		if _, _, err := strict.Children(ctx, base); !errors.Is(err, zkstore.ErrConnectionLoss) {
			t.Errorf("Children while disconnected: %v, want ErrConnectionLoss", err)
		}
		if _, _, err := strict.Exists(ctx, p); !errors.Is(err, zkstore.ErrConnectionLoss) {
			t.Errorf("Exists while disconnected: %v, want ErrConnectionLoss", err)
		}
		// With StaleReads: what the cache had (on memstore the events of
		// the changes still arrive while disconnected, so it may be
		// newer; never an error).
		data, _, err := stale.Get(ctx, p)
		if err != nil || (string(data) != "before" && string(data) != "during") {
			t.Errorf("stale Get while disconnected = %q, %v", data, err)
		}

		resumeStrict()
		resumeStale()
		// After the resync both see the changes; the first read after
		// the reconnection is never older than the one before.
		_, st := getData(t, strict, p)
		if st.Mzxid < before.Mzxid {
			t.Errorf("read after reconnecting went backwards: mzxid %d < %d", st.Mzxid, before.Mzxid)
		}
		waitData(t, strict, p, "during")
		waitData(t, stale, p, "during")
		// The resync after the reconnection loaded the subtree again.
		if n := strict.Stats().Loads; n < 2 {
			t.Errorf("loads after a reconnection: %d, want a reload", n)
		}
		if _, ok, err := strict.Exists(ctx, base+"/new"); err != nil || !ok {
			t.Errorf("Exists(new) after reconnecting = %v, %v", ok, err)
		}
		// A Sync makes it current at once, and the cache answers again.
		if _, err := other.Set(ctx, p, []byte("after"), -1); err != nil {
			t.Fatal(err)
		}
		if err := strict.Sync(ctx, p); err != nil {
			t.Fatal(err)
		}
		if got, _ := getData(t, strict, p); got != "after" {
			t.Errorf("Get after Sync = %q, want %q", got, "after")
		}
		hits := strict.Stats().Hits
		getData(t, strict, p)
		if strict.Stats().Hits != hits+1 {
			t.Errorf("the cache did not answer after reconnecting: %+v", strict.Stats())
		}
	})
}

// TestExpired: after the session expires, cached reads fail with the
// expiry (the session, and the cache, are gone for good), and Close
// returns with no goroutine left (TestMain checks for leaks).
func TestExpired(t *testing.T) {
	bothClusters(t, func(t *testing.T, c innerCluster) {
		ctx := ctxT(t)
		other := c.Open(t)
		base := testBase(t, other)
		p := base + "/a"
		if _, err := other.Create(ctx, p, []byte("x"), zkstore.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		for _, opts := range [][]cachestore.Option{nil, {cachestore.StaleReads(true)}} {
			cs, in := openCache(t, c, []string{base}, opts...)
			getData(t, cs, p)
			c.Expire(t, in)
			if _, _, err := cs.Get(ctx, p); !errors.Is(err, zkstore.ErrSessionExpired) {
				t.Errorf("Get after expiry: %v, want ErrSessionExpired", err)
			}
			if _, _, err := cs.Children(ctx, base); !errors.Is(err, zkstore.ErrSessionExpired) {
				t.Errorf("Children after expiry: %v, want ErrSessionExpired", err)
			}
			if err := cs.Close(); err != nil {
				t.Errorf("Close after expiry: %v", err)
			}
			if _, _, err := cs.Get(ctx, p); !errors.Is(err, zkstore.ErrSessionExpired) {
				t.Errorf("Get after expiry and Close: %v, want ErrSessionExpired", err)
			}
		}
	})
}

// TestClosed: reads after Close fail with ErrClosed.
func TestClosed(t *testing.T) {
	bothClusters(t, func(t *testing.T, c innerCluster) {
		ctx := ctxT(t)
		cs, _ := openCache(t, c, []string{"/"})
		if _, _, err := cs.Get(ctx, "/"); err != nil {
			t.Fatal(err)
		}
		if err := cs.Close(); err != nil {
			t.Fatal(err)
		}
		if _, _, err := cs.Get(ctx, "/"); !errors.Is(err, zkstore.ErrClosed) {
			t.Errorf("Get after Close: %v, want ErrClosed", err)
		}
	})
}

// TestNew refuses what it cannot cache.
func TestNew(t *testing.T) {
	c := memCluster(t)
	in := c.Open(t)
	ctx := ctxT(t)
	for _, roots := range [][]string{{"/zookeeper"}, {"/zookeeper/config"}} {
		if _, err := cachestore.New(ctx, in, roots); !errors.Is(err, zkstore.ErrBadArguments) {
			t.Errorf("New(%v): %v, want ErrBadArguments", roots, err)
		}
	}
	for _, roots := range [][]string{{"a"}, {"/a/"}, {""}} {
		if _, err := cachestore.New(ctx, in, roots); !errors.Is(err, zkstore.ErrInvalidPath) {
			t.Errorf("New(%v): %v, want ErrInvalidPath", roots, err)
		}
	}
	cs, err := cachestore.New(ctx, in, []string{"/b/c", "/a", "/b", "/a/x"})
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	if got := cs.Subtrees(); len(got) != 2 || got[0] != "/a" || got[1] != "/b" {
		t.Errorf("Subtrees = %v, want [/a /b]", got)
	}
	for p, want := range map[string]bool{"/a": true, "/a/b": true, "/ab": false, "/b/c/d": true, "/": false, "/c": false} {
		if got := cs.Covers(p); got != want {
			t.Errorf("Covers(%s) = %v, want %v", p, got, want)
		}
	}
}

// TestReadOutsideAndRefused: reads outside the subtrees, of /zookeeper,
// and of a znode this session may not read go to the server and answer
// what it does.
func TestReadOutsideAndRefused(t *testing.T) {
	bothClusters(t, func(t *testing.T, c innerCluster) {
		ctx := ctxT(t)
		other := c.Open(t)
		base := testBase(t, other)
		cs, _ := openCache(t, c, []string{"/"})
		secret := base + "/secret"
		if _, err := cs.Create(ctx, secret, []byte("s"), zkstore.CreateOptions{ACL: zkstore.DigestACL(zkstore.PermAll, "u", "pw")}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := cs.Get(ctx, secret); !errors.Is(err, zkstore.ErrNoAuth) {
			t.Errorf("Get of an unreadable znode: %v, want ErrNoAuth", err)
		}
		if _, ok, err := cs.Exists(ctx, secret); err != nil || !ok {
			t.Errorf("Exists of an unreadable znode = %v, %v", ok, err)
		}
		if err := cs.AddAuth(ctx, "digest", []byte("u:pw")); err != nil {
			t.Fatal(err)
		}
		if got, _ := getData(t, cs, secret); got != "s" {
			t.Errorf("Get after AddAuth = %q", got)
		}
		if _, _, err := cs.Get(ctx, "/zookeeper"); err != nil {
			t.Errorf("Get(/zookeeper): %v", err)
		}
		// Another session's child this session may not read raises no
		// event here; the next change of its parent's children shows it
		// (NumChildren disagrees with the list).
		dir := base + "/dir"
		if _, err := other.Create(ctx, dir, nil, zkstore.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := other.Create(ctx, dir+"/hidden", nil, zkstore.CreateOptions{ACL: zkstore.DigestACL(zkstore.PermAll, "v", "pw")}); err != nil {
			t.Fatal(err)
		}
		if _, err := other.Create(ctx, dir+"/visible", nil, zkstore.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		if err := cs.Sync(ctx, dir); err != nil {
			t.Fatal(err)
		}
		names, st, err := cs.Children(ctx, dir)
		if err != nil || len(names) != 2 || names[0] != "hidden" || names[1] != "visible" || st.NumChildren != 2 {
			t.Errorf("Children(dir) = %v (NumChildren %d), %v; want [hidden visible]", names, st.NumChildren, err)
		}
		if _, _, err := cs.Get(ctx, dir+"/hidden"); !errors.Is(err, zkstore.ErrNoAuth) {
			t.Errorf("Get(hidden): %v, want ErrNoAuth", err)
		}
		before := cs.Stats()
		if _, _, err := cs.Get(ctx, base+"/missing"); !errors.Is(err, zkstore.ErrNoNode) {
			t.Errorf("Get of a missing znode: %v, want ErrNoNode", err)
		}
		if got := cs.Stats(); got.Misses != before.Misses+1 {
			t.Errorf("a missing znode's read was not sent to the server: %+v then %+v", before, got)
		}
	})
}
