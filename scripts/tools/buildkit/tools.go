//go:build tools

// Package tools pins BuildKit's daemon, client and Dockerfile frontend for the e2e suites.
package tools

import (
	_ "github.com/moby/buildkit/cmd/buildctl"
	_ "github.com/moby/buildkit/cmd/buildkitd"
	_ "github.com/moby/buildkit/frontend/dockerfile/cmd/dockerfile-frontend"
)
