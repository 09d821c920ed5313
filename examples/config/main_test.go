package main

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/zksql/zksql/internal/zkserver"
)

func TestMem(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), &out, "mem:config-test?create_parents=true"); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
}

func TestLive(t *testing.T) {
	srv := zkserver.StartTB(t, zkserver.Options{TickTime: 100 * time.Millisecond})
	var out bytes.Buffer
	if err := run(context.Background(), &out, "zk://"+srv.Addr()+"?create_parents=true"); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	t.Log(out.String())
}
