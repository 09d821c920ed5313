package driver_test

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/zksql/zksql/internal/testkit/zkserver"
)

// The load test runs loadConns connections, each running a mix of
// statements. CI runs a few hundred statements per connection; the full
// size (10,000 each) runs with -zksql.long or ZKSQL_LONG=1:
//
//	go test ./driver -run TestLoad -zksql.long -v
var longFlag = flag.Bool("zksql.long", false, "run the load test at full size (also ZKSQL_LONG=1)")

const loadConns = 64

func long() bool { return *longFlag || os.Getenv("ZKSQL_LONG") == "1" }

func loadStatements(ciCount int) int {
	if long() {
		return 10000
	}
	return ciCount
}

func TestLoadMem(t *testing.T) {
	runLoad(t, "mem:", loadStatements(200))
}

func TestLoadLive(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	addr := zkserver.SharedAddr(t)
	chroot := fmt.Sprintf("/load-%d", time.Now().UnixNano())
	root := openDB(t, "zk://"+addr)
	mustExec(t, root, "INSERT INTO znodes (path) VALUES (?)", chroot)
	runLoad(t, "zk://"+addr+chroot, loadStatements(40))
}

// runLoad runs loadConns connections of n mixed statements each on dsn and
// checks that no statement failed, that each connection's znodes are as
// its statements left them, and that Close leaves no goroutine and no
// heap behind.
func runLoad(t *testing.T, dsn string, n int) {
	heapBefore := heapInUse()
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent(), zkserver.IgnoreShared())

	db, err := sql.Open("zookeeper", dsn)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(loadConns)
	db.SetMaxIdleConns(loadConns)
	ctx := context.Background()
	mustExec(t, db, "INSERT INTO znodes (path, data) VALUES ('/load', ''), ('/load/shared', 'shared')")

	var wg sync.WaitGroup
	errs := make(chan error, loadConns)
	counts := make([]int, loadConns)
	start := time.Now()
	for w := range loadConns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn, err := db.Conn(ctx)
			if err != nil {
				errs <- err
				return
			}
			defer conn.Close()
			counts[w], err = loadWorker(ctx, conn, w, n)
			if err != nil {
				errs <- fmt.Errorf("connection %d: %w", w, err)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	total := 0
	for _, c := range counts {
		total += c
	}
	label := "live"
	if strings.HasPrefix(dsn, "mem:") {
		label = "mem"
	}
	t.Logf("%s: %d connections × %d statements = %d in %v: %.0f statements/s",
		label, loadConns, n, total, elapsed.Round(time.Millisecond), float64(total)/elapsed.Seconds())

	// Each worker leaves exactly its last znodes behind.
	var got int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM znodes WHERE path LIKE '/load/w%'").Scan(&got); err != nil {
		t.Fatal(err)
	}
	if want := loadConns * (1 + loadKeep); got != want {
		t.Errorf("%d znodes under /load after the run, want %d", got, want)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	heapAfter := heapInUse()
	t.Logf("heap in use: %d KiB before open, %d KiB after Close", heapBefore>>10, heapAfter>>10)
	if heapAfter > heapBefore+32<<20 {
		t.Errorf("heap grew by %d KiB across the run", (heapAfter-heapBefore)>>10)
	}
}

// loadKeep is how many znodes each worker keeps at the end.
const loadKeep = 4

// loadWorker runs n statements on its own subtree: creates, point reads,
// compare-and-set updates, listings, counts, deletes of older znodes and a
// small transaction, plus reads of a znode all workers share. Every
// statement must succeed.
func loadWorker(ctx context.Context, conn *sql.Conn, w, n int) (int, error) {
	dir := fmt.Sprintf("/load/w%02d", w)
	if _, err := conn.ExecContext(ctx, "INSERT INTO znodes (path, data) VALUES (?, '')", dir); err != nil {
		return 0, err
	}
	done := 1
	// znodes k(deleted)..k(created-1) exist.
	created, deleted := 0, 0
	key := func(i int) string { return fmt.Sprintf("%s/k%06d", dir, i) }
	for done < n {
		var err error
		switch done % 8 {
		case 0, 4:
			_, err = conn.ExecContext(ctx, "INSERT INTO znodes (path, data) VALUES (?, ?)", key(created), fmt.Sprint("v", created))
			if err == nil {
				created++
			}
		case 1:
			if created == 0 {
				break
			}
			var data string
			err = conn.QueryRowContext(ctx, "SELECT data FROM znodes WHERE path = ?", key(created-1)).Scan(&data)
			if err == nil && data != fmt.Sprint("v", created-1) {
				err = fmt.Errorf("%s holds %q", key(created-1), data)
			}
		case 2:
			if created == 0 {
				break
			}
			var res sql.Result
			res, err = conn.ExecContext(ctx, "UPDATE znodes SET data = ? WHERE path = ? AND version = 0", fmt.Sprint("v", created-1), key(created-1))
			if err == nil {
				if n, _ := res.RowsAffected(); n != 1 {
					err = fmt.Errorf("compare-and-set on %s affected %d rows", key(created-1), n)
				}
			}
		case 3:
			var rows *sql.Rows
			rows, err = conn.QueryContext(ctx, "SELECT path, version FROM znodes WHERE parent = ? ORDER BY name DESC LIMIT 3", dir)
			if err == nil {
				for rows.Next() {
				}
				err = rows.Err()
				rows.Close()
			}
		case 5:
			var c int
			err = conn.QueryRowContext(ctx, "SELECT COUNT(*) FROM znodes WHERE parent = ?", dir).Scan(&c)
			if err == nil && c != created-deleted {
				err = fmt.Errorf("%s has %d children, %d created", dir, c, created)
			}
		case 6:
			if created-deleted > loadKeep {
				_, err = conn.ExecContext(ctx, "DELETE FROM znodes WHERE path = ?", key(deleted))
				deleted++
			}
		case 7:
			var s string
			err = conn.QueryRowContext(ctx, "SELECT data FROM znodes WHERE path = '/load/shared'").Scan(&s)
			if err == nil && s != "shared" {
				err = fmt.Errorf("/load/shared holds %q", s)
			}
		}
		if err != nil {
			return done, fmt.Errorf("statement %d: %w", done, err)
		}
		done++
	}
	// Keep exactly loadKeep znodes.
	if created > loadKeep {
		if _, err := conn.ExecContext(ctx, "DELETE FROM znodes WHERE parent = ? AND path < ?", dir, key(created-loadKeep)); err != nil {
			return done, err
		}
	}
	for created < loadKeep {
		if _, err := conn.ExecContext(ctx, "INSERT INTO znodes (path) VALUES (?)", key(created)); err != nil {
			return done, err
		}
		created++
	}
	return done, nil
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}
