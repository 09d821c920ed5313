package zkserver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Server is one ZooKeeper server running as a java child process. Its
// directory holds zoo.cfg, zookeeper.log and data/ (snapshots and
// transaction logs), all kept across Kill/Stop and Restart.
type Server struct {
	opts       Options
	dir        string
	ownDir     bool // Close removes dir
	id         int  // myid in an ensemble, 0 when standalone
	clientPort int
	adminPort  int      // 0 when the AdminServer is off
	peers      []peer   // the whole quorum; nil when standalone
	modes      []string // srvr modes that count as "serving"

	mu     sync.Mutex
	proc   *process // nil when not running
	closed bool
}

// process is one run of the JVM.
type process struct {
	cmd       *exec.Cmd
	logOffset int64         // log size when this run started
	done      chan struct{} // closed once the JVM has exited and been reaped
	err       error         // from Wait; read only after done is closed
}

// errPortClash marks a start that failed because a port we picked was taken
// in the meantime; the caller retries with fresh ports.
var errPortClash = errors.New("port already in use")

// Start starts a standalone server on a free loopback port and waits until
// it serves requests. ctx bounds only the start-up, not the server's life;
// call Close to stop it.
func Start(ctx context.Context, opts Options) (*Server, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	dir, own, err := serverDir(opts.Dir, "zkserver-")
	if err != nil {
		return nil, err
	}
	s := &Server{opts: opts, dir: dir, ownDir: own, modes: []string{ModeStandalone}}
	for attempt := 0; ; attempt++ {
		ports, err := freePorts(2)
		if err == nil {
			s.clientPort = ports[0]
			if opts.AdminServer {
				s.adminPort = ports[1]
			}
			err = s.start(ctx)
		}
		if err == nil {
			return s, nil
		}
		if !errors.Is(err, errPortClash) || attempt >= 4 {
			s.Close()
			return nil, err
		}
	}
}

// serverDir returns dir (creating it), or a new temporary directory that
// the caller owns and must remove.
func serverDir(dir, pattern string) (string, bool, error) {
	if dir == "" {
		d, err := os.MkdirTemp("", pattern)
		return d, true, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", false, err
	}
	abs, err := filepath.Abs(dir)
	return abs, false, err
}

// Addr is the client address, "127.0.0.1:port".
func (s *Server) Addr() string {
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.clientPort))
}

// AdminAddr is the AdminServer's address, "127.0.0.1:port", or "" when
// Options.AdminServer is off. Its commands are under /commands/.
func (s *Server) AdminAddr() string {
	if s.adminPort == 0 {
		return ""
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.adminPort))
}

// ID is the server's myid within its ensemble (1..n), 0 when standalone.
func (s *Server) ID() int { return s.id }

// Dir is the directory holding zoo.cfg, zookeeper.log and data/.
func (s *Server) Dir() string { return s.dir }

// LogPath is the file receiving the JVM's stdout and stderr, appended to
// across restarts.
func (s *Server) LogPath() string { return filepath.Join(s.dir, "zookeeper.log") }

// ConfigPath is the generated zoo.cfg.
func (s *Server) ConfigPath() string { return filepath.Join(s.dir, "zoo.cfg") }

func (s *Server) dataDir() string { return filepath.Join(s.dir, "data") }

// PID is the JVM's process id, 0 when it is not running.
func (s *Server) PID() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc == nil {
		return 0
	}
	return s.proc.cmd.Process.Pid
}

// Running reports whether the JVM process is alive (not whether it serves).
func (s *Server) Running() bool {
	s.mu.Lock()
	p := s.proc
	s.mu.Unlock()
	if p == nil {
		return false
	}
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// Mode asks the server (srvr) whether it is standalone, leader or follower.
func (s *Server) Mode(ctx context.Context) (string, error) {
	return serverMode(ctx, s.Addr())
}

// CommandLine is the java command (binary first) that runs this server.
func (s *Server) CommandLine() []string {
	return append([]string{s.opts.Installation.Java}, s.opts.javaArgs(s.ConfigPath())...)
}

// writeConfig (re)writes zoo.cfg, and myid for an ensemble member.
func (s *Server) writeConfig() error {
	if err := os.MkdirAll(s.dataDir(), 0o755); err != nil {
		return err
	}
	if s.id != 0 {
		if err := os.WriteFile(filepath.Join(s.dataDir(), "myid"), []byte(strconv.Itoa(s.id)+"\n"), 0o644); err != nil {
			return err
		}
	}
	cfg := s.opts.zooCfg(s.dataDir(), s.clientPort, s.adminPort, s.peers)
	return os.WriteFile(s.ConfigPath(), []byte(cfg), 0o644)
}

// start writes the config, launches the JVM and waits until it serves.
func (s *Server) start(ctx context.Context) error {
	if err := s.launch(); err != nil {
		return err
	}
	return s.waitServing(ctx)
}

// launch writes the config and starts the JVM without waiting for it.
func (s *Server) launch() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errors.New("zkserver: server is closed")
	}
	if s.proc != nil {
		return errors.New("zkserver: server is already running")
	}
	if err := s.writeConfig(); err != nil {
		return err
	}
	logf, err := os.OpenFile(s.LogPath(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	// The child writes straight into the file; there is no copying
	// goroutine to outlive anything.
	defer logf.Close()
	off, _ := logf.Seek(0, io.SeekEnd)
	fmt.Fprintf(logf, "=== zkserver: starting %s at %s\n", s.Addr(), time.Now().Format(time.RFC3339Nano))
	args := s.CommandLine()
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = s.dir
	cmd.Stdout = logf
	cmd.Stderr = logf
	setProcAttr(cmd)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("zkserver: starting java: %w", err)
	}
	p := &process{cmd: cmd, logOffset: off, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	s.proc = p
	return nil
}

// waitServing polls srvr until the server reports one of s.modes. It gives
// up when the JVM exits, ctx ends or StartTimeout passes, kills the JVM and
// returns an error carrying the log tail.
func (s *Server) waitServing(ctx context.Context) error {
	s.mu.Lock()
	p := s.proc
	s.mu.Unlock()
	if p == nil {
		return errors.New("zkserver: server is not running")
	}
	ctx, cancel := context.WithTimeout(ctx, s.opts.StartTimeout)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	var last error
	for {
		mode, err := serverMode(ctx, s.Addr())
		if err == nil && slices.Contains(s.modes, mode) {
			if s.adminPort == 0 {
				return nil
			}
			// ZooKeeper only logs an AdminServer that failed to start.
			if err = adminReady(ctx, s.AdminAddr()); err == nil {
				return nil
			}
		} else if err == nil {
			err = fmt.Errorf("mode %q", mode)
		}
		last = err
		select {
		case <-p.done:
			return s.startError(p, fmt.Errorf("java exited: %v", p.err))
		case <-ctx.Done():
			s.stopProcess(p, false)
			return s.startError(p, fmt.Errorf("%w (last probe: %v)", context.Cause(ctx), last))
		case <-tick.C:
		}
	}
}

// startError describes a failed start, with what this run wrote to the log.
// It wraps errPortClash when the JVM could not bind one of its ports.
func (s *Server) startError(p *process, cause error) error {
	s.reap(p)
	tail := s.logSince(p.logOffset)
	err := fmt.Errorf("zkserver: server %s (dir %s) did not start: %w", s.Addr(), s.dir, cause)
	if strings.Contains(tail, "Address already in use") {
		err = fmt.Errorf("%w: %w", errPortClash, err)
	}
	return fmt.Errorf("%w\n--- last lines of %s ---\n%s", err, s.LogPath(), lastLines(tail, 40))
}

// logSince returns the log written after offset (capped at the last 64 KiB).
func (s *Server) logSince(offset int64) string {
	b, err := os.ReadFile(s.LogPath())
	if err != nil || int64(len(b)) < offset {
		return ""
	}
	b = b[offset:]
	if len(b) > 64<<10 {
		b = b[len(b)-64<<10:]
	}
	return string(b)
}

// LogTail returns the last n lines of the server's log.
func (s *Server) LogTail(n int) string {
	return lastLines(s.logSince(0), n)
}

func lastLines(text string, n int) string {
	b := bytes.TrimRight([]byte(text), "\n")
	for i, cut := len(b)-1, 0; i >= 0; i-- {
		if b[i] == '\n' {
			cut++
			if cut == n {
				return string(b[i+1:])
			}
		}
	}
	return string(b)
}

// reap forgets p once it has exited, so that the server can start again.
func (s *Server) reap(p *process) {
	<-p.done
	s.mu.Lock()
	if s.proc == p {
		s.proc = nil
	}
	s.mu.Unlock()
}

// gracePeriod is how long Stop waits after SIGTERM before SIGKILL.
const gracePeriod = 10 * time.Second

// stopProcess signals the JVM's process group and waits until it has exited
// and been reaped. Graceful means SIGTERM (the JVM runs its shutdown hooks),
// falling back to SIGKILL after gracePeriod.
func (s *Server) stopProcess(p *process, graceful bool) error {
	pid := p.cmd.Process.Pid
	err := signalGroup(pid, graceful)
	if graceful {
		select {
		case <-p.done:
		case <-time.After(gracePeriod):
			err = signalGroup(pid, false)
		}
	}
	s.reap(p)
	// The group should be empty now; SIGKILL anything the JVM left in it.
	signalGroup(pid, false)
	return err
}

func (s *Server) current() *process {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.proc
}

// Kill SIGKILLs the server, like a crash or power loss, and waits until it
// is gone. The data directory stays for Restart. Killing a stopped server
// does nothing.
func (s *Server) Kill() error {
	if p := s.current(); p != nil {
		return s.stopProcess(p, false)
	}
	return nil
}

// Stop shuts the server down gracefully (SIGTERM) and waits until it is
// gone. The data directory stays for Restart.
func (s *Server) Stop() error {
	if p := s.current(); p != nil {
		return s.stopProcess(p, true)
	}
	return nil
}

// Restart stops the server if it runs, then starts it again with the same
// data, config and ports, and waits until it serves. Sessions and znodes
// survive, as they would on a real restart.
func (s *Server) Restart(ctx context.Context) error {
	if err := s.Stop(); err != nil {
		return err
	}
	// Our port numbers came from the ephemeral range, so while the server
	// was down a client's outgoing connection may have been given one of
	// them as its local port. That lasts only as long as the connection, so
	// wait a little and try again.
	var err error
	for attempt := 0; attempt < 10; attempt++ {
		if err = s.start(ctx); !errors.Is(err, errPortClash) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(300 * time.Millisecond):
		}
	}
	return err
}

// Close kills the server and removes its directory if the harness created
// it. The server cannot be restarted afterwards.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	err := s.Kill()
	if s.ownDir {
		if rerr := os.RemoveAll(s.dir); err == nil {
			err = rerr
		}
	}
	return err
}
