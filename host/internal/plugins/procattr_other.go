//go:build !linux

package plugins

import "os/exec"

// setProcAttr does nothing outside Linux: there is no parent-death signal. The plugin side
// (sdk/plugin.Serve) exits by itself when its parent is gone, and Manager.Close stops plugins
// on an orderly shutdown.
func setProcAttr(*exec.Cmd) {}
