package driver_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log"

	"github.com/zksql/zksql/driver"
	"github.com/zksql/zksql/zkstore"
	"github.com/zksql/zksql/zkstore/memstore"
)

// Create znodes with INSERT and read them back with SELECT.
func Example() {
	db, err := sql.Open("zookeeper", "mem:")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	_, err = db.Exec(`INSERT INTO znodes (path, data) VALUES ('/app', 'v1'), ('/app/db', 'postgres')`)
	if err != nil {
		log.Fatal(err)
	}
	rows, err := db.Query("SELECT path, data, version FROM znodes WHERE path LIKE '/app%'")
	if err != nil {
		log.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var path, data string
		var version int
		if err := rows.Scan(&path, &data, &version); err != nil {
			log.Fatal(err)
		}
		fmt.Println(path, data, version)
	}
	// Output:
	// /app v1 0
	// /app/db postgres 0
}

// UPDATE with `version = ?` is ZooKeeper's compare-and-set: a stale
// version changes nothing and affects 0 rows.
func Example_compareAndSet() {
	db, _ := sql.Open("zookeeper", "mem:")
	defer db.Close()
	db.Exec("INSERT INTO znodes (path, data) VALUES ('/counter', '1')")

	for i := 0; i < 2; i++ {
		res, err := db.Exec("UPDATE znodes SET data = '2' WHERE path = '/counter' AND version = ?", 0)
		if err != nil {
			log.Fatal(err)
		}
		n, _ := res.RowsAffected()
		fmt.Println("rows affected:", n)
	}
	// Output:
	// rows affected: 1
	// rows affected: 0
}

// Sequential znodes get a counter appended; LastInsertId returns it.
func Example_sequential() {
	db, _ := sql.Open("zookeeper", "mem:")
	defer db.Close()
	db.Exec("INSERT INTO znodes (path) VALUES ('/queue')")

	for i := 0; i < 2; i++ {
		res, err := db.Exec("INSERT INTO znodes (path, mode) VALUES ('/queue/item-', 'persistent_sequential')")
		if err != nil {
			log.Fatal(err)
		}
		id, _ := res.LastInsertId()
		fmt.Println("sequence", id)
	}
	var name string
	db.QueryRow("SELECT name FROM znodes WHERE parent = '/queue' ORDER BY name DESC LIMIT 1").Scan(&name)
	fmt.Println(name)
	// Output:
	// sequence 0
	// sequence 1
	// item-0000000001
}

// `parent = ?` lists a znode's children; COUNT(*) reads only the parent.
func Example_children() {
	db, _ := sql.Open("zookeeper", "mem:?create_parents=true")
	defer db.Close()
	db.Exec("INSERT INTO znodes (path) VALUES ('/svc/b'), ('/svc/a'), ('/svc/c')")

	var names []string
	rows, _ := db.Query("SELECT name FROM znodes WHERE parent = ?", "/svc")
	for rows.Next() {
		var n string
		rows.Scan(&n)
		names = append(names, n)
	}
	rows.Close()
	var count int
	db.QueryRow("SELECT COUNT(*) FROM znodes WHERE parent = ?", "/svc").Scan(&count)
	fmt.Println(names, count)
	// Output: [a b c] 3
}

// DELETE removes the matched znodes deepest first, in one multi.
func Example_delete() {
	db, _ := sql.Open("zookeeper", "mem:?create_parents=true")
	defer db.Close()
	db.Exec("INSERT INTO znodes (path) VALUES ('/tmp/a/b'), ('/tmp/c')")

	res, err := db.Exec("DELETE FROM znodes WHERE path = '/tmp' OR path LIKE '/tmp/%'")
	if err != nil {
		log.Fatal(err)
	}
	n, _ := res.RowsAffected()
	fmt.Println("deleted", n)

	_, err = db.Exec("INSERT INTO znodes (path) VALUES ('/x'), ('/x/y')")
	if err != nil {
		log.Fatal(err)
	}
	_, err = db.Exec("DELETE FROM znodes WHERE path = '/x'")
	fmt.Println(errors.Is(err, zkstore.ErrNotEmpty))
	// Output:
	// deleted 4
	// true
}

// INSERT ... ON DUPLICATE KEY UPDATE creates a znode or sets its data.
func Example_upsert() {
	db, _ := sql.Open("zookeeper", "mem:")
	defer db.Close()
	for _, v := range []string{"a", "b"} {
		db.Exec("INSERT INTO znodes (path, data) VALUES ('/k', ?) ON DUPLICATE KEY UPDATE data = VALUES(data)", v)
	}
	var data string
	var version int
	db.QueryRow("SELECT data, version FROM znodes WHERE path = '/k'").Scan(&data, &version)
	fmt.Println(data, version)
	// Output: b 1
}

// A transaction reads and buffers writes; Commit applies them in one
// multi that also checks every znode read. A concurrent change makes
// Commit fail with ErrTxConflict and apply nothing.
func Example_transaction() {
	db, _ := sql.Open("zookeeper", "mem:")
	defer db.Close()
	db.Exec("INSERT INTO znodes (path, data) VALUES ('/balance', '10')")

	tx, _ := db.Begin()
	var balance int
	tx.QueryRow("SELECT CAST(data AS SIGNED) FROM znodes WHERE path = '/balance'").Scan(&balance)
	tx.Exec("UPDATE znodes SET data = ? WHERE path = '/balance'", fmt.Sprint(balance+5))

	// Another client changes the balance before the commit.
	db.Exec("UPDATE znodes SET data = '100' WHERE path = '/balance'")

	err := tx.Commit()
	fmt.Println(errors.Is(err, driver.ErrTxConflict), errors.Is(err, zkstore.ErrBadVersion))
	var data string
	db.QueryRow("SELECT data FROM znodes WHERE path = '/balance'").Scan(&data)
	fmt.Println(data)
	// Output:
	// true true
	// 100
}

// The acls table shows and changes ACL entries.
func Example_acls() {
	db, _ := sql.Open("zookeeper", "mem:")
	defer db.Close()
	db.Exec("INSERT INTO znodes (path) VALUES ('/secure')")
	db.Exec("INSERT INTO acls (path, scheme, id, perms) VALUES ('/secure', 'digest', ?, 'cdrwa')",
		zkstore.DigestID("admin", "secret"))
	// Changing an ACL needs ADMIN: world keeps it until this last change.
	db.Exec("UPDATE acls SET perms = 'r' WHERE path = '/secure' AND scheme = 'world'")

	rows, _ := db.Query("SELECT scheme, perms FROM acls WHERE path = '/secure'")
	defer rows.Close()
	for rows.Next() {
		var scheme, perms string
		rows.Scan(&scheme, &perms)
		fmt.Println(scheme, perms)
	}
	// Output:
	// world r
	// digest cdrwa
}

// EXPLAIN shows the ZooKeeper operations a statement makes.
func Example_explain() {
	db, _ := sql.Open("zookeeper", "mem:")
	defer db.Close()
	rows, _ := db.Query("EXPLAIN SELECT name, data FROM znodes WHERE parent = ? AND data != '' LIMIT 10")
	defer rows.Close()
	for rows.Next() {
		var step int
		var op string
		rows.Scan(&step, &op)
		fmt.Println(step, op)
	}
	// Output:
	// 1 getChildren ? (child listing)
	// 2 getData per child
	// 3 filter in memory: WHERE parent = ? AND data != ''
	// 4 limit 10 (stops the scan early)
}

// SHOW TABLES and DESCRIBE show the schema.
func Example_showTables() {
	db, _ := sql.Open("zookeeper", "mem:")
	defer db.Close()
	rows, _ := db.Query("SHOW TABLES")
	for rows.Next() {
		var t string
		rows.Scan(&t)
		fmt.Println(t)
	}
	rows.Close()
	var field, typ, null, key, extra string
	var dflt sql.NullString
	db.QueryRow("DESCRIBE znodes").Scan(&field, &typ, &null, &key, &dflt, &extra)
	fmt.Println(field, typ, null, key, extra)
	// Output:
	// acls
	// connections
	// ensemble_config
	// ephemerals
	// servers
	// session
	// watches
	// znodes
	// path TEXT NO PRI required
}

// NewStoreConnector runs zksql over any zkstore.Store; sql.Conn.Raw gives
// the session back.
func ExampleNewStoreConnector() {
	srv := memstore.NewServer()
	defer srv.Close()
	c, err := driver.NewStoreConnector(func(ctx context.Context) (zkstore.Store, error) {
		return srv.Open(), nil
	}, nil)
	if err != nil {
		log.Fatal(err)
	}
	db := sql.OpenDB(c)
	defer db.Close()
	db.Exec("INSERT INTO znodes (path, data) VALUES ('/hello', 'world')")

	ctx := context.Background()
	conn, _ := db.Conn(ctx)
	defer conn.Close()
	conn.Raw(func(dc any) error {
		st := dc.(interface{ Store() zkstore.Store }).Store()
		data, _, err := st.Get(ctx, "/hello")
		fmt.Println(string(data), err)
		return nil
	})
	// Output: world <nil>
}

// NewConnector takes a Config instead of a DSN string.
func ExampleNewConnector() {
	cfg := driver.NewConfig()
	cfg.Mem = true
	cfg.CreateParents = true
	c, err := driver.NewConnector(cfg)
	if err != nil {
		log.Fatal(err)
	}
	db := sql.OpenDB(c)
	defer db.Close()
	res, _ := db.Exec("INSERT INTO znodes (path) VALUES ('/a/b/c')")
	n, _ := res.RowsAffected()
	fmt.Println(n)
	// Output: 1
}
