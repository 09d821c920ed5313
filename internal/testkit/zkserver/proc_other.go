//go:build !unix

package zkserver

import (
	"os"
	"os/exec"
)

func setProcAttr(*exec.Cmd) {}

// signalGroup has no process groups to work with here; it kills the JVM
// itself, never gracefully. The harness is meant for Unix systems.
func signalGroup(pid int, _ bool) error {
	p, err := os.FindProcess(pid)
	if err != nil {
		return err
	}
	return p.Kill()
}
