package driver

import (
	"context"
	"database/sql"
)

// LastRun reports, for the last statement the connection ran, the plan
// it ran as EXPLAIN prints it without arguments, the plan's strategy and
// fallback, and the strategy the executor took; ok is false when the last
// statement ran no read plan.
func LastRun(ctx context.Context, c *sql.Conn) (plan, strategy, fallback, ran string, ok bool, err error) {
	err = c.Raw(func(dc any) error {
		plan, strategy, fallback, ran, ok = dc.(*conn).s.LastRun()
		return nil
	})
	return
}

// ResetLastRun forgets what the connection ran last.
func ResetLastRun(c *sql.Conn) error {
	return c.Raw(func(dc any) error {
		dc.(*conn).s.ResetLastRun()
		return nil
	})
}
