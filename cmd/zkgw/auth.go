package main

import (
	"github.com/dolthub/go-mysql-server/server"
	"github.com/dolthub/vitess/go/mysql"
)

// uniformAuth makes an unknown user indistinguishable from a known one
// with a wrong password.
//
// go-mysql-server's auth server answers the handshake of a user it has
// no account for with error 2012 "No authentication methods available",
// before any password exchange, which tells a prober which account names
// exist. Behind uniformAuth every auth method treats an unknown user as
// it treats the configured one (stand), so the client is offered the same
// method and goes through the same password exchange; the password check
// then fails the unknown user with the same error 1045 "Access denied for
// user '...'" a wrong password gets.
type uniformAuth struct {
	mysql.AuthServer
	stand string // the configured user
}

func (a uniformAuth) AuthMethods() []mysql.AuthMethod {
	inner := a.AuthServer.AuthMethods()
	out := make([]mysql.AuthMethod, len(inner))
	for i, m := range inner {
		out[i] = uniformMethod{AuthMethod: m, all: inner, stand: a.stand}
	}
	return out
}

type uniformMethod struct {
	mysql.AuthMethod
	all   []mysql.AuthMethod
	stand string
}

// HandleUser answers for an unknown user what it answers for the
// configured one. The password check (HandleAuthPluginData) still runs
// for the user the client named, and refuses an unknown one.
func (m uniformMethod) HandleUser(c *mysql.Conn, user string) bool {
	known := false
	for _, x := range m.all {
		if x.HandleUser(c, user) {
			known = true
			break
		}
	}
	if !known {
		user = m.stand
	}
	return m.AuthMethod.HandleUser(c, user)
}

// uniformAuthListener is a server.ProtocolListenerFunc that puts
// uniformAuth in front of the engine's auth server.
func uniformAuthListener(stand string) server.ProtocolListenerFunc {
	return func(cfg server.Config, lc mysql.ListenerConfig, sel server.ServerEventListener) (server.ProtocolListener, error) {
		lc.AuthServer = uniformAuth{AuthServer: lc.AuthServer, stand: stand}
		return server.MySQLProtocolListenerFactory(cfg, lc, sel)
	}
}
