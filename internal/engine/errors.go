package engine

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/zksql/zksql/internal/panics"
	"github.com/zksql/zksql/zkstore"
)

// Errors the engine returns; the driver package re-exports them with
// their documentation (driver.ErrConflict and so on).
var (
	// ErrConflict: a znode the statement read changed before its writes
	// were applied, so nothing was applied. The error also matches
	// zkstore.ErrBadVersion (or the store error that revealed the change).
	// Retry the statement.
	ErrConflict = errors.New("zksql: conflict: a znode changed concurrently, nothing was applied")
	// ErrTxConflict: a transaction's commit found that a znode it read or
	// wrote changed after it was read; nothing was applied. It also
	// matches ErrConflict and the store error (usually
	// zkstore.ErrBadVersion). Retry the whole transaction.
	ErrTxConflict = fmt.Errorf("zksql: transaction conflict: %w", errConflictBase)
	// ErrReadOnly: a write refused because the DSN has read_only=true or
	// the transaction was begun with sql.TxOptions{ReadOnly: true}.
	ErrReadOnly = errors.New("zksql: read-only: statement would modify znodes")
	// ErrMaxScan: a statement would visit more znodes than max_scan allows.
	ErrMaxScan = errors.New("zksql: max_scan exceeded")
	// ErrNoChroot: the DSN's chroot does not exist on the servers. It is
	// reported when the session opens (by Ping or the first statement);
	// the DSN option create_chroot=true creates it instead.
	ErrNoChroot = errors.New("zksql: the chroot does not exist")
	// ErrTxDone: the transaction has already been committed or rolled back.
	ErrTxDone = errors.New("zksql: transaction already finished")
	// ErrSequencePending: LastInsertId of a sequential INSERT made in a
	// transaction, whose number ZooKeeper chooses only at commit.
	ErrSequencePending = errors.New("zksql: the sequence number of a znode created in a transaction is known only after commit; read the parent's children after Commit to find it")
)

// errConflictBase lets ErrTxConflict match ErrConflict.
var errConflictBase = conflictAlias{}

type conflictAlias struct{}

func (conflictAlias) Error() string   { return "a znode changed concurrently, nothing was applied" }
func (conflictAlias) Is(t error) bool { return t == ErrConflict }

// conflictError is a conflict caused by a store error: it matches kind
// (ErrConflict or ErrTxConflict) and the store error.
type conflictError struct {
	kind error
	err  error
}

func (e *conflictError) Error() string { return e.kind.Error() + ": " + e.err.Error() }
func (e *conflictError) Unwrap() []error {
	return []error{e.kind, e.err}
}

// isConflict reports whether a failed write's store error means a znode
// read earlier changed: its version moved, it vanished, or one appeared.
func isConflict(err error) bool {
	return errors.Is(err, zkstore.ErrBadVersion) || errors.Is(err, zkstore.ErrNoNode) || errors.Is(err, zkstore.ErrNodeExists)
}

// maxQuoted is how much of a statement an error message repeats.
const maxQuoted = 120

// stmtError is an error from executing one statement; it names the
// statement and wraps the cause.
type stmtError struct {
	sql string
	err error
}

func (e *stmtError) Error() string {
	msg := e.err.Error()
	msg = strings.TrimPrefix(msg, "zksql: ")
	return "zksql: " + msg + " (statement: " + truncate(oneLine(e.sql), maxQuoted) + ")"
}

func (e *stmtError) Unwrap() error { return e.err }

// wrapStmt attaches the statement to err. Context errors, ErrBadConn and
// errors already carrying a statement pass through unchanged.
func wrapStmt(sql string, err error) error {
	if err == nil || errors.Is(err, driver.ErrBadConn) {
		return err
	}
	var se *stmtError
	if errors.As(err, &se) {
		return err
	}
	if err == context.Canceled || err == context.DeadlineExceeded {
		return err
	}
	return &stmtError{sql: sql, err: err}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func zerrorf(format string, args ...any) error {
	return fmt.Errorf("zksql: "+format, args...)
}

// recoverErr converts a panic into an error: the last resort that keeps a
// bug in the driver from crashing the caller.
func recoverErr(err *error) {
	if r := recover(); r != nil {
		*err = panics.New("driver", r)
	}
}
