package engine

// result is what Exec returns.
//
// RowsAffected counts the znodes (or ACL entries) the statement created,
// changed or deleted; parents made by create_parents are not counted.
// LastInsertId is the sequence number ZooKeeper appended to the last
// sequential znode the statement created, and 0 when it created none; in a
// transaction, where ZooKeeper chooses the number only at commit, it is
// ErrSequencePending.
type result struct {
	lastID        int64
	affected      int64
	lastIDPending bool
}

func (r result) LastInsertId() (int64, error) {
	if r.lastIDPending {
		return 0, ErrSequencePending
	}
	return r.lastID, nil
}
func (r result) RowsAffected() (int64, error) { return r.affected, nil }
