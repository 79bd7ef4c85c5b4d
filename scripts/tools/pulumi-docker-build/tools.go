//go:build tools

// Package tools pins Pulumi's docker-build resource provider (the plugin @pulumi/docker-build
// asks for) for the end-to-end suites.
package tools

import (
	_ "github.com/pulumi/pulumi-docker-build/provider/cmd/pulumi-resource-docker-build"
)
