//go:build unix && !linux

package zkserver

import "syscall"

// setParentDeathSignal: only Linux has a parent-death signal; elsewhere a
// crashed test binary can leave a JVM behind.
func setParentDeathSignal(*syscall.SysProcAttr) {}
