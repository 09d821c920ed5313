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
//
// # How a statement runs
//
// A statement flows one way, AST → plan → operations:
//
//  1. package parser turns the SQL into zksql's own AST (cached per
//     connector, with the compiled statement);
//  2. a planner makes a plan value: for a read, the access path from
//     WHERE, the fetch level from the columns used and a strategy
//     (stream, sort, aggregate, late sort, count from the parent's Stat,
//     point read, point update); for a write, the ZooKeeper operations of
//     one multi;
//  3. an executor runs that plan, and nothing else, against a
//     zkstore.Store (in a transaction, the transaction's store, which
//     sees its own writes), evaluating expressions on each row.
//
// EXPLAIN prints the plan the statement runs, naming every ZooKeeper
// operation the executor sends (a test holds it to that on both stores).
//
// This package is only the database/sql adapter: Config and the DSN, the
// connector and its ZooKeeper session, and thin Conn, Stmt and Tx types
// that hand each statement to the engine (the module's internal/engine
// package, whose doc maps the steps above to its files). Keeping
// database/sql at the edge means a change to how a statement runs is
// found in the engine in one look, and this package is the only place
// database/sql's interfaces show.
//
// # Sessions
//
// Each sql.DB (each connector) has exactly one ZooKeeper session, opened
// by its first connection and shared by all its pooled connections;
// db.Close closes it, and with it go the session's ephemeral znodes.
// "mem:" is an in-memory ZooKeeper private to one sql.DB; "mem:NAME" is
// the in-memory server of that name, shared by the whole process (see
// [MemServer]), on which every sql.DB has a session of its own. If the
// session expires, the pool drops its connections and the next one opens
// a new session. [NewStoreConnector] runs the driver over any
// zkstore.Store. sql.Conn.Raw hands out a value with a
// Store() zkstore.Store method giving the session:
//
//	conn.Raw(func(c any) error {
//		st := c.(interface{ Store() zkstore.Store }).Store()
//		...
//	})
//
// # Tables
//
// znodes has one row per znode: path (the primary key, relative to the
// chroot), name, parent (NULL for "/"), data (BLOB: scans into []byte or
// string; never NULL), the Stat fields version, cversion, aversion,
// czxid, mzxid, pzxid, ctime and mtime (time.Time in UTC),
// ephemeral_owner, data_length and num_children, and mode and ttl.
// On INSERT, mode is one of persistent (the default), ephemeral,
// persistent_sequential, ephemeral_sequential, container, persistent_ttl
// and persistent_sequential_ttl, and ttl is the TTL in milliseconds (for
// the TTL modes only). On SELECT, mode is what the Stat says: ZooKeeper
// reports containers and TTL znodes to clients with ephemeralOwner 0, so
// they read as "persistent", ephemerals as "ephemeral"; ttl is NULL
// unless a store reports a TTL in the Stat (ZooKeeper itself does not).
//
// acls has one row per ACL entry: path, scheme, id, perms (letters of
// cdrwa). INSERT adds entries, UPDATE changes them, DELETE removes them;
// each changed znode gets one setACL carrying the aversion read, so a
// concurrent ACL change fails the statement with [ErrConflict]. A
// statement changing the ACLs of several znodes applies them znode by
// znode (ZooKeeper's multi has no setACL).
//
// The system tables are read-only views of the ensemble, read when a
// statement runs from the store's [zkstore.Introspector] (a store without
// it gives [ErrNoIntrospection]): servers (one row per member of the DSN's
// host list and /zookeeper/config: role, reachable, error, version,
// version_warning naming known data-loss bugs of that version, last
// zxid, latencies, counts, uptime), connections, session (this sql.DB's
// session, with the sessions replaced so far), watches, ephemerals and
// ensemble_config. A live store asks each member's AdminServer (DSN
// option admin_port), else its four-letter words, concurrently and within
// probe_timeout each; a member down or refusing is a row with its error,
// never a failed statement. [SystemTable] reads one for programs of their
// own. Paths in watches and ephemerals are the server's, not relative to
// the chroot.
//
// # Statements
//
// SELECT supports expressions, WHERE, GROUP BY with COUNT, SUM, MIN, MAX
// and AVG, HAVING, ORDER BY, LIMIT/OFFSET and DISTINCT, with ? or :name
// placeholders (pass sql.Named values for :name). Expressions follow
// MySQL 8 (package parser lists them): besides operators, LIKE, REGEXP,
// CAST and JSON paths, the functions COALESCE, IFNULL, NULLIF, IF, CASE,
// CONCAT, CONCAT_WS, LENGTH, SUBSTRING, LOWER, UPPER, HEX, UNHEX, NOW
// (the statement's start, UTC), UTC_TIMESTAMP, UNIX_TIMESTAMP,
// FROM_UNIXTIME, JSON_EXTRACT (-> and ->>), JSON_UNQUOTE, JSON_TYPE,
// JSON_LENGTH, JSON_KEYS, JSON_CONTAINS and JSON_VALID; any other function
// is an error naming it. A JSON value compared with a string compares as
// JSON, as in MySQL: WHERE data->'$.tag' = 'odd' matches {"tag":"odd"}.
// Comparisons are binary (case-sensitive), as paths are. A grouped query
// follows ONLY_FULL_GROUP_BY, MySQL's default: a select-list, HAVING or
// ORDER BY expression that uses a column neither grouped nor aggregated is
// refused with an error naming the expression and its position, unless
// the query groups by path (every znodes column depends on it) or by the
// whole key of acls (path, scheme, id). The WHERE clause's
// top-level AND conjuncts choose how znodes are found: path = x or
// path IN (...) reads those znodes; parent = x lists x's children;
// path LIKE 'prefix%' walks only below the prefix; an OR whose every
// disjunct has one of these reads their union (path = x OR path LIKE
// 'x/%' reads x and walks below x); anything else walks the tree from
// "/". Walks are depth-first in path order and stream:
// a LIMIT without ORDER BY stops them early. One statement visits at most
// max_scan znodes ([ErrMaxScan] past that). Only what the statement uses
// is read: path, name and parent need no request per znode, Stat columns
// an exists (or the Stat of a listing), data a getData.
// SELECT COUNT(*) FROM znodes WHERE parent = ? reads only the parent.
// A znode deleted while a statement walks is skipped. A znode the session
// may not read (its ACL refuses the DSN's credentials) fails the
// statement with zkstore.ErrNoAuth naming it; with the DSN option
// skip_unreadable=true a SELECT instead leaves it out and ends its rows
// with an [UnreadableError] naming what it could not read, never
// skipping silently.
//
// INSERT INTO znodes (path, data[, mode][, ttl][, acl]) creates znodes; several
// rows go in one multi, all or nothing; with create_parents=true missing
// parents are created (persistent, in the same multi). ON DUPLICATE KEY
// UPDATE data = ... sets the data of znodes that exist, with the version
// just read, in the same multi. If another client creates, changes or
// deletes one of them in between, the statement starts over after a short
// random pause, for as long as its context lasts; a conflict still there
// when the context ends is returned and matches ErrConflict. RowsAffected counts the rows created or updated (not the
// parents); LastInsertId is the sequence number of the last sequential
// znode created, so the created path is the given path plus that number
// in ten digits. With protect_sequential=true (off by default) sequential
// names carry Curator's "_c_<id>-" protection prefix, which lets the
// driver find out whether a create interrupted by a connection loss was
// applied.
//
// Every create carries its ACL in the create request itself, so no
// znode ever exists with another ACL: the row's acl column if the INSERT
// lists one (INSERT INTO znodes (path, data, acl) VALUES ('/a', 'x',
// 'auth::cdrwa,world:anyone:r')), else the DSN option default_acl (also
// for the parents create_parents makes), else world:anyone:cdrwa. acl is
// insert-only (read the ACL back from the acls table) and takes zkCli's
// SCHEME:ID:PERMS,... text or a JSON array of acls rows
// ([{"scheme":"world","id":"anyone","perms":"r"}]); NULL means the
// default. A bad acl fails the statement before anything is sent, with
// zkstore.ErrInvalidACL naming the row.
//
// INSERT IGNORE INTO znodes creates the rows whose znode is missing and
// skips those that exist (MySQL turns the duplicate-key error into a
// warning): an idempotent ensure-path, RowsAffected counting only the
// znodes created. The missing ones go in one multi, all or nothing; a
// znode another client creates between the check and the write is
// dropped from the multi, which ZooKeeper refused whole, and the rest is
// sent again, so a concurrent creator is never an error. With
// create_parents=true missing parents are created too. Only NodeExists
// is ignored: a missing parent or a refused permission fails the
// statement. In a transaction the check is against the transaction's
// view and counts as a read: a znode found absent that another client
// creates before COMMIT (or one found present that changes) fails the
// commit with [ErrTxConflict]. INSERT IGNORE INTO acls skips the entries
// already there.
//
// UPDATE znodes SET data = ... and DELETE FROM znodes send one multi
// with the version read for every matched znode (DELETE deepest first;
// a matched znode with an unmatched child fails with
// zkstore.ErrNotEmpty). With version = N in WHERE and one znode matched,
// the statement is ZooKeeper's compare-and-set: a stale version affects
// 0 rows. Otherwise a znode changing between the read and the write
// fails the statement with [ErrConflict] (matching zkstore.ErrBadVersion),
// nothing applied. UPDATE znodes SET data = <constant> WHERE path =
// <constant>, with nothing else in WHERE and outside a transaction, reads
// nothing: it is one setData of any version, since what it writes cannot
// depend on what a read would find (a missing znode affects 0 rows).
//
// Walks (path LIKE 'prefix%', or no usable condition) keep up to 64
// reads outstanding ahead of the rows produced, pipelined on the
// session's connection, and still yield rows in walk order; the
// read-ahead starts at one and grows as rows are consumed, so a LIMIT or
// a reader that stops early leaves the rest of the subtree unread. Once it
// is full grown, a walk also reads (and lists) the next sibling of each
// directory it is in before the read-ahead reaches it, so it need not
// pause at every directory for its listing. A walk may therefore have
// read up to about 140 znodes past the rows produced, and past max_scan
// when that ends it.
//
// A SELECT of one znode by path (WHERE path = x, or path IN (...) for
// several) sends its reads before planning the rest of the statement.
//
// SHOW TABLES, DESCRIBE table and EXPLAIN statement describe the schema
// and the ZooKeeper operations a statement makes; EXPLAIN never shows
// argument values.
//
// # The root and /zookeeper
//
// No statement deletes "/" - the session's root, which under a chroot is
// the chroot node - and none writes ZooKeeper's own /zookeeper subtree
// (its quota and configuration nodes; under a chroot, the server path
// /zookeeper). A statement whose matched znodes include either is refused
// as a whole with [ErrProtected] before anything is sent, on every store.
// So DELETE FROM znodes with no WHERE, which matches "/", is refused
// rather than emptying the chroot: ZooKeeper's own clients never delete
// their chroot, and emptying a whole namespace should be asked for in so
// many words, as the error shows: DELETE FROM znodes WHERE path <> '/'
// (without a chroot, also leaving /zookeeper out). UPDATE may set the
// root's data and ACL.
//
// The chroot must exist: a session whose chroot is missing would read an
// empty tree and fail every write with an error naming a path below it,
// so opening the session checks it, and Ping and the first statement fail
// with [ErrNoChroot] naming the chroot. The DSN option create_chroot=true
// creates it (and its missing ancestors) instead.
//
// # Request size
//
// A write statement is one request (several znodes: one multi), and a
// ZooKeeper server closes the connection on a request longer than its
// jute.maxbuffer (1048575 bytes by default), leaving the outcome of a
// write unknown. The driver's stores compute each request's size as the
// server counts it and refuse a longer one before sending it, with
// zkstore.ErrRequestTooLarge giving the size and the limit; the tree is
// unchanged. A DELETE or UPDATE of some ten thousand znodes meets the
// limit: split it (by parent, by name range), or raise jute.maxbuffer on
// every server and the DSN's max_request together. The in-memory store
// enforces the same limit, so mem: refuses what a server would.
//
// # Current reads
//
// A ZooKeeper server answers reads from its own copy, which may lag writes
// another session made through the leader. A SELECT run with a context from
// WithSync first sends ZooKeeper's sync on "/" (one sync brings the
// connected server up to date for the whole tree), then reads, so it sees
// every write acknowledged anywhere before it began; EXPLAIN under such a
// context lists the sync as its first step. A point SELECT sends its read
// right behind the sync, without waiting for the sync's reply: the server
// answers a session's requests in order, so the read is answered only once
// the sync has brought the server up to date, and the two cost one round
// trip (the raw client's Sync then Get costs two). Other SELECTs wait for
// the sync first, one round trip more. The
// DSN option sync_reads=true (Config.SyncReads) does the same for every
// SELECT of the sql.DB, and EXPLAIN lists that sync too. UPDATE and
// DELETE do not sync: the versions they read are checked by the write.
//
// # Read cache
//
// The DSN option cache=/config,/services (Config.Cache; paths relative to
// the chroot like every path) names subtrees whose reads the sql.DB
// answers from memory, as Curator's CuratorCache does: when its session
// opens, the driver loads them, then keeps them current from one
// persistent recursive watch per subtree (ZooKeeper 3.6+; the in-memory
// store has them too). A SELECT whose reads (a point read, a listing, a
// walk, a count) are all of cached znodes sends nothing to ZooKeeper; one
// that also reads elsewhere sends those reads as usual. EXPLAIN says which:
// a step "from the cache (subtree /config)", "partly from the cache
// (...); from ZooKeeper: ..." or "not from the cache". The acls table,
// the system tables and every write always go to ZooKeeper. The cache is
// package zkstore/cachestore, which documents how it stays current.
//
// What a cached read sees, on a live ensemble as in memory:
//   - A statement through the sql.DB sees every write the same sql.DB made
//     before it began (its pooled connections share the session and its
//     cache).
//   - Reads never go backwards: once a read has returned a znode's state,
//     no later read through the sql.DB returns an older one.
//   - Another client's write is visible to every read that begins after
//     its watch event reached the session, typically within a round trip
//     of the write. A read under WithSync, or with sync_reads=true, waits
//     for it: it sees every write acknowledged anywhere before it began.
//   - While the session is disconnected a cached read fails with the
//     connection error (zkstore.ErrConnectionLoss) unless the DSN has
//     stale_reads=true (Config.StaleReads); a stale read answers the state
//     of the moment the connection was lost. Once the connection is back,
//     the cache re-reads its subtrees before it answers again, since
//     changes made meanwhile raised no event.
//   - After the session expires, the sql.DB's next session builds a new
//     cache, loaded before it answers: nothing from the old one is used.
//   - Transactions read from the cache and stay serializable: the versions
//     they read are checked at commit as always, so a znode another
//     session changed fails the commit with [ErrTxConflict].
//
// ZooKeeper sends no event for an ACL change, and none about a znode the
// session may not read: a znode another client makes unreadable keeps its
// cached data until it changes again, and one created unreadable is
// missing from its parent's cached child list. A cache costs memory (the
// data and Stat of every znode in its subtrees) and one re-read per change
// in them: cache what is read far more often than it is written.
//
// # Transactions
//
// db.BeginTx starts an optimistic, serializable transaction (other
// isolation levels are refused). Its statements read and write through
// the session's store as the transaction sees it: every access path
// (point reads, listings, walks, counts) sees its own writes; reads of
// ZooKeeper record the versions, absences and child listings they saw;
// writes are checked when they run as ZooKeeper would check them against
// that view (an INSERT of a znode that exists fails at once with
// zkstore.ErrNodeExists, a stale compare-and-set affects 0 rows) and are
// buffered. Commit sends one multi that checks every znode read and
// applies the writes, and fails with [ErrTxConflict], nothing applied, if
// another client changed any of them: retry the transaction. What only
// ZooKeeper decides at commit is reported as not known: a sequential
// INSERT's LastInsertId is [ErrSequencePending] (and the znode is
// invisible to the transaction's reads), and the czxid, mzxid, pzxid,
// ctime and mtime of what it created or changed read as NULL. ACLs are
// not checked, and cannot be written in a transaction.
//
// # Errors
//
// Store errors are wrapped, so errors.Is(err, zkstore.ErrNodeExists)
// and the like work; messages name the statement (truncated) and the
// path. Parse errors are *parser.Error with the position.
// driver.ErrBadConn is returned only when nothing was sent.
package driver
