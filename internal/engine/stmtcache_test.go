package engine

import (
	"context"
	"testing"

	"github.com/zksql/zksql/zkstore/memstore"
)

func TestStmtCacheReusesAndBounds(t *testing.T) {
	c := newStmtCache(2)
	a1, err := c.parse("SELECT 1")
	if err != nil {
		t.Fatal(err)
	}
	a2, _ := c.parse("SELECT 1")
	if a1 != a2 {
		t.Fatal("not reused")
	}
	c.parse("SELECT 2")
	c.parse("SELECT 3")
	if n, hits := c.stats(); n != 2 || hits != 1 {
		t.Fatalf("n=%d hits=%d", n, hits)
	}
	if _, err := c.parse("SELEC"); err == nil {
		t.Fatal("bad SQL parsed")
	}
}

func TestStmtCacheSharedByConnections(t *testing.T) {
	srv := memstore.NewServer()
	defer srv.Close()
	st := srv.Open()
	defer st.Close()
	c := New(*testOptions())
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		cn := c.NewSession(st)
		r, err := cn.queryString(ctx, "SELECT path FROM znodes WHERE path = '/'")
		if err != nil {
			t.Fatal(err)
		}
		r.Close()
		cn.Close()
	}
	if n, hits := c.cache.stats(); n != 1 || hits != 2 {
		t.Fatalf("n=%d hits=%d", n, hits)
	}
}
