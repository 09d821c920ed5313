package watch_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/zksql/zksql/zkstore"
	"github.com/zksql/zksql/zkstore/livestore"
	"github.com/zksql/zksql/zkstore/memstore"
)

// writer changes znodes from another session than the stream's.
type writer interface {
	create(t testing.TB, path, data string)
	set(t testing.TB, path, data string)
	del(t testing.TB, path string)
}

// env is a place to run the shared tests: the in-memory store or a live
// ZooKeeper.
type env struct {
	name string
	// open opens a session for the stream.
	open func(t testing.TB) zkstore.Store
	// writer opens another session (on the live server a raw go-zookeeper
	// client, not built on this library).
	writer func(t testing.TB) writer
	// root is a fresh path for one test's znodes.
	root func(t testing.TB) string
}

func memEnv(t testing.TB) env {
	srv := memstore.NewServer()
	t.Cleanup(srv.Close)
	open := func(t testing.TB) zkstore.Store {
		s := srv.Connect()
		t.Cleanup(func() { s.Close() })
		return s
	}
	return env{
		name:   "mem",
		open:   open,
		writer: func(t testing.TB) writer { return storeWriter{open(t)} },
		root:   func(testing.TB) string { return "/t" },
	}
}

func liveEnv(t testing.TB) env {
	addr := liveAddr(t)
	return env{
		name:   "live",
		open:   func(t testing.TB) zkstore.Store { return openLive(t, addr) },
		writer: func(t testing.TB) writer { return rawWriter{rawConn(t, addr)} },
		root:   func(testing.TB) string { return "/t-" + randHex(6) },
	}
}

func openLive(t testing.TB, addr string, opts ...livestore.Option) *livestore.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	opts = append([]livestore.Option{livestore.SessionTimeout(2 * time.Second)}, opts...)
	s, err := livestore.Open(ctx, []string{addr}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

type storeWriter struct{ st zkstore.Store }

func (w storeWriter) create(t testing.TB, path, data string) { create(t, w.st, path, data) }
func (w storeWriter) set(t testing.TB, path, data string) {
	t.Helper()
	_, err := w.st.Set(context.Background(), path, []byte(data), zkstore.AnyVersion)
	must(t, err)
}
func (w storeWriter) del(t testing.TB, path string) {
	t.Helper()
	must(t, w.st.Delete(context.Background(), path, zkstore.AnyVersion))
}

// rawConn is a plain go-zookeeper client.
func rawConn(t testing.TB, addr string) *zk.Conn {
	t.Helper()
	conn, events, err := zk.Connect([]string{addr}, 5*time.Second, zk.WithLogInfo(false), zk.WithLogger(nopLogger{}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(conn.Close)
	deadline := time.After(20 * time.Second)
	for {
		select {
		case ev := <-events:
			if ev.State == zk.StateHasSession {
				go func() { // go-zookeeper drops events when nobody reads; drain
					for range events {
					}
				}()
				return conn
			}
		case <-deadline:
			t.Fatal("raw go-zookeeper client: no session")
		}
	}
}

type nopLogger struct{}

func (nopLogger) Printf(string, ...any) {}

type rawWriter struct{ c *zk.Conn }

func (w rawWriter) create(t testing.TB, path, data string) {
	t.Helper()
	_, err := w.c.Create(path, []byte(data), 0, zk.WorldACL(zk.PermAll))
	must(t, err)
}
func (w rawWriter) set(t testing.TB, path, data string) {
	t.Helper()
	_, err := w.c.Set(path, []byte(data), -1)
	must(t, err)
}
func (w rawWriter) del(t testing.TB, path string) {
	t.Helper()
	err := w.c.Delete(path, -1)
	if errors.Is(err, zk.ErrNoNode) {
		return
	}
	must(t, err)
}
