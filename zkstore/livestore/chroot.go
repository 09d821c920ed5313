package livestore

import (
	"context"
	"errors"

	"github.com/go-zookeeper/zk"

	"github.com/zksql/zksql/zkstore"
)

// ChrootPath is the server path the store's paths are relative to, "" for
// none.
func (s *Store) ChrootPath() string { return s.chroot }

// CreateChroot creates the store's chroot node and every missing ancestor,
// persistent, with no data and the open ACL, as ZooKeeper's shell creates
// a path's parents. Nodes that exist are left as they are; a store with no
// chroot has nothing to do. An error names the server path that could not
// be created.
func (s *Store) CreateChroot(ctx context.Context) error {
	const op = "create chroot"
	if s.chroot == "" {
		return nil
	}
	if err := s.dead(); err != nil {
		return pathErr(op, s.chroot, err)
	}
	for i := 1; i <= len(s.chroot); i++ {
		if i < len(s.chroot) && s.chroot[i] != '/' {
			continue
		}
		p := s.chroot[:i]
		_, err := do(s, ctx, func() (string, error) {
			return s.conn.Create(p, nil, 0, zk.WorldACL(zk.PermAll))
		})
		if err != nil {
			err = s.fail(op, p, err, true)
			if errors.Is(err, zkstore.ErrNodeExists) {
				continue
			}
			return err
		}
	}
	return nil
}
