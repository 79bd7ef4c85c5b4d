#!/usr/bin/env bash
# Builds the tools the end-to-end suites need from their Go modules, at pinned releases, into
# one folder, with the machine's own Go (/usr/local/go). Sourced by scripts/e2e-setup.sh.
#
# Each tool is a small wrapper module under scripts/tools/<name>/:
#   go.mod, go.sum   the pinned release (and, where a module needs them, replace lines)
#   tools.go         blank imports of the packages to build, so `go mod tidy` keeps them
#   build.list       one line a binary: <output name> <package path> [extra go build flags,
#                    shell words: quote a value with spaces]
# A tool is rebuilt only when its wrapper files or the Go version change: a stamp beside the
# binaries records the hash of both. Go's own build and module caches make a rebuild after a
# small change quick.
#
# Environment:
#   GOSHIP_TOOLS_DIR  where the tools live (default /var/cache/goship/tools); binaries in bin/
#   GOSHIP_GO         the go command to build with (default /usr/local/go/bin/go, else PATH's)
set -euo pipefail

GOSHIP_TOOLS_DIR="${GOSHIP_TOOLS_DIR:-/var/cache/goship/tools}"
TOOLS_BIN="$GOSHIP_TOOLS_DIR/bin"
TOOLS_SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/tools"

tools_go() {
  if [ -n "${GOSHIP_GO:-}" ]; then printf '%s\n' "$GOSHIP_GO"
  elif [ -x /usr/local/go/bin/go ]; then printf '%s\n' /usr/local/go/bin/go
  else command -v go
  fi
}

# The hash of a wrapper's files and the Go that builds them.
tool_stamp() {
  local dir="$1" go
  go="$(tools_go)"
  { "$go" version; cat "$dir/go.mod" "$dir/go.sum" "$dir/build.list"; } | sha256sum | cut -d' ' -f1
}

# build_tool NAME: builds scripts/tools/NAME into $TOOLS_BIN unless its stamp is current.
build_tool() {
  local name="$1" dir="$TOOLS_SRC/$1" stampfile="$GOSHIP_TOOLS_DIR/stamps/$1" stamp go
  [ -f "$dir/build.list" ] || { printf 'go-tools: no tool %s (%s/build.list)\n' "$name" "$dir" >&2; return 1; }
  go="$(tools_go)"
  stamp="$(tool_stamp "$dir")"
  if [ "$(cat "$stampfile" 2>/dev/null || true)" = "$stamp" ]; then
    return 0
  fi
  mkdir -p "$TOOLS_BIN" "$GOSHIP_TOOLS_DIR/stamps"
  local start out pkg flags
  local -a words
  start=$(date +%s)
  printf 'go-tools: building %s\n' "$name" >&2
  while read -r out pkg flags; do
    case "$out" in ''|'#'*) continue ;; esac
    # Flags are shell words: a value with spaces is quoted, as in -ldflags "-X a=1 -X b=2".
    eval "words=($flags)"
    (cd "$dir" && CGO_ENABLED="${CGO_ENABLED:-0}" GOTOOLCHAIN=local \
      "$go" build -trimpath "${words[@]}" -o "$TOOLS_BIN/$out.tmp" "$pkg")
    mv -f "$TOOLS_BIN/$out.tmp" "$TOOLS_BIN/$out"
  done <"$dir/build.list"
  printf '%s\n' "$stamp" >"$stampfile"
  printf 'go-tools: built %s in %s s\n' "$name" "$(( $(date +%s) - start ))" >&2
}

# build_tools [NAME...]: the named tools, or every one under scripts/tools/.
build_tools() {
  local names=("$@") d
  if [ "${#names[@]}" -eq 0 ]; then
    for d in "$TOOLS_SRC"/*/; do [ -f "$d/build.list" ] && names+=("$(basename "$d")"); done
  fi
  for d in "${names[@]}"; do build_tool "$d"; done
}
