package engine

import (
	"database/sql/driver"
	"io"
	"reflect"
	"time"

	"github.com/zksql/zksql/parser"
)

// column describes one result column.
type column struct {
	name     string
	dbType   string       // DatabaseTypeName; "" when unknown
	scan     reflect.Type // ScanType
	nullable int          // 0 unknown, 1 nullable, 2 not null
	length   int64        // for RowsColumnTypeLength; 0 means not applicable
}

var (
	scanString = reflect.TypeFor[string]()
	scanBytes  = reflect.TypeFor[[]byte]()
	scanInt64  = reflect.TypeFor[int64]()
	scanTime   = reflect.TypeFor[time.Time]()
	scanAny    = reflect.TypeFor[any]()
	scanFloat  = reflect.TypeFor[float64]()
)

// typeColumn describes a column of a table.
func typeColumn(name string, t parser.Type, nullable bool) column {
	c := column{name: name, dbType: t.String(), nullable: 2}
	if nullable {
		c.nullable = 1
	}
	switch t {
	case parser.TypeText:
		c.scan = scanString
	case parser.TypeBlob:
		c.scan = scanBytes
	case parser.TypeInt32, parser.TypeBigInt:
		c.scan = scanInt64
	case parser.TypeTimestamp:
		c.scan = scanTime
	case parser.TypeDouble:
		c.scan = scanFloat
	default:
		c.scan = scanAny
	}
	return c
}

// rows streams a result. next fills one row or returns io.EOF.
type rows struct {
	cols    []column
	next    func(dest []driver.Value) error
	release func()
	done    bool
}

func (r *rows) Columns() []string {
	out := make([]string, len(r.cols))
	for i, c := range r.cols {
		out[i] = c.name
	}
	return out
}

func (r *rows) Close() error {
	if !r.done {
		r.done = true
		if r.release != nil {
			r.release()
		}
	}
	return nil
}

func (r *rows) Next(dest []driver.Value) (err error) {
	defer recoverErr(&err)
	if r.done || r.next == nil {
		return io.EOF
	}
	err = r.next(dest)
	if err != nil {
		r.Close()
	}
	return err
}

func (r *rows) ColumnTypeDatabaseTypeName(i int) string { return r.cols[i].dbType }

func (r *rows) ColumnTypeScanType(i int) reflect.Type {
	if r.cols[i].scan == nil {
		return scanAny
	}
	return r.cols[i].scan
}

func (r *rows) ColumnTypeNullable(i int) (nullable, ok bool) {
	switch r.cols[i].nullable {
	case 1:
		return true, true
	case 2:
		return false, true
	}
	return false, false
}

// ColumnTypeLength reports the most bytes a column holds where that is
// meaningful: data (the max_data limit) and path.
func (r *rows) ColumnTypeLength(i int) (int64, bool) {
	if r.cols[i].length > 0 {
		return r.cols[i].length, true
	}
	return 0, false
}

// staticRows returns rows over values already computed.
func staticRows(cols []column, vals [][]driver.Value) *rows {
	i := 0
	return &rows{cols: cols, next: func(dest []driver.Value) error {
		if i >= len(vals) {
			return io.EOF
		}
		copy(dest, vals[i])
		i++
		return nil
	}}
}

// emptyRows is the result of a query that returns nothing (a write run
// through Query).
func emptyRows() *rows { return &rows{} }
