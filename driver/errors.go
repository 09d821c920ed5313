package driver

import (
	"fmt"

	"github.com/zksql/zksql/internal/engine"
	"github.com/zksql/zksql/internal/panics"
)

// Errors the driver returns. Test them with errors.Is; store errors
// (zkstore.ErrNodeExists, zkstore.ErrBadVersion, ...) are wrapped too, so
// errors.Is works for them as well.
var (
	// ErrConflict: a znode the statement read changed before its writes
	// were applied, so nothing was applied. The error also matches
	// zkstore.ErrBadVersion (or the store error that revealed the change).
	// Retry the statement.
	ErrConflict = engine.ErrConflict
	// ErrTxConflict: a transaction's commit found that a znode it read or
	// wrote changed after it was read; nothing was applied. It also
	// matches ErrConflict and the store error (usually
	// zkstore.ErrBadVersion). Retry the whole transaction.
	ErrTxConflict = engine.ErrTxConflict
	// ErrReadOnly: a write refused because the DSN has read_only=true or
	// the transaction was begun with sql.TxOptions{ReadOnly: true}.
	ErrReadOnly = engine.ErrReadOnly
	// ErrMaxScan: a statement would visit more znodes than max_scan allows.
	ErrMaxScan = engine.ErrMaxScan
	// ErrNoChroot: the DSN's chroot does not exist on the servers. It is
	// reported when the session opens (by Ping or the first statement);
	// the DSN option create_chroot=true creates it instead.
	ErrNoChroot = engine.ErrNoChroot
	// ErrTxDone: the transaction has already been committed or rolled back.
	ErrTxDone = engine.ErrTxDone
	// ErrSequencePending: LastInsertId of a sequential INSERT made in a
	// transaction, whose number ZooKeeper chooses only at commit.
	ErrSequencePending = engine.ErrSequencePending
)

func zerrorf(format string, args ...any) error {
	return fmt.Errorf("zksql: "+format, args...)
}

// InternalError is a panic recovered inside the driver (a bug): the
// statement fails with it instead of the process, and its Stack field
// keeps where it happened. errors.As(err, &ie) finds it.
type InternalError = panics.Error
