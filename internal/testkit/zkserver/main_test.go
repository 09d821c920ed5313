package zkserver

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.Cleanup(func(code int) {
		// The other half of "no leftovers": every JVM we started is gone.
		if pids := ourJVMs(); len(pids) > 0 {
			fmt.Fprintf(os.Stderr, "zkserver: java processes still running after the tests: %v\n", pids)
			code = 1
		}
		os.Exit(code)
	}))
}

// ourJVMs lists live processes carrying this test binary's owner mark.
func ourJVMs() []int {
	mark := []byte("-D" + ownerProperty + "=" + strconv.Itoa(os.Getpid()) + "\x00")
	paths, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	var pids []int
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil || !bytes.Contains(b, mark) {
			continue
		}
		pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(p)))
		pids = append(pids, pid)
	}
	return pids
}

// tlog adapts go-zookeeper's logger to t.Logf, but only while the test
// runs: the client's goroutines may log after the test has returned,
// which the testing package turns into a panic.
type tlog struct {
	mu   sync.Mutex
	t    testing.TB
	done bool
}

func newTLog(t testing.TB) *tlog {
	l := &tlog{t: t}
	t.Cleanup(func() {
		l.mu.Lock()
		l.done = true
		l.mu.Unlock()
	})
	return l
}

func (l *tlog) Printf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.done {
		l.t.Logf("zk: "+format, args...)
	}
}
