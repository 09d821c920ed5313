package main

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zksql/zksql/zkstore"
	"github.com/zksql/zksql/zkstore/memstore"
)

// lockedBuffer is a bytes.Buffer the progress goroutine and the test can
// share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestProgressCountsStoreCalls drives a counting store over an in-memory
// ZooKeeper and checks the progress line reports its calls, redraws in
// place and is erased when the statement ends.
func TestProgressCountsStoreCalls(t *testing.T) {
	srv := memstore.NewServer()
	defer srv.Close()
	n := new(counters)
	st := countingStore{Store: srv.Open(), n: n}
	defer st.Close()
	ctx := context.Background()
	if _, err := st.Create(ctx, "/a", []byte("x"), zkstore.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	st.Children(ctx, "/") // before the statement: not counted in its line

	var out lockedBuffer
	p := startProgress(&out, n, 0)
	for range 3 {
		st.Children(ctx, "/a")
	}
	st.Get(ctx, "/a")
	st.Exists(ctx, "/a")
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(out.String(), "5 requests (2 reads, 3 listings)") {
		if time.Now().After(deadline) {
			p.stop()
			t.Fatalf("progress line never showed the counts: %q", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	p.stop()
	s := out.String()
	if !strings.HasPrefix(s, "\r\x1b[K") || !strings.HasSuffix(s, "\r\x1b[K") {
		t.Errorf("progress output %q does not redraw and erase its line", s)
	}

	// A statement quicker than the delay shows nothing at all.
	var quiet lockedBuffer
	p = startProgress(&quiet, n, time.Hour)
	st.Children(ctx, "/")
	time.Sleep(2 * progressInterval)
	p.stop()
	if quiet.String() != "" {
		t.Errorf("a short statement printed %q", quiet.String())
	}
}
