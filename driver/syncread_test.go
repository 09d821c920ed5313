package driver_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/zksql/zksql/driver"
)

// TestWithSyncSyncsBeforeTheRead checks, on both stores, that a SELECT
// under driver.WithSync sends a sync and still reads the right row, and
// that one without it sends none.
func TestWithSyncSyncsBeforeTheRead(t *testing.T) {
	for name, backend := range map[string]recordingBackend{"mem": memRecording, "live": liveRecording} {
		t.Run(name, func(t *testing.T) {
			cfg, err := driver.ParseDSN("mem:")
			if err != nil {
				t.Fatal(err)
			}
			plain, rec, db := backend(t, cfg)
			mustExec(t, plain, "INSERT INTO znodes (path, data) VALUES ('/s', 'v1')")
			// The second session writes; the first reads right after.
			mustExec(t, db, "UPDATE znodes SET data = 'v2' WHERE path = '/s'")
			rec.take()
			var got string
			if err := db.QueryRowContext(driver.WithSync(context.Background()), "SELECT data FROM znodes WHERE path = '/s'").Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != "v2" {
				t.Fatalf("data = %q, want v2", got)
			}
			if kinds := rec.take(); !slices.Contains(kinds, "sync") {
				t.Fatalf("operations %v: no sync under WithSync", kinds)
			}
			mustExec(t, plain, "UPDATE znodes SET data = 'v3' WHERE path = '/s'")
			if err := db.QueryRowContext(driver.WithSync(context.Background()), "SELECT data FROM znodes WHERE path = '/s'").Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != "v3" {
				t.Fatalf("after the other session's write: data = %q, want v3", got)
			}
			rec.take()
			if err := db.QueryRow("SELECT data FROM znodes WHERE path = '/s'").Scan(&got); err != nil {
				t.Fatal(err)
			}
			if kinds := rec.take(); slices.Contains(kinds, "sync") {
				t.Fatalf("operations %v: a sync without WithSync", kinds)
			}
		})
	}
}

// TestExplainWithSyncListsTheSync checks EXPLAIN under WithSync names the
// sync as its first step, and does not without it.
func TestExplainWithSyncListsTheSync(t *testing.T) {
	db := openDB(t, "mem:")
	first := func(ctx context.Context) string {
		var step int64
		var op string
		if err := db.QueryRowContext(ctx, "EXPLAIN SELECT data FROM znodes WHERE path = '/s'").Scan(&step, &op); err != nil {
			t.Fatal(err)
		}
		return op
	}
	if op := first(driver.WithSync(context.Background())); !strings.HasPrefix(op, "sync /") {
		t.Fatalf("first step under WithSync = %q, want a sync", op)
	}
	if op := first(context.Background()); strings.HasPrefix(op, "sync") {
		t.Fatalf("first step without WithSync = %q", op)
	}
}
