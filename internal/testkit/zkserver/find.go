package zkserver

import (
	"archive/zip"
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// Environment variables that point the harness at a ZooKeeper installation.
const (
	// EnvJar names the ZooKeeper server jar itself.
	EnvJar = "ZOOKEEPER_JAR"
	// EnvHome names a directory holding the jar(s): an Apache binary
	// tarball (jars in lib/), or any directory with the jar in it.
	EnvHome = "ZOOKEEPER_HOME"
	// debianJar is where Debian's "zookeeper" package puts the server jar.
	debianJar = "/usr/share/java/zookeeper.jar"
)

// InstallHint tells a person how to make ZooKeeper available; it is part of
// every "not available" message so a skipped test says how to un-skip it.
const InstallHint = "install it with `apt-get update && apt-get install -y zookeeper`, " +
	"or set " + EnvJar + " to the server jar or " + EnvHome + " to an unpacked Apache ZooKeeper tarball"

// Installation is a ZooKeeper server that can be run: a java binary and the
// classpath for org.apache.zookeeper.server.quorum.QuorumPeerMain.
type Installation struct {
	Java      string   // the java executable
	Jar       string   // the ZooKeeper server jar
	Classpath []string // entries joined with the OS list separator for -cp
	Source    string   // where it was found: EnvJar, EnvHome or "debian"
}

// zkJarRE matches the server jar ("zookeeper.jar", "zookeeper-3.8.0.jar")
// but not its siblings (zookeeper-jute, zookeeper-prometheus-metrics, ...),
// which all carry a word after the dash rather than a version number.
var zkJarRE = regexp.MustCompile(`^zookeeper(-[0-9][0-9A-Za-z.\-]*)?\.jar$`)

// Find locates ZooKeeper and java. It prefers ZOOKEEPER_JAR, then
// ZOOKEEPER_HOME, then the Debian package; an explicitly set variable that
// points at nothing usable is an error rather than a silent fallback, so a
// typo in CI does not quietly test against a different server.
func Find() (*Installation, error) {
	java, err := findJava()
	if err != nil {
		return nil, err
	}
	inst := &Installation{Java: java}
	switch {
	case os.Getenv(EnvJar) != "":
		inst.Source = EnvJar
		inst.Jar = os.Getenv(EnvJar)
		if _, err := os.Stat(inst.Jar); err != nil {
			return nil, fmt.Errorf("zkserver: %s: %w", EnvJar, err)
		}
	case os.Getenv(EnvHome) != "":
		inst.Source = EnvHome
		inst.Jar, err = jarInHome(os.Getenv(EnvHome))
		if err != nil {
			return nil, err
		}
	default:
		inst.Source = "debian"
		inst.Jar = debianJar
		if _, err := os.Stat(inst.Jar); err != nil {
			return nil, fmt.Errorf("zkserver: no ZooKeeper found (%s: %w)", debianJar, err)
		}
	}
	inst.Classpath, err = classpathFor(inst.Jar)
	if err != nil {
		return nil, err
	}
	return inst, nil
}

// Available reports why no ZooKeeper server can be run, or nil if one can.
func Available() error {
	_, err := Find()
	return err
}

// findJava honours JAVA_HOME like the ZooKeeper scripts do, else uses PATH.
func findJava() (string, error) {
	if home := os.Getenv("JAVA_HOME"); home != "" {
		p := filepath.Join(home, "bin", "java")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	p, err := exec.LookPath("java")
	if err != nil {
		return "", fmt.Errorf("zkserver: no java executable (set JAVA_HOME or put java on PATH): %w", err)
	}
	return p, nil
}

// jarInHome finds the server jar in an installation directory: lib/ of an
// Apache tarball first, then the directory itself.
func jarInHome(home string) (string, error) {
	for _, dir := range []string{filepath.Join(home, "lib"), home} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		var found []string
		for _, e := range entries {
			if !e.IsDir() && zkJarRE.MatchString(e.Name()) {
				found = append(found, e.Name())
			}
		}
		if len(found) > 0 {
			// "zookeeper.jar" sorts after "zookeeper-3.8.0.jar"; either
			// is fine, sorting only makes the choice deterministic.
			sort.Strings(found)
			return filepath.Join(dir, found[0]), nil
		}
	}
	return "", fmt.Errorf("zkserver: %s=%s: no zookeeper*.jar in it or in its lib/", EnvHome, home)
}

// classpathFor builds the classpath around the server jar.
//
// Debian's jar names its dependencies in the manifest's Class-Path, so the
// JVM finds them by itself; everything else in /usr/share/java must stay out
// (several slf4j bindings there would conflict). Debian's manifest has no
// slf4j binding, which would make the server log nothing at all, so we add
// slf4j-simple (same package, logs to stderr, which we capture).
//
// A jar without such a manifest is taken to be an Apache tarball layout:
// all jars next to it (lib/*.jar) plus ../conf, whose logback.xml logs to
// the console at INFO.
func classpathFor(jar string) ([]string, error) {
	manifest, err := manifestClassPath(jar)
	if err != nil {
		return nil, fmt.Errorf("zkserver: reading %s: %w", jar, err)
	}
	dir := filepath.Dir(jar)
	if len(manifest) > 0 {
		cp := []string{jar}
		if !hasSLF4JBinding(manifest) {
			for _, name := range []string{"slf4j-simple.jar"} {
				if p := filepath.Join(dir, name); fileExists(p) {
					cp = append(cp, p)
				}
			}
		}
		return cp, nil
	}
	var cp []string
	if conf := filepath.Join(dir, "..", "conf"); fileExists(conf) {
		cp = append(cp, filepath.Clean(conf))
	}
	cp = append(cp, jar)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		if strings.HasSuffix(e.Name(), ".jar") && p != jar {
			cp = append(cp, p)
		}
	}
	return cp, nil
}

func hasSLF4JBinding(entries []string) bool {
	for _, e := range entries {
		b := filepath.Base(e)
		if strings.HasPrefix(b, "logback-classic") || strings.HasPrefix(b, "slf4j-") && !strings.HasPrefix(b, "slf4j-api") {
			return true
		}
	}
	return false
}

// manifestClassPath returns the Class-Path entries of a jar's manifest.
func manifestClassPath(jar string) ([]string, error) {
	zr, err := zip.OpenReader(jar)
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	f, err := zr.Open("META-INF/MANIFEST.MF")
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// Manifest lines are wrapped at 72 bytes; a continuation line starts
	// with a single space.
	var headers []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.HasPrefix(line, " ") && len(headers) > 0 {
			headers[len(headers)-1] += line[1:]
			continue
		}
		headers = append(headers, line)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	for _, h := range headers {
		if v, ok := strings.CutPrefix(h, "Class-Path:"); ok {
			return strings.Fields(v), nil
		}
	}
	return nil, nil
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
