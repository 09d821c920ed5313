package driver_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/zksql/zksql/driver"
	"github.com/zksql/zksql/zkstore"
	"github.com/zksql/zksql/zkstore/memstore"
)

// The in-memory hot path: what parsing, planning and database/sql cost
// per point read when the store costs almost nothing. The live comparison
// with go-zookeeper is `go run ./internal/bench`.

func benchDB(b *testing.B) (*sql.DB, zkstore.Store) {
	b.Helper()
	srv := memstore.NewServer()
	b.Cleanup(srv.Close)
	st := srv.Open()
	b.Cleanup(func() { st.Close() })
	if _, err := st.Create(context.Background(), "/point", []byte("0123456789abcdef"), zkstore.CreateOptions{}); err != nil {
		b.Fatal(err)
	}
	c, err := driver.NewStoreConnector(func(context.Context) (zkstore.Store, error) { return srv.Open(), nil }, nil)
	if err != nil {
		b.Fatal(err)
	}
	db := sql.OpenDB(c)
	b.Cleanup(func() { db.Close() })
	return db, st
}

func BenchmarkPointSelectPrepared(b *testing.B) {
	b.Run("cancellable", func(b *testing.B) { benchPrepared(b, b.Context()) })
	b.Run("background", func(b *testing.B) { benchPrepared(b, context.Background()) })
}

// benchPrepared: with a context that can be cancelled database/sql starts
// a goroutine per Rows (to close them when it ends); with Background it
// does not.
func benchPrepared(b *testing.B, ctx context.Context) {
	db, _ := benchDB(b)
	stmt, err := db.PrepareContext(ctx, "SELECT data, version FROM znodes WHERE path = ?")
	if err != nil {
		b.Fatal(err)
	}
	defer stmt.Close()
	var data []byte
	var v int64
	b.ReportAllocs()
	for b.Loop() {
		if err := stmt.QueryRowContext(ctx, "/point").Scan(&data, &v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPointSelectUnprepared(b *testing.B) {
	db, _ := benchDB(b)
	ctx := b.Context()
	var data []byte
	var v int64
	b.ReportAllocs()
	for b.Loop() {
		if err := db.QueryRowContext(ctx, "SELECT data, version FROM znodes WHERE path = '/point'").Scan(&data, &v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPointUpdate(b *testing.B) {
	db, _ := benchDB(b)
	ctx := b.Context()
	val := []byte("fedcba9876543210")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := db.ExecContext(ctx, "UPDATE znodes SET data = ? WHERE path = ?", val, "/point"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPointGetDirect is the store call alone, for comparison.
func BenchmarkPointGetDirect(b *testing.B) {
	_, st := benchDB(b)
	ctx := b.Context()
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := st.Get(ctx, "/point"); err != nil {
			b.Fatal(err)
		}
	}
}
