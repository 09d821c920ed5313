package storetest

import (
	"fmt"

	"github.com/zksql/zksql/zkstore"
)

// diffWatcher is a session of its own that follows the program's base with
// a persistent watch, so the differential test compares the events every
// operation fires: which, in what order, with what paths. Each mode has its
// own session, as ZooKeeper 3.6 to 3.8 keep one mode per session and path.
type diffWatcher struct {
	name string
	s    zkstore.Store
	mode zkstore.WatchMode
	ch   <-chan zkstore.Event
}

// openWatchers opens the watcher sessions, before the base exists (a
// session takes a zxid, and zxids count from the base's).
func (d *diffStore) openWatchers() {
	if _, ok := zkstore.PersistentWatcherOf(d.sessions[0]); !ok {
		return
	}
	for _, m := range []zkstore.WatchMode{zkstore.WatchPersistent, zkstore.WatchPersistentRecursive} {
		d.watchers = append(d.watchers, &diffWatcher{name: m.String(), s: d.c.Open(d.t), mode: m})
	}
}

// armWatchers sets the watches on the base.
func (d *diffStore) armWatchers() error {
	for _, w := range d.watchers {
		ch, err := zkstore.AddWatch(d.ctx, w.s, d.base, w.mode)
		if err != nil {
			return fmt.Errorf("%s watch on the base: %w", w.name, err)
		}
		w.ch = ch
	}
	return nil
}

// events is what the watches received since the last call. A round trip
// of each watcher session comes first: every event the server sent that
// session for the operations before is delivered ahead of its reply.
func (d *diffStore) events() []string {
	var out []string
	for _, w := range d.watchers {
		if _, _, err := w.s.Exists(d.ctx, d.base); err != nil {
			out = append(out, fmt.Sprintf("%s: barrier: %s", w.name, errKind(err)))
		}
		for more := true; more; {
			select {
			case ev, ok := <-w.ch:
				if !ok {
					out = append(out, w.name+": closed")
					w.ch = nil
					more = false
					break
				}
				out = append(out, fmt.Sprintf("%s: %v %s %s", w.name, ev.Type, d.rel(ev.Path), errKind(ev.Err)))
			default:
				more = false
			}
		}
	}
	return out
}

func (d *diffStore) closeWatchers() {
	for _, w := range d.watchers {
		_ = w.s.Close()
	}
}
