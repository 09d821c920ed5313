package main

import (
	"context"

	"github.com/zksql/zksql/driver"
	"github.com/zksql/zksql/zkstore"
)

// countingStore forwards zkstore.Introspector, so that the shell's
// sessions answer the system tables (servers, connections, ...).
var _ zkstore.Introspector = countingStore{}

func (s countingStore) introspector() (zkstore.Introspector, error) {
	in, ok := s.Store.(zkstore.Introspector)
	if !ok {
		return nil, driver.ErrNoIntrospection
	}
	return in, nil
}

func (s countingStore) Servers(ctx context.Context) ([]zkstore.ServerInfo, error) {
	in, err := s.introspector()
	if err != nil {
		return nil, err
	}
	return in.Servers(ctx)
}

func (s countingStore) Connections(ctx context.Context) ([]zkstore.ConnectionInfo, error) {
	in, err := s.introspector()
	if err != nil {
		return nil, err
	}
	return in.Connections(ctx)
}

func (s countingStore) Watches(ctx context.Context) ([]zkstore.WatchInfo, error) {
	in, err := s.introspector()
	if err != nil {
		return nil, err
	}
	return in.Watches(ctx)
}

func (s countingStore) Ephemerals(ctx context.Context) ([]zkstore.EphemeralInfo, error) {
	in, err := s.introspector()
	if err != nil {
		return nil, err
	}
	return in.Ephemerals(ctx)
}

func (s countingStore) Session(ctx context.Context) (zkstore.SessionInfo, error) {
	in, err := s.introspector()
	if err != nil {
		return zkstore.SessionInfo{}, err
	}
	return in.Session(ctx)
}

func (s countingStore) EnsembleConfig(ctx context.Context) (zkstore.EnsembleConfig, error) {
	in, err := s.introspector()
	if err != nil {
		return zkstore.EnsembleConfig{}, err
	}
	return in.EnsembleConfig(ctx)
}
