package driver_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"

	"github.com/zksql/zksql/driver"
	"github.com/zksql/zksql/internal/panics"
	"github.com/zksql/zksql/zkstore"
	"github.com/zksql/zksql/zkstore/memstore"
)

// panickyStore panics on Get, as a bug below the driver would.
type panickyStore struct{ zkstore.Store }

func (panickyStore) Get(context.Context, string) ([]byte, zkstore.Stat, error) {
	panic("store bug")
}

// TestRecoveredPanicKeepsStack: a panic under a statement fails the
// statement, not the process, with an error that matches
// panics.ErrInternal and keeps the stack of the panic.
func TestRecoveredPanicKeepsStack(t *testing.T) {
	srv := memstore.NewServer()
	defer srv.Close()
	c, _ := driver.NewStoreConnector(func(context.Context) (zkstore.Store, error) {
		return panickyStore{srv.Open()}, nil
	}, nil)
	db := sql.OpenDB(c)
	defer db.Close()
	if _, err := db.Exec("INSERT INTO znodes (path, data) VALUES ('/a', 'x')"); err != nil {
		t.Fatal(err)
	}
	var data string
	err := db.QueryRow("SELECT data FROM znodes WHERE path = '/a'").Scan(&data)
	var ie *driver.InternalError
	if !errors.As(err, &ie) || !errors.Is(err, panics.ErrInternal) {
		t.Fatalf("err = %v, want a *driver.InternalError", err)
	}
	panics.Forget(ie) // deliberate: TestMain fails the run on any other
	if !strings.Contains(string(ie.Stack), "panickyStore.Get") {
		t.Errorf("the stack does not show where it panicked:\n%s", ie.Stack)
	}
	if !strings.Contains(err.Error(), "store bug") {
		t.Errorf("message %q does not name the panic", err)
	}
	// The connection still works.
	if _, err := db.Exec("INSERT INTO znodes (path) VALUES ('/b')"); err != nil {
		t.Fatalf("after the panic: %v", err)
	}
}
