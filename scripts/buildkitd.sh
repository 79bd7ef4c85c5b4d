#!/usr/bin/env bash
# Starts and stops a standalone BuildKit daemon (buildkitd, runc worker) and the registry it
# pulls from and pushes to, for `docker buildx bake` through buildx's `remote` driver. No image
# is pulled from anywhere: buildkitd, buildctl and docker-buildx are built from their Go
# modules (scripts/tools/buildkit, scripts/tools/buildx), the registry is Debian's
# docker-registry on 127.0.0.1 over plain HTTP, and Docker Hub names (`FROM golang:1.26`,
# `# syntax=docker/dockerfile:1`) resolve through that registry, then through the suite's
# registry mirror (scripts/mirror.sh, the Go builder images), as mirrors.
#
#   bash scripts/buildkitd.sh start    # idempotent: returns at once when both already answer
#   bash scripts/buildkitd.sh stop     # stops both by their pids; nothing to do when not running
#   bash scripts/buildkitd.sh status   # exit 0 when both answer
#   eval "$(bash scripts/buildkitd.sh env)"   # DOCKER_CONFIG, BUILDX_BUILDER, BUILDKIT_HOST,
#                                             # GOSHIP_BUILD_REGISTRY for `docker buildx bake`
#
# Everything lives under one folder the suite owns: buildkitd's state (root/), its unix socket
# (no TCP), its config, the registry's storage, the logs and pid files, and a Docker config
# folder whose cli-plugins/ holds docker-buildx and whose buildx/ holds the `remote` builder.
# A daemon that does not answer within GOSHIP_BUILDKITD_WAIT seconds, or exits, fails the
# start with the last lines of its log.
#
# Environment:
#   GOSHIP_BUILDKIT_DIR     the folder              (default /var/tmp/goship-buildkit; short:
#                           the socket lives in it and unix paths are limited)
#   GOSHIP_BUILD_REGISTRY_PORT  the registry's port (default: the one used last time in this
#                           folder, else a free one)
#   GOSHIP_BUILDKITD_WAIT   seconds to wait         (default 60)
#   GOSHIP_BUILDER_NAME     the buildx builder name (default goship)
#   GOSHIP_MIRROR_PORT      the port of scripts/mirror.sh's registry, buildkitd's second
#                           Docker Hub mirror (default 5100)
set -euo pipefail

SCRIPTS="$(cd "$(dirname "$0")" && pwd)"
DIR="${GOSHIP_BUILDKIT_DIR:-/var/tmp/goship-buildkit}"
WAIT="${GOSHIP_BUILDKITD_WAIT:-60}"
BUILDER="${GOSHIP_BUILDER_NAME:-goship}"
SOCK="$DIR/buildkitd.sock"
PIDFILE="$DIR/buildkitd.pid"
LOG="$DIR/buildkitd.log"
REG_PIDFILE="$DIR/registry.pid"
REG_LOG="$DIR/registry.log"
PORTFILE="$DIR/registry.port"
DOCKER_CONFIG_DIR="$DIR/docker-config"
DOCKER=/usr/bin/docker
# The suite's registry mirror of Docker Hub (scripts/mirror.sh): the Go builder images.
SUITE_MIRROR="127.0.0.1:${GOSHIP_MIRROR_PORT:-5100}"
TOOLS_BIN="$(bash "$SCRIPTS/e2e-setup.sh" bin)"

DAEMON_SCRIPT=buildkitd.sh
DAEMON_WAIT="$WAIT"
# shellcheck source=scripts/lib/daemon.sh
. "$SCRIPTS/lib/daemon.sh"

buildkitd_answers() { "$TOOLS_BIN/buildctl" --addr "unix://$SOCK" debug workers >/dev/null 2>&1; }
registry_answers() { curl -fs -o /dev/null --max-time 2 "http://127.0.0.1:$(port)/v2/"; }

port() {
  if [ -n "${GOSHIP_BUILD_REGISTRY_PORT:-}" ]; then printf '%s\n' "$GOSHIP_BUILD_REGISTRY_PORT"
  elif [ -s "$PORTFILE" ]; then cat "$PORTFILE"
  else
    # A free port from the kernel, kept for the folder's later starts.
    node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
  fi
}

start_registry() {
  local p="$1"
  if daemon_alive "$REG_PIDFILE" && registry_answers; then return 0; fi
  command -v docker-registry >/dev/null || die "docker-registry is not installed: run bash scripts/e2e-setup.sh"
  daemon_registry_config "$DIR/registry.yml" "$DIR/registry" "127.0.0.1:$p"
  daemon_start "docker-registry on 127.0.0.1:$p" "$REG_PIDFILE" registry_answers "$REG_LOG" docker-registry serve "$DIR/registry.yml"
}

start_buildkitd() {
  local p="$1"
  if daemon_alive "$PIDFILE" && buildkitd_answers; then return 0; fi
  mkdir -p "$DIR/root"
  rm -f "$SOCK"
  # The runc worker with the host's network (no CNI); the registry over plain HTTP, and as
  # Docker Hub's mirrors this registry first, then the suite's (scripts/mirror.sh), which holds
  # the Go builder images: `FROM golang:1.26` pulls 127.0.0.1:PORT/library/golang:1.26.
  cat >"$DIR/buildkitd.toml" <<EOF
root = "$DIR/root"

[grpc]
  address = ["unix://$SOCK"]

[worker.oci]
  enabled = true
  binary = "runc"
  networkMode = "host"
  gc = true

[worker.containerd]
  enabled = false

[registry."127.0.0.1:$p"]
  http = true

[registry."$SUITE_MIRROR"]
  http = true

[registry."docker.io"]
  mirrors = ["127.0.0.1:$p", "$SUITE_MIRROR"]
EOF
  daemon_start buildkitd "$PIDFILE" buildkitd_answers "$LOG" "$TOOLS_BIN/buildkitd" --config "$DIR/buildkitd.toml"
}

# docker-buildx as a CLI plugin of Debian's client, and the `remote` builder, in a Docker
# config folder of the suite's own (the machine's ~/.docker is never read or written).
setup_buildx() {
  mkdir -p "$DOCKER_CONFIG_DIR/cli-plugins"
  [ -s "$DOCKER_CONFIG_DIR/config.json" ] || printf '{}\n' >"$DOCKER_CONFIG_DIR/config.json"
  ln -sfn "$TOOLS_BIN/docker-buildx" "$DOCKER_CONFIG_DIR/cli-plugins/docker-buildx"
  if ! DOCKER_CONFIG="$DOCKER_CONFIG_DIR" "$DOCKER" buildx inspect "$BUILDER" >/dev/null 2>&1; then
    DOCKER_CONFIG="$DOCKER_CONFIG_DIR" "$DOCKER" buildx create --name "$BUILDER" --driver remote "unix://$SOCK" >/dev/null
  fi
}

start() {
  [ "$(id -u)" = 0 ] || die "run as root (buildkitd's runc worker needs it)"
  for t in buildkitd buildctl docker-buildx; do
    [ -x "$TOOLS_BIN/$t" ] || die "$TOOLS_BIN/$t is missing: run bash scripts/e2e-setup.sh tools buildkit buildx"
  done
  command -v runc >/dev/null || die "runc is not installed: run bash scripts/e2e-setup.sh"
  [ -x "$DOCKER" ] || die "$DOCKER is missing: run bash scripts/e2e-setup.sh (Debian's docker.io)"
  mkdir -p "$DIR"
  local p
  p="$(port)"
  printf '%s\n' "$p" >"$PORTFILE"
  start_registry "$p"
  start_buildkitd "$p"
  setup_buildx
  log "builder '$BUILDER' on unix://$SOCK, registry 127.0.0.1:$p; eval \"\$(bash $0 env)\""
}

# SIGTERM, then SIGKILL after 30 s.
stop() {
  daemon_stop "$PIDFILE" buildkitd 30
  daemon_stop "$REG_PIDFILE" registry 30
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) daemon_alive "$PIDFILE" && daemon_alive "$REG_PIDFILE" && buildkitd_answers && registry_answers ;;
  env)
    printf 'export DOCKER_CONFIG=%s BUILDX_BUILDER=%s BUILDKIT_HOST=unix://%s GOSHIP_BUILD_REGISTRY=127.0.0.1:%s\n' \
      "$DOCKER_CONFIG_DIR" "$BUILDER" "$SOCK" "$(port)" ;;
  *) die "usage: $0 start|stop|status|env" ;;
esac
