package driver_test

import (
	"bytes"
	"context"
	"database/sql"
	sqldriver "database/sql/driver"
	"fmt"
	"io"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/zksql/zksql/driver"
	"github.com/zksql/zksql/internal/testkit/zkserver"
)

// The point read's result is pooled and hands database/sql a buffer of
// its own (internal/engine/pointrows_pool.go). These tests check what that
// must never change: every value read is the znode's, concurrently and
// with contexts ending under the reads; a caller writing into what it was
// given (sql.RawBytes, an any, a Scanner's source) changes no znode; the
// column names a caller holds stay what they were.

const pointPoolZnodes = 32

// openSharedMem opens a mem: database whose connections share one tree,
// dropped at the end of the test.
func openSharedMem(t *testing.T) *sql.DB {
	name := fmt.Sprintf("pointpool-%s-%d", t.Name(), time.Now().UnixNano())
	t.Cleanup(func() { driver.DropMemServer(name) })
	return openDB(t, "mem:"+name)
}

// pointPoolData is the data of znode i: lengths 0 to 31, each its own.
func pointPoolData(i int) []byte {
	return bytes.Repeat([]byte{byte('a' + i%26)}, i)
}

// setupPointPool creates /pp/n00.../pp/n31, znode i at version i%3.
func setupPointPool(t *testing.T, db *sql.DB) {
	t.Helper()
	mustExec(t, db, "INSERT INTO znodes (path) VALUES ('/pp')")
	for i := range pointPoolZnodes {
		path := fmt.Sprintf("/pp/n%02d", i)
		mustExec(t, db, "INSERT INTO znodes (path, data) VALUES (?, ?)", path, pointPoolData(i))
		for range i % 3 {
			mustExec(t, db, "UPDATE znodes SET data = ? WHERE path = ?", pointPoolData(i), path)
		}
	}
}

// checkStoreIntact reads every znode through the planner (not the point
// read) and compares it with what was written.
func checkStoreIntact(t *testing.T, db *sql.DB) {
	t.Helper()
	for i := range pointPoolZnodes {
		path := fmt.Sprintf("/pp/n%02d", i)
		var data []byte
		if err := db.QueryRow("SELECT data FROM znodes WHERE path = ? AND 1 = 1", path).Scan(&data); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if !bytes.Equal(data, pointPoolData(i)) {
			t.Errorf("%s holds %q, want %q: a caller's write reached the store", path, data, pointPoolData(i))
		}
	}
}

// checkConcurrentPointReads runs many point reads at once, of every kind
// (prepared or not, context.Background, cancellable, ended during the
// read, QueryRow and Rows, scanning into []byte, RawBytes and any) and
// checks every value and column name read; the callers write into what
// they were handed. Run with -race, it also finds a pooled result used by
// two reads at once.
func checkConcurrentPointReads(t *testing.T, db *sql.DB, perGoroutine int) {
	setupPointPool(t, db)
	ctx := context.Background()
	stmtA, err := db.PrepareContext(ctx, "SELECT data, version FROM znodes WHERE path = ?")
	if err != nil {
		t.Fatal(err)
	}
	defer stmtA.Close()
	stmtB, err := db.PrepareContext(ctx, "SELECT version AS v, data AS d, path FROM znodes WHERE path = ?")
	if err != nil {
		t.Fatal(err)
	}
	defer stmtB.Close()
	colsA, colsB := []string{"data", "version"}, []string{"v", "d", "path"}

	check := func(what string, i int, data []byte, version int64) {
		if !bytes.Equal(data, pointPoolData(i)) || version != int64(i%3) {
			t.Errorf("%s n%02d: data %q version %d, want %q version %d", what, i, data, version, pointPoolData(i), i%3)
		}
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var held [][]string // column names kept after their rows closed
			for k := range perGoroutine {
				i := (g*7 + k) % pointPoolZnodes
				path := fmt.Sprintf("/pp/n%02d", i)
				switch k % 5 {
				case 0: // prepared, context.Background, into []byte
					var data []byte
					var v int64
					if err := stmtA.QueryRowContext(ctx, path).Scan(&data, &v); err != nil {
						t.Errorf("QueryRow %s: %v", path, err)
						return
					}
					check("prepared background", i, data, v)
					clear(data)
				case 1: // prepared, cancellable context
					cctx, cancel := context.WithCancel(ctx)
					var data []byte
					var v int64
					err := stmtA.QueryRowContext(cctx, path).Scan(&data, &v)
					cancel()
					if err != nil {
						t.Errorf("QueryRow %s: %v", path, err)
						return
					}
					check("prepared cancellable", i, data, v)
				case 2: // Rows, RawBytes, the caller keeps Columns
					cctx, cancel := context.WithCancel(ctx)
					rows, err := stmtB.QueryContext(cctx, path)
					if err != nil {
						cancel()
						t.Errorf("Query %s: %v", path, err)
						return
					}
					cols, _ := rows.Columns()
					held = append(held, cols)
					var raw sql.RawBytes
					var v int64
					var p string
					if !rows.Next() {
						t.Errorf("Query %s: no row (%v)", path, rows.Err())
					} else if err := rows.Scan(&v, &raw, &p); err != nil {
						t.Errorf("Scan %s: %v", path, err)
					} else {
						check("RawBytes", i, raw, v)
						for j := range raw {
							raw[j] = 'Z' // the caller's own memory, not the znode's
						}
					}
					rows.Close()
					cancel()
				case 3: // unprepared, into any
					var got any
					q := fmt.Sprintf("SELECT data FROM znodes WHERE path = '%s'", path)
					if err := db.QueryRowContext(ctx, q).Scan(&got); err != nil {
						t.Errorf("%s: %v", q, err)
						return
					}
					b, _ := got.([]byte)
					check("any", i, b, int64(i%3))
					clear(b)
				case 4: // the context ends while the read runs
					cctx, cancel := context.WithCancel(ctx)
					rows, err := stmtA.QueryContext(cctx, path)
					if err != nil {
						cancel() // ended before the read: nothing to check
						continue
					}
					done := make(chan struct{})
					go func() { cancel(); close(done) }()
					var data []byte
					var v int64
					if rows.Next() {
						if err := rows.Scan(&data, &v); err == nil {
							check("cancelled", i, data, v)
						}
					}
					rows.Close()
					<-done
				}
			}
			for _, cols := range held {
				if !slices.Equal(cols, colsB) {
					t.Errorf("Columns kept after Close = %q, want %q", cols, colsB)
				}
			}
		}()
	}
	wg.Wait()
	checkStoreIntact(t, db)

	// What a caller keeps stays its own after the result is reused by
	// another statement's reads.
	rows, err := stmtA.QueryContext(ctx, "/pp/n05")
	if err != nil {
		t.Fatal(err)
	}
	cols, _ := rows.Columns()
	rows.Close()
	for range 20 {
		var v int64
		var d []byte
		var p string
		if err := stmtB.QueryRowContext(ctx, "/pp/n06").Scan(&v, &d, &p); err != nil {
			t.Fatal(err)
		}
	}
	if !slices.Equal(cols, colsA) {
		t.Errorf("Columns kept after Close = %q, want %q", cols, colsA)
	}
}

func TestPointReadsConcurrent(t *testing.T) {
	db := openSharedMem(t)
	checkConcurrentPointReads(t, db, 300)
}

func TestPointReadsConcurrentLive(t *testing.T) {
	if testing.Short() {
		t.Skip("live ZooKeeper test skipped in -short mode")
	}
	root := openDB(t, "zk://"+zkserver.SharedAddr(t))
	chroot := fmt.Sprintf("/pointpool-%d", time.Now().UnixNano()) // a fresh one per run (-count)
	mustExec(t, root, "INSERT INTO znodes (path) VALUES (?)", chroot)
	checkConcurrentPointReads(t, openDB(t, "zk://"+zkserver.SharedAddr(t)+chroot), 40)
}

// overwritingScanner writes into the source it is given, which
// database/sql documents as the driver's memory.
type overwritingScanner struct{ got []byte }

func (s *overwritingScanner) Scan(src any) error {
	b, ok := src.([]byte)
	if !ok {
		return fmt.Errorf("source %T, want []byte", src)
	}
	s.got = bytes.Clone(b)
	for i := range b {
		b[i] = 'Z'
	}
	return nil
}

// TestPointReadCallerWritesStayCallers: a sql.Scanner that writes into
// its source changes no znode, on both stores.
func TestPointReadCallerWritesStayCallers(t *testing.T) {
	dbs := map[string]*sql.DB{"mem": openSharedMem(t)}
	if !testing.Short() {
		root := openDB(t, "zk://"+zkserver.SharedAddr(t))
		chroot := fmt.Sprintf("/pointpool-scan-%d", time.Now().UnixNano())
		mustExec(t, root, "INSERT INTO znodes (path) VALUES (?)", chroot)
		dbs["live"] = openDB(t, "zk://"+zkserver.SharedAddr(t)+chroot)
	}
	for name, db := range dbs {
		t.Run(name, func(t *testing.T) {
			setupPointPool(t, db)
			stmt, err := db.Prepare("SELECT data FROM znodes WHERE path = ?")
			if err != nil {
				t.Fatal(err)
			}
			defer stmt.Close()
			for round := range 3 {
				for i := range pointPoolZnodes {
					var s overwritingScanner
					if err := stmt.QueryRow(fmt.Sprintf("/pp/n%02d", i)).Scan(&s); err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(s.got, pointPoolData(i)) {
						t.Errorf("round %d n%02d: Scanner got %q, want %q", round, i, s.got, pointPoolData(i))
					}
				}
			}
			checkStoreIntact(t, db)
		})
	}
}

// TestPointReadAllocations: a prepared point read with
// context.Background allocates no more than database/sql itself does
// around a driver that allocates one rows object per query (the engine's
// result is pooled, so it allocates none). sync.Pool drops objects at
// random under the race detector, so the count is checked without it.
func TestPointReadAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops pooled objects at random under -race")
	}
	ctx := context.Background()
	db := openSharedMem(t)
	mustExec(t, db, "INSERT INTO znodes (path, data) VALUES ('/point', '0123456789abcdef')")
	mustExec(t, db, "UPDATE znodes SET data = '0123456789abcdef' WHERE path = '/point'")
	stmt, err := db.PrepareContext(ctx, "SELECT data, version FROM znodes WHERE path = ?")
	if err != nil {
		t.Fatal(err)
	}
	defer stmt.Close()
	var data []byte
	var v int64
	ours := testing.AllocsPerRun(500, func() {
		if err := stmt.QueryRowContext(ctx, "/point").Scan(&data, &v); err != nil {
			t.Fatal(err)
		}
	})
	if string(data) != "0123456789abcdef" || v != 1 {
		t.Fatalf("read %q version %d", data, v)
	}

	floorDB := sql.OpenDB(floorConnector{})
	defer floorDB.Close()
	floorStmt, err := floorDB.PrepareContext(ctx, "x")
	if err != nil {
		t.Fatal(err)
	}
	defer floorStmt.Close()
	floor := testing.AllocsPerRun(500, func() {
		if err := floorStmt.QueryRowContext(ctx, "/point").Scan(&data, &v); err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("allocs/op: zksql %v, database/sql over a do-nothing driver %v", ours, floor)
	if ours > floor-1 {
		t.Errorf("a prepared point read allocates %v times, database/sql alone %v around a driver's one rows object: the engine allocates per read", ours, floor)
	}
}

// floorConnector is a database/sql driver that does nothing but return
// one row of fixed values, allocating one rows object per query.
type floorConnector struct{}

type (
	floorConn struct{}
	floorStmt struct{}
	floorRows struct{ done bool }
)

var (
	floorCols                     = []string{"data", "version"}
	floorData                     = sqldriver.Value([]byte("0123456789abcdef"))
	_         sqldriver.Connector = floorConnector{}
)

func (floorConnector) Connect(context.Context) (sqldriver.Conn, error) { return floorConn{}, nil }
func (floorConnector) Driver() sqldriver.Driver                        { return nil }
func (floorConn) Prepare(string) (sqldriver.Stmt, error)               { return floorStmt{}, nil }
func (floorConn) Close() error                                         { return nil }
func (floorConn) Begin() (sqldriver.Tx, error)                         { return nil, io.EOF }
func (floorStmt) Close() error                                         { return nil }
func (floorStmt) NumInput() int                                        { return 1 }
func (floorStmt) Exec([]sqldriver.Value) (sqldriver.Result, error)     { return nil, io.EOF }
func (floorStmt) Query([]sqldriver.Value) (sqldriver.Rows, error)      { return &floorRows{}, nil }
func (floorStmt) QueryContext(context.Context, []sqldriver.NamedValue) (sqldriver.Rows, error) {
	return &floorRows{}, nil
}
func (r *floorRows) Columns() []string { return floorCols }
func (r *floorRows) Close() error      { return nil }
func (r *floorRows) Next(dest []sqldriver.Value) error {
	if r.done {
		return io.EOF
	}
	r.done = true
	dest[0], dest[1] = floorData, int64(1)
	return nil
}
