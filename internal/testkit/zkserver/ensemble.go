package zkserver

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Ensemble is a quorum of ZooKeeper servers on loopback, each its own JVM
// with its own directory under the ensemble's.
type Ensemble struct {
	opts    Options
	dir     string
	ownDir  bool
	servers []*Server
}

// StartEnsemble starts n servers as one quorum and waits until all of them
// serve (one leader, the rest followers). ctx bounds only the start-up.
func StartEnsemble(ctx context.Context, n int, opts Options) (*Ensemble, error) {
	if n < 1 {
		return nil, fmt.Errorf("zkserver: ensemble of %d servers", n)
	}
	if n > 254 {
		// Extended types (TTL nodes) encode the server id in one byte and
		// ZooKeeper refuses ids of 255 and up when they are enabled.
		return nil, fmt.Errorf("zkserver: ensemble of %d servers; at most 254", n)
	}
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	dir, own, err := serverDir(opts.Dir, "zkensemble-")
	if err != nil {
		return nil, err
	}
	e := &Ensemble{opts: opts, dir: dir, ownDir: own}
	for i := range n {
		sopts := opts
		sopts.Dir = filepath.Join(dir, fmt.Sprintf("server%d", i+1))
		e.servers = append(e.servers, &Server{
			opts:  sopts,
			dir:   sopts.Dir,
			id:    i + 1,
			modes: []string{ModeLeader, ModeFollower},
		})
	}
	for attempt := 0; ; attempt++ {
		err := e.start(ctx)
		if err == nil {
			return e, nil
		}
		if !errors.Is(err, errPortClash) || attempt >= 4 {
			e.Close()
			return nil, err
		}
	}
}

// start picks fresh ports for every member, launches all JVMs together
// (none can serve before a quorum is up) and waits for each to serve. On
// failure every member is killed.
func (e *Ensemble) start(ctx context.Context) error {
	n := len(e.servers)
	ports, err := freePorts(4 * n)
	if err != nil {
		return err
	}
	peers := make([]peer, n)
	for i := range n {
		peers[i] = peer{id: i + 1, quorumPort: ports[3*i+1], electionPort: ports[3*i+2], clientPort: ports[3*i]}
	}
	for i, s := range e.servers {
		s.clientPort = ports[3*i]
		if e.opts.AdminServer {
			s.adminPort = ports[3*n+i]
		}
		s.peers = peers
	}
	var errs []error
	for _, s := range e.servers {
		if err := s.launch(); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) == 0 {
		for _, s := range e.servers {
			if err := s.waitServing(ctx); err != nil {
				errs = append(errs, err)
				break
			}
		}
	}
	if len(errs) == 0 {
		return nil
	}
	e.killAll()
	// A member that lost a port race makes the others fail too (no
	// quorum), so look at every member's log, not just the first error.
	clash := false
	for _, s := range e.servers {
		if strings.Contains(s.LogTail(200), "Address already in use") {
			clash = true
		}
	}
	err = errors.Join(errs...)
	if clash && !errors.Is(err, errPortClash) {
		err = fmt.Errorf("%w: %w", errPortClash, err)
	}
	return err
}

func (e *Ensemble) killAll() error {
	var wg sync.WaitGroup
	errs := make([]error, len(e.servers))
	for i, s := range e.servers {
		wg.Go(func() { errs[i] = s.Kill() })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Servers returns the members; index i has myid i+1.
func (e *Ensemble) Servers() []*Server { return append([]*Server(nil), e.servers...) }

// Server returns member i (0-based).
func (e *Ensemble) Server(i int) *Server { return e.servers[i] }

// Dir is the directory holding one subdirectory per member.
func (e *Ensemble) Dir() string { return e.dir }

// Addrs returns every member's client address, in member order.
func (e *Ensemble) Addrs() []string {
	addrs := make([]string, len(e.servers))
	for i, s := range e.servers {
		addrs[i] = s.Addr()
	}
	return addrs
}

// ConnectString is the comma-separated form of Addrs, as ZooKeeper clients
// take it.
func (e *Ensemble) ConnectString() string { return strings.Join(e.Addrs(), ",") }

// Leader returns the index of the member that reports itself leader,
// polling until there is one (an election may be in progress) or ctx or the
// start timeout ends.
func (e *Ensemble) Leader(ctx context.Context) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, e.opts.StartTimeout)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		for i, s := range e.servers {
			if !s.Running() {
				continue
			}
			if mode, err := s.Mode(ctx); err == nil && mode == ModeLeader {
				return i, nil
			}
		}
		select {
		case <-ctx.Done():
			return -1, fmt.Errorf("zkserver: no leader: %w", context.Cause(ctx))
		case <-tick.C:
		}
	}
}

// Kill SIGKILLs member i and waits until it is gone.
func (e *Ensemble) Kill(i int) error { return e.servers[i].Kill() }

// Stop shuts member i down gracefully and waits until it is gone.
func (e *Ensemble) Stop(i int) error { return e.servers[i].Stop() }

// Restart (re)starts member i with its data and ports and waits until it
// serves as leader or follower, which needs a quorum of running members.
func (e *Ensemble) Restart(ctx context.Context, i int) error { return e.servers[i].Restart(ctx) }

// Close kills every member and removes the ensemble's directory if the
// harness created it.
func (e *Ensemble) Close() error {
	var wg sync.WaitGroup
	errs := make([]error, len(e.servers))
	for i, s := range e.servers {
		wg.Go(func() { errs[i] = s.Close() })
	}
	wg.Wait()
	err := errors.Join(errs...)
	if e.ownDir {
		if rerr := os.RemoveAll(e.dir); err == nil {
			err = rerr
		}
	}
	return err
}
