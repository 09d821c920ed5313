package main

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/zksql/zksql/internal/zkserver"
	"github.com/zksql/zksql/zkstore"
	"github.com/zksql/zksql/zkstore/livestore"
	"github.com/zksql/zksql/zkstore/memstore"
)

func TestMem(t *testing.T) {
	srv := memstore.NewServer()
	defer srv.Close()
	var out bytes.Buffer
	if err := run(context.Background(), &out, func(context.Context) (zkstore.Store, error) { return srv.Connect(), nil }); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
}

func TestLive(t *testing.T) {
	srv := zkserver.StartTB(t, zkserver.Options{TickTime: 100 * time.Millisecond})
	var out bytes.Buffer
	open := func(ctx context.Context) (zkstore.Store, error) {
		return livestore.Open(ctx, []string{srv.Addr()}, livestore.SessionTimeout(2*time.Second))
	}
	if err := run(context.Background(), &out, open); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
}
