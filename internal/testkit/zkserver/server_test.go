package zkserver

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
)

var acl = zk.WorldACL(zk.PermAll)

func TestStandalone(t *testing.T) {
	t.Parallel()
	s := StartTB(t)
	if mode, err := s.Mode(t.Context()); err != nil || mode != ModeStandalone {
		t.Fatalf("Mode = %q, %v; want standalone", mode, err)
	}
	if reply, err := FourLetterWord(t.Context(), s.Addr(), "ruok"); err != nil || reply != "imok" {
		t.Fatalf("ruok = %q, %v", reply, err)
	}
	conn, _ := connect(t, []string{s.Addr()}, 5*time.Second)

	t.Run("CreateGet", func(t *testing.T) {
		if _, err := conn.Create("/hello", []byte("world"), 0, acl); err != nil {
			t.Fatal(err)
		}
		data, _, err := conn.Get("/hello")
		if err != nil || string(data) != "world" {
			t.Fatalf("Get = %q, %v", data, err)
		}
	})

	t.Run("OneMiBPayload", func(t *testing.T) {
		// Needs jute.maxbuffer above its 1 MiB default.
		big := bytes.Repeat([]byte("x"), 1<<20)
		if _, err := conn.Create("/big", big, 0, acl); err != nil {
			t.Fatal(err)
		}
		data, _, err := conn.Get("/big")
		if err != nil || !bytes.Equal(data, big) {
			t.Fatalf("Get /big: %d bytes, %v", len(data), err)
		}
	})

	t.Run("TTL", func(t *testing.T) {
		// Fails with "unimplemented" unless extended types are on.
		if _, err := conn.CreateTTL("/ttl", nil, zk.FlagTTL, acl, 200*time.Millisecond); err != nil {
			t.Fatalf("CreateTTL: %v", err)
		}
		// Reaped once the TTL has passed, by the fast container check.
		eventually(t, 5*time.Second, func() error {
			ok, _, err := conn.Exists("/ttl")
			if err == nil && ok {
				err = errors.New("/ttl still exists")
			}
			return err
		})
	})

	t.Run("ContainerReaped", func(t *testing.T) {
		if _, err := conn.CreateContainer("/box", nil, zk.FlagContainer, acl); err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Create("/box/child", nil, 0, acl); err != nil {
			t.Fatal(err)
		}
		if err := conn.Delete("/box/child", -1); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		eventually(t, 3*time.Second, func() error {
			ok, _, err := conn.Exists("/box")
			if err == nil && ok {
				err = errors.New("/box still exists")
			}
			return err
		})
		t.Logf("container reaped after %v", time.Since(start))
	})

	t.Run("KillRestartKeepsData", func(t *testing.T) {
		pid := s.PID()
		if err := s.Kill(); err != nil {
			t.Fatal(err)
		}
		if !processGone(pid) || s.Running() || s.PID() != 0 {
			t.Fatalf("java %d still there after Kill", pid)
		}
		if _, err := FourLetterWord(t.Context(), s.Addr(), "ruok"); err == nil {
			t.Fatal("killed server still answers")
		}
		if err := s.Restart(t.Context()); err != nil {
			t.Fatal(err)
		}
		// The client reconnects on its own, to the same address.
		eventually(t, 10*time.Second, func() error {
			data, _, err := conn.Get("/hello")
			if err == nil && string(data) != "world" {
				err = errors.New("wrong data " + string(data))
			}
			return err
		})
	})

	t.Run("StopRestart", func(t *testing.T) {
		pid := s.PID()
		if err := s.Stop(); err != nil {
			t.Fatal(err)
		}
		if !processGone(pid) {
			t.Fatalf("java %d still there after Stop", pid)
		}
		if err := s.Restart(t.Context()); err != nil {
			t.Fatal(err)
		}
		if s.PID() == pid || !s.Running() {
			t.Fatal("not running a new process after Restart")
		}
		// Restart of a running server stops it first.
		if err := s.Restart(t.Context()); err != nil {
			t.Fatal(err)
		}
		eventually(t, time.Minute, func() error {
			_, _, err := conn.Get("/hello")
			return err
		})
	})
}

func TestConfig(t *testing.T) {
	o, err := Options{
		Installation: &Installation{Java: "java", Classpath: []string{"a.jar", "b.jar"}},
		Config:       []string{"globalOutstandingLimit=10"},
		SystemProperties: map[string]string{
			"znode.container.checkIntervalMs": "5000",
			"my.prop":                         "x",
		},
		JVMArgs: []string{"-Xmx64m"},
	}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	cfg := o.zooCfg("/d", 1234, 0, []peer{{1, 11, 12, 0}, {2, 21, 22, 0}})
	for _, want := range []string{
		"tickTime=100\n", "minSessionTimeout=200\n", "maxSessionTimeout=60000\n",
		"initLimit=50\n", "syncLimit=20\n",
		"dataDir=/d\n", "clientPort=1234\n", "clientPortAddress=127.0.0.1\n",
		"4lw.commands.whitelist=*\n", "admin.enableServer=false\n",
		"server.1=127.0.0.1:11:12\n", "server.2=127.0.0.1:21:22\n",
		"standaloneEnabled=false\n",
	} {
		if !strings.Contains(cfg, want) {
			t.Errorf("zoo.cfg lacks %q:\n%s", want, cfg)
		}
	}
	if !strings.HasSuffix(cfg, "globalOutstandingLimit=10\n") {
		t.Errorf("extra config line not last:\n%s", cfg)
	}
	args := strings.Join(o.javaArgs("/d/zoo.cfg"), " ")
	for _, want := range []string{
		"-Dzookeeper.extendedTypesEnabled=true", "-Djute.maxbuffer=2097152",
		"-Dznode.container.checkIntervalMs=5000", "-Dmy.prop=x",
		"-Xmx256m -XX:+UseSerialGC", "-Xmx64m -cp a.jar:b.jar",
		"org.apache.zookeeper.server.quorum.QuorumPeerMain /d/zoo.cfg",
	} {
		if !strings.Contains(args, want) {
			t.Errorf("java args lack %q: %s", want, args)
		}
	}
	if strings.Contains(args, "checkIntervalMs=100 ") {
		t.Errorf("default property not overridden: %s", args)
	}

	if _, err := (Options{TickTime: time.Second, MaxSessionTimeout: time.Second, Installation: o.Installation}).withDefaults(); err == nil {
		t.Error("max < min session timeout accepted")
	}
}

func TestStartFailureShowsLog(t *testing.T) {
	t.Parallel()
	RequireTB(t)
	dir := t.TempDir()
	// A bad zoo.cfg line makes ZooKeeper exit at once.
	_, err := Start(t.Context(), Options{Dir: dir, Config: []string{"tickTime=notanumber"}})
	if err == nil {
		t.Fatal("Start succeeded with a broken config")
	}
	if !strings.Contains(err.Error(), "--- last lines of") || !strings.Contains(err.Error(), "notanumber") {
		t.Fatalf("error lacks the log tail: %v", err)
	}
	// The directory was the caller's and stays; the JVM is gone.
	if _, serr := os.Stat(dir); serr != nil {
		t.Fatal(serr)
	}
	if pids := ourJVMs(); len(pids) > 0 {
		// Other tests run in parallel; only fail if ours is among them.
		for _, pid := range pids {
			if b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline"); bytes.Contains(b, []byte(dir)) {
				t.Fatalf("java %d of the failed start still runs", pid)
			}
		}
	}
}

func TestStartNonTest(t *testing.T) {
	t.Parallel()
	RequireTB(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := Start(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir, pid := s.Dir(), s.PID()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("temp dir %s not removed: %v", dir, err)
	}
	if !processGone(pid) {
		t.Errorf("java %d survived Close", pid)
	}
	if err := s.Restart(ctx); err == nil {
		t.Error("Restart after Close succeeded")
	}
}

// Restart retries while something else holds the server's port, as an
// outgoing connection's local port might while the server is down.
func TestRestartWaitsForPort(t *testing.T) {
	t.Parallel()
	s := StartTB(t)
	if err := s.Kill(); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	// The port is given back only once the server has failed to bind
	// it, however long the JVM takes to get there on a loaded machine.
	done := make(chan error, 1)
	go func() { done <- s.Restart(t.Context()) }()
	deadline := time.Now().Add(time.Minute)
	for !strings.Contains(s.LogTail(1000), "Address already in use") {
		if time.Now().After(deadline) {
			ln.Close()
			<-done
			t.Fatal("log shows no bind failure; the retry path was not exercised")
		}
		time.Sleep(20 * time.Millisecond)
	}
	ln.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
