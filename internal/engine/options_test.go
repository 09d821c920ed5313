package engine

import (
	"context"
	"testing"

	"github.com/zksql/zksql/zkstore"
)

// testOptions are the options of driver.NewConfig(): every one at its
// default.
func testOptions() *Options {
	return &Options{MaxScan: 100000, MaxData: DefaultMaxData, MaxRequest: zkstore.DefaultMaxRequestSize}
}

// testSession returns a session of a new engine with testOptions on st.
func testSession(t *testing.T, g *Engine, st zkstore.Store) *Session {
	t.Helper()
	s := g.NewSession(st)
	t.Cleanup(s.Close)
	return s
}

// query runs sql on s as database/sql's QueryContext would.
func (c *Session) queryString(ctx context.Context, sql string) (Rows, error) {
	p, err := c.Prepare(sql)
	if err != nil {
		return nil, err
	}
	return c.Query(ctx, p, nil)
}
