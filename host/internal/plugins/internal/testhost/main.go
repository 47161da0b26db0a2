// Command testhost is a minimal koppel host for the supervisor's process-hygiene tests:
// `testhost DIR NAME` starts plugin NAME from DIR through a plugins.Manager (unlocked binaries
// allowed), prints "pid <plugin pid>" on stdout and waits. On SIGTERM or SIGINT it closes the
// Manager, as the real CLI does, prints "closed" and exits 0. Killed with SIGKILL it cannot
// clean up: then Pdeathsig (and the plugin's parent watchdog) must end the plugin.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/koppel-nl/koppel/host/internal/plugins"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run() error {
	if len(os.Args) != 3 {
		return fmt.Errorf("usage: testhost DIR NAME")
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, os.Interrupt)

	m := plugins.NewManager(plugins.Options{Dir: os.Args[1], AllowUnlocked: true})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := m.Info(ctx, os.Args[2]); err != nil {
		_ = m.Close()
		return err
	}
	procs := m.Processes()
	if len(procs) != 1 {
		_ = m.Close()
		return fmt.Errorf("expected one plugin process, have %d", len(procs))
	}
	fmt.Printf("pid %d\n", procs[0].PID)

	<-sigs
	if err := m.Close(); err != nil {
		return err
	}
	fmt.Println("closed")
	return nil
}
