package watch

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/zksql/zksql/zkstore"
)

// Source gives a stream its ZooKeeper session.
//
// Store returns the current session. A stream calls it when it starts and
// again whenever the session it had has expired or was closed; a Source
// that can open a new session returns it then. An error matching
// zkstore.ErrSessionExpired or zkstore.ErrClosed means there will be no
// session any more, and ends the stream; any other error is reported as
// an Error event and retried. Store must be safe for concurrent use: many
// streams may share one Source, and one session.
type Source interface {
	Store(ctx context.Context) (zkstore.Store, error)
}

// dead is the error that ends a stream on st, nil while st's session
// lives. For an expired session it says who ended it: the Store interface
// keeps the cause only in its calls' errors (and in the SessionEvent, long
// gone by now), so dead asks with a call that a dead store answers at once,
// without the network: zkstore.ErrSessionGivenUp when the client gave the
// session up, zkstore.ErrSessionExpired when the server expired it.
func dead(st zkstore.Store) error {
	switch st.State() {
	case zkstore.StateExpired:
		return expiryCause(st)
	case zkstore.StateClosed:
		return zkstore.ErrClosed
	}
	return nil
}

// expiryCause is who ended st's expired session (see dead).
func expiryCause(st zkstore.Store) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, _, err := st.Exists(ctx, "/")
	if errors.Is(err, zkstore.ErrSessionGivenUp) {
		return zkstore.ErrSessionGivenUp
	}
	return zkstore.ErrSessionExpired
}

type storeSource struct{ st zkstore.Store }

// StoreSource is the Source of one Store. Its streams end when the session
// expires (the last event is Expired) or the store is closed (the last event
// is an Error with zkstore.ErrClosed). The caller keeps owning the store.
func StoreSource(st zkstore.Store) Source { return storeSource{st} }

func (s storeSource) Store(context.Context) (zkstore.Store, error) {
	if err := dead(s.st); err != nil {
		return nil, err
	}
	return s.st, nil
}

// Reopener is a Source that opens a new session when the current one has
// expired or was closed. It owns the stores it opens.
type Reopener struct {
	open   func(context.Context) (zkstore.Store, error)
	mu     sync.Mutex
	cur    zkstore.Store
	closed bool
}

// Reopen returns a Source that calls open for its first session and again
// whenever the session it gave last has expired or was closed. An error
// from open is reported by the streams and retried; open should not return
// zkstore.ErrSessionExpired or zkstore.ErrClosed unless no session will ever
// come (that ends the streams). Close the Reopener when done with it.
func Reopen(open func(ctx context.Context) (zkstore.Store, error)) *Reopener {
	return &Reopener{open: open}
}

// Store returns the live session, opening a new one if needed. After Close
// it fails with zkstore.ErrClosed.
func (r *Reopener) Store(ctx context.Context) (zkstore.Store, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil, zkstore.ErrClosed
	}
	if r.cur != nil {
		if dead(r.cur) == nil {
			return r.cur, nil
		}
		r.cur.Close()
		r.cur = nil
	}
	st, err := r.open(ctx)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return nil, errors.New("watch: Reopen: open returned no store")
	}
	r.cur = st
	return st, nil
}

// Close closes the current session; the streams on it end (their last
// event an Error with zkstore.ErrClosed). Close is idempotent.
func (r *Reopener) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	if r.cur == nil {
		return nil
	}
	err := r.cur.Close()
	r.cur = nil
	return err
}

// StoreConn is what FromDB needs of a driver connection: zksql's driver
// gives it through sql.Conn.Raw, its connection having the method
//
//	Store() zkstore.Store
//
// returning the ZooKeeper session the connection runs on.
type StoreConn interface {
	Store() zkstore.Store
}

// DBSource is the Source FromDB returns.
type DBSource struct {
	db     *sql.DB
	mu     sync.Mutex
	conn   *sql.Conn
	st     zkstore.Store
	closed bool
}

// FromDB is a Source of the sessions of a zksql database (sql.Open with
// the "zookeeper" driver). It takes one connection out of db's pool
// (db.Conn), keeps it for as long as its session lives so that the pool
// cannot close it under the streams, and reaches the session through
// sql.Conn.Raw and [StoreConn]. When that session has expired or was closed
// it discards the connection (the pool will not reuse it) and takes another,
// on a new session. Close gives the connection back.
//
// The connection held is one fewer for the program's statements. If
// db.SetMaxOpenConns leaves none (a limit of 1, or of N with N-1 held by
// FromDB sources already), every statement would wait forever for a
// connection, so Store refuses instead, with an error matching
// [ErrPoolTooSmall] (and zkstore.ErrClosed, so that the streams end with
// it rather than retry).
func FromDB(db *sql.DB) *DBSource { return &DBSource{db: db} }

// ErrPoolTooSmall is FromDB's error when holding a connection would leave
// the database's pool none for statements.
var ErrPoolTooSmall = errors.New("watch: FromDB: the sql.DB's connection pool is too small")

// held counts the connections FromDB sources hold, per sql.DB.
var held struct {
	sync.Mutex
	n map[*sql.DB]int
}

// reserve counts a connection about to be held from db, or refuses if it
// would be the last db.SetMaxOpenConns allows.
func reserve(db *sql.DB) error {
	held.Lock()
	defer held.Unlock()
	n := held.n[db]
	if limit := db.Stats().MaxOpenConnections; limit > 0 && n+1 >= limit {
		return fmt.Errorf("%w (and no session will come: %w): FromDB holds a connection for as long as its session lives, "+
			"and with db.SetMaxOpenConns(%d) and %d held by FromDB already, none would be left for statements, which would wait forever; "+
			"allow at least %d, or give the streams a session of their own (watch.Reopen)",
			ErrPoolTooSmall, zkstore.ErrClosed, limit, n, n+2)
	}
	if held.n == nil {
		held.n = make(map[*sql.DB]int)
	}
	held.n[db] = n + 1
	return nil
}

// unreserve undoes reserve once the connection is given back.
func unreserve(db *sql.DB) {
	held.Lock()
	defer held.Unlock()
	if held.n[db] <= 1 {
		delete(held.n, db)
	} else {
		held.n[db]--
	}
}

// Store returns the session of the connection held, taking a new
// connection if there is none or its session is dead.
func (s *DBSource) Store(ctx context.Context) (zkstore.Store, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, zkstore.ErrClosed
	}
	if s.conn != nil {
		if dead(s.st) == nil {
			return s.st, nil
		}
		s.discard()
	}
	if err := reserve(s.db); err != nil {
		return nil, err
	}
	var last error
	for range 3 {
		conn, err := s.db.Conn(ctx)
		if err != nil {
			unreserve(s.db)
			if err.Error() == errDBClosed {
				// No session will ever come: end the streams rather
				// than have them retry a closed database forever.
				return nil, fmt.Errorf("watch: FromDB: %w: %w", zkstore.ErrClosed, err)
			}
			return nil, fmt.Errorf("watch: FromDB: %w", err)
		}
		var st zkstore.Store
		err = conn.Raw(func(dc any) error {
			sc, ok := dc.(StoreConn)
			if !ok {
				return fmt.Errorf("watch: FromDB: driver connection %T has no Store() zkstore.Store method", dc)
			}
			st = sc.Store()
			if st == nil || dead(st) != nil {
				return driver.ErrBadConn // the pool drops the connection
			}
			return nil
		})
		if err == nil {
			s.conn, s.st = conn, st
			return st, nil
		}
		conn.Close()
		last = err
		if !errors.Is(err, driver.ErrBadConn) {
			break
		}
	}
	unreserve(s.db)
	return nil, last
}

// errDBClosed is database/sql's (unexported) error for a closed sql.DB.
const errDBClosed = "sql: database is closed"

// discard drops the held connection from the pool; s.mu is held.
func (s *DBSource) discard() {
	s.conn.Raw(func(any) error { return driver.ErrBadConn })
	s.conn.Close()
	s.conn, s.st = nil, nil
	unreserve(s.db)
}

// Close returns the held connection to the pool and makes later calls of
// Store fail with zkstore.ErrClosed. Streams already running keep the
// session until it ends; cancel their contexts first. Close is idempotent.
func (s *DBSource) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	if s.conn == nil {
		return nil
	}
	err := s.conn.Close()
	s.conn, s.st = nil, nil
	unreserve(s.db)
	return err
}
