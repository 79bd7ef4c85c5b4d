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

log() { printf 'dockerd.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

pid_alive() {
  local pid
  pid="$(cat "$PIDFILE" 2>/dev/null || true)"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

answers() {
  DOCKER_HOST="unix://$SOCK" "$DOCKER" version --format '{{.Server.Version}}' >/dev/null 2>&1
}

log_tail() {
  if [ -r "$LOG" ]; then
    log "last lines of $LOG:"
    tail -n 25 "$LOG" | sed 's/^/  | /' >&2
  fi
}

start() {
  command -v dockerd >/dev/null || die "dockerd is not installed: run bash scripts/e2e-setup.sh (Debian's docker.io)"
  [ -x "$DOCKER" ] || die "$DOCKER is missing: run bash scripts/e2e-setup.sh (Debian's docker.io)"
  [ "$(id -u)" = 0 ] || die "run as root (dockerd needs it)"
  if pid_alive && answers; then
    log "already running (pid $(cat "$PIDFILE")), DOCKER_HOST=unix://$SOCK"
    return 0
  fi
  if pid_alive; then
    # Alive but not answering: a start still under way, or a stuck engine. Wait, then give up.
    wait_until_answers "$(cat "$PIDFILE")"
    return 0
  fi
  mkdir -p "$DIR/data" "$DIR/exec"
  rm -f "$PIDFILE" "$SOCK"
  # There is no bridge: builds and containers use the host's network (--network host).
  nohup dockerd \
    --host "unix://$SOCK" \
    --data-root "$DIR/data" \
    --exec-root "$DIR/exec" \
    --pidfile "$PIDFILE" \
    --storage-driver "$DRIVER" \
    --iptables=false --ip-masq=false --ip6tables=false --bridge=none \
    --registry-mirror "http://127.0.0.1:${GOSHIP_MIRROR_PORT:-5100}" \
    --log-level warn \
    >"$LOG" 2>&1 </dev/null &
  wait_until_answers "$!"
}

# Polls the socket once a second until the engine answers; fails with its log when it exits
# or when WAIT seconds pass.
wait_until_answers() {
  local pid="$1" waited=0
  until answers; do
    if ! kill -0 "$pid" 2>/dev/null; then
      log_tail
      die "dockerd (pid $pid) exited before it answered on $SOCK"
    fi
    if [ "$waited" -ge "$WAIT" ]; then
      log_tail
      stop_pid "$pid"
      die "dockerd (pid $pid) did not answer on $SOCK within $WAIT s; stopped it"
    fi
    sleep 1
    waited=$((waited + 1))
  done
  log "running (pid $pid, $DRIVER storage, answered after ${waited} s), DOCKER_HOST=unix://$SOCK"
}

# SIGTERM, then SIGKILL after 30 s: dockerd stops its containers (10 s each at most) and its
# containerd before it exits.
stop_pid() {
  local pid="$1" waited=0
  kill -TERM "$pid" 2>/dev/null || return 0
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$waited" -ge 30 ]; then
      log "dockerd (pid $pid) still running after 30 s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 1
    waited=$((waited + 1))
  done
}

stop() {
  if ! pid_alive; then
    log "not running"
    rm -f "$PIDFILE"
    return 0
  fi
  local pid
  pid="$(cat "$PIDFILE")"
  stop_pid "$pid"
  rm -f "$PIDFILE"
  log "stopped (pid $pid)"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) pid_alive && answers ;;
  env) printf 'export DOCKER_HOST=unix://%s DOCKER_BUILDKIT=1\n' "$SOCK" ;;
  *) die "usage: $0 start|stop|status|env" ;;
esac
