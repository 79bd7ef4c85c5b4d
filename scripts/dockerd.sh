#!/usr/bin/env bash
# Starts and stops the Docker engine (Debian's docker.io, BuildKit built in) that the
# end-to-end tests build and run images with. Its data, sockets, pid file and log live
# under one directory the suite owns, never /var/lib/docker, and it listens on a unix
# socket there only: no TCP, no bridge, no iptables rules.
#
#   bash scripts/dockerd.sh start    # idempotent: returns at once when it already answers
#   bash scripts/dockerd.sh stop     # stops it by its pid; nothing to do when not running
#   bash scripts/dockerd.sh status   # exit 0 when it answers
#   eval "$(bash scripts/dockerd.sh env)"   # DOCKER_HOST and DOCKER_BUILDKIT for /usr/bin/docker
#
# A dockerd that does not answer within GOSHIP_DOCKERD_WAIT seconds, or exits, fails the
# start with the last lines of its log.
#
# Environment:
#   GOSHIP_DOCKER_DIR    the engine's directory   (default /var/tmp/goship-docker; keep it
#                        short: containerd's sockets live in it and unix paths are limited)
#   GOSHIP_DOCKERD_WAIT  seconds to wait for it   (default 60)
#   GOSHIP_MIRROR_PORT   the registry mirror's port on 127.0.0.1 (default 5100): Docker Hub
#                        names (`golang:1.26`) resolve there (scripts/mirror.sh)
#   GOSHIP_DOCKER_STORAGE_DRIVER  overlay2 or vfs (default overlay2 when the kernel has
#                        overlay, else vfs: vfs works anywhere but copies every layer whole,
#                        about 0.8 GB per build step on the Go builder image)
set -euo pipefail

DIR="${GOSHIP_DOCKER_DIR:-/var/tmp/goship-docker}"
WAIT="${GOSHIP_DOCKERD_WAIT:-60}"
SOCK="$DIR/docker.sock"
PIDFILE="$DIR/docker.pid"
LOG="$DIR/dockerd.log"
# Debian's client: a docker first on PATH may be a newer one that insists on the buildx plugin.
DOCKER=/usr/bin/docker
if [ -z "${GOSHIP_DOCKER_STORAGE_DRIVER:-}" ] && grep -qw overlay /proc/filesystems 2>/dev/null; then
  DRIVER=overlay2
else
  DRIVER="${GOSHIP_DOCKER_STORAGE_DRIVER:-vfs}"
fi

SCRIPTS="$(cd "$(dirname "$0")" && pwd)"
DAEMON_SCRIPT=dockerd.sh
DAEMON_WAIT="$WAIT"
# shellcheck source=scripts/lib/daemon.sh
. "$SCRIPTS/lib/daemon.sh"

answers() {
  DOCKER_HOST="unix://$SOCK" "$DOCKER" version --format '{{.Server.Version}}' >/dev/null 2>&1
}

start() {
  command -v dockerd >/dev/null || die "dockerd is not installed: run bash scripts/e2e-setup.sh (Debian's docker.io)"
  [ -x "$DOCKER" ] || die "$DOCKER is missing: run bash scripts/e2e-setup.sh (Debian's docker.io)"
  [ "$(id -u)" = 0 ] || die "run as root (dockerd needs it)"
  if daemon_alive "$PIDFILE" && answers; then
    log "already running (pid $(cat "$PIDFILE")), DOCKER_HOST=unix://$SOCK"
    return 0
  fi
  local pid
  if daemon_alive "$PIDFILE"; then
    # Alive but not answering: a start still under way, or a stuck engine. Wait, then give up.
    pid="$(cat "$PIDFILE")"
  else
    mkdir -p "$DIR/data" "$DIR/exec"
    rm -f "$PIDFILE" "$SOCK"
    # There is no bridge: builds and containers use the host's network (--network host).
    # dockerd writes its own pid file.
    daemon_spawn "$LOG" dockerd \
      --host "unix://$SOCK" \
      --data-root "$DIR/data" \
      --exec-root "$DIR/exec" \
      --pidfile "$PIDFILE" \
      --storage-driver "$DRIVER" \
      --iptables=false --ip-masq=false --ip6tables=false --bridge=none \
      --registry-mirror "http://127.0.0.1:${GOSHIP_MIRROR_PORT:-5100}" \
      --log-level warn
    pid="$DAEMON_PID"
  fi
  daemon_wait_for dockerd "$pid" answers "$LOG" "$SOCK"
  log "running (pid $pid, $DRIVER storage, answered after ${DAEMON_WAITED} s), DOCKER_HOST=unix://$SOCK"
}

# dockerd stops its containers (10 s each at most) and its containerd before it exits: 30 s
# before SIGKILL.
stop() { daemon_stop "$PIDFILE" dockerd 30; }

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) daemon_alive "$PIDFILE" && answers ;;
  env) printf 'export DOCKER_HOST=unix://%s DOCKER_BUILDKIT=1\n' "$SOCK" ;;
  *) die "usage: $0 start|stop|status|env" ;;
esac
