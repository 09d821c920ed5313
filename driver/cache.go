package driver

import (
	"context"
	"net/url"
	"slices"
	"strings"

	"github.com/zksql/zksql/zkstore"
	"github.com/zksql/zksql/zkstore/cachestore"
)

// cacheSafe are the bytes, besides letters, digits and "-._~", a cache
// path is written with unescaped: valueSafe without ',', which separates
// the paths.
const cacheSafe = "!$'()*+;=:@/"

// parseCache reads the cache option from its raw (still percent-encoded)
// value: the paths are split on ',' before they are decoded, so that a
// path may hold a ',' written as %2C.
func parseCache(raw string) ([]string, error) {
	if raw == "" {
		return nil, errorf("option cache has no subtree; write cache=/PATH[,/PATH...]")
	}
	var paths []string
	for i, part := range strings.Split(raw, ",") {
		p, err := url.PathUnescape(part)
		if err != nil {
			return nil, errorf("option cache: path %d: invalid percent-encoding in %q; write '%%' as %%25", i+1, part)
		}
		paths = append(paths, p)
	}
	return paths, nil
}

// formatCache writes the cache option's value, which parseCache reads.
func formatCache(paths []string) string {
	parts := make([]string, len(paths))
	for i, p := range paths {
		parts[i] = escape(p, cacheSafe)
	}
	return strings.Join(parts, ",")
}

// normalizeCache checks Cache and StaleReads and puts Cache in canonical
// form: sorted, nil when empty. A path listed twice, or inside another,
// is refused rather than dropped, since it is most likely a typo.
func (cfg *Config) normalizeCache() error {
	if len(cfg.Cache) == 0 {
		cfg.Cache = nil
	}
	if cfg.StaleReads && cfg.Cache == nil {
		return errorf("option stale_reads applies only to cached reads; add cache=/PATH[,/PATH...] or remove it")
	}
	if cfg.Cache == nil {
		return nil
	}
	paths := slices.Clone(cfg.Cache)
	for _, p := range paths {
		if err := zkstore.ValidatePath(p, false); err != nil {
			return errorf("option cache: %v; write absolute paths such as cache=/config,/services", strings.TrimPrefix(err.Error(), zkstore.ErrInvalidPath.Error()+" "))
		}
		if within("/zookeeper", p) {
			return errorf("option cache: %q is ZooKeeper's own subtree, which is never cached; remove it", p)
		}
	}
	slices.Sort(paths)
	for i, p := range paths {
		for _, q := range paths[:i] {
			switch {
			case p == q:
				return errorf("option cache: %q listed more than once; keep one", p)
			case within(q, p):
				return errorf("option cache: %q is inside %q, which is cached already; remove it", p, q)
			}
		}
	}
	cfg.Cache = paths
	return nil
}

// within reports whether p is root or under it.
func within(root, p string) bool {
	return root == "/" || p == root || strings.HasPrefix(p, root+"/")
}

// withCache wraps a new session in the read cache cfg asks for: the
// subtrees are loaded before the session answers its first statement, so
// every session, the first and each one opened after an expiry, starts
// from a cache as new as the server. The cache owns st from then on; on
// failure st is closed.
func withCache(ctx context.Context, st zkstore.Store, cfg *Config) (zkstore.Store, error) {
	if cfg.Cache == nil {
		return st, nil
	}
	cs, err := cachestore.New(ctx, st, cfg.Cache, cachestore.StaleReads(cfg.StaleReads))
	if err != nil {
		st.Close()
		return nil, zerrorf("loading the read cache (cache=%s): %w", formatCache(cfg.Cache), err)
	}
	return cs, nil
}
