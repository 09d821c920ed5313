package driver_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/zksql/zksql/driver"
	"github.com/zksql/zksql/internal/testkit/zkserver"
	"github.com/zksql/zksql/zkstore"
	"github.com/zksql/zksql/zkstore/memstore"
)

// upsertRacers × upsertIncrements counter increments race over
// upsertSessions sessions (sql.DBs), as in issue 12's report.
const (
	upsertRacers     = 8
	upsertIncrements = 10
	upsertSessions   = 4
)

// checkUpsertRace increments one counter znode from many goroutines with
// INSERT ... ON DUPLICATE KEY UPDATE: every statement succeeds (conflicts
// with the other writers are retried) and no increment is lost.
func checkUpsertRace(t *testing.T, dbs []*sql.DB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, upsertRacers*upsertIncrements)
	for g := range upsertRacers {
		db := dbs[g%len(dbs)]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range upsertIncrements {
				_, err := db.ExecContext(ctx, "INSERT INTO znodes (path, data) VALUES ('/counter', '1') ON DUPLICATE KEY UPDATE data = data + 1")
				if err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("upsert failed: %v (matches ErrConflict: %v)", err, errors.Is(err, driver.ErrConflict))
	}
	var data string
	if err := dbs[0].QueryRowContext(ctx, "SELECT data FROM znodes WHERE path = '/counter'").Scan(&data); err != nil {
		t.Fatal(err)
	}
	if n, err := strconv.Atoi(data); err != nil || n != upsertRacers*upsertIncrements {
		t.Fatalf("counter = %q, want %d", data, upsertRacers*upsertIncrements)
	}
}

func TestUpsertRaceMem(t *testing.T) {
	name := "upsert-" + t.Name()
	defer driver.DropMemServer(name)
	var dbs []*sql.DB
	for range upsertSessions {
		dbs = append(dbs, openDB(t, "mem:"+name))
	}
	checkUpsertRace(t, dbs)
}

func TestUpsertRaceLive(t *testing.T) {
	if testing.Short() {
		t.Skip("live ZooKeeper test skipped in -short mode")
	}
	addr := zkserver.SharedAddr(t)
	chroot := fmt.Sprintf("/upsert-%d", time.Now().UnixNano()) // a fresh one per run (-count)
	mustExec(t, openDB(t, "zk://"+addr), "INSERT INTO znodes (path) VALUES (?)", chroot)
	var dbs []*sql.DB
	for range upsertSessions {
		dbs = append(dbs, openDB(t, "zk://"+addr+chroot))
	}
	checkUpsertRace(t, dbs)
}

// alwaysChanging is a store on which another client sets /hot between
// every read the statement makes and its write, so an upsert of /hot
// conflicts every time.
type alwaysChanging struct {
	zkstore.Store
	other zkstore.Store
}

func (s *alwaysChanging) Multi(ctx context.Context, ops ...zkstore.Op) ([]zkstore.OpResult, error) {
	s.other.Set(ctx, "/hot", []byte("theirs"), zkstore.AnyVersion)
	return s.Store.Multi(ctx, ops...)
}

func (s *alwaysChanging) Set(ctx context.Context, path string, data []byte, version int32) (zkstore.Stat, error) {
	s.other.Set(ctx, "/hot", []byte("theirs"), zkstore.AnyVersion)
	return s.Store.Set(ctx, path, data, version)
}

// TestUpsertFinalConflict: an upsert that conflicts until its context ends
// fails with an error matching ErrConflict (and the store's
// ErrBadVersion), having changed nothing itself; one whose missing parent
// no retry can bring back is not retried and is no conflict.
func TestUpsertFinalConflict(t *testing.T) {
	srv := memstore.NewServer()
	defer srv.Close()
	other := srv.Open()
	defer other.Close()
	if _, err := other.Create(context.Background(), "/hot", []byte("0"), zkstore.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	c, _ := driver.NewStoreConnector(func(ctx context.Context) (zkstore.Store, error) {
		return &alwaysChanging{Store: srv.Open(), other: other}, nil
	}, nil)
	db := sql.OpenDB(c)
	defer db.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := db.ExecContext(ctx, "INSERT INTO znodes (path, data) VALUES ('/hot', 'mine') ON DUPLICATE KEY UPDATE data = 'mine'")
	if !errors.Is(err, driver.ErrConflict) || !errors.Is(err, zkstore.ErrBadVersion) {
		t.Fatalf("err = %v, want ErrConflict and ErrBadVersion", err)
	}
	if data, _, _ := other.Get(context.Background(), "/hot"); string(data) != "theirs" {
		t.Fatalf("/hot = %q", data)
	}

	start := time.Now()
	_, err = db.ExecContext(context.Background(), "INSERT INTO znodes (path, data) VALUES ('/missing/child', 'x') ON DUPLICATE KEY UPDATE data = 'x'")
	if !errors.Is(err, zkstore.ErrNoNode) || errors.Is(err, driver.ErrConflict) {
		t.Fatalf("err = %v, want ErrNoNode and no ErrConflict", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("a missing parent took %v: it was retried", d)
	}
}
