package zkserver

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Proxy is a TCP forwarder on 127.0.0.1 for injecting network faults
// between a client and a server. It knows nothing about ZooKeeper.
//
// Point the client at Addr instead of the server, then:
//   - Block/Unblock simulate a partition;
//   - DropConnections resets every connection, like a crashed middlebox;
//   - DropNextReply lets a request reach the server but loses its reply.
type Proxy struct {
	target  string
	ln      net.Listener
	closing chan struct{} // closed by Close
	ctx     context.Context
	cancel  context.CancelFunc // aborts dials in progress on Close

	mu        sync.Mutex
	blocked   bool
	unblocked chan struct{} // closed by Unblock; a new one per Block
	dropReply bool          // armed by DropNextReply
	conns     map[*proxyConn]struct{}
	closed    bool

	wg sync.WaitGroup // every goroutine the proxy starts
}

// proxyConn is one client connection and, once dialled, its server side.
type proxyConn struct {
	client net.Conn
	server net.Conn // nil until dialled; guarded by Proxy.mu

	done     chan struct{} // closed by teardown
	downOnce sync.Once
	// replyLost is set once DropNextReply picked this connection: from
	// then on everything the server sends on it is discarded.
	replyLost atomic.Bool
}

// NewProxy listens on a free loopback port and forwards each connection to
// target.
func NewProxy(target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &Proxy{
		target:  target,
		ln:      ln,
		closing: make(chan struct{}),
		ctx:     ctx,
		cancel:  cancel,
		conns:   make(map[*proxyConn]struct{}),
	}
	p.wg.Add(1)
	go p.acceptLoop()
	return p, nil
}

// Addr is the address clients should connect to.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Target is the address the proxy forwards to.
func (p *Proxy) Target() string { return p.target }

// NumConns is the number of client connections currently open.
func (p *Proxy) NumConns() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.conns)
}

// Block partitions client from server: no byte moves in either direction
// and new connections are accepted but not forwarded, yet every connection
// stays open, so each side only notices through its own timeouts - as with
// packets black-holed by a network partition, not refused. Bytes in flight
// are held, not dropped: like TCP retransmission after a partition heals,
// a connection both sides still have open resumes, in order, on Unblock.
func (p *Proxy) Block() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.blocked {
		p.blocked = true
		p.unblocked = make(chan struct{})
	}
}

// Unblock ends a Block.
func (p *Proxy) Unblock() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.blocked {
		p.blocked = false
		close(p.unblocked)
	}
}

// DropNextReply arms a one-shot fault: the next chunk any client sends is
// forwarded to the server, and from then on everything the server sends
// back on that connection is discarded (other connections are unaffected).
// The client sees its request vanish and times out, while the server has
// applied it - "the write happened, but the client never heard". The
// client's later requests on that connection still reach the server; it is
// up to the client to give up on the connection.
//
// Arm it just before the request: a heartbeat sent in between would be the
// chunk that triggers it (the request that follows is still applied and
// its reply still lost, since it travels on the same connection).
func (p *Proxy) DropNextReply() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.dropReply = true
}

// DropConnections resets (RST) every current connection on both sides.
// New connections are accepted as usual.
func (p *Proxy) DropConnections() {
	p.mu.Lock()
	conns := make([]*proxyConn, 0, len(p.conns))
	for c := range p.conns {
		conns = append(conns, c)
	}
	p.mu.Unlock()
	for _, c := range conns {
		p.teardown(c, true)
	}
}

// Close stops listening, closes every connection and waits until every
// goroutine of the proxy has returned.
func (p *Proxy) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	close(p.closing)
	p.mu.Unlock()
	p.cancel()
	err := p.ln.Close()
	p.DropConnections()
	p.wg.Wait()
	return err
}

func (p *Proxy) acceptLoop() {
	defer p.wg.Done()
	for {
		client, err := p.ln.Accept()
		if err != nil {
			select {
			case <-p.closing:
				return
			default:
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			// Such as EMFILE: back off instead of spinning.
			select {
			case <-p.closing:
				return
			case <-time.After(10 * time.Millisecond):
			}
			continue
		}
		c := &proxyConn{client: client, done: make(chan struct{})}
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			client.Close()
			return
		}
		p.conns[c] = struct{}{}
		p.wg.Add(1)
		p.mu.Unlock()
		go p.serve(c)
	}
}

// serve dials the target once the proxy is not blocked and pumps bytes
// both ways until both directions have ended.
func (p *Proxy) serve(c *proxyConn) {
	defer p.wg.Done()
	defer p.teardown(c, false)
	// Under a partition the connection would not reach the server at all.
	if !p.waitOpen(c) {
		return
	}
	var d net.Dialer
	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	server, err := d.DialContext(ctx, "tcp", p.target)
	cancel()
	if err != nil {
		return
	}
	p.mu.Lock()
	select {
	case <-c.done:
		// Torn down while dialling; teardown could not see server.
		p.mu.Unlock()
		server.Close()
		return
	default:
	}
	c.server = server
	p.mu.Unlock()

	var pumps sync.WaitGroup
	pumps.Add(2)
	go func() { defer pumps.Done(); p.pump(c, c.client, server, true) }()
	go func() { defer pumps.Done(); p.pump(c, server, c.client, false) }()
	pumps.Wait()
}

// pump copies src to dst. up is the client-to-server direction.
func (p *Proxy) pump(c *proxyConn, src, dst net.Conn, up bool) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 && up {
			p.mu.Lock()
			if p.dropReply {
				p.dropReply = false
				// Set before forwarding, so the reply cannot
				// slip back before we start discarding.
				c.replyLost.Store(true)
			}
			p.mu.Unlock()
		}
		// Server bytes on a connection picked by DropNextReply are
		// read (so the server never stalls) and thrown away.
		if n > 0 && (up || !c.replyLost.Load()) {
			if !p.waitOpen(c) {
				return
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				p.teardown(c, false)
				return
			}
		}
		if err == nil {
			continue
		}
		// A FIN or RST must not cross a partition either.
		if !p.waitOpen(c) {
			return
		}
		if errors.Is(err, io.EOF) {
			// Pass the half-close on; the other direction may still
			// have data to deliver.
			if tc, ok := dst.(*net.TCPConn); ok {
				tc.CloseWrite()
			}
			return
		}
		p.teardown(c, false)
		return
	}
}

// waitOpen returns once the proxy is not blocked (true), or when it or the
// connection closes (false).
func (p *Proxy) waitOpen(c *proxyConn) bool {
	for {
		p.mu.Lock()
		if !p.blocked {
			p.mu.Unlock()
			return true
		}
		ch := p.unblocked
		p.mu.Unlock()
		select {
		case <-ch:
		case <-p.closing:
			return false
		case <-c.done:
			return false
		}
	}
}

// teardown closes both sides of c, with an RST instead of a FIN when reset
// is set, and forgets it.
func (p *Proxy) teardown(c *proxyConn, reset bool) {
	c.downOnce.Do(func() {
		p.mu.Lock()
		delete(p.conns, c)
		server := c.server
		close(c.done)
		p.mu.Unlock()
		for _, conn := range []net.Conn{c.client, server} {
			if conn == nil {
				continue
			}
			if tc, ok := conn.(*net.TCPConn); ok && reset {
				tc.SetLinger(0)
			}
			conn.Close()
		}
	})
}
