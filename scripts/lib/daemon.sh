# Start, wait, stop-by-pid and log-tail helpers shared by the daemon scripts (dockerd.sh,
# buildkitd.sh, mirror.sh). Sourced, never run. The sourcing script sets DAEMON_SCRIPT (the
# name its messages start with) and DAEMON_WAIT (seconds a start may take) before using them.
#
#   daemon_spawn LOG CMD...             starts CMD in the background, detached, output to LOG;
#                                       its pid is in DAEMON_PID
#   daemon_wait_for NAME PID CHECK LOG [WHERE]
#                                       polls CHECK once a second until it succeeds; fails with
#                                       the last lines of LOG when PID exits, or stops PID and
#                                       fails when DAEMON_WAIT seconds pass (WHERE, e.g. the
#                                       socket, is named in the message)
#   daemon_start NAME PIDFILE CHECK LOG CMD...
#                                       daemon_spawn, the pid into PIDFILE, daemon_wait_for
#   daemon_stop_pid PID NAME [GRACE]    SIGTERM, then SIGKILL after GRACE seconds (default 30)
#   daemon_stop PIDFILE NAME [GRACE]    stops the pid of PIDFILE if alive, removes PIDFILE
#   daemon_alive PIDFILE                exit 0 when the pid in PIDFILE runs
#   daemon_registry_config FILE ROOT ADDR [ACCESSLOG]
#                                       writes a docker-registry config: storage under ROOT,
#                                       listening on ADDR only (127.0.0.1:PORT)

log() { printf '%s: %s\n' "${DAEMON_SCRIPT:-daemon}" "$*" >&2; }
die() { log "error: $*"; exit 1; }

daemon_alive() {
  local pid
  pid="$(cat "$1" 2>/dev/null || true)"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

daemon_log_tail() {
  if [ -r "$1" ]; then
    log "last lines of $1:"
    tail -n 25 "$1" | sed 's/^/  | /' >&2
  fi
}

daemon_spawn() {
  local logfile="$1"
  shift
  nohup "$@" >"$logfile" 2>&1 </dev/null &
  DAEMON_PID=$!
}

daemon_stop_pid() {
  local pid="$1" name="$2" grace="${3:-30}" waited=0
  kill -TERM "$pid" 2>/dev/null || return 0
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$waited" -ge "$grace" ]; then
      log "$name (pid $pid) still running after $grace s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 1
    waited=$((waited + 1))
  done
}

daemon_wait_for() {
  local name="$1" pid="$2" check="$3" logfile="$4" on="${5:+ on $5}" waited=0
  until "$check"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      daemon_log_tail "$logfile"
      die "$name (pid $pid) exited before it answered$on"
    fi
    if [ "$waited" -ge "${DAEMON_WAIT:-60}" ]; then
      daemon_log_tail "$logfile"
      daemon_stop_pid "$pid" "$name"
      die "$name (pid $pid) did not answer$on within ${DAEMON_WAIT:-60} s; stopped it"
    fi
    sleep 1
    waited=$((waited + 1))
  done
  DAEMON_WAITED=$waited
}

daemon_start() {
  local name="$1" pidfile="$2" check="$3" logfile="$4"
  shift 4
  daemon_spawn "$logfile" "$@"
  printf '%s\n' "$DAEMON_PID" >"$pidfile"
  daemon_wait_for "$name" "$DAEMON_PID" "$check" "$logfile"
  log "$name running (pid $DAEMON_PID, answered after ${DAEMON_WAITED} s)"
}

daemon_stop() {
  local pidfile="$1" name="$2" grace="${3:-30}" pid
  if daemon_alive "$pidfile"; then
    pid="$(cat "$pidfile")"
    daemon_stop_pid "$pid" "$name" "$grace"
    log "$name stopped (pid $pid)"
  else
    log "$name not running"
  fi
  rm -f "$pidfile"
}

daemon_registry_config() {
  local file="$1" root="$2" addr="$3" accesslog="${4:-false}"
  mkdir -p "$root"
  cat >"$file" <<EOF
version: 0.1
log:
  level: warn
  accesslog:
    disabled: $([ "$accesslog" = true ] && echo false || echo true)
storage:
  filesystem:
    rootdirectory: $root
  delete:
    enabled: true
http:
  addr: $addr
EOF
}
