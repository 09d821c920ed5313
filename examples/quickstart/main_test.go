package main

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/zksql/zksql/internal/testkit/exampletest"
)

// The output README's first command prints, word for word.
const want = `created 2 znodes
read /app/config/db = "postgres://db:5432" (version 0)
compare-and-set 1 with version 0: updated, data is now "postgres://db2:5432" (version 1)
compare-and-set 2 with version 0: stale (the znode is at version 1 now), so nothing changed
queued job 0 as sequence number 0
queued job 1 as sequence number 1
queued job 2 as sequence number 2
transaction committed in one multi: copied "redis://cache:6379" to /app/config/cache_backup and set /app/config/cache to "redis://cache2:6379"
children of /app/config:
  cache          "redis://cache2:6379"  version 1
  cache_backup   "redis://cache:6379"   version 0
  db             "postgres://db2:5432"  version 1
3 jobs queued under /app/jobs
`

func check(t *testing.T, dsn string) {
	t.Helper()
	var out bytes.Buffer
	if err := run(context.Background(), &out, dsn); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if out.String() != want {
		t.Fatalf("output:\n%s\nwant:\n%s", out.String(), want)
	}
}

// As `go run ./examples/quickstart` runs it.
func TestMem(t *testing.T) { check(t, "mem:?create_parents=true") }

// The same on a real ZooKeeper, as its doc comment suggests.
func TestLive(t *testing.T) {
	srv := exampletest.LiveServer(t)
	check(t, fmt.Sprintf("zk://%s?create_parents=true&session_timeout=%dms", srv.Addr(), (4*time.Second).Milliseconds()))
}
