package zkserver

import "syscall"

// setParentDeathSignal makes the kernel SIGKILL the JVM if the test binary
// dies without running cleanups (go test -timeout panics, SIGKILL, a crash),
// so that no server outlives the test run.
func setParentDeathSignal(attr *syscall.SysProcAttr) {
	attr.Pdeathsig = syscall.SIGKILL
}
