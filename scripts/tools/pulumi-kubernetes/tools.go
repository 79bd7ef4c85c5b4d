//go:build tools

// Package tools pins Pulumi's Kubernetes resource provider for the end-to-end suites.
// source.sh lays out a copy of the provider module with the two files its command embeds.
package tools

import (
	_ "github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	_ "github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)
