#!/usr/bin/env bash
# Starts and stops the suite's registry mirror: Debian's docker-registry on 127.0.0.1, holding
# the Go builder images under the names the official ones have (library/golang:1.26.8, …), as
# an air-gapped company's mirror of Docker Hub does. The Docker engine (scripts/dockerd.sh) and
# buildah (through the registries.conf this script writes) resolve `FROM golang:<version>` there,
# so the Dockerfiles goship writes build unmodified. Its storage outlives a stop: images pushed
# once are there on the next start.
#
#   bash scripts/mirror.sh start     # idempotent: returns at once when it already answers
#   bash scripts/mirror.sh stop      # stops it by its pid
#   bash scripts/mirror.sh status    # exit 0 when it answers
#   eval "$(bash scripts/mirror.sh env)"   # GOSHIP_MIRROR and CONTAINERS_REGISTRIES_CONF
#
# Environment:
#   GOSHIP_MIRROR_DIR   its folder: data, config, pid file, log (default /var/tmp/goship-mirror)
#   GOSHIP_MIRROR_PORT  its port on 127.0.0.1                    (default 5100)
set -euo pipefail

DIR="${GOSHIP_MIRROR_DIR:-/var/tmp/goship-mirror}"
PORT="${GOSHIP_MIRROR_PORT:-5100}"
ADDR="127.0.0.1:$PORT"
PIDFILE="$DIR/registry.pid"
LOG="$DIR/registry.log"
WAIT=30

SCRIPTS="$(cd "$(dirname "$0")" && pwd)"
DAEMON_SCRIPT=mirror.sh
DAEMON_WAIT="$WAIT"
# shellcheck source=scripts/lib/daemon.sh
. "$SCRIPTS/lib/daemon.sh"

answers() { curl -fsS -o /dev/null --max-time 2 "http://$ADDR/v2/" 2>/dev/null; }

# containers-registries.conf(5) for buildah and skopeo: short names resolve to docker.io, and
# docker.io is mirrored here over plain http.
write_registries_conf() {
  cat >"$DIR/registries.conf" <<CONF
unqualified-search-registries = ["docker.io"]
short-name-mode = "permissive"

[[registry]]
prefix = "docker.io"
location = "docker.io"

[[registry.mirror]]
location = "$ADDR"
insecure = true

[[registry]]
location = "$ADDR"
insecure = true
CONF
}

start() {
  command -v docker-registry >/dev/null || die "docker-registry is not installed: run bash scripts/e2e-setup.sh"
  mkdir -p "$DIR/data"
  write_registries_conf
  if daemon_alive "$PIDFILE" && answers; then
    log "already running (pid $(cat "$PIDFILE")) on $ADDR"
    return 0
  fi
  if daemon_alive "$PIDFILE"; then
    daemon_stop_pid "$(cat "$PIDFILE")" docker-registry 10
  fi
  daemon_registry_config "$DIR/config.yml" "$DIR/data" "$ADDR" true
  daemon_start "docker-registry on $ADDR" "$PIDFILE" answers "$LOG" docker-registry serve "$DIR/config.yml"
}

stop() { daemon_stop "$PIDFILE" docker-registry 10; }

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) daemon_alive "$PIDFILE" && answers ;;
  env) printf 'export GOSHIP_MIRROR=%s CONTAINERS_REGISTRIES_CONF=%s\n' "$ADDR" "$DIR/registries.conf" ;;
  *) die "usage: $0 start|stop|status|env" ;;
esac
