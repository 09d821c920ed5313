package main

import (
	"context"
	"fmt"

	"github.com/zksql/zksql/zkstore"
)

// seedDemo fills an empty store with a small tree to look at: a service
// registry, configuration, a lock queue and non-ASCII names.
func seedDemo(ctx context.Context, st zkstore.Store) error {
	nodes := []struct{ path, data string }{
		{"/app", ""},
		{"/app/config", ""},
		{"/app/config/db.url", "postgres://db.internal:5432/app"},
		{"/app/config/feature.flags", `{"search":true,"beta":false}`},
		{"/app/config/timeout_ms", "2500"},
		{"/app/services", ""},
		{"/app/services/api", ""},
		{"/app/services/api/host-1", `{"host":"10.0.0.1","port":8080}`},
		{"/app/services/api/host-2", `{"host":"10.0.0.2","port":8080}`},
		{"/app/services/web", ""},
		{"/app/services/web/host-1", `{"host":"10.0.1.1","port":80}`},
		{"/app/locks", ""},
		{"/app/binary", "\x00\x01\xfe\xff"},
		{"/i18n", ""},
		{"/i18n/日本語", "こんにちは"},
		{"/i18n/café", "crème brûlée"},
		{"/i18n/Ωmega", "Ω"},
	}
	for _, n := range nodes {
		if _, err := st.Create(ctx, n.path, []byte(n.data), zkstore.CreateOptions{}); err != nil {
			return fmt.Errorf("demo tree: %w", err)
		}
	}
	return nil
}
