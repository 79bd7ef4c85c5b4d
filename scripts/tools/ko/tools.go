//go:build tools

// Package tools pins ko (github.com/google/ko), which the publish bench compares with
// goship publish. Built by scripts/go-tools.sh.
package tools

import _ "github.com/google/ko"
