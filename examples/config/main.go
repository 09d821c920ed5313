// Command config shows a configuration centre on zksql: an administrator
// upserts a config znode through SQL while subscribers follow it as a
// stream (package watch), each ending on the final value however fast the
// updates come.
//
//	go run ./examples/config
package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log"
	"os"
	"strconv"
	"sync"
	"time"

	_ "github.com/zksql/zksql/driver"
	"github.com/zksql/zksql/watch"
)

func main() {
	if err := run(context.Background(), os.Stdout, "mem:demo?create_parents=true"); err != nil {
		log.Fatal(err)
	}
}

const key = "/config/app/feature-flags"

func run(ctx context.Context, w io.Writer, dsn string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	db, err := sql.Open("zookeeper", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	upsert := func(v string) error {
		_, err := db.ExecContext(ctx,
			"INSERT INTO znodes (path, data) VALUES (?, ?) ON DUPLICATE KEY UPDATE data = VALUES(data)", key, v)
		return err
	}
	if err := upsert("v0"); err != nil {
		return err
	}

	// The subscribers share the session of one database connection.
	src := watch.FromDB(db)
	defer src.Close()
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	const subscribers, updates = 3, 100
	final := "v" + strconv.Itoa(updates)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		seen = map[int]string{}
		subs = map[int]int{}
		up   sync.WaitGroup
	)
	up.Add(subscribers)
	for i := range subscribers {
		ch := watch.Node(sctx, src, key)
		wg.Go(func() {
			first := true
			for ev := range ch {
				if first {
					first = false
					up.Done()
				}
				if ev.Err != nil {
					fmt.Fprintf(w, "subscriber %d: %v\n", i, ev)
					continue
				}
				mu.Lock()
				seen[i], subs[i] = string(ev.Data), subs[i]+1
				mu.Unlock()
				if string(ev.Data) == final {
					return
				}
				time.Sleep(time.Duration(i) * time.Millisecond) // some are slow
			}
		})
	}
	up.Wait()
	for n := 1; n <= updates; n++ {
		if err := upsert("v" + strconv.Itoa(n)); err != nil {
			return err
		}
	}
	wg.Wait()
	for i := range subscribers {
		fmt.Fprintf(w, "subscriber %d: %d events, final value %q\n", i, subs[i], seen[i])
		if seen[i] != final {
			return fmt.Errorf("subscriber %d ended on %q, want %q", i, seen[i], final)
		}
	}
	var data string
	if err := db.QueryRowContext(ctx, "SELECT data FROM znodes WHERE path = ?", key).Scan(&data); err != nil {
		return err
	}
	fmt.Fprintf(w, "%s = %q in ZooKeeper; every subscriber agrees\n", key, data)
	return nil
}
