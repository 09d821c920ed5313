// Command quickstart shows zksql on the embedded in-memory ZooKeeper: no
// server is needed.
//
//	go run ./examples/quickstart
//
// Point it at a real ensemble by changing the DSN to, for example,
// "zk://127.0.0.1:2181/quickstart?create_parents=true".
package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log"
	"os"

	"github.com/zksql/zksql/driver"
)

func main() {
	// "mem:" is a private in-memory ZooKeeper; create_parents makes
	// INSERT create missing parent znodes, like mkdir -p.
	if err := run(context.Background(), os.Stdout, "mem:?create_parents=true"); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, w io.Writer, dsn string) error {
	db, err := sql.Open("zookeeper", dsn)
	if err != nil {
		return err
	}
	defer db.Close()

	// Create: INSERT makes znodes; several rows go in one atomic multi.
	res, err := db.ExecContext(ctx, `INSERT INTO znodes (path, data) VALUES
		('/app/config/db', 'postgres://db:5432'),
		('/app/config/cache', 'redis://cache:6379')`)
	if err != nil {
		return err
	}
	n, _ := res.RowsAffected()
	fmt.Fprintf(w, "created %d znodes\n", n)

	// Read: SELECT; data scans into a string or []byte.
	var data string
	var version int64
	err = db.QueryRowContext(ctx, "SELECT data, version FROM znodes WHERE path = ?", "/app/config/db").Scan(&data, &version)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "read /app/config/db = %q (version %d)\n", data, version)

	// Compare-and-set: `version = ?` makes UPDATE ZooKeeper's conditional
	// setData. A stale version updates nothing: 0 rows affected. The
	// second try below uses the version read before the first one
	// changed the znode.
	for i, value := range []string{"postgres://db2:5432", "postgres://db3:5432"} {
		res, err := db.ExecContext(ctx, "UPDATE znodes SET data = ? WHERE path = ? AND version = ?",
			value, "/app/config/db", version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			fmt.Fprintf(w, "compare-and-set %d with version %d: updated, data is now %q (version %d)\n", i+1, version, value, version+1)
		} else {
			var now int64
			if err := db.QueryRowContext(ctx, "SELECT version FROM znodes WHERE path = ?", "/app/config/db").Scan(&now); err != nil {
				return err
			}
			fmt.Fprintf(w, "compare-and-set %d with version %d: stale (the znode is at version %d now), so nothing changed\n", i+1, version, now)
		}
	}

	// Sequential znodes: ZooKeeper appends a counter; LastInsertId is it.
	// With protect_sequential=true in the DSN (off by default) the name
	// also carries a unique "_c_<id>-" prefix, so a create interrupted by
	// a connection loss can be resolved.
	for i := 0; i < 3; i++ {
		res, err := db.ExecContext(ctx, "INSERT INTO znodes (path, data, mode) VALUES (?, ?, 'persistent_sequential')",
			"/app/jobs/job-", fmt.Sprintf("job %d", i))
		if err != nil {
			return err
		}
		seq, _ := res.LastInsertId()
		fmt.Fprintf(w, "queued job %d as sequence number %d\n", i, seq)
	}

	// A transaction: reads are checked and writes applied in one multi
	// at commit; if anything read changed meanwhile, nothing is applied.
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	var cache string
	if err := tx.QueryRowContext(ctx, "SELECT data FROM znodes WHERE path = '/app/config/cache'").Scan(&cache); err != nil {
		tx.Rollback()
		return err
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO znodes (path, data) VALUES ('/app/config/cache_backup', ?)", cache); err != nil {
		tx.Rollback()
		return err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE znodes SET data = 'redis://cache2:6379' WHERE path = '/app/config/cache'"); err != nil {
		tx.Rollback()
		return err
	}
	switch err := tx.Commit(); {
	case errors.Is(err, driver.ErrTxConflict):
		fmt.Fprintln(w, "transaction conflicted (the cache changed after it was read): nothing applied; retry it")
	case err != nil:
		return err
	default:
		fmt.Fprintf(w, "transaction committed in one multi: copied %q to /app/config/cache_backup and set /app/config/cache to %q\n",
			cache, "redis://cache2:6379")
	}

	// Children: parent = ? is ZooKeeper's getChildren.
	rows, err := db.QueryContext(ctx, "SELECT name, data, version FROM znodes WHERE parent = ? ORDER BY name", "/app/config")
	if err != nil {
		return err
	}
	defer rows.Close()
	fmt.Fprintln(w, "children of /app/config:")
	for rows.Next() {
		var name, data string
		var version int64
		if err := rows.Scan(&name, &data, &version); err != nil {
			return err
		}
		fmt.Fprintf(w, "  %-14s %-22q version %d\n", name, data, version)
	}
	if err := rows.Err(); err != nil {
		return err
	}

	var jobs int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM znodes WHERE parent = '/app/jobs'").Scan(&jobs); err != nil {
		return err
	}
	fmt.Fprintf(w, "%d jobs queued under /app/jobs\n", jobs)
	return nil
}
