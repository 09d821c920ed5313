package memstore

import "slices"

// The order in which closeSession deletes a session's ephemerals shows in
// the order of their NodeDeleted events, which persistent watches make
// observable. ZooKeeper (3.6+) lists them in the CloseSessionTxn from a
// clone of the session's java.util.HashSet (DataTree.getEphemerals), so the
// order is HashMap iteration order twice over:
//   - the session's set iterates by bucket (String.hashCode spread, masked
//     by a table that grew with the most paths the set ever held: 16, then
//     doubling whenever more than three quarters full, never shrinking),
//     and within a bucket in insertion order;
//   - the clone (HashMap.clone: a fresh table sized
//     tableSizeFor(size/0.75+1), filled in that order) iterates by its
//     own bucket, and within a bucket in the first order.
// Buckets turned into trees (8 or more paths in one bucket of a table of
// 64 or more) are not modelled.

// noteEphemeralCount records how many ephemerals a session holds, for the
// size its set grew to.
func (srv *Server) noteEphemeralCount(owner int64, n int) {
	if srv.ephMax == nil {
		srv.ephMax = map[int64]int{}
	}
	if n > srv.ephMax[owner] {
		srv.ephMax[owner] = n
	}
}

// closeSessionOrder lists session id's ephemerals in the order
// closeSession deletes them, and forgets the session's set.
func (srv *Server) closeSessionOrder(id int64) []string {
	set := srv.ephemerals[id]
	maxHeld := srv.ephMax[id]
	delete(srv.ephMax, id)
	type entry struct {
		path         string
		clone, table uint32
		seq          uint64
	}
	tableCap := uint32(16)
	for maxHeld > int(tableCap)*3/4 {
		tableCap *= 2
	}
	cloneCap := uint32(1)
	for want := uint32(float32(len(set))/0.75 + 1); cloneCap < want; {
		cloneCap *= 2
	}
	es := make([]entry, 0, len(set))
	for p := range set {
		h := uint32(javaHash(p))
		h ^= h >> 16
		var seq uint64
		if n := srv.nodes[p]; n != nil {
			seq = n.ephSeq
		}
		es = append(es, entry{p, h & (cloneCap - 1), h & (tableCap - 1), seq})
	}
	slices.SortFunc(es, func(a, b entry) int {
		switch {
		case a.clone != b.clone:
			return cmpU32(a.clone, b.clone)
		case a.table != b.table:
			return cmpU32(a.table, b.table)
		case a.seq < b.seq:
			return -1
		case a.seq > b.seq:
			return 1
		}
		return 0
	})
	paths := make([]string, len(es))
	for i, e := range es {
		paths[i] = e.path
	}
	return paths
}

func cmpU32(a, b uint32) int {
	if a < b {
		return -1
	}
	return 1
}
