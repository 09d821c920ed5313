package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"log"

	"github.com/zksql/zksql/driver"
)

// Make a read current: under driver.WithSync the SELECT first syncs the
// session's server with the leader, so it sees every write acknowledged
// anywhere before it began.
func ExampleWithSync() {
	db, err := sql.Open("zookeeper", "mem:")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("INSERT INTO znodes (path, data) VALUES ('/config', 'v1')"); err != nil {
		log.Fatal(err)
	}
	var data string
	ctx := driver.WithSync(context.Background())
	if err := db.QueryRowContext(ctx, "SELECT data FROM znodes WHERE path = '/config'").Scan(&data); err != nil {
		log.Fatal(err)
	}
	fmt.Println(data)
	// Output: v1
}
