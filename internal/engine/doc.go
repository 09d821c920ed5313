// Package engine runs zksql's SQL on a zkstore.Store: the planner, the
// executor, the transaction store and EXPLAIN. Package driver is a thin
// database/sql adapter over it (as pgx's stdlib package is over pgx): it
// builds Options from its Config, opens a Session per pooled connection
// and hands each statement to Session.Query or Session.Exec. The engine
// uses database/sql/driver's value types; database/sql's Conn, Stmt and
// Tx interfaces are implemented in the driver alone (Rows has the method
// set database/sql reads, so the driver hands rows over as they are).
//
// A statement flows one way, AST → plan → operations:
//
//   - parse and compile (stmtcache.go, compiled.go): parser's AST,
//     cached per Engine with the plan when the plan does not depend on an
//     open transaction;
//   - plan (readplan.go, plan.go, write.go): a read becomes a readPlan —
//     access path (point, IN, children of a parent, LIKE prefix subtree,
//     union, full walk), fetch level, strategy, filter, limit; a write
//     becomes a writePlan, the operations of one multi;
//   - execute (statement.go, then exec_select.go, exec_insert.go,
//     exec_update.go, exec_delete.go): the executor runs the plan and
//     nothing else; walk.go and prefetch.go read the access path,
//     pointread.go serves one-znode reads, internal/eval evaluates each
//     row's expressions;
//   - transactions (transaction.go, txstore.go): a transaction is a store
//     over the session's, with its buffered writes applied; it records
//     what it read, and its commit is one multi of checks and writes;
//   - EXPLAIN (explain.go, explain_read.go) prints the plan value itself.
//
// The system tables (systables.go), the acls table (acls.go, aclspec.go)
// and SHOW/DESCRIBE (show.go) are read through the same executor.
package engine
