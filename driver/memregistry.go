package driver

import (
	"sync"

	"github.com/zksql/zksql/zkstore/memstore"
)

// The registry of named in-memory servers: "mem:NAME" DSNs share the
// server of that name for the life of the process, each sql.DB with a
// session of its own on it.
var memRegistry struct {
	sync.Mutex
	servers map[string]*memstore.Server
}

// MemServer returns the in-memory ZooKeeper server that "mem:NAME" DSNs
// open, creating it if needed. Tests use it to inspect the tree, expire
// sessions (Server.Expire) or inject faults (Server.InjectFault). An empty
// name is not a shared server and returns nil.
func MemServer(name string) *memstore.Server {
	if name == "" {
		return nil
	}
	memRegistry.Lock()
	defer memRegistry.Unlock()
	if memRegistry.servers == nil {
		memRegistry.servers = make(map[string]*memstore.Server)
	}
	srv := memRegistry.servers[name]
	if srv == nil {
		srv = memstore.NewServer()
		memRegistry.servers[name] = srv
	}
	return srv
}

// DropMemServer closes the named in-memory server and forgets it, so the
// next "mem:NAME" starts from an empty tree. Sessions still open on it
// fail from then on.
func DropMemServer(name string) {
	memRegistry.Lock()
	srv := memRegistry.servers[name]
	delete(memRegistry.servers, name)
	memRegistry.Unlock()
	if srv != nil {
		srv.Close()
	}
}
