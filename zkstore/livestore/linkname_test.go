package livestore

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestModuleVersionInFile(t *testing.T) {
	for _, c := range []struct{ file, want string }{
		{"/root/go/pkg/mod/github.com/go-zookeeper/zk@v1.0.4/conn.go", "v1.0.4"},
		{"github.com/go-zookeeper/zk@v1.0.4/conn.go", "v1.0.4"}, // -trimpath
		{`C:\Users\u\go\pkg\mod\github.com\go-zookeeper\zk@v1.0.4\conn.go`, "v1.0.4"},
		{"/root/go/pkg/mod/github.com/go-zookeeper/zk@v1.1.0-rc.1/conn.go", "v1.1.0-rc.1"},
		{"/home/u/src/zk/conn.go", ""},                                          // replaced by a local copy
		{"/work/app/vendor/github.com/go-zookeeper/zk/conn.go", ""},             // vendored
		{"/root/go/pkg/mod/github.com/fork/go-zookeeper/zk@v1.0.4/conn.go", ""}, // a fork
		{"/root/go/pkg/mod/github.com/xgo-zookeeper/zk@v1.0.4/conn.go", ""},
		{"/root/go/pkg/mod/github.com/go-zookeeper/zk@v1.0.4", ""},
	} {
		if got := moduleVersionInFile(c.file, zkModule); got != c.want {
			t.Errorf("moduleVersionInFile(%q) = %q, want %q", c.file, got, c.want)
		}
	}
}

// secondModuleTest is a test in another module that uses livestore: a
// user's `go test` against a live server. Its test binary records no
// dependencies in its build information, which is what used to switch the
// raw multi off there (containers and TTL znodes refused in a Multi) while
// the same code in a program had it on.
const secondModuleTest = `package second

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/zksql/zksql/zkstore"
	"github.com/zksql/zksql/zkstore/livestore"
)

func TestContainerInMulti(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := livestore.Open(ctx, []string{os.Getenv("ZKSQL_SECOND_ADDR")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	p := fmt.Sprintf("/second-module-%d", time.Now().UnixNano())
	if _, err := s.Multi(ctx, &zkstore.CreateOp{Path: p, Data: []byte{}, Mode: zkstore.ModeContainer}); err != nil {
		t.Fatalf("container create in a multi from another module's test: %v", err)
	}
	s.Delete(ctx, p, -1)
}
`

// TestRawMultiInAnotherModulesTest runs a test of a second module that
// requires this one (through a replace directive) against the shared
// server: the raw multi must be on there as it is in a program.
func TestRawMultiInAnotherModulesTest(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a second module")
	}
	addr := serverAddr(t)
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	goMod := "module example.com/second\n\ngo 1.24\n\nrequire github.com/zksql/zksql v0.0.0\n\nreplace github.com/zksql/zksql => " + root + "\n"
	for name, text := range map[string]string{"go.mod": goMod, "go.sum": string(sum), "second_test.go": secondModuleTest} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.CommandContext(t.Context(), "go", "test", "-count=1", "-mod=mod", ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "ZKSQL_SECOND_ADDR="+addr, "GOFLAGS=-mod=mod", "GOWORK=off")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go test in a second module: %v\n%s", err, strings.TrimSpace(string(out)))
	}
}
