package driver_test

import (
	"errors"
	"testing"

	"github.com/zksql/zksql/driver"
	"github.com/zksql/zksql/zkstore"
	"github.com/zksql/zksql/zkstore/memstore"
)

// A sequential create whose reply was lost is resolved through its
// protection prefix: applied means success with the right LastInsertId.
func TestProtectedSequentialResolvesConnectionLoss(t *testing.T) {
	name := "protect-" + t.Name()
	defer driver.DropMemServer(name)
	db := openDB(t, "mem:"+name+"?protect_sequential=true")
	mustExec(t, db, "INSERT INTO znodes (path) VALUES ('/q')")
	srv := driver.MemServer(name)
	srv.InjectFault(memstore.FailOnce("create", "", memstore.FailAfter(zkstore.ErrConnectionLoss)))
	res, err := db.Exec("INSERT INTO znodes (path, mode) VALUES ('/q/j-', 'persistent_sequential')")
	if err != nil {
		t.Fatalf("applied create reported %v", err)
	}
	if id, _ := res.LastInsertId(); id != 0 {
		t.Fatalf("LastInsertId %d", id)
	}
	// Not applied: the error says so and still matches ErrConnectionLoss.
	srv.InjectFault(memstore.FailOnce("create", "", zkstore.ErrConnectionLoss))
	_, err = db.Exec("INSERT INTO znodes (path, mode) VALUES ('/q/j-', 'persistent_sequential')")
	if !errors.Is(err, zkstore.ErrConnectionLoss) {
		t.Fatalf("got %v", err)
	}
	if got := queryRows(t, db, "SELECT COUNT(*) FROM znodes WHERE parent = '/q'"); got[0] != "1" {
		t.Fatalf("got %q", got)
	}
}
