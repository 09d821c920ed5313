package driver_test

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zksql/zksql/driver"
)

var cacheOps = flag.Int("zksql.cache.ops", 0, "operations the read cache consistency test runs on each store (0: 400 on mem:, 200 live)")

// TestCacheConsistency interleaves writes through a cached sql.DB and
// through other sessions with reads through the cached sql.DB, on both
// stores, and checks every read against the cache's contract:
//   - own writes: znodes only the cached sql.DB writes (data of /c/m*,
//     children of /c/d) read exactly as it last wrote them, inside and
//     outside transactions;
//   - never backwards, never ahead: a znode one other session writes with
//     increasing numbers reads a number no lower than the last read and no
//     higher than the last write sent (a writer running concurrently, and
//     writes made between the reads);
//   - current when asked: a read under WithSync sees every write
//     acknowledged before it began;
//   - visible once the event arrives: polled with a deadline;
//   - transactions: a commit fails with ErrTxConflict when what it read is
//     older than the server's at commit (another session changed it during
//     the transaction, or before it and the event had not arrived), and
//     succeeds otherwise.
//
// -zksql.cache.ops=N runs N operations per store (thousands for a long
// run); the seed is logged.
func TestCacheConsistency(t *testing.T) {
	cacheTrees(t, func(t *testing.T, tr cacheTree) {
		n := *cacheOps
		if n == 0 {
			n = 400
			if strings.HasSuffix(t.Name(), "/live") {
				n = 200
			}
		}
		seed := uint64(time.Now().UnixNano())
		t.Logf("%d operations, seed %d", n, seed)
		runCacheConsistency(t, tr, n, rand.New(rand.NewPCG(seed, seed>>1)))
	})
}

// otherPath is a znode another session writes with increasing numbers.
type otherPath struct {
	path       string
	sent       atomic.Int64 // the highest number whose write was sent
	acked      atomic.Int64 // the highest number whose write returned
	lastRead   int64        // the highest number the cached sql.DB read
	readMu     sync.Mutex   // guards lastRead
	concurrent bool         // written by the background writer
}

func runCacheConsistency(t *testing.T, tr cacheTree, n int, rng *rand.Rand) {
	ctx := context.Background()
	other := tr.open(t, "")
	mustExec(t, other, "INSERT INTO znodes (path, data) VALUES ('/c', ''), ('/c/d', '')")
	own := map[string]string{}
	for i := range 3 {
		p := fmt.Sprintf("/c/m%d", i)
		mustExec(t, other, "INSERT INTO znodes (path, data) VALUES (?, '')", p)
		own[p] = ""
	}
	var others []*otherPath
	for i := range 4 {
		o := &otherPath{path: fmt.Sprintf("/c/o%d", i), concurrent: i >= 2}
		mustExec(t, other, "INSERT INTO znodes (path, data) VALUES (?, '0')", o.path)
		others = append(others, o)
	}
	db := tr.open(t, "cache=/c")
	writer := tr.open(t, "") // the concurrent writer's own session
	cs := cacheOf(t, db)
	children := map[string]bool{} // the children of /c/d, written only by db

	// The background writer changes /c/o2 and /c/o3 until the run ends.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			o := others[2+i%2]
			v := o.sent.Add(1)
			if _, err := writer.ExecContext(ctx, "UPDATE znodes SET data = ? WHERE path = ?", strconv.FormatInt(v, 10), o.path); err != nil {
				t.Errorf("background write: %v", err)
				return
			}
			o.acked.Store(v)
			time.Sleep(time.Millisecond)
		}
	}()
	defer func() {
		close(stop)
		wg.Wait()
	}()

	// checkOther checks a number read from o: no lower than the last
	// read, no higher than the last sent, and at least atLeast.
	checkOther := func(o *otherPath, data string, atLeast int64, how string) int64 {
		t.Helper()
		v, err := strconv.ParseInt(data, 10, 64)
		if err != nil {
			t.Fatalf("%s %s: data %q", how, o.path, data)
		}
		o.readMu.Lock()
		defer o.readMu.Unlock()
		switch {
		case v < o.lastRead:
			t.Fatalf("%s %s went backwards: %d after %d", how, o.path, v, o.lastRead)
		case v > o.sent.Load():
			t.Fatalf("%s %s read %d, never written (last sent %d)", how, o.path, v, o.sent.Load())
		case v < atLeast:
			t.Fatalf("%s %s read %d, older than %d acknowledged before it began", how, o.path, v, atLeast)
		}
		o.lastRead = v
		return v
	}
	checkOwn := func(q interface {
		QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	}, how string) {
		t.Helper()
		for p, want := range own {
			got, err := tryQuery(q, "SELECT data FROM znodes WHERE path = ?", p)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0] != want {
				t.Fatalf("%s: %s reads %q, its own last write was %q", how, p, got, want)
			}
		}
		var want []string
		for c := range children {
			want = append(want, "/c/d/"+c)
		}
		slices.Sort(want)
		got, err := tryQuery(q, "SELECT path FROM znodes WHERE parent = '/c/d' ORDER BY path")
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("%s: children of /c/d %q, its own writes left %q", how, got, want)
		}
	}
	ownWrites, otherWrites, reads, synced, polls, txs, conflicts := 0, 0, 0, 0, 0, 0, 0
	for i := range n {
		switch k := rng.IntN(100); {
		case k < 20: // own write of data
			p := fmt.Sprintf("/c/m%d", rng.IntN(3))
			v := fmt.Sprintf("own-%d", i)
			mustExec(t, db, "UPDATE znodes SET data = ? WHERE path = ?", v, p)
			own[p] = v
			ownWrites++
			checkOwn(db, "after an own write")
		case k < 28: // own creation or deletion
			c := fmt.Sprintf("n%d", rng.IntN(6))
			if children[c] {
				mustExec(t, db, "DELETE FROM znodes WHERE path = ?", "/c/d/"+c)
				delete(children, c)
			} else {
				mustExec(t, db, "INSERT INTO znodes (path) VALUES (?)", "/c/d/"+c)
				children[c] = true
			}
			ownWrites++
			checkOwn(db, "after an own creation or deletion")
		case k < 45: // another session's write
			o := others[rng.IntN(2)]
			v := o.sent.Add(1)
			mustExec(t, other, "UPDATE znodes SET data = ? WHERE path = ?", strconv.FormatInt(v, 10), o.path)
			o.acked.Store(v)
			otherWrites++
		case k < 70: // a read, point or walk
			if rng.IntN(2) == 0 {
				o := others[rng.IntN(len(others))]
				got := queryRows(t, db, "SELECT data FROM znodes WHERE path = ?", o.path)
				checkOther(o, got[0], 0, "read")
			} else {
				for _, row := range queryRows(t, db, "SELECT path, data FROM znodes WHERE path LIKE '/c/o%' ORDER BY path") {
					p, data, _ := strings.Cut(row, "|")
					checkOther(others[p[len(p)-1]-'0'], data, 0, "walk read")
				}
			}
			checkOwn(db, "own znodes")
			reads++
		case k < 80: // a read made current
			o := others[rng.IntN(len(others))]
			atLeast := o.acked.Load()
			var data string
			if err := db.QueryRowContext(driver.WithSync(ctx), "SELECT data FROM znodes WHERE path = ?", o.path).Scan(&data); err != nil {
				t.Fatal(err)
			}
			checkOther(o, data, atLeast, "synced read")
			synced++
		case k < 85: // the event arrives
			o := others[rng.IntN(2)]
			want := o.acked.Load()
			waitUntil(t, 20*time.Second, "another session's write reaches the cache", func() bool {
				got := queryRows(t, db, "SELECT data FROM znodes WHERE path = ?", o.path)
				checkOther(o, got[0], 0, "polled read")
				v, _ := strconv.ParseInt(got[0], 10, 64)
				return v >= want
			})
			polls++
		default: // a transaction: read an own and another's znode, write an own one
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			checkOwn(tx, "in a transaction")
			o := others[rng.IntN(2)]
			got := queryRows(t, tx, "SELECT data FROM znodes WHERE path = ?", o.path)
			read := checkOther(o, got[0], 0, "transaction read")
			changed := rng.IntN(3) == 0
			if changed { // another session changes what the transaction read
				v := o.sent.Add(1)
				mustExec(t, other, "UPDATE znodes SET data = ? WHERE path = ?", strconv.FormatInt(v, 10), o.path)
				o.acked.Store(v)
			}
			p := fmt.Sprintf("/c/m%d", rng.IntN(3))
			v := fmt.Sprintf("tx-%d", i)
			mustExec(t, tx, "UPDATE znodes SET data = ? WHERE path = ?", v, p)
			err = tx.Commit()
			// The transaction read a version older than the server's if
			// another session changed it meanwhile, or had changed it
			// before the transaction began and the event had not arrived
			// yet (the cache may lag): either way the commit must fail.
			stale := read < o.acked.Load()
			switch {
			case err == nil && stale:
				t.Fatalf("commit succeeded though %s changed after the transaction read it (read %d, now %d; changed during the transaction: %v)", o.path, read, o.acked.Load(), changed)
			case err == nil:
				own[p] = v
			case errors.Is(err, driver.ErrTxConflict) && stale:
				conflicts++
			default:
				t.Fatalf("commit: %v", err)
			}
			txs++
			checkOwn(db, "after a transaction")
		}
	}
	close(stop)
	wg.Wait()
	stop = make(chan struct{}) // for the deferred close
	// Every write has been acknowledged: the cache converges on them.
	for _, o := range others {
		want := o.acked.Load()
		waitUntil(t, 20*time.Second, "the last writes reach the cache", func() bool {
			got := queryRows(t, db, "SELECT data FROM znodes WHERE path = ?", o.path)
			checkOther(o, got[0], 0, "final read")
			v, _ := strconv.ParseInt(got[0], 10, 64)
			return v == want
		})
	}
	st := cs.Stats()
	t.Logf("own writes %d, other session's writes %d (+%d concurrent), reads %d, synced reads %d, polls %d, transactions %d (%d conflicts); cache: %d hits, %d misses, %d re-reads",
		ownWrites, otherWrites, others[2].acked.Load()+others[3].acked.Load(), reads, synced, polls, txs, conflicts, st.Hits, st.Misses, st.Rereads)
	if st.Hits == 0 {
		t.Fatal("no read was answered from the cache")
	}
}
