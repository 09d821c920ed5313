package driver

import (
	"context"
	"fmt"

	"github.com/zksql/zksql/zkstore"
	"github.com/zksql/zksql/zkstore/livestore"
	"github.com/zksql/zksql/zkstore/memstore"
)

// OpenStore opens the ZooKeeper session cfg describes, as the connector
// NewConnector returns does: for a zk:// Config a livestore session with
// cfg's session and connect timeouts, chroot, data limit and credentials
// (given at open, so that the client re-sends them on reconnect); for a
// "mem:NAME" Config a session on MemServer(NAME) with cfg's credentials
// added. A private "mem:" Config has no server outside a connector and is
// an error. It is for programs that wrap the session before handing it to
// NewStoreConnector; such a program should pass NewStoreConnector a Config
// without Auth, since the session already holds the credentials. The
// read cache (Cache) is not built here: NewStoreConnector wraps each
// session open returns in it. The caller closes the session.
func OpenStore(ctx context.Context, cfg *Config) (zkstore.Store, error) {
	if cfg == nil {
		return nil, zerrorf("OpenStore: nil Config")
	}
	c := cfg.Clone()
	if err := c.normalize(); err != nil {
		return nil, err
	}
	if c.Mem && c.MemName == "" {
		return nil, zerrorf("OpenStore: a private mem: store lives only inside a connector; use NewConnector, or name it (mem:NAME)")
	}
	return openStore(ctx, c)
}

// openStore is OpenStore for a normalized Config that is not a private
// mem: store.
func openStore(ctx context.Context, cfg *Config) (zkstore.Store, error) {
	if cfg.Mem {
		st := MemServer(cfg.MemName).Open(memstore.SessionMaxRequestSize(cfg.MaxRequest))
		if err := addAuth(ctx, st, cfg.Auth); err != nil {
			st.Close()
			return nil, err
		}
		return st, nil
	}
	opts := []livestore.Option{
		livestore.SessionTimeout(cfg.SessionTimeout),
		livestore.ConnectTimeout(cfg.ConnectTimeout),
		livestore.MaxDataSize(max(cfg.MaxData, livestore.DefaultMaxDataSize)),
		livestore.MaxRequestSize(cfg.MaxRequest),
	}
	if cfg.Chroot != "" {
		opts = append(opts, livestore.Chroot(cfg.Chroot))
	}
	opts = append(opts, introspectionOptions(cfg)...)
	for _, a := range cfg.Auth {
		opts = append(opts, livestore.Auth(a.Scheme, []byte(a.User+":"+a.Password)))
	}
	s, err := livestore.Open(ctx, cfg.Servers, opts...)
	if err != nil {
		// Not a nil *livestore.Store in a non-nil interface.
		return nil, err
	}
	if err := checkChrootExists(ctx, s, cfg); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// checkChrootExists makes sure the chroot of a new session exists,
// creating it (and its ancestors) first when the DSN has
// create_chroot=true. A missing chroot would otherwise read as an empty
// tree and fail every write with ErrNoNode naming a path below it; it is
// checked once per session, when the session opens, so Ping and the first
// statement report it.
func checkChrootExists(ctx context.Context, s *livestore.Store, cfg *Config) error {
	if cfg.Chroot == "" {
		return nil
	}
	_, ok, err := s.Exists(ctx, "/")
	if err != nil {
		return zerrorf("checking the chroot %s: %w", cfg.Chroot, err)
	}
	if ok {
		return nil
	}
	if cfg.CreateChroot {
		if err := s.CreateChroot(ctx); err != nil {
			return zerrorf("creating the chroot %s (create_chroot=true): %w", cfg.Chroot, err)
		}
		return nil
	}
	return fmt.Errorf("%w: %s is not on the servers; create it, or add create_chroot=true to the DSN", ErrNoChroot, cfg.Chroot)
}

// addAuth adds creds to st one by one.
func addAuth(ctx context.Context, st zkstore.Store, creds []Credential) error {
	for _, a := range creds {
		if err := st.AddAuth(ctx, a.Scheme, []byte(a.User+":"+a.Password)); err != nil {
			return zerrorf("adding %s credentials for user %q: %w", a.Scheme, a.User, err)
		}
	}
	return nil
}
