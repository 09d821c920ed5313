package zkserver

import (
	"archive/zip"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// writeJar writes an empty jar, with a manifest Class-Path if given.
func writeJar(t *testing.T, path string, classPath ...string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	if len(classPath) > 0 {
		w, _ := zw.Create("META-INF/MANIFEST.MF")
		// Wrapped the way jar tools wrap long lines.
		line := "Class-Path: " + strings.Join(classPath, " ")
		fmt.Fprintf(w, "Manifest-Version: 1.0\r\n%s\r\n", line[:20])
		for rest := line[20:]; rest != ""; {
			n := min(len(rest), 30)
			fmt.Fprintf(w, " %s\r\n", rest[:n])
			rest = rest[n:]
		}
		fmt.Fprint(w, "Created-By: test\r\n\r\n")
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

func TestFindTarball(t *testing.T) {
	home := t.TempDir()
	lib := filepath.Join(home, "lib")
	for _, name := range []string{"zookeeper-jute-3.8.4.jar", "zookeeper-prometheus-metrics-3.8.4.jar", "zookeeper-3.8.4.jar", "logback-classic-1.2.10.jar"} {
		writeJar(t, filepath.Join(lib, name))
	}
	os.Mkdir(filepath.Join(home, "conf"), 0o755)
	t.Setenv(EnvJar, "")
	t.Setenv(EnvHome, home)
	inst, err := Find()
	if err != nil {
		t.Skip("no java:", err) // Find needs java; nothing else here does
	}
	if want := filepath.Join(lib, "zookeeper-3.8.4.jar"); inst.Jar != want || inst.Source != EnvHome {
		t.Fatalf("Jar = %s (%s), want %s", inst.Jar, inst.Source, want)
	}
	want := []string{
		filepath.Join(home, "conf"),
		filepath.Join(lib, "zookeeper-3.8.4.jar"),
		filepath.Join(lib, "logback-classic-1.2.10.jar"),
		filepath.Join(lib, "zookeeper-jute-3.8.4.jar"),
		filepath.Join(lib, "zookeeper-prometheus-metrics-3.8.4.jar"),
	}
	if !slices.Equal(inst.Classpath, want) {
		t.Fatalf("Classpath\n got %q\nwant %q", inst.Classpath, want)
	}

	t.Setenv(EnvHome, t.TempDir())
	if _, err := Find(); err == nil || !strings.Contains(err.Error(), EnvHome) {
		t.Fatalf("empty ZOOKEEPER_HOME: %v", err)
	}
}

func TestFindManifestJar(t *testing.T) {
	dir := t.TempDir()
	jar := filepath.Join(dir, "zookeeper.jar")
	writeJar(t, jar, "/usr/share/java/zookeeper-jute.jar", "/usr/share/java/slf4j-api.jar", "/usr/share/java/netty-handler.jar")
	writeJar(t, filepath.Join(dir, "slf4j-simple.jar"))
	writeJar(t, filepath.Join(dir, "slf4j-nop.jar"))
	t.Setenv(EnvHome, "")
	t.Setenv(EnvJar, jar)
	inst, err := Find()
	if err != nil {
		t.Skip("no java:", err)
	}
	// Only the jar (its manifest brings the rest) and a logging binding.
	want := []string{jar, filepath.Join(dir, "slf4j-simple.jar")}
	if !slices.Equal(inst.Classpath, want) {
		t.Fatalf("Classpath\n got %q\nwant %q", inst.Classpath, want)
	}

	t.Setenv(EnvJar, filepath.Join(dir, "missing.jar"))
	if _, err := Find(); err == nil || !strings.Contains(err.Error(), EnvJar) {
		t.Fatalf("missing ZOOKEEPER_JAR: %v", err)
	}
}

func TestFindDebian(t *testing.T) {
	t.Setenv(EnvHome, "")
	t.Setenv(EnvJar, "")
	if !fileExists(debianJar) {
		t.Skip("Debian zookeeper package not installed")
	}
	inst, err := Find()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("java %s, classpath %q", inst.Java, inst.Classpath)
	if inst.Source != "debian" || inst.Classpath[0] != debianJar {
		t.Fatalf("%+v", inst)
	}
}

// fakeTB records Skip and Fatal, which end the calling goroutine like the
// real ones.
type fakeTB struct {
	testing.TB
	skipped, failed bool
	msg             string
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Skip(args ...any) {
	f.skipped, f.msg = true, fmt.Sprint(args...)
	runtime.Goexit()
}
func (f *fakeTB) Fatal(args ...any) {
	f.failed, f.msg = true, fmt.Sprint(args...)
	runtime.Goexit()
}

func runRequire() *fakeTB {
	f := &fakeTB{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		RequireTB(f)
	}()
	<-done
	return f
}

func TestRequireTBSkipsOrFailsInCI(t *testing.T) {
	t.Setenv(EnvHome, "")
	t.Setenv(EnvJar, filepath.Join(t.TempDir(), "no-such.jar"))

	t.Setenv("CI", "")
	f := runRequire()
	if !f.skipped || f.failed {
		t.Fatalf("without CI: skipped=%v failed=%v", f.skipped, f.failed)
	}
	if !strings.Contains(f.msg, "apt-get update && apt-get install -y zookeeper") || !strings.Contains(f.msg, EnvHome) {
		t.Errorf("skip message does not say how to install: %s", f.msg)
	}

	t.Setenv("CI", "true")
	f = runRequire()
	if !f.failed || f.skipped {
		t.Fatalf("with CI=true: skipped=%v failed=%v", f.skipped, f.failed)
	}
	t.Logf("CI message: %s", f.msg)
}
