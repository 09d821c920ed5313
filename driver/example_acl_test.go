package driver_test

import (
	"database/sql"
	"fmt"
	"log"
)

// The DSN option default_acl is the ACL of every znode a statement
// creates; the acl column gives one row its own. Either goes in the
// create request itself: aversion 0 shows no setACL came after.
func Example_createWithACL() {
	db, err := sql.Open("zookeeper", "mem:?auth=digest:alice:secret&default_acl=auth::cdrwa,world:anyone:r")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	_, err = db.Exec(`INSERT INTO znodes (path, data, acl) VALUES
		('/config', 'shared', NULL),
		('/public', 'open', 'world:anyone:cdrwa')`)
	if err != nil {
		log.Fatal(err)
	}
	rows, err := db.Query("SELECT a.path, a.scheme, a.perms FROM acls a WHERE a.path IN ('/config', '/public') ORDER BY a.path, a.scheme")
	if err != nil {
		log.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var path, scheme, perms string
		if err := rows.Scan(&path, &scheme, &perms); err != nil {
			log.Fatal(err)
		}
		fmt.Println(path, scheme, perms)
	}
	// Output:
	// /config digest cdrwa
	// /config world r
	// /public world cdrwa
}

// INSERT IGNORE creates what is missing and leaves what exists: an
// idempotent ensure-path. RowsAffected counts what it created.
func Example_insertIgnore() {
	db, _ := sql.Open("zookeeper", "mem:?create_parents=true")
	defer db.Close()
	for i := 0; i < 2; i++ {
		res, err := db.Exec("INSERT IGNORE INTO znodes (path, data) VALUES ('/services/api', ''), ('/services/web', '')")
		if err != nil {
			log.Fatal(err)
		}
		n, _ := res.RowsAffected()
		fmt.Println("created:", n)
	}
	// Output:
	// created: 2
	// created: 0
}
