package recipe

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/zksql/zksql/zkstore"
)

// ErrNotCounter is a Counter's error when its znode holds something other
// than a decimal integer.
var ErrNotCounter = errors.New("recipe: znode data is not a decimal counter")

// Counter is a shared 64-bit counter in one persistent znode, Curator's
// DistributedAtomicLong: its data is the value in decimal text (so SQL can
// read and set it: SELECT data FROM znodes WHERE path = ...), empty or
// absent meaning 0.
//
// Guarantee: every Add and every successful CompareAndSet is applied
// exactly once, atomically, by a Set conditioned on the version read
// (optimistic concurrency): when another writer got in first the Set fails
// with a version conflict, the value is read again and the change retried,
// for as long as ctx allows. So 20 writers adding 1 ten times each leave
// exactly 200. A conflict is retried because it proves the write was not
// applied; a connection loss is not, because then the write may have been
// applied: the error matches zkstore.ErrConnectionLoss and the caller must
// read the value to know.
//
// The counter is persistent: a session loss loses nothing but the calls in
// flight (they fail with zkstore.ErrSessionExpired, having changed
// nothing, or with ErrConnectionLoss as above). A Counter on a new Store
// of the same ZooKeeper sees the same value.
type Counter struct {
	st   zkstore.Store
	path string
}

// NewCounter returns the counter at path. Nothing is read or created
// until the first call; the znode and its parents are created on first
// write.
func NewCounter(st zkstore.Store, path string) *Counter { return &Counter{st: st, path: path} }

// Get returns the counter's value (0 if its znode does not exist).
func (c *Counter) Get(ctx context.Context) (int64, error) {
	v, _, err := c.read(ctx)
	return v, err
}

// read returns the value and the version to condition a Set on; version
// -2 means the znode does not exist.
func (c *Counter) read(ctx context.Context) (int64, int32, error) {
	data, stat, err := c.st.Get(ctx, c.path)
	if errors.Is(err, zkstore.ErrNoNode) {
		return 0, -2, nil
	}
	if err != nil {
		return 0, 0, err
	}
	s := strings.TrimSpace(string(data))
	if s == "" {
		return 0, stat.Version, nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, 0, fmt.Errorf("recipe: counter %s holds %q: %w", c.path, truncate(s, 40), ErrNotCounter)
	}
	return v, stat.Version, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// write stores v if the znode is still at version (-2: still absent). ok
// is false on a conflict (someone else wrote first), which changed
// nothing.
func (c *Counter) write(ctx context.Context, v int64, version int32) (ok bool, err error) {
	data := []byte(strconv.FormatInt(v, 10))
	if version == -2 {
		if err := ensurePath(ctx, c.st, zkstore.Parent(c.path)); err != nil {
			return false, err
		}
		_, err = c.st.Create(ctx, c.path, data, zkstore.CreateOptions{})
		if errors.Is(err, zkstore.ErrNodeExists) {
			return false, nil
		}
		return err == nil, err
	}
	_, err = c.st.Set(ctx, c.path, data, version)
	if errors.Is(err, zkstore.ErrBadVersion) || errors.Is(err, zkstore.ErrNoNode) {
		return false, nil
	}
	return err == nil, err
}

// Add adds delta to the counter and returns the new value, retrying its
// own version conflicts until ctx ends. An error matching
// zkstore.ErrConnectionLoss means the outcome is unknown: the addition may
// have been applied.
func (c *Counter) Add(ctx context.Context, delta int64) (int64, error) {
	for {
		v, version, err := c.read(ctx)
		if err != nil {
			return 0, err
		}
		n := v + delta
		if (delta > 0 && n < v) || (delta < 0 && n > v) {
			return 0, fmt.Errorf("recipe: counter %s: %d%+d overflows int64", c.path, v, delta)
		}
		ok, err := c.write(ctx, n, version)
		if err != nil {
			return 0, err
		}
		if ok {
			return n, nil
		}
		if err := ctx.Err(); err != nil {
			return 0, err
		}
	}
}

// CompareAndSet sets the counter to new if it holds old, and reports
// whether it did. false with a nil error means the counter held something
// else and was left unchanged. A version conflict (another writer between
// the read and the write) is not a failed comparison: the value is read
// again and compared again.
func (c *Counter) CompareAndSet(ctx context.Context, old, new int64) (bool, error) {
	for {
		v, version, err := c.read(ctx)
		if err != nil {
			return false, err
		}
		if v != old {
			return false, nil
		}
		ok, err := c.write(ctx, new, version)
		if err != nil || ok {
			return ok, err
		}
		if err := ctx.Err(); err != nil {
			return false, err
		}
	}
}
