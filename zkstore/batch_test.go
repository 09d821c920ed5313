package zkstore_test

import (
	"testing"

	"github.com/zksql/zksql/zkstore"
)

func TestBatchLimit(t *testing.T) {
	for _, c := range []struct{ largest, want int }{
		{0, zkstore.MaxBatch},
		{100, zkstore.MaxBatch},
		{zkstore.BatchBytes / zkstore.MaxBatch, zkstore.MaxBatch},
		{zkstore.BatchBytes/zkstore.MaxBatch + 1, zkstore.MaxBatch - 1},
		{300 << 10, 3},
		{700 << 10, 1},
		{zkstore.BatchBytes, 1},
		{8 * zkstore.BatchBytes, 1},
	} {
		if got := zkstore.BatchLimit(c.largest); got != c.want {
			t.Errorf("BatchLimit(%d) = %d, want %d", c.largest, got, c.want)
		}
	}
}
