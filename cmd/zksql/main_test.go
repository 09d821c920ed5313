package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zksql/zksql/internal/panics"
	"github.com/zksql/zksql/internal/testkit/zkserver"
)

// binary is the zksql command built for the end-to-end tests, which run
// it as a user would: through pipes, and on a real terminal under tmux.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "zksql-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "zksql")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building zksql:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := zkserver.RunShared(m, zkserver.Options{})
	os.RemoveAll(dir)
	os.Exit(panics.Check(code))
}

// runZK runs the built zksql with args and stdin in a clean environment
// whose config directory is a fresh temporary one (so no history of the
// user's is read or written). It returns stdout, stderr and the exit code.
func runZK(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	return runEnv(t, testEnv(t), stdin, args...)
}

func runEnv(t *testing.T, env []string, stdin string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = env
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("running zksql: %v", err)
	}
	return out.String(), errOut.String(), code
}

// testEnv is a minimal environment with HOME and XDG_CONFIG_HOME in a
// temporary directory.
func testEnv(t *testing.T) []string {
	t.Helper()
	home := t.TempDir()
	return []string{
		"HOME=" + home,
		"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"PATH=" + os.Getenv("PATH"),
		"TERM=xterm-256color",
		"LANG=C.UTF-8",
	}
}

func envValue(env []string, name string) string {
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, name+"="); ok {
			return v
		}
	}
	return ""
}
