// Package zksql reads, changes and watches Apache ZooKeeper with SQL,
// through database/sql.
//
// znodes are rows: create is INSERT, getData is SELECT, setData is UPDATE
// (the version column is ZooKeeper's compare-and-set), delete is DELETE and
// getChildren is a query on parent. Transactions are ZooKeeper multi-ops.
//
// The packages, with dependencies pointing one way:
//
//   - zkstore: the Store interface, one ZooKeeper session, with the errors
//     every store returns.
//   - zkstore/memstore: an in-memory ZooKeeper that behaves as the server
//     does, so tests need no server.
//   - zkstore/livestore: a session on a real ensemble through
//     github.com/go-zookeeper/zk.
//   - zkstore/storetest: the conformance suite both stores pass.
//   - parser: the SQL dialect, parsed into zksql's own small AST.
//   - driver: the "zookeeper" database/sql driver.
//   - watch: ZooKeeper watches as Go channels.
package zksql
