package main

import (
	"context"
	"fmt"
	"os"
	"time"

	remote "k8s.io/cri-client/pkg"
	"k8s.io/klog/v2"
)

// criReset stops and removes every pod sandbox of the container runtime at endpoint, the way
// the kubelet does: the runtime kills the pod's containers and tears down its network through
// CNI. The cluster script runs it before it stops containerd, so no container, shim or network
// namespace outlives the cluster.
func criReset(args []string) int {
	if len(args) != 1 {
		fmt.Fprintln(os.Stderr, "usage: goship-kube cri-reset unix:///path/to/containerd.sock")
		return 2
	}
	logger := klog.Background()
	runtime, err := remote.NewRemoteRuntimeService(args[0], 10*time.Second, nil, &logger)
	if err != nil {
		fmt.Fprintf(os.Stderr, "cri-reset: %v\n", err)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	pods, err := runtime.ListPodSandbox(ctx, nil)
	if err != nil {
		fmt.Fprintf(os.Stderr, "cri-reset: list pod sandboxes: %v\n", err)
		return 1
	}
	failed := 0
	for _, p := range pods {
		if err := runtime.StopPodSandbox(ctx, p.Id); err != nil {
			fmt.Fprintf(os.Stderr, "cri-reset: stop %s/%s: %v\n", p.Metadata.Namespace, p.Metadata.Name, err)
			failed++
			continue
		}
		if err := runtime.RemovePodSandbox(ctx, p.Id); err != nil {
			fmt.Fprintf(os.Stderr, "cri-reset: remove %s/%s: %v\n", p.Metadata.Namespace, p.Metadata.Name, err)
			failed++
		}
	}
	fmt.Fprintf(os.Stderr, "cri-reset: removed %d of %d pod sandboxes\n", len(pods)-failed, len(pods))
	if failed > 0 {
		return 1
	}
	return 0
}
