package cachestore_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/zksql/zksql/zkstore"
)

// TestLoadBatches: the load reads the data of many znodes a request where
// the inner store batches reads (multiRead on a live server), fewer once
// large data is seen. Whatever the mix of sizes, depths and fan-outs, the
// loaded cache answers every znode as the server does, data and Stat.
func TestLoadBatches(t *testing.T) {
	for name, c := range map[string]innerCluster{"mem": memCluster(t), "live": liveCluster(t)} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			writer := c.Open(t)
			base := testBase(t, writer)
			big := []byte(strings.Repeat("b", 700<<10)) // two make more than a batch's budget
			paths := []string{base}
			mk := func(p string, data []byte) {
				if _, err := writer.Create(ctx, p, data, zkstore.CreateOptions{}); err != nil {
					t.Fatalf("create %s: %v", p, err)
				}
				paths = append(paths, p)
			}
			for i := range 3 {
				dir := fmt.Sprintf("%s/d%d", base, i)
				mk(dir, nil)
				for j := range 150 {
					mk(fmt.Sprintf("%s/n%03d", dir, j), []byte(fmt.Sprintf("%d-%d", i, j)))
				}
				mk(dir+"/big", append(big, dir...))
				for _, p := range []string{"/deep", "/deep/er", "/deep/er/est"} {
					mk(dir+p, []byte(p))
				}
			}
			cs, in := openCache(t, c, []string{base})
			for _, p := range paths {
				data, st, err := cs.Get(ctx, p)
				wantData, wantSt, wantErr := in.Get(ctx, p)
				if err != nil || wantErr != nil {
					t.Fatalf("Get %s: cache %v, store %v", p, err, wantErr)
				}
				if !bytes.Equal(data, wantData) {
					t.Fatalf("Get %s: the cache has %d bytes %.20q, the store %d bytes %.20q", p, len(data), data, len(wantData), wantData)
				}
				if diff := cmp.Diff(wantSt, st); diff != "" {
					t.Fatalf("Get %s: Stat (-store +cache):\n%s", p, diff)
				}
			}
			if got := cs.Stats(); got.Loads == 0 {
				t.Errorf("no load counted: %+v", got)
			}
		})
	}
}
