package driver_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/zksql/zksql/driver"
)

// TestSyncReadsSyncsEverySelect checks, on both stores, that with
// sync_reads=true every SELECT (point query, prepared, and walk) sends a
// sync before it reads, sees the write another session made just before,
// and that EXPLAIN lists the sync; writes send none of their own.
func TestSyncReadsSyncsEverySelect(t *testing.T) {
	for name, backend := range map[string]recordingBackend{"mem": memRecording, "live": liveRecording} {
		t.Run(name, func(t *testing.T) {
			cfg, err := driver.ParseDSN("mem:?sync_reads=true")
			if err != nil {
				t.Fatal(err)
			}
			plain, rec, db := backend(t, cfg)
			mustExec(t, plain, "INSERT INTO znodes (path, data) VALUES ('/s', 'v1')")
			stmt, err := db.Prepare("SELECT data FROM znodes WHERE path = ?")
			if err != nil {
				t.Fatal(err)
			}
			defer stmt.Close()
			for i, v := range []string{"v2", "v3", "v4"} {
				// The other session writes; this one reads right after.
				mustExec(t, plain, "UPDATE znodes SET data = ? WHERE path = '/s'", v)
				rec.take()
				var got string
				switch i {
				case 0:
					err = db.QueryRow("SELECT data FROM znodes WHERE path = '/s'").Scan(&got)
				case 1:
					err = stmt.QueryRow("/s").Scan(&got)
				case 2:
					err = db.QueryRow("SELECT data FROM znodes WHERE path LIKE '/s%' ORDER BY path").Scan(&got)
				}
				if err != nil {
					t.Fatal(err)
				}
				if got != v {
					t.Fatalf("read %d: data = %q, want %q", i, got, v)
				}
				if kinds := rec.take(); !slices.Contains(kinds, "sync") {
					t.Fatalf("read %d: operations %v: no sync with sync_reads=true", i, kinds)
				}
			}
			rec.take()
			mustExec(t, db, "UPDATE znodes SET data = 'w' WHERE path = '/s'")
			if kinds := rec.take(); slices.Contains(kinds, "sync") {
				t.Fatalf("an UPDATE sent %v: a sync of its own", kinds)
			}
			var step int64
			var op string
			if err := db.QueryRow("EXPLAIN SELECT data FROM znodes WHERE path = '/s'").Scan(&step, &op); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(op, "sync / (sync_reads=true") {
				t.Fatalf("first EXPLAIN step = %q, want the sync", op)
			}
			// WithSync on top names the statement's own request.
			if err := db.QueryRowContext(driver.WithSync(context.Background()), "EXPLAIN SELECT data FROM znodes WHERE path = '/s'").Scan(&step, &op); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(op, "sync / (WithSync") {
				t.Fatalf("first EXPLAIN step under WithSync = %q", op)
			}
		})
	}
}
