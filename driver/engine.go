package driver

import (
	"context"

	"github.com/zksql/zksql/internal/engine"
	"github.com/zksql/zksql/zkstore"
)

// engineOptions are the statement options of cfg, for the engine.
func engineOptions(cfg *Config) engine.Options {
	return engine.Options{
		Chroot:            cfg.Chroot,
		MaxScan:           cfg.MaxScan,
		MaxData:           cfg.MaxData,
		MaxRequest:        cfg.MaxRequest,
		CreateParents:     cfg.CreateParents,
		ProtectSequential: cfg.ProtectSequential,
		SkipUnreadable:    cfg.SkipUnreadable,
		ReadOnly:          cfg.ReadOnly,
		DefaultACL:        cfg.DefaultACL,
		SyncReads:         cfg.SyncReads,
	}
}

// The engine's copies of the Config's constants must agree with them: a
// difference overflows one of these unsigned constants and fails the
// build.
const (
	_ = uint(DefaultMaxData - engine.DefaultMaxData)
	_ = uint(engine.DefaultMaxData - DefaultMaxData)
	_ = len(redactedPassword) - len(engine.RedactedPassword) + len(engine.RedactedPassword) - len(redactedPassword)
)

// WithSync returns a context under which a SELECT first makes the server
// its session reads from catch up with the ZooKeeper leader (ZooKeeper's
// sync), so the read sees every write acknowledged anywhere before the
// statement began. One sync covers the whole tree, so it is sent on "/"
// (the session's root, under a chroot). It costs one round trip; without
// it a read may lag other sessions' writes by what the connected follower
// has not applied yet.
func WithSync(ctx context.Context) context.Context { return engine.WithSync(ctx) }

// ErrProtected: a statement would delete the session's root ("/", which is
// the chroot node under a chroot) or write ZooKeeper's own /zookeeper
// subtree. Nothing was sent. ZooKeeper's own clients never delete their
// chroot, and /zookeeper holds the server's quota and configuration nodes;
// neither is ever the target of an ordinary statement, so a statement that
// matches one is refused as a whole rather than half applied.
var ErrProtected = engine.ErrProtected

// ErrNoIntrospection is the error of a system table on a store that
// cannot report on its servers (a zkstore.Store without
// zkstore.Introspector, or a wrapper that does not forward it).
var ErrNoIntrospection = engine.ErrNoIntrospection

// UnreadableError ends the rows of a SELECT run with skip_unreadable=true
// that left out znodes the session may not read (ZooKeeper answered
// ErrNoAuth for their data, children or ACL). The rows before it are every
// row the session could read; a znode in Paths is missing from them, and
// so is its subtree when its children could not be listed. It matches
// zkstore.ErrNoAuth.
//
// Paths are the znodes not read, sorted, at most 100 of them; Total
// counts every znode not read, including those beyond Paths.
type UnreadableError = engine.UnreadableError

// SystemTable reads a system table (parser.IsSystemTable) from st as
// SELECT * would: each row has one value per column of the table's
// definition (parser.LookupTable), in order, nil for NULL; INT32 and
// BIGINT values are int64, DOUBLE float64, TIMESTAMP time.Time. The
// session table's replaced_sessions is 0: st is one session. For
// programs that serve the tables their own way, such as cmd/zkgw.
func SystemTable(ctx context.Context, st zkstore.Store, table string) ([][]any, error) {
	return engine.SystemTable(ctx, st, table)
}

// VersionWarning names the known bugs that can lose acknowledged writes
// in a ZooKeeper server version ("3.8.0", as the servers table's version
// column shows it), or returns "" when none is known. Follower
// synchronisation could lose or truncate committed transactions until
// ZOOKEEPER-4394, -4643 and -4646 were fixed (merged for 3.9.3,
// apache/zookeeper#2188); 3.9.3 brought ZOOKEEPER-4925 (a follower's
// committed log with holes), fixed in 3.9.4. A version that cannot be
// read gives "".
func VersionWarning(version string) string { return engine.VersionWarning(version) }

// The DSN's default_acl option is written in the engine's ACL spec syntax.
func formatACLSpec(acl []zkstore.ACL, redact bool) string { return engine.FormatACLSpec(acl, redact) }
func parseACLSpec(s string) ([]zkstore.ACL, error)        { return engine.ParseACLSpec(s) }
func redactACL(acl []zkstore.ACL) []zkstore.ACL           { return engine.RedactACL(acl) }
