// Command goship-pause is the pod sandbox's process: it holds the pod's namespaces open, reaps
// orphaned children (when the pod shares its process namespace) and exits on SIGINT or SIGTERM.
// It is the local pause image of the test cluster, built here because no registry can be pulled
// from; it does what Kubernetes' pause does, in Go, statically linked for a scratch image.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	signals := make(chan os.Signal, 8)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGCHLD)
	for s := range signals {
		if s != syscall.SIGCHLD {
			os.Exit(0)
		}
		for {
			var status syscall.WaitStatus
			pid, err := syscall.Wait4(-1, &status, syscall.WNOHANG, nil)
			if pid <= 0 || err != nil {
				break
			}
		}
	}
}
