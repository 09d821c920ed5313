package main

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/zksql/zksql/internal/testkit/exampletest"
)

func TestMem(t *testing.T) {
	open, _ := exampletest.Mem(t)
	exampletest.Run(t, func(ctx context.Context, w io.Writer) error { return run(ctx, w, open) })
}

func TestLive(t *testing.T) {
	open := exampletest.Live(t, 2*time.Second)
	exampletest.Run(t, func(ctx context.Context, w io.Writer) error { return run(ctx, w, open) })
}
