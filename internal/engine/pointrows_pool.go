package engine

import (
	"database/sql/driver"
	"sync"
)

// The point read is what every cached read and every test on mem: pays,
// so its result allocates nothing of its own (issue 15's profile of
// `SELECT data, version FROM znodes WHERE path = ?` found four
// allocations besides database/sql's: the rows, the column names, the
// data copied out of the store, the data boxed into a driver.Value):
//
//   - the pointRows object is pooled: Close returns it, since
//     database/sql calls a driver Rows no more after Close (Rows.close
//     runs once, under closemu, and every other method checks closed);
//   - the column names are worked out once per statement and copied into
//     a slice the object keeps, unless the caller may hold that slice
//     (Columns);
//   - a store with zkstore.GetAppender appends the data to a buffer the
//     object keeps, and its boxed driver.Value is reused while the data
//     has the same place and length (the same znode read again).
//
// What this hands to database/sql is the object's own memory, never the
// store's: whatever a caller does with it (write into a sql.RawBytes, an
// any or a Scanner's source) cannot change a znode, and database/sql
// reads it no more once Rows are closed (a RawBytes is valid until the
// next Next, Scan or Close; Rows.Scan with a RawBytes holds closemu until
// then, so a context ending cannot close the Rows under it).
var pointRowsPool = sync.Pool{New: func() any { return new(pointRows) }}

// maxPooledData is the largest data buffer a pooled result keeps: a
// bigger one (up to max_data, 1 MiB by default) is left to the garbage
// collector, so the pool does not hold large buffers for rare reads.
const maxPooledData = 64 << 10

// pointScratch is what a pooled pointRows keeps for its next use.
type pointScratch struct {
	buf   []byte       // the data, appended by GetAppend
	owned bool         // this use's data is in buf
	box   driver.Value // buf[:boxLen] boxed, when boxPtr == &buf[0]
	boxAt *byte
	names []string // the column names, when no caller holds them
}

// emptyData is the data of an empty znode, boxed once: with no bytes in
// it and no capacity, nothing can be written into it.
var emptyData driver.Value = []byte{}

// boxData returns data, which is in buf, as a driver.Value, reusing the
// last one boxed when it is the same slice.
func (s *pointScratch) boxData(data []byte) driver.Value {
	if len(data) == 0 {
		return emptyData
	}
	if s.boxAt == &data[0] {
		if b, _ := s.box.([]byte); len(b) == len(data) {
			return s.box
		}
	}
	s.box, s.boxAt = data, &data[0]
	return s.box
}

// newPointRows takes a pointRows for q from the pool.
func newPointRows(q *pointQuery) *pointRows {
	pr := pointRowsPool.Get().(*pointRows)
	pr.q = q
	pr.callsBeforeNext = -1
	pr.pooled = false
	return pr
}

// recycle resets pr and returns it to the pool. Only its owner calls it,
// once: Close, or query when the point read fails before the rows are
// handed out. A pointRows whose env went to the plan's fallback is never
// recycled (the fallback's rows refer to that env).
func (pr *pointRows) recycle() {
	keep := pr.scratch
	keep.owned = false
	if cap(keep.buf) > maxPooledData {
		keep.buf, keep.box, keep.boxAt = nil, nil, nil
	}
	// The names go back for reuse only when database/sql's own first
	// Next was their one reader (it calls Columns just before, for the
	// number of columns, and keeps nothing); a slice a caller asked for
	// stays the caller's.
	if pr.columnCalls != 1 || pr.callsBeforeNext != 1 {
		keep.names = nil
	}
	*pr = pointRows{scratch: keep, pooled: true}
	pointRowsPool.Put(pr)
}

// Columns returns the statement's column names, in a slice of this
// result's own.
func (pr *pointRows) Columns() []string {
	if pr.columnCalls == 0 {
		pr.scratch.names = append(pr.scratch.names[:0], pr.q.colNames...)
	}
	pr.columnCalls++
	return pr.scratch.names
}

// Close ends the result and returns it to the pool: the caller must not
// use it again (database/sql does not). A second Close right after the
// first does nothing.
func (pr *pointRows) Close() error {
	if !pr.pooled {
		pr.recycle()
	}
	return nil
}
