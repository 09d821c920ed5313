package zkserver

import (
	"context"
	"os"
	"strconv"
	"testing"
)

// RequireTB skips the test when no ZooKeeper server can be run, saying how
// to install one. In CI (CI=true) it fails the test instead: a CI run must
// never pass by silently skipping its live tests.
func RequireTB(tb testing.TB) {
	tb.Helper()
	err := Available()
	if err == nil {
		return
	}
	msg := "ZooKeeper is not available (" + err.Error() + "); " + InstallHint
	if ci, _ := strconv.ParseBool(os.Getenv("CI")); ci {
		tb.Fatal(msg + " [CI is set, so this is a failure, not a skip]")
	}
	tb.Skip(msg)
}

// StartTB starts a standalone server for a test, in a directory under
// tb.TempDir(), and stops it in tb.Cleanup. It skips the test (fails it
// under CI=true) when ZooKeeper is not installed, and fails it when the
// server does not start. At most one Options may be given.
func StartTB(tb testing.TB, opts ...Options) *Server {
	tb.Helper()
	o := testOptions(tb, opts)
	s, err := Start(tbContext(tb), o)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		logTailOnFailure(tb, s)
		if err := s.Close(); err != nil {
			tb.Errorf("zkserver: closing %s: %v", s.Addr(), err)
		}
	})
	return s
}

// StartEnsembleTB starts an n-server ensemble for a test; see StartTB.
func StartEnsembleTB(tb testing.TB, n int, opts ...Options) *Ensemble {
	tb.Helper()
	o := testOptions(tb, opts)
	e, err := StartEnsemble(tbContext(tb), n, o)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		for _, s := range e.servers {
			logTailOnFailure(tb, s)
		}
		if err := e.Close(); err != nil {
			tb.Errorf("zkserver: closing ensemble: %v", err)
		}
	})
	return e
}

func testOptions(tb testing.TB, opts []Options) Options {
	tb.Helper()
	if len(opts) > 1 {
		tb.Fatal("zkserver: at most one Options")
	}
	var o Options
	if len(opts) == 1 {
		o = opts[0]
	}
	if o.Installation == nil {
		RequireTB(tb)
	}
	if o.Dir == "" {
		// The testing package removes it after our cleanup has stopped
		// the server (cleanups run last-registered first).
		o.Dir = tb.TempDir()
	}
	return o
}

// tbContext bounds start-up by the test's own context where there is one,
// so an interrupted test does not wait out StartTimeout.
func tbContext(tb testing.TB) context.Context {
	return tb.Context()
}

// logTailOnFailure shows the server's log in a failed test's output, since
// the directory holding it is about to be deleted.
func logTailOnFailure(tb testing.TB, s *Server) {
	if tb.Failed() {
		tb.Logf("zkserver: last lines of %s:\n%s", s.LogPath(), s.LogTail(30))
	}
}
