//go:build tools

// Package tools pins the docker-buildx CLI plugin for the e2e suites.
package tools

import (
	_ "github.com/docker/buildx/cmd/buildx"
)
