package zkstore

import "time"

// Op is one operation of a Multi: *CreateOp, *SetOp, *DeleteOp or *CheckOp.
type Op interface {
	// OpPath is the path the operation works on.
	OpPath() string
	isOp()
}

// CreateOp creates a znode within a Multi.
type CreateOp struct {
	Path string
	Data []byte
	Mode CreateMode
	ACL  []ACL         // nil means OpenACLUnsafe
	TTL  time.Duration // for the TTL modes only
}

// SetOp sets a znode's data within a Multi. Version -1 matches any.
type SetOp struct {
	Path    string
	Data    []byte
	Version int32
}

// DeleteOp deletes a znode within a Multi. Version -1 matches any.
type DeleteOp struct {
	Path    string
	Version int32
}

// CheckOp fails the Multi unless the znode exists with this version
// (-1 only checks that it exists).
type CheckOp struct {
	Path    string
	Version int32
}

func (o *CreateOp) OpPath() string { return o.Path }
func (o *SetOp) OpPath() string    { return o.Path }
func (o *DeleteOp) OpPath() string { return o.Path }
func (o *CheckOp) OpPath() string  { return o.Path }
func (*CreateOp) isOp()            {}
func (*SetOp) isOp()               {}
func (*DeleteOp) isOp()            {}
func (*CheckOp) isOp()             {}

// OpResult is one operation's outcome in a Multi.
//
// When a Multi succeeds, Path is the created path of a CreateOp and Stat the
// new Stat of a SetOp. When it fails, nothing was applied and the results say
// what ZooKeeper says: Err is nil for the operations before the one that
// failed, that operation's error for it, and ErrRuntimeInconsistency for
// those after it.
type OpResult struct {
	Path string
	Stat Stat
	Err  error
}
