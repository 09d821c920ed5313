package driver_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/zksql/zksql/internal/testkit/zkserver"
)

// BenchmarkCachedPointSelect is a prepared point SELECT on a live server,
// read from ZooKeeper (uncached), from the read cache (cached), and made
// current first (cached+sync, sync_reads=true: one sync round trip).
func BenchmarkCachedPointSelect(b *testing.B) {
	addr := zkserver.SharedAddr(b)
	chroot := fmt.Sprintf("/cachebench-%d", time.Now().UnixNano())
	setup := openDB(b, "zk://"+addr)
	mustExec(b, setup, "INSERT INTO znodes (path) VALUES (?)", chroot)
	mustExec(b, setup, "INSERT INTO znodes (path, data) VALUES (?, ''), (?, 'fedcba9876543210')", chroot+"/c", chroot+"/c/point")
	for _, c := range []struct{ name, opts string }{
		{"uncached", ""},
		{"uncached+sync", "?sync_reads=true"},
		{"cached", "?cache=/c"},
		{"cached+sync", "?cache=/c&sync_reads=true"},
	} {
		b.Run(c.name, func(b *testing.B) {
			db := openDB(b, "zk://"+addr+chroot+c.opts)
			ctx := context.Background()
			stmt, err := db.PrepareContext(ctx, "SELECT data, version FROM znodes WHERE path = ?")
			if err != nil {
				b.Fatal(err)
			}
			defer stmt.Close()
			var data []byte
			var v int64
			b.ReportAllocs()
			for b.Loop() {
				if err := stmt.QueryRowContext(ctx, "/c/point").Scan(&data, &v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
