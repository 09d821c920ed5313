package main

import (
	"context"
	"database/sql/driver"
	"io"

	"github.com/go-zookeeper/zk"
)

// floorConnector is the least a database/sql driver can do for a point
// read: no parsing, no planning - its prepared statement calls the raw
// client's Get with the argument and returns the data and version as one
// row. Run through database/sql it measures what database/sql itself
// costs per QueryRow+Scan on a live server: the floor under any driver's
// point-read ratio.
type floorConnector struct{ c *zk.Conn }

func (f floorConnector) Connect(context.Context) (driver.Conn, error) { return floorConn(f), nil }
func (f floorConnector) Driver() driver.Driver                        { return nil }

type floorConn struct{ c *zk.Conn }

func (f floorConn) Prepare(string) (driver.Stmt, error) { return floorStmt(f), nil }
func (f floorConn) Close() error                        { return nil }
func (f floorConn) Begin() (driver.Tx, error)           { return nil, driver.ErrSkip }

// ExecContext is the floor of a point UPDATE: the raw Set of the second
// argument's path to the first argument, any version.
func (f floorConn) ExecContext(_ context.Context, _ string, args []driver.NamedValue) (driver.Result, error) {
	data, _ := args[0].Value.([]byte)
	path, _ := args[1].Value.(string)
	if _, err := f.c.Set(path, data, -1); err != nil {
		return nil, err
	}
	return driver.RowsAffected(1), nil
}

// QueryContext serves unprepared statements (database/sql then prepares
// nothing), as zksql's connection does.
func (f floorConn) QueryContext(_ context.Context, _ string, args []driver.NamedValue) (driver.Rows, error) {
	return floorStmt(f).Query([]driver.Value{args[0].Value})
}

type floorStmt struct{ c *zk.Conn }

func (s floorStmt) Close() error                               { return nil }
func (s floorStmt) NumInput() int                              { return 1 }
func (s floorStmt) Exec([]driver.Value) (driver.Result, error) { return nil, driver.ErrSkip }
func (s floorStmt) Query(args []driver.Value) (driver.Rows, error) {
	path, _ := args[0].(string)
	data, st, err := s.c.Get(path)
	if err != nil {
		return nil, err
	}
	return &floorRows{data: data, version: int64(st.Version)}, nil
}

type floorRows struct {
	data    []byte
	version int64
	done    bool
}

func (r *floorRows) Columns() []string { return []string{"data", "version"} }
func (r *floorRows) Close() error      { return nil }
func (r *floorRows) Next(dest []driver.Value) error {
	if r.done {
		return io.EOF
	}
	r.done = true
	dest[0], dest[1] = r.data, r.version
	return nil
}
