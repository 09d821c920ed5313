package driver_test

import (
	"database/sql"
	"fmt"
	"log"

	"github.com/zksql/zksql/driver"
)

// A read cache: cache=/config keeps the subtree in memory, current from a
// persistent recursive watch, and a SELECT that reads only it sends
// nothing to ZooKeeper, as EXPLAIN says. The same options are Config
// fields for NewConnector and NewStoreConnector.
func ExampleConfig_cache() {
	cfg, err := driver.ParseDSN("mem:?cache=/config&sync_reads=false")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(cfg.Cache, cfg.StaleReads, cfg.FormatDSN())

	db, err := sql.Open("zookeeper", "mem:?cache=/config")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("INSERT INTO znodes (path, data) VALUES ('/config', ''), ('/config/db', 'db1:5432')"); err != nil {
		log.Fatal(err)
	}
	rows, err := db.Query("EXPLAIN SELECT data FROM znodes WHERE path = '/config/db'")
	if err != nil {
		log.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var step int
		var op string
		if err := rows.Scan(&step, &op); err != nil {
			log.Fatal(err)
		}
		fmt.Println(step, op)
	}
	// The sql.DB sees its own write at once, answered from memory.
	var data string
	if err := db.QueryRow("SELECT data FROM znodes WHERE path = '/config/db'").Scan(&data); err != nil {
		log.Fatal(err)
	}
	fmt.Println(data)
	// Output:
	// [/config] false mem:?cache=/config
	// 1 from the cache (subtree /config): the reads below are answered from memory, none is sent to ZooKeeper
	// 2 getData per path of path = '/config/db' (point reads, 1 path(s))
	// 3 filter in memory: WHERE path = '/config/db'
	// db1:5432
}
