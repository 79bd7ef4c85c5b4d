//go:build tools

// Package tools pins the Pulumi CLI for the end-to-end suites.
package tools

import (
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
)
