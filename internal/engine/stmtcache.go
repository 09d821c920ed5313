package engine

import (
	"container/list"
	"sync"

	"github.com/zksql/zksql/parser"
)

// stmtCacheSize is how many parsed statements a connector keeps.
const stmtCacheSize = 512

// maxCachedSQL: longer statements are parsed each time rather than cached.
const maxCachedSQL = 16 << 10

// stmtCache is a bounded LRU of parsed statements keyed by SQL text,
// shared by a connector's connections. The ASTs are never modified after
// parsing, so they are shared as they are.
type stmtCache struct {
	mu    sync.Mutex
	max   int
	ll    *list.List
	items map[string]*list.Element
	hits  int64
}

type cacheEntry struct {
	sql  string
	stmt *compiled
}

func newStmtCache(n int) *stmtCache {
	return &stmtCache{max: n, ll: list.New(), items: make(map[string]*list.Element)}
}

// parse returns the compiled statement for sql, parsing it only on a
// miss. Parse errors are not cached.
func (c *stmtCache) parse(sql string) (*compiled, error) {
	if len(sql) > maxCachedSQL {
		ast, err := parser.Parse(sql)
		if err != nil {
			return nil, err
		}
		return compile(ast), nil
	}
	c.mu.Lock()
	if e, ok := c.items[sql]; ok {
		c.ll.MoveToFront(e)
		c.hits++
		st := e.Value.(*cacheEntry).stmt
		c.mu.Unlock()
		return st, nil
	}
	c.mu.Unlock()
	ast, err := parser.Parse(sql)
	if err != nil {
		return nil, err
	}
	st := compile(ast)
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.items[sql]; !ok {
		c.items[sql] = c.ll.PushFront(&cacheEntry{sql, st})
		for c.ll.Len() > c.max {
			old := c.ll.Back()
			c.ll.Remove(old)
			delete(c.items, old.Value.(*cacheEntry).sql)
		}
	}
	return st, nil
}

// stats returns the number of cached statements and of hits so far.
func (c *stmtCache) stats() (n int, hits int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ll.Len(), c.hits
}
