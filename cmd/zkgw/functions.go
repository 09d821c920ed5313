package main

import (
	"fmt"
	"time"

	sqle "github.com/dolthub/go-mysql-server"
	"github.com/dolthub/go-mysql-server/sql"
	"github.com/dolthub/go-mysql-server/sql/types"
)

// registerFunctions adds what go-mysql-server v0.20.0 lacks and BI tools
// send: MAKEDATE, which Superset's quarter time grain for MySQL uses
// (MAKEDATE(YEAR(col), 1) + INTERVAL QUARTER(col) QUARTER - INTERVAL 1 QUARTER).
func registerFunctions(e *sqle.Engine) {
	ctx := sql.NewEmptyContext()
	e.Analyzer.Catalog.RegisterFunction(ctx, sql.Function2{Name: "makedate", Fn: newMakeDate})
}

// makeDate is MySQL's MAKEDATE(year, dayofyear): the date dayofyear-1 days
// after January 1 of year; NULL if dayofyear < 1 or an argument is NULL.
type makeDate struct{ year, day sql.Expression }

var _ sql.FunctionExpression = (*makeDate)(nil)

func newMakeDate(year, day sql.Expression) sql.Expression { return &makeDate{year: year, day: day} }

func (m *makeDate) FunctionName() string       { return "makedate" }
func (m *makeDate) Description() string        { return "creates a date from the year and day of year" }
func (m *makeDate) Resolved() bool             { return m.year.Resolved() && m.day.Resolved() }
func (m *makeDate) String() string             { return fmt.Sprintf("MAKEDATE(%s, %s)", m.year, m.day) }
func (m *makeDate) Type() sql.Type             { return types.Date }
func (m *makeDate) IsNullable() bool           { return true }
func (m *makeDate) Children() []sql.Expression { return []sql.Expression{m.year, m.day} }

func (m *makeDate) WithChildren(children ...sql.Expression) (sql.Expression, error) {
	if len(children) != 2 {
		return nil, sql.ErrInvalidChildrenNumber.New(m, len(children), 2)
	}
	return newMakeDate(children[0], children[1]), nil
}

func (m *makeDate) Eval(ctx *sql.Context, row sql.Row) (any, error) {
	y, err := evalInt(ctx, m.year, row)
	if err != nil || y == nil {
		return nil, err
	}
	d, err := evalInt(ctx, m.day, row)
	if err != nil || d == nil {
		return nil, err
	}
	year, day := *y, *d
	if day < 1 || year < 0 || year > 9999 {
		return nil, nil
	}
	if year < 70 { // MySQL reads two-digit years as 2000-2069 and 1970-1999
		year += 2000
	} else if year < 100 {
		year += 1900
	}
	t := time.Date(int(year), time.January, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(day-1))
	if t.Year() > 9999 {
		return nil, nil
	}
	return t, nil
}

func evalInt(ctx *sql.Context, e sql.Expression, row sql.Row) (*int64, error) {
	v, err := e.Eval(ctx, row)
	if err != nil || v == nil {
		return nil, err
	}
	n, _, err := types.Int64.Convert(ctx, v)
	if err != nil {
		return nil, err
	}
	i := n.(int64)
	return &i, nil
}
