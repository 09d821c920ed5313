package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"

	sqle "github.com/dolthub/go-mysql-server"
	"github.com/dolthub/go-mysql-server/server"
	"github.com/dolthub/go-mysql-server/sql"
	"github.com/dolthub/go-mysql-server/sql/analyzer"
	"github.com/dolthub/vitess/go/mysql"
	"github.com/sirupsen/logrus"

	"github.com/zksql/zksql/zkstore"
)

// What the server says it is: VERSION(), @@version and the handshake give
// serverVersion, @@version_comment versionComment.
const (
	serverVersion  = "8.0.31-zkgw"
	versionComment = "zksql gateway (ZooKeeper)"
)

// gateway serves one zkstore.Store over the MySQL protocol.
type gateway struct {
	cfg     Config
	store   zkstore.Store
	budgets *budgets
	server  *server.Server
	fileDir string // secure_file_priv: an empty private directory
	addr    net.Addr
}

// newGateway listens on ln (which it then owns) and serves st. It does not
// close st.
func newGateway(cfg Config, st zkstore.Store, ln net.Listener) (*gateway, error) {
	if err := cfg.validate(); err != nil {
		ln.Close()
		return nil, err
	}
	// go-mysql-server logs connections and failed queries with their
	// text; queries carry data, so only warnings without query text remain.
	logrus.SetLevel(logrus.ErrorLevel)
	gw := &gateway{cfg: cfg, store: st, budgets: newBudgets(cfg.MaxScan), addr: ln.Addr()}

	// LOAD_FILE reads only from secure_file_priv; an empty directory of our
	// own means it reads nothing of the host's. ("" would mean anywhere.)
	dir, err := os.MkdirTemp("", "zkgw-files-")
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("zkgw: secure_file_priv directory: %w", err)
	}
	gw.fileDir = dir
	// The version clients see, in the handshake, VERSION() and @@version,
	// is one string that MySQL clients' version parsing reads as 8.0.31
	// (what go-mysql-server v0.20.0 emulates), with the suffix and
	// @@version_comment saying what the server is. These variables are
	// process-wide in go-mysql-server; every gateway sets the same values.
	if err := sql.SystemVariables.AssignValues(map[string]any{
		"secure_file_priv": dir,
		"version":          serverVersion,
		"version_comment":  versionComment,
	}); err != nil {
		gw.cleanup()
		ln.Close()
		return nil, fmt.Errorf("zkgw: setting system variables: %w", err)
	}

	db := &database{name: cfg.Database, tables: map[string]*table{}}
	db.tables["znodes"] = newZnodesTable(gw)
	db.tables["acls"] = newACLsTable(gw)
	db.system = map[string]*sysTable{}
	for _, t := range systemTables(gw) {
		db.system[t.Name()] = t
	}
	pro := &provider{db: db}

	x := newExplains()
	a := analyzer.NewBuilder(pro).
		AddPreAnalyzeRule(likeRuleID, fixLikePrefix).
		AddPostValidationRule(explainRuleID, x.unsetMax1Row).
		Build()
	engine := sqle.New(a, &sqle.Config{IsReadOnly: !cfg.Writable})
	engine.Parser = explainParser{Parser: engine.Parser, x: x}
	registerFunctions(engine)

	// Enabling the mysql database turns authentication on: without an
	// account, go-mysql-server lets anyone in.
	mdb := engine.Analyzer.Catalog.MySQLDb
	ed := mdb.Editor()
	mdb.AddSuperUser(ed, cfg.User, "%", cfg.Password)
	ed.Close()

	// An unknown user is answered as a wrong password is (auth.go).
	srvCfg := server.Config{Protocol: "tcp", Listener: ln, Version: serverVersion,
		ProtocolListenerFactory: uniformAuthListener(cfg.User)}
	srv, err := server.NewServer(srvCfg, engine, sql.NewContext, sessionBuilder(cfg.Database), nil)
	if err != nil {
		gw.cleanup()
		ln.Close()
		return nil, fmt.Errorf("zkgw: %w", err)
	}
	gw.server = srv
	return gw, nil
}

// sessionBuilder makes plain sessions that start in the ZooKeeper database.
func sessionBuilder(dbName string) server.SessionBuilder {
	return func(ctx context.Context, conn *mysql.Conn, addr string) (sql.Session, error) {
		var host, user string
		if u, ok := conn.UserData.(sql.MysqlConnectionUser); ok {
			host, user = u.Host, u.User
		}
		s := sql.NewBaseSessionWithClientServer(addr, sql.Client{Address: host, User: user, Capabilities: conn.Capabilities}, conn.ConnectionID)
		s.SetCurrentDatabase(dbName)
		return s, nil
	}
}

// Serve accepts connections until Close.
func (gw *gateway) Serve() error { return gw.server.Start() }

// Addr is where the gateway listens.
func (gw *gateway) Addr() net.Addr { return gw.addr }

// Close stops accepting, ends the connections and removes the
// secure_file_priv directory. The store stays open.
func (gw *gateway) Close() error {
	err := gw.server.Close()
	gw.cleanup()
	return err
}

func (gw *gateway) cleanup() {
	if gw.fileDir != "" {
		os.RemoveAll(gw.fileDir)
	}
}

// queryContext bounds the store work of the query ctx belongs to by the
// query timeout, counted from the query's start.
func (gw *gateway) queryContext(ctx *sql.Context) (context.Context, context.CancelFunc) {
	return context.WithDeadline(ctx, ctx.QueryTime().Add(gw.cfg.QueryTimeout))
}

// storeErr turns the query timeout into a message that names it.
func (gw *gateway) storeErr(qctx context.Context, err error) error {
	if errors.Is(qctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("zkgw: query timeout (%s) reached: %w", gw.cfg.QueryTimeout, err)
	}
	return err
}
