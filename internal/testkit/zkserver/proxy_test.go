package zkserver

import (
	"bufio"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
	"go.uber.org/goleak"
)

// echoServer echoes every line back, and records what it received.
type echoServer struct {
	ln   net.Listener
	wg   sync.WaitGroup
	mu   sync.Mutex
	got  []string
	cmu  sync.Mutex
	conn []net.Conn
}

func newEchoServer(t *testing.T) *echoServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e := &echoServer{ln: ln}
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			e.cmu.Lock()
			e.conn = append(e.conn, c)
			e.cmu.Unlock()
			e.wg.Add(1)
			go func() {
				defer e.wg.Done()
				defer c.Close()
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					e.mu.Lock()
					e.got = append(e.got, strings.TrimSpace(line))
					e.mu.Unlock()
					if _, err := io.WriteString(c, line); err != nil {
						return
					}
				}
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		e.cmu.Lock()
		for _, c := range e.conn {
			c.Close()
		}
		e.cmu.Unlock()
		e.wg.Wait()
	})
	return e
}

func (e *echoServer) received() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.got...)
}

// verifyNoLeaks checks, after every other cleanup of the test has run,
// that the test left no goroutine behind.
func verifyNoLeaks(t *testing.T) {
	opt := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, opt) })
}

func newProxy(t *testing.T, target string) *Proxy {
	p, err := NewProxy(target)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

type lineConn struct {
	net.Conn
	r *bufio.Reader
}

func dialLine(t *testing.T, addr string) *lineConn {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &lineConn{c, bufio.NewReader(c)}
}

// roundTrip sends a line and reads the echo, waiting at most wait.
func (c *lineConn) roundTrip(line string, wait time.Duration) (string, error) {
	if _, err := io.WriteString(c, line+"\n"); err != nil {
		return "", err
	}
	return c.read(wait)
}

func (c *lineConn) read(wait time.Duration) (string, error) {
	c.SetReadDeadline(time.Now().Add(wait))
	s, err := c.r.ReadString('\n')
	return strings.TrimSpace(s), err
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func TestProxyForwardAndBlock(t *testing.T) {
	verifyNoLeaks(t)
	echo := newEchoServer(t)
	p := newProxy(t, echo.ln.Addr().String())
	c := dialLine(t, p.Addr())
	if got, err := c.roundTrip("one", 5*time.Second); err != nil || got != "one" {
		t.Fatalf("echo = %q, %v", got, err)
	}

	p.Block()
	if _, err := c.roundTrip("two", 300*time.Millisecond); !isTimeout(err) {
		t.Fatalf("blocked round trip: %v; want timeout", err)
	}
	if got := echo.received(); len(got) != 1 {
		t.Fatalf("server received %q while blocked", got)
	}
	// New connections are accepted but go nowhere, too.
	c2 := dialLine(t, p.Addr())
	if _, err := c2.roundTrip("new", 300*time.Millisecond); !isTimeout(err) {
		t.Fatalf("blocked new connection: %v; want timeout", err)
	}

	// Held bytes are delivered in order once the partition heals.
	p.Unblock()
	if got, err := c.read(5 * time.Second); err != nil || got != "two" {
		t.Fatalf("after Unblock: %q, %v", got, err)
	}
	if got, err := c2.read(5 * time.Second); err != nil || got != "new" {
		t.Fatalf("new connection after Unblock: %q, %v", got, err)
	}
	if got, err := c.roundTrip("three", 5*time.Second); err != nil || got != "three" {
		t.Fatalf("echo = %q, %v", got, err)
	}
}

func TestProxyDropConnections(t *testing.T) {
	verifyNoLeaks(t)
	echo := newEchoServer(t)
	p := newProxy(t, echo.ln.Addr().String())
	c := dialLine(t, p.Addr())
	if _, err := c.roundTrip("one", 5*time.Second); err != nil {
		t.Fatal(err)
	}
	p.DropConnections()
	if _, err := c.read(5 * time.Second); err == nil || isTimeout(err) {
		t.Fatalf("read after DropConnections: %v; want a reset or EOF", err)
	}
	if n := p.NumConns(); n != 0 {
		t.Fatalf("%d connections after DropConnections", n)
	}
	// The proxy itself keeps working.
	c2 := dialLine(t, p.Addr())
	if got, err := c2.roundTrip("two", 5*time.Second); err != nil || got != "two" {
		t.Fatalf("echo = %q, %v", got, err)
	}
}

func TestProxyDropNextReply(t *testing.T) {
	verifyNoLeaks(t)
	echo := newEchoServer(t)
	p := newProxy(t, echo.ln.Addr().String())
	c := dialLine(t, p.Addr())
	other := dialLine(t, p.Addr())
	if _, err := c.roundTrip("warm-up", 5*time.Second); err != nil {
		t.Fatal(err)
	}
	p.DropNextReply()
	if _, err := c.roundTrip("write", 300*time.Millisecond); !isTimeout(err) {
		t.Fatalf("reply arrived: %v", err)
	}
	// The request got through.
	if got := echo.received(); len(got) != 2 || got[1] != "write" {
		t.Fatalf("server received %q", got)
	}
	// One-shot: other connections, and later ones, are unaffected.
	if got, err := other.roundTrip("other", 5*time.Second); err != nil || got != "other" {
		t.Fatalf("other connection: %q, %v", got, err)
	}
	// The affected connection stays mute.
	if _, err := c.roundTrip("again", 300*time.Millisecond); !isTimeout(err) {
		t.Fatalf("reply on the muted connection: %v", err)
	}
}

func TestProxyCloseLeavesNothing(t *testing.T) {
	verifyNoLeaks(t)
	echo := newEchoServer(t)
	p, err := NewProxy(echo.ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	c := dialLine(t, p.Addr())
	if _, err := c.roundTrip("x", 5*time.Second); err != nil {
		t.Fatal(err)
	}
	// Goroutines parked in every state: pumping, held by Block, waiting
	// to dial.
	p.Block()
	c.roundTrip("held", 50*time.Millisecond)
	dialLine(t, p.Addr())
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal("second Close:", err)
	}
	if _, err := net.DialTimeout("tcp", p.Addr(), time.Second); err == nil {
		t.Fatal("proxy still accepts after Close")
	}
	// Dead target: the client connection is closed, not hung.
	p2 := newProxy(t, "127.0.0.1:1")
	c2 := dialLine(t, p2.Addr())
	if _, err := c2.read(5 * time.Second); err == nil || isTimeout(err) {
		t.Fatalf("read via proxy to a dead target: %v; want EOF", err)
	}
}

// A partition longer than the session timeout expires the session: the
// client hears nothing, the server hears nothing, and when the network
// heals the server tells the client its session is gone.
func TestProxySessionExpiry(t *testing.T) {
	t.Parallel()
	s := StartTB(t)
	p := newProxy(t, s.Addr())
	const timeout = 800 * time.Millisecond
	conn, states := connect(t, []string{p.Addr()}, timeout)
	if _, err := conn.Create("/eph", nil, zk.FlagEphemeral, acl); err != nil {
		t.Fatal(err)
	}
	p.Block()
	waitState(t, states, zk.StateDisconnected, 5*time.Second)
	// The server expires the session after its timeout; give it slack.
	direct, _ := connect(t, []string{s.Addr()}, 5*time.Second)
	eventually(t, 10*time.Second, func() error {
		ok, _, err := direct.Exists("/eph")
		if err == nil && ok {
			err = errors.New("ephemeral node of the partitioned session still exists")
		}
		return err
	})
	p.Unblock()
	waitState(t, states, zk.StateExpired, 10*time.Second)
}

// DropNextReply gives the "write applied, client never heard" case.
func TestProxyDropNextReplyZooKeeper(t *testing.T) {
	t.Parallel()
	s := StartTB(t)
	p := newProxy(t, s.Addr())
	conn, states := connect(t, []string{p.Addr()}, 2*time.Second)
	p.DropNextReply()
	_, err := conn.Create("/lost-reply", []byte("v"), 0, acl)
	if err == nil {
		t.Fatal("Create reported success although its reply was dropped")
	}
	t.Logf("Create: %v", err)
	// The client gives up on the mute connection, reconnects through the
	// proxy (now healthy), keeps its session and finds its write applied.
	waitState(t, states, zk.StateHasSession, 10*time.Second)
	data, _, err := conn.Get("/lost-reply")
	if err != nil || string(data) != "v" {
		t.Fatalf("Get = %q, %v", data, err)
	}
}

// A server closing its end is news that must wait for the partition to
// heal, like any other packet.
func TestProxyBlockHoldsClose(t *testing.T) {
	verifyNoLeaks(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			accepted <- c
		}
	}()
	p := newProxy(t, ln.Addr().String())
	c := dialLine(t, p.Addr())
	server := <-accepted
	p.Block()
	server.Close()
	if _, err := c.read(300 * time.Millisecond); !isTimeout(err) {
		t.Fatalf("read during Block: %v; want timeout", err)
	}
	p.Unblock()
	if _, err := c.read(5 * time.Second); !errors.Is(err, io.EOF) {
		t.Fatalf("read after Unblock: %v; want EOF", err)
	}
}
