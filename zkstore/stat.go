package zkstore

import (
	"fmt"
	"math"
	"time"
)

// Stat is a znode's metadata, field for field ZooKeeper's
// org.apache.zookeeper.data.Stat.
type Stat struct {
	Czxid          int64 // zxid of the transaction that created the znode
	Mzxid          int64 // zxid of the transaction that last changed the data
	Ctime          int64 // creation time, milliseconds since the Unix epoch
	Mtime          int64 // last data change, milliseconds since the Unix epoch
	Version        int32 // number of data changes
	Cversion       int32 // number of changes to the children
	Aversion       int32 // number of ACL changes
	EphemeralOwner int64 // owning session of an ephemeral; a marker for containers and TTL nodes
	DataLength     int32 // length of the data
	NumChildren    int32 // number of children
	Pzxid          int64 // zxid of the last change to the children
}

// CreateTime is Ctime as a time.Time in UTC.
func (s Stat) CreateTime() time.Time { return time.UnixMilli(s.Ctime).UTC() }

// ModifyTime is Mtime as a time.Time in UTC.
func (s Stat) ModifyTime() time.Time { return time.UnixMilli(s.Mtime).UTC() }

// Inside the server, ZooKeeper encodes non-session node kinds in the
// persisted ephemeralOwner (org.apache.zookeeper.server.EphemeralType):
// containers carry Long.MIN_VALUE, TTL nodes 0xFF in the top byte and the TTL
// in the rest. Clients never see these markers: DataNode.copyStat reports
// ephemeralOwner 0 for containers and TTL nodes (checked on 3.8.0), so a
// client cannot tell them from persistent znodes. The in-memory store keeps
// the markers internally and hides them the same way.
const (
	containerOwner int64 = math.MinInt64
	ttlOwnerMask   int64 = -72057594037927936 // 0xFF00000000000000 as int64
	// MaxTTL is the longest TTL ZooKeeper can encode (EphemeralType.TTL: 40 bits of milliseconds).
	MaxTTL = 0xFFFFFFFFFF * time.Millisecond
)

// ContainerOwner is the EphemeralOwner ZooKeeper reports for a container.
func ContainerOwner() int64 { return containerOwner }

// TTLOwner is the EphemeralOwner ZooKeeper reports for a TTL node.
func TTLOwner(ttl time.Duration) int64 { return ttlOwnerMask | ttl.Milliseconds() }

// Kind is what a Stat says a znode is.
type Kind int

const (
	KindPersistent Kind = iota
	KindEphemeral
	KindContainer
	KindTTL
)

func (k Kind) String() string {
	switch k {
	case KindPersistent:
		return "persistent"
	case KindEphemeral:
		return "ephemeral"
	case KindContainer:
		return "container"
	case KindTTL:
		return "ttl"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Kind decodes EphemeralOwner the way ZooKeeper's EphemeralType.get does.
// On a Stat a client received it is only ever KindPersistent or
// KindEphemeral: the server hides the container and TTL markers.
func (s Stat) Kind() Kind {
	switch {
	case s.EphemeralOwner == 0:
		return KindPersistent
	case s.EphemeralOwner == containerOwner:
		return KindContainer
	case s.EphemeralOwner&ttlOwnerMask == ttlOwnerMask:
		return KindTTL
	}
	return KindEphemeral
}

// TTL is the time to live of a TTL node, zero for any other kind.
func (s Stat) TTL() time.Duration {
	if s.Kind() != KindTTL {
		return 0
	}
	return time.Duration(s.EphemeralOwner&^ttlOwnerMask) * time.Millisecond
}

// CreateMode is how a znode is created. The values are ZooKeeper's CreateMode
// flags, the same as go-zookeeper's Flag constants.
type CreateMode int32

const (
	ModePersistent              CreateMode = 0
	ModeEphemeral               CreateMode = 1
	ModePersistentSequential    CreateMode = 2
	ModeEphemeralSequential     CreateMode = 3
	ModeContainer               CreateMode = 4
	ModePersistentTTL           CreateMode = 5
	ModePersistentSequentialTTL CreateMode = 6
)

var modeNames = [...]string{
	"persistent", "ephemeral", "persistent_sequential", "ephemeral_sequential",
	"container", "persistent_ttl", "persistent_sequential_ttl",
}

// String is the mode's name as zksql's SQL dialect spells it.
func (m CreateMode) String() string {
	if m.Valid() {
		return modeNames[m]
	}
	return fmt.Sprintf("CreateMode(%d)", int32(m))
}

// ParseCreateMode is the inverse of CreateMode.String.
func ParseCreateMode(s string) (CreateMode, error) {
	for i, n := range modeNames {
		if n == s {
			return CreateMode(i), nil
		}
	}
	return 0, fmt.Errorf("%w: unknown create mode %q", ErrBadArguments, s)
}

// Valid reports whether m is one of ZooKeeper's create modes.
func (m CreateMode) Valid() bool { return m >= 0 && int(m) < len(modeNames) }

// IsSequential reports whether the server appends a sequence number.
func (m CreateMode) IsSequential() bool {
	return m == ModePersistentSequential || m == ModeEphemeralSequential || m == ModePersistentSequentialTTL
}

// IsEphemeral reports whether the znode dies with its session.
func (m CreateMode) IsEphemeral() bool { return m == ModeEphemeral || m == ModeEphemeralSequential }

// IsTTL reports whether the mode takes a TTL.
func (m CreateMode) IsTTL() bool { return m == ModePersistentTTL || m == ModePersistentSequentialTTL }

// IsContainer reports whether the mode is a container.
func (m CreateMode) IsContainer() bool { return m == ModeContainer }
