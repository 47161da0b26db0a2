//go:build linux

package plugins

import (
	"os/exec"
	"syscall"
)

// setProcAttr asks the kernel to SIGKILL the plugin when the host dies, so a host that is
// killed without a chance to run Close (SIGKILL, a crash) leaves no plugin behind.
//
// Pdeathsig fires when the OS thread that started the child exits. Go threads only exit when a
// goroutine locked to its thread ends without unlocking, which the host never does, so in
// practice it fires when the host process dies.
func setProcAttr(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
}
