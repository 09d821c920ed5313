package main

import (
	"context"
	"io"
	"testing"

	"github.com/zksql/zksql/internal/testkit/exampletest"
)

func TestMem(t *testing.T) {
	exampletest.Run(t, func(ctx context.Context, w io.Writer) error {
		return run(ctx, w, "mem:config-test?create_parents=true")
	})
}

func TestLive(t *testing.T) {
	dsn := "zk://" + exampletest.LiveServer(t).Addr() + "?create_parents=true"
	exampletest.Run(t, func(ctx context.Context, w io.Writer) error { return run(ctx, w, dsn) })
}
