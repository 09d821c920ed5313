// Package driver is a database/sql driver for Apache ZooKeeper.
//
// Import it for its side effect and open a database with a DSN naming
// either a ZooKeeper ensemble or an in-memory store:
//
//	import _ "github.com/zksql/zksql/driver"
//
//	db, err := sql.Open("zookeeper", "zk://zk1:2181,zk2:2181/app?session_timeout=15s")
//	db, err := sql.Open("zookeeper", "mem:")
//
// See [ParseDSN] for the full DSN syntax and its options, and [Config]
// for the parsed form. Passwords given with the auth option never appear
// in the output of [Config.String], [Config.Redacted], fmt verbs or
// errors; only [Config.FormatDSN] writes them.
package driver
