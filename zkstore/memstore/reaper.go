package memstore

import (
	"slices"
	"time"

	"github.com/zksql/zksql/zkstore"
)

func (srv *Server) reaper(interval time.Duration) {
	defer close(srv.reaperDone)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-srv.stop:
			return
		case <-tick.C:
			srv.CheckContainers()
		}
	}
}

// CheckContainers runs one pass of the reaper now, as ContainerManager's
// timer does: empty containers that have had a child, then TTL znodes
// without children whose mtime is more than their TTL ago (by the server's
// Clock). Each deletion is a transaction of its own and fires the usual
// watches. It returns the paths deleted.
func (srv *Server) CheckContainers() []string {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if srv.closed {
		return nil
	}
	var deleted []string
	for _, p := range srv.candidates() {
		t := srv.begin(nil)
		if err := t.deleteContainer(p); err != nil {
			t.rollback() // an error transaction, as on the server
			continue
		}
		t.commit()
		deleted = append(deleted, p)
	}
	return deleted
}

// candidates is ContainerManager.getCandidates of 3.8.
func (srv *Server) candidates() []string {
	now := srv.now().UnixMilli()
	var containers, ttls []string
	for p := range srv.containers {
		n := srv.nodes[p]
		if n == nil || len(n.children) > 0 {
			continue
		}
		if n.creates > 0 || srv.cfg.maxNeverUsed > 0 && now-n.mtime > srv.cfg.maxNeverUsed.Milliseconds() {
			containers = append(containers, p)
		}
	}
	for p := range srv.ttls {
		n := srv.nodes[p]
		if n == nil || len(n.children) > 0 || n.kind() != zkstore.KindTTL {
			continue
		}
		ttl := zkstore.Stat{EphemeralOwner: n.owner}.TTL().Milliseconds()
		if ttl != 0 && now-n.mtime > ttl {
			ttls = append(ttls, p)
		}
	}
	slices.Sort(containers)
	slices.Sort(ttls)
	return append(containers, ttls...)
}
