package watch_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zksql/zksql/watch"
	"github.com/zksql/zksql/zkstore"
)

// recv reads the next event, failing the test after d.
func recv(t testing.TB, ch <-chan watch.Event, d time.Duration) watch.Event {
	t.Helper()
	select {
	case ev, ok := <-ch:
		if !ok {
			t.Fatalf("stream closed, want an event")
		}
		return ev
	case <-time.After(d):
		t.Fatalf("no event within %v", d)
	}
	return watch.Event{}
}

// recvType reads events until one of type typ, failing if the stream
// closes or d passes; it returns the events skipped, too.
func recvType(t testing.TB, ch <-chan watch.Event, typ watch.EventType, d time.Duration) (watch.Event, []watch.Event) {
	t.Helper()
	deadline := time.After(d)
	var skipped []watch.Event
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				t.Fatalf("stream closed while waiting for %v (skipped %v)", typ, skipped)
			}
			if ev.Type == typ {
				return ev, skipped
			}
			skipped = append(skipped, ev)
		case <-deadline:
			t.Fatalf("no %v event within %v (got %v)", typ, d, skipped)
		}
	}
}

// until reads events until ok(ev) holds, checking every data event with
// check; it returns all events read.
func until(t testing.TB, ch <-chan watch.Event, d time.Duration, ok func(watch.Event) bool) []watch.Event {
	t.Helper()
	deadline := time.After(d)
	var got []watch.Event
	for {
		select {
		case ev, open := <-ch:
			if !open {
				t.Fatalf("stream closed; events: %v", got)
			}
			got = append(got, ev)
			if ok(ev) {
				return got
			}
		case <-deadline:
			t.Fatalf("condition not met within %v; events: %v", d, tail(got, 10))
		}
	}
}

func tail(evs []watch.Event, n int) []watch.Event {
	if len(evs) > n {
		return evs[len(evs)-n:]
	}
	return evs
}

// quiet checks that no event arrives within d.
func quiet(t testing.TB, ch <-chan watch.Event, d time.Duration) {
	t.Helper()
	select {
	case ev, ok := <-ch:
		if ok {
			t.Fatalf("unexpected event %v", ev)
		}
	case <-time.After(d):
	}
}

// closed waits for the stream to close, returning the events before.
func closed(t testing.TB, ch <-chan watch.Event, d time.Duration) []watch.Event {
	t.Helper()
	deadline := time.After(d)
	var got []watch.Event
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				return got
			}
			got = append(got, ev)
		case <-deadline:
			t.Fatalf("stream not closed within %v; events: %v", d, got)
		}
	}
}

// checkRevisions checks that the data events' revisions never decrease.
func checkRevisions(t testing.TB, evs []watch.Event) {
	t.Helper()
	var last int64
	for _, ev := range evs {
		if ev.Type.IsStatus() {
			continue
		}
		if ev.Revision < last {
			t.Errorf("revision went back: %d after %d at %v", ev.Revision, last, ev)
		}
		last = ev.Revision
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func create(t testing.TB, st zkstore.Store, path, data string) {
	t.Helper()
	_, err := st.Create(context.Background(), path, []byte(data), zkstore.CreateOptions{})
	must(t, err)
}

// mirror applies Tree events to a map of path -> data.
type mirror map[string]string

func (m mirror) apply(ev watch.Event) {
	switch ev.Type {
	case watch.Created, watch.DataChanged:
		m[ev.Path] = string(ev.Data)
	case watch.Deleted:
		delete(m, ev.Path)
	}
}

// snapshot reads the subtree at root from st.
func snapshot(t testing.TB, st zkstore.Store, root string) mirror {
	t.Helper()
	m := mirror{}
	var walk func(p string)
	walk = func(p string) {
		data, _, err := st.Get(context.Background(), p)
		if errors.Is(err, zkstore.ErrNoNode) {
			return
		}
		must(t, err)
		m[p] = string(data)
		names, _, err := st.Children(context.Background(), p)
		if errors.Is(err, zkstore.ErrNoNode) {
			return
		}
		must(t, err)
		for _, n := range names {
			walk(zkstore.Join(p, n))
		}
	}
	walk(root)
	return m
}

func (m mirror) String() string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k + "=" + m[k] + " ")
	}
	return b.String()
}

func equalMirror(a, b mirror) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || !bytes.Equal([]byte(v), []byte(w)) {
			return false
		}
	}
	return true
}
