package zkserver

import (
	"net"
)

// freePorts returns n distinct loopback ports that were free a moment ago.
// All listeners are open at once so the ports differ from each other; they
// are closed before returning, so another process may grab one before the
// JVM binds it. Callers detect that ("Address already in use" in the log)
// and retry with fresh ports.
func freePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
