package driver_test

import (
	"database/sql"
	"fmt"

	_ "github.com/zksql/zksql/driver"
)

// The system tables show the ensemble: here the in-memory server, which
// answers them from its own state. On a live ensemble servers has one row
// per member, read from its AdminServer or its four-letter words.
func Example_systemTables() {
	db, _ := sql.Open("zookeeper", "mem:")
	defer db.Close()
	db.Exec("INSERT INTO znodes (path, mode) VALUES ('/lock', 'ephemeral')")

	var host, role string
	var reachable, znodes int64
	db.QueryRow("SELECT host, role, reachable, znode_count FROM servers").Scan(&host, &role, &reachable, &znodes)
	fmt.Println(host, role, reachable, znodes)

	// Who holds /lock? Our own session.
	var owner, ours int64
	db.QueryRow("SELECT session_id FROM ephemerals WHERE path = '/lock'").Scan(&owner)
	db.QueryRow("SELECT session_id FROM session").Scan(&ours)
	fmt.Println(owner == ours)
	// Output:
	// memstore standalone 1 6
	// true
}
