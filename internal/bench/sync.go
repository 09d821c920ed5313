package main

import (
	"bytes"
	"context"
	"fmt"

	"github.com/zksql/zksql/driver"
)

// pointSelectSync: a prepared point SELECT made current with
// driver.WithSync (a sync of the session's server with the leader, then
// the read) against the raw client's Sync then Get. The sync is the cost
// of a current read; the target says the SQL layer adds nothing to it.
func pointSelectSync(ctx context.Context, b *bench) ([]result, error) {
	stmt, err := b.db.PrepareContext(ctx, pointQuery)
	if err != nil {
		return nil, err
	}
	defer stmt.Close()
	syncCtx := driver.WithSync(ctx)
	var data []byte
	var version int64
	xs, err := interleave(b.cfg.rounds,
		func() (float64, error) {
			return perOp(b.cfg.points, func() error { return stmt.QueryRowContext(syncCtx, b.point).Scan(&data, &version) })
		},
		func() (float64, error) {
			return perOp(b.cfg.points, func() error {
				if _, err := b.raw.Sync("/"); err != nil {
					return err
				}
				_, _, err := b.raw.Get(b.point)
				return err
			})
		})
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(data, payload) {
		return nil, fmt.Errorf("read %q, want %q", data, payload)
	}
	return []result{sided("µs/op", xs[0], xs[1], "<=", 1.05)}, nil
}
