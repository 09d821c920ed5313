//go:build unix

package zkserver

import (
	"errors"
	"os/exec"
	"syscall"
)

// setProcAttr puts the JVM in its own process group, so that stopping it
// signals everything it might have spawned and never the test binary.
func setProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	setParentDeathSignal(cmd.SysProcAttr)
}

// signalGroup signals the process group led by pid; an already empty group
// is not an error.
func signalGroup(pid int, graceful bool) error {
	sig := syscall.SIGKILL
	if graceful {
		sig = syscall.SIGTERM
	}
	err := syscall.Kill(-pid, sig)
	if errors.Is(err, syscall.ESRCH) {
		return nil
	}
	return err
}
