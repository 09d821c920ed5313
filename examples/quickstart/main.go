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
	"log"

	"github.com/zksql/zksql/driver"
)

func main() {
	if err := run(context.Background()); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context) error {
	// "mem:" is a private in-memory ZooKeeper; create_parents makes
	// INSERT create missing parent znodes, like mkdir -p.
	db, err := sql.Open("zookeeper", "mem:?create_parents=true")
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
	fmt.Printf("created %d znodes\n", n)

	// Read: SELECT; data scans into a string or []byte.
	var data string
	var version int64
	err = db.QueryRowContext(ctx, "SELECT data, version FROM znodes WHERE path = ?", "/app/config/db").Scan(&data, &version)
	if err != nil {
		return err
	}
	fmt.Printf("read /app/config/db = %q (version %d)\n", data, version)

	// Compare-and-set: `version = ?` makes UPDATE ZooKeeper's conditional
	// setData. A stale version updates nothing: 0 rows affected.
	for _, v := range []int64{version, version} {
		res, err := db.ExecContext(ctx, "UPDATE znodes SET data = ? WHERE path = ? AND version = ?",
			"postgres://db2:5432", "/app/config/db", v)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		fmt.Printf("compare-and-set with version %d: %d row(s) updated\n", v, n)
	}

	// Sequential znodes: ZooKeeper appends a counter; LastInsertId is it.
	// With protect_sequential (the default) the name also carries a
	// unique "_c_<id>-" prefix, so a create interrupted by a connection
	// loss can be resolved.
	for i := 0; i < 3; i++ {
		res, err := db.ExecContext(ctx, "INSERT INTO znodes (path, data, mode) VALUES (?, ?, 'persistent_sequential')",
			"/app/jobs/job-", fmt.Sprintf("job %d", i))
		if err != nil {
			return err
		}
		seq, _ := res.LastInsertId()
		fmt.Printf("queued job %d as sequence number %d\n", i, seq)
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
		fmt.Println("transaction conflicted; retry it")
	case err != nil:
		return err
	default:
		fmt.Println("transaction committed")
	}

	// Children: parent = ? is ZooKeeper's getChildren.
	rows, err := db.QueryContext(ctx, "SELECT name, data, version FROM znodes WHERE parent = ? ORDER BY name", "/app/config")
	if err != nil {
		return err
	}
	defer rows.Close()
	fmt.Println("children of /app/config:")
	for rows.Next() {
		var name, data string
		var version int64
		if err := rows.Scan(&name, &data, &version); err != nil {
			return err
		}
		fmt.Printf("  %-14s %-22q version %d\n", name, data, version)
	}
	if err := rows.Err(); err != nil {
		return err
	}

	var jobs int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM znodes WHERE parent = '/app/jobs'").Scan(&jobs); err != nil {
		return err
	}
	fmt.Printf("%d jobs queued under /app/jobs\n", jobs)
	return nil
}
