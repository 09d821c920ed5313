package evqueue

import (
	"testing"

	"github.com/zksql/zksql/zkstore"
)

func node(i int) zkstore.Event {
	return zkstore.Event{Type: zkstore.EventNodeDataChanged, Path: "/p/" + string(rune('a'+i%26))}
}

// A reader that falls behind gets every event that fitted, then one
// resync; once it has taken everything, events flow again; the final
// event always fits; nothing ever blocks the putter.
func TestOverflowResyncsThenResumes(t *testing.T) {
	q := New("/p")
	for i := range Capacity + 100 {
		q.Put(node(i))
	}
	for i := range Capacity - 2 {
		if ev := <-q.C(); ev != node(i) {
			t.Fatalf("event %d = %+v, want %+v", i, ev, node(i))
		}
	}
	if ev := <-q.C(); ev.Type != zkstore.EventWatchResync || ev.Path != "/p" {
		t.Fatalf("after the buffer: %+v, want a resync of /p", ev)
	}
	if n := len(q.C()); n != 0 {
		t.Fatalf("%d events after the resync", n)
	}
	// Dropped while the resync was still unread; now the reader has taken it.
	q.Put(node(1))
	if ev := <-q.C(); ev != node(1) {
		t.Fatalf("after the resync was read: %+v, want %+v", ev, node(1))
	}
	for i := range Capacity + 5 {
		q.Put(node(i))
	}
	end := zkstore.Event{Type: zkstore.EventNotWatching, Path: "/p", Err: zkstore.ErrClosed}
	q.End(end)
	q.End(end)
	q.Put(node(0))
	q.Close()
	var got []zkstore.Event
	for ev := range q.C() {
		got = append(got, ev)
	}
	if len(got) != Capacity || got[Capacity-2].Type != zkstore.EventWatchResync || got[Capacity-1] != end {
		t.Fatalf("%d events, last two %+v", len(got), got[len(got)-2:])
	}
}

func TestCloseKeepsQueuedEvents(t *testing.T) {
	q := New("/p")
	q.Put(node(0))
	q.Close()
	q.End(zkstore.Event{Type: zkstore.EventNotWatching})
	if ev, ok := <-q.C(); !ok || ev != node(0) {
		t.Fatalf("first = %+v %v", ev, ok)
	}
	if ev, ok := <-q.C(); ok {
		t.Fatalf("after Close: %+v", ev)
	}
}
