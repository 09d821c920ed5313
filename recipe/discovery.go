package recipe

import (
	"context"
	"errors"
	"maps"

	"github.com/zksql/zksql/watch"
	"github.com/zksql/zksql/zkstore"
)

// ServicesRoot is where services register: /services/NAME/INSTANCE.
const ServicesRoot = "/services"

// Register announces an instance of service as the ephemeral znode
// /services/SERVICE/ID holding data. The registration lasts as long as
// st's session (or until Deregister); the parents are created if missing.
// One session expiry (a long GC pause, a network blip) removes it for
// good: use KeepRegistered for a registration that outlives sessions.
func Register(ctx context.Context, st zkstore.Store, service, id string, data []byte) (string, error) {
	dir := zkstore.Join(ServicesRoot, service)
	if err := ensurePath(ctx, st, dir); err != nil {
		return "", err
	}
	return st.Create(ctx, zkstore.Join(dir, id), data, zkstore.CreateOptions{Mode: zkstore.ModeEphemeral})
}

// KeepRegistered registers an instance of service as Register does, and
// keeps it registered across sessions, as Curator's service discovery
// does: when the session expires the registration is created again, with
// the same data, on the next session src gives (watch.Reopen or
// watch.FromDB give one). Each loss and re-creation is reported on the
// KeptNode's Events; Close deregisters. See KeptNode for what a session
// loss still costs: the instance is absent from discovery between the
// expiry and the re-creation.
func KeepRegistered(src watch.Source, service, id string, data []byte) *KeptNode {
	return Keep(src, zkstore.Join(zkstore.Join(ServicesRoot, service), id), data)
}

// Deregister removes a registration.
func Deregister(ctx context.Context, st zkstore.Store, service, id string) error {
	err := st.Delete(ctx, zkstore.Join(zkstore.Join(ServicesRoot, service), id), zkstore.AnyVersion)
	if errors.Is(err, zkstore.ErrNoNode) {
		return nil
	}
	return err
}

// Discover streams the live instances of service (id -> data): the set
// once the watch has read it (empty if none), then a new map each time the
// set or an instance's data changes, and only then, until ctx ends or the
// source has no session any more. It is a Tree stream of the service's
// znode two levels deep, so the latest set is always delivered.
func Discover(ctx context.Context, src watch.Source, service string) <-chan map[string]string {
	out := make(chan map[string]string)
	dir := zkstore.Join(ServicesRoot, service)
	go func() {
		defer close(out)
		cur := map[string]string{}
		var sent map[string]string // nil until the first delivery
		synced := false
		for ev := range watch.Tree(ctx, src, dir, watch.WithMaxDepth(1)) {
			switch ev.Type {
			case watch.Created, watch.DataChanged:
				if ev.Path != dir {
					cur[zkstore.Base(ev.Path)] = string(ev.Data)
				}
			case watch.Deleted:
				if ev.Path != dir {
					delete(cur, zkstore.Base(ev.Path))
				}
			case watch.Synced:
				synced = true
			default:
				continue
			}
			// The service's own znode coming or going, a resync that
			// found nothing new: the set is unchanged, so nothing to say.
			if !synced || sent != nil && maps.Equal(sent, cur) {
				continue
			}
			sent = maps.Clone(cur)
			select {
			case out <- maps.Clone(cur):
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}
