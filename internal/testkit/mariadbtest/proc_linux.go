package mariadbtest

import "syscall"

// setParentDeathSignal makes the kernel kill mariadbd if the test binary
// dies without running its cleanups, so no server outlives the test run.
func setParentDeathSignal(attr *syscall.SysProcAttr) {
	attr.Pdeathsig = syscall.SIGKILL
}
