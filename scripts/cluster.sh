#!/usr/bin/env bash
# Starts and stops a single-node Kubernetes cluster for the cluster tests: etcd, the API
# server, controller manager, scheduler, kubelet and kube-proxy from one binary built from
# their Go modules at one pinned release (scripts/tools/kube, Kubernetes v1.34), Debian's
# containerd, runc and CNI plugins, and Debian's docker-registry as the only registry the
# node pulls from. Everything lives under one folder; the control plane listens on 127.0.0.1,
# the kubelet on the pod bridge's address. Pods sit on a bridge of their own with no default
# route and no masquerade: nothing routes off the machine.
#
#   bash scripts/cluster.sh start    # idempotent: returns at once when it already answers
#   bash scripts/cluster.sh stop     # removes every pod, stops every process by its pid
#   bash scripts/cluster.sh status   # exit 0 when the API server answers and the node is Ready
#   eval "$(bash scripts/cluster.sh env)"   # KUBECONFIG, PATH with kubectl, GOSHIP_CLUSTER_REGISTRY
#
# A component that exits, or does not answer within GOSHIP_CLUSTER_WAIT seconds, fails the
# start with the last lines of its log.
#
# Environment:
#   GOSHIP_CLUSTER_DIR   the cluster's folder (default /var/tmp/goship-cluster; keep it short:
#                        containerd's socket lives in it and unix paths are limited)
#   GOSHIP_CLUSTER_WAIT  seconds to wait for each component (default 120)
#   GOSHIP_CLUSTER_REGISTRY_PORT, GOSHIP_CLUSTER_APISERVER_PORT, GOSHIP_CLUSTER_ETCD_PORT
#                        loopback ports (defaults 5719, 16443, 23790; etcd's peer port is +1)
#   GOSHIP_CLUSTER_SUBNET  the pods' /24 (default 10.219.0), GOSHIP_CLUSTER_SERVICES the
#                        Services' /24 (default 10.220.0)
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
DIR="${GOSHIP_CLUSTER_DIR:-/var/tmp/goship-cluster}"
WAIT="${GOSHIP_CLUSTER_WAIT:-120}"
REGISTRY_PORT="${GOSHIP_CLUSTER_REGISTRY_PORT:-5719}"
APISERVER_PORT="${GOSHIP_CLUSTER_APISERVER_PORT:-16443}"
ETCD_PORT="${GOSHIP_CLUSTER_ETCD_PORT:-23790}"
SUBNET="${GOSHIP_CLUSTER_SUBNET:-10.219.0}"
SERVICES="${GOSHIP_CLUSTER_SERVICES:-10.220.0}"
NODE=goship-node
BRIDGE=goship-br0
NODE_IP="$SUBNET.1"
REGISTRY="127.0.0.1:$REGISTRY_PORT"
PAUSE_IMAGE="$REGISTRY/goship/pause:1"
BIN="$DIR/bin"
RUN="$DIR/run"
LOGS="$DIR/log"
PKI="$DIR/pki"
SOCK="$DIR/containerd/containerd.sock"
# Start order; stop goes the other way.
COMPONENTS=(registry etcd kube-apiserver containerd kubelet kube-proxy kube-controller-manager kube-scheduler)

log() { printf 'cluster.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

kubectl_admin() { "$BIN/kubectl" --kubeconfig "$DIR/admin.kubeconfig" "$@"; }

pid_of() { cat "$RUN/$1.pid" 2>/dev/null || true; }
alive() {
  local pid
  pid="$(pid_of "$1")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

log_tail() {
  local f="$LOGS/$1.log"
  if [ -r "$f" ]; then
    log "last lines of $f:"
    tail -n 25 "$f" | sed 's/^/  | /' >&2
  fi
}

# spawn NAME CMD...: starts CMD in its own session with its log under $LOGS, records its pid.
spawn() {
  local name="$1"
  shift
  setsid nohup "$@" >"$LOGS/$name.log" 2>&1 </dev/null &
  printf '%s\n' "$!" >"$RUN/$name.pid"
}

# wait_for NAME WHAT CHECK...: polls CHECK once a second; fails with NAME's log when NAME
# exits or WAIT seconds pass.
wait_for() {
  local name="$1" what="$2" waited=0
  shift 2
  until "$@" >/dev/null 2>&1; do
    if ! alive "$name"; then
      log_tail "$name"
      die "$name exited before $what"
    fi
    if [ "$waited" -ge "$WAIT" ]; then
      log_tail "$name"
      die "$name: no $what within $WAIT s (still running: bash scripts/cluster.sh stop stops it)"
    fi
    sleep 1
    waited=$((waited + 1))
  done
}

# --------------------------------------------------------------------------------------------
# One-time files: binaries, certificates, tokens, kubeconfigs, configs
# --------------------------------------------------------------------------------------------

prepare_bin() {
  local tools
  tools="$(bash "$HERE/e2e-setup.sh" bin)"
  bash "$HERE/e2e-setup.sh" tools kube
  mkdir -p "$BIN"
  local name
  for name in etcd kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl; do
    ln -sfn "$tools/goship-kube" "$BIN/$name"
  done
  ln -sfn "$tools/goship-kube" "$BIN/goship-kube"
  ln -sfn "$tools/goship-pause" "$BIN/goship-pause"
}

# cert NAME CN [O] [SAN]: a key and a certificate signed by the cluster's CA.
cert() {
  local name="$1" cn="$2" o="${3:-}" san="${4:-}" subj
  subj="/CN=$cn"
  [ -n "$o" ] && subj="/O=$o$subj"
  openssl req -new -newkey rsa:2048 -nodes -keyout "$PKI/$name.key" -subj "$subj" -out "$PKI/$name.csr" 2>/dev/null
  if [ -n "$san" ]; then
    printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth,clientAuth\n' "$san" >"$PKI/$name.ext"
  else
    printf 'extendedKeyUsage=clientAuth\n' >"$PKI/$name.ext"
  fi
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial \
    -days 3650 -extfile "$PKI/$name.ext" -out "$PKI/$name.crt" 2>/dev/null
}

# kubeconfig NAME TOKEN: a kubeconfig for a component that authenticates with a token.
kubeconfig() {
  write_file "$DIR/$1.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: goship
  cluster:
    server: https://127.0.0.1:$APISERVER_PORT
    certificate-authority: $PKI/ca.crt
users:
- name: $1
  user:
    token: $2
contexts:
- name: goship
  context: {cluster: goship, user: $1}
current-context: goship
EOF
}

# write_file FILE: stdin into FILE, only when it differs (kube-proxy exits when its config
# file changes under it).
write_file() {
  local tmp="$1.new"
  cat >"$tmp"
  if cmp -s "$tmp" "$1"; then rm -f "$tmp"; else mv -f "$tmp" "$1"; fi
}

prepare_files() {
  mkdir -p "$RUN" "$LOGS" "$PKI" "$DIR/etcd" "$DIR/registry" "$DIR/kubelet" "$DIR/cni/net.d" \
    "$DIR/containerd/certs.d/$REGISTRY"
  chmod 700 "$PKI"
  if [ ! -f "$PKI/ca.crt" ]; then
    openssl req -x509 -new -newkey rsa:2048 -nodes -keyout "$PKI/ca.key" -subj /CN=goship-cluster-ca \
      -days 3650 -out "$PKI/ca.crt" 2>/dev/null
    cert apiserver kube-apiserver "" "IP:127.0.0.1,IP:$NODE_IP,IP:$SERVICES.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
    cert apiserver-kubelet-client kube-apiserver-kubelet-client system:masters
    openssl genrsa -out "$PKI/sa.key" 2048 2>/dev/null
    openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
    # One random token a component; the API server maps each to its user and groups.
    local t
    : >"$PKI/tokens.csv"
    for spec in "admin|kubernetes-admin|system:masters" "kubelet|system:node:$NODE|system:nodes" \
      "kube-controller-manager|system:kube-controller-manager|" "kube-scheduler|system:kube-scheduler|" \
      "kube-proxy|system:kube-proxy|"; do
      IFS='|' read -r name user groups <<<"$spec"
      t="$(openssl rand -hex 24)"
      printf '%s,%s,%s,"%s"\n' "$t" "$user" "$user" "$groups" >>"$PKI/tokens.csv"
      kubeconfig "$name" "$t"
    done
  fi

  write_file "$DIR/registry.yml" <<EOF
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $DIR/registry
  delete:
    enabled: true
http:
  addr: $REGISTRY
EOF

  # containerd 1.6: its own root, state and socket; the CRI plugin pulls over plain http from
  # the local registry only and runs pods with runc on cgroupfs (there is no systemd).
  write_file "$DIR/containerd/config.toml" <<EOF
version = 2
root = "$DIR/containerd/root"
state = "$DIR/containerd/state"
[grpc]
  address = "$SOCK"
[ttrpc]
  address = "$SOCK.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$DIR/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false
  # The machine grants no CAP_SYS_RESOURCE, so runc cannot lower a process's OOM score below
  # containerd's own (the kubelet asks -998 for sandboxes): keep it at containerd's.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$DIR/cni/net.d"
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "$DIR/containerd/certs.d"
EOF
  write_file "$DIR/containerd/certs.d/$REGISTRY/hosts.toml" <<EOF
server = "http://$REGISTRY"
[host."http://$REGISTRY"]
  capabilities = ["pull", "resolve"]
EOF

  # The pods' network: a bridge with the node's address, host-local addresses, and only the
  # subnet's route inside each pod (no default route, no masquerade).
  write_file "$DIR/cni/net.d/10-goship.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "goship",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$BRIDGE",
      "isGateway": true,
      "isDefaultGateway": false,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "$DIR/cni/ipam",
        "ranges": [[{ "subnet": "$SUBNET.0/24", "gateway": "$NODE_IP" }]]
      }
    }
  ]
}
EOF

  write_file "$DIR/kubelet/config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
containerRuntimeEndpoint: unix://$SOCK
cgroupDriver: cgroupfs
failSwapOn: false
tlsCertFile: $PKI/kubelet.crt
tlsPrivateKeyFile: $PKI/kubelet.key
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: false}
  x509: {clientCAFile: $PKI/ca.crt}
authorization:
  mode: AlwaysAllow
# No registry to pull the pause image from again: never collect images, never evict for disk.
imageGCHighThresholdPercent: 100
evictionHard:
  nodefs.available: "0%"
  nodefs.inodesFree: "0%"
  imagefs.available: "0%"
serializeImagePulls: false
resolvConf: $DIR/kubelet/resolv.conf
clusterDomain: cluster.local
EOF
  : >"$DIR/kubelet/resolv.conf"
  [ -f "$PKI/kubelet.crt" ] || cert kubelet "system:node:$NODE" system:nodes "IP:$NODE_IP,DNS:$NODE"

  write_file "$DIR/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
clusterCIDR: $SUBNET.0/24
hostnameOverride: $NODE
bindAddress: 127.0.0.1
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
clientConnection:
  kubeconfig: $DIR/kube-proxy.kubeconfig
conntrack:
  maxPerCore: 0
iptables:
  minSyncPeriod: 0s
  syncPeriod: 30s
EOF
}

# The bridge exists before the first pod so the kubelet can listen on its address. The
# Services' range is routed to it too: a process on the machine that connects to a Service's
# address then speaks from the bridge's address, which the pods can answer without any route
# off their subnet.
prepare_network() {
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add "$BRIDGE" type bridge
  fi
  ip addr replace "$NODE_IP/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  ip route replace "$SERVICES.0/24" dev "$BRIDGE" src "$NODE_IP"
  # kube-proxy's rules see traffic that crosses the bridge (pod to Service) only with this.
  modprobe br_netfilter 2>/dev/null || true
  sysctl -qw net.bridge.bridge-nf-call-iptables=1 2>/dev/null || true
}

# --------------------------------------------------------------------------------------------
# Components
# --------------------------------------------------------------------------------------------

start_registry() {
  alive registry && return 0
  spawn registry docker-registry serve "$DIR/registry.yml"
  wait_for registry "answer on http://$REGISTRY/v2/" curl -fsS "http://$REGISTRY/v2/"
}

start_etcd() {
  alive etcd && return 0
  spawn etcd "$BIN/etcd" --name goship --data-dir "$DIR/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$((ETCD_PORT + 1))" --initial-advertise-peer-urls "http://127.0.0.1:$((ETCD_PORT + 1))" \
    --initial-cluster "goship=http://127.0.0.1:$((ETCD_PORT + 1))" \
    --listen-metrics-urls "" --log-level warn --quota-backend-bytes 2147483648
  wait_for etcd "health on 127.0.0.1:$ETCD_PORT" curl -fsS "http://127.0.0.1:$ETCD_PORT/health"
}

start_kube_apiserver() {
  alive kube-apiserver && return 0
  spawn kube-apiserver "$BIN/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
    --bind-address 127.0.0.1 --secure-port "$APISERVER_PORT" --advertise-address "$NODE_IP" \
    --service-cluster-ip-range "$SERVICES.0/24" \
    --tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key" \
    --client-ca-file "$PKI/ca.crt" --token-auth-file "$PKI/tokens.csv" \
    --kubelet-client-certificate "$PKI/apiserver-kubelet-client.crt" \
    --kubelet-client-key "$PKI/apiserver-kubelet-client.key" \
    --kubelet-certificate-authority "$PKI/ca.crt" \
    --kubelet-preferred-address-types InternalIP \
    --authorization-mode Node,RBAC --enable-admission-plugins NodeRestriction --allow-privileged=true \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$PKI/sa.pub" --service-account-signing-key-file "$PKI/sa.key" \
    --profiling=false --v 1
  wait_for kube-apiserver "/readyz" kubectl_admin get --raw /readyz
}

start_containerd() {
  alive containerd && return 0
  rm -f "$SOCK"
  spawn containerd containerd --config "$DIR/containerd/config.toml"
  wait_for containerd "answer on $SOCK" ctr --address "$SOCK" version
}

# The pause image: goship-pause in an image of its own, pushed to the local registry, from
# which containerd pulls it like any other image.
push_pause() {
  if curl -fsS "http://$REGISTRY/v2/goship/pause/manifests/1" -H 'Accept: application/vnd.oci.image.manifest.v1+json' >/dev/null 2>&1; then
    return 0
  fi
  local b=(buildah --storage-driver vfs) ctr
  ctr="$("${b[@]}" from --pull=never scratch)"
  "${b[@]}" copy "$ctr" "$BIN/goship-pause" /pause >/dev/null
  "${b[@]}" config --entrypoint '["/pause"]' --user 65535:65535 "$ctr"
  "${b[@]}" commit -q --rm "$ctr" localhost/goship-pause:1 >/dev/null
  "${b[@]}" push -q --tls-verify=false localhost/goship-pause:1 "docker://$PAUSE_IMAGE"
  "${b[@]}" rmi localhost/goship-pause:1 >/dev/null 2>&1 || true
  log "pushed the pause image $PAUSE_IMAGE"
}

node_ready() {
  [ "$(kubectl_admin get node "$NODE" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" = True ]
}

start_kubelet() {
  alive kubelet && return 0
  spawn kubelet "$BIN/kubelet" --config "$DIR/kubelet/config.yaml" \
    --kubeconfig "$DIR/kubelet.kubeconfig" --root-dir "$DIR/kubelet/root" \
    --hostname-override "$NODE" --node-ip "$NODE_IP" --v 1
}

start_kube_proxy() {
  alive kube-proxy && return 0
  spawn kube-proxy "$BIN/kube-proxy" --config "$DIR/kube-proxy.yaml" --v 1
}

start_kube_controller_manager() {
  alive kube-controller-manager && return 0
  spawn kube-controller-manager "$BIN/kube-controller-manager" \
    --kubeconfig "$DIR/kube-controller-manager.kubeconfig" \
    --authentication-kubeconfig "$DIR/kube-controller-manager.kubeconfig" \
    --authorization-kubeconfig "$DIR/kube-controller-manager.kubeconfig" \
    --bind-address 127.0.0.1 --leader-elect=false --use-service-account-credentials \
    --service-account-private-key-file "$PKI/sa.key" --root-ca-file "$PKI/ca.crt" \
    --cluster-signing-cert-file "$PKI/ca.crt" --cluster-signing-key-file "$PKI/ca.key" \
    --controllers '*,-nodeipam' --profiling=false --v 1
}

start_kube_scheduler() {
  alive kube-scheduler && return 0
  spawn kube-scheduler "$BIN/kube-scheduler" \
    --kubeconfig "$DIR/kube-scheduler.kubeconfig" \
    --authentication-kubeconfig "$DIR/kube-scheduler.kubeconfig" \
    --authorization-kubeconfig "$DIR/kube-scheduler.kubeconfig" \
    --bind-address 127.0.0.1 --leader-elect=false --profiling=false --v 1
}

running() {
  local c
  for c in "${COMPONENTS[@]}"; do alive "$c" || return 1; done
  node_ready
}

start() {
  [ "$(id -u)" = 0 ] || die "run as root (containerd, the kubelet and kube-proxy need it)"
  local tool
  for tool in containerd runc docker-registry buildah iptables openssl curl ctr; do
    command -v "$tool" >/dev/null || die "'$tool' is missing: run bash scripts/e2e-setup.sh"
  done
  [ -x /usr/lib/cni/bridge ] || die "/usr/lib/cni/bridge is missing: run bash scripts/e2e-setup.sh (containernetworking-plugins)"
  if [ -x "$BIN/kubectl" ] && running; then
    log "already running, KUBECONFIG=$DIR/admin.kubeconfig"
    return 0
  fi
  local started
  started=$(date +%s)
  prepare_bin
  prepare_files
  prepare_network
  start_registry
  start_etcd
  start_kube_apiserver
  start_containerd
  push_pause
  start_kubelet
  start_kube_proxy
  start_kube_controller_manager
  start_kube_scheduler
  wait_for kubelet "Ready node $NODE" node_ready
  # The default ServiceAccount exists once the controller manager has made it.
  wait_for kube-controller-manager "default ServiceAccount" kubectl_admin -n default get serviceaccount default
  log "running ($(( $(date +%s) - started )) s), KUBECONFIG=$DIR/admin.kubeconfig, registry $REGISTRY"
}

# SIGTERM, then SIGKILL after 30 s.
stop_component() {
  local name="$1" pid waited=0
  pid="$(pid_of "$name")"
  if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then
    rm -f "$RUN/$name.pid"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$waited" -ge 30 ]; then
      log "$name (pid $pid) still running after 30 s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 1
    waited=$((waited + 1))
  done
  rm -f "$RUN/$name.pid"
  log "stopped $name (pid $pid)"
}

stop() {
  # The kubelet first, so it restarts nothing; then every pod through the runtime (its
  # containers, shims and network namespaces), then the rest in reverse start order.
  stop_component kubelet
  if alive containerd && [ -x "$BIN/goship-kube" ]; then
    "$BIN/goship-kube" cri-reset "unix://$SOCK" || log "some pods could not be removed (see above)"
  fi
  local i
  for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do
    stop_component "${COMPONENTS[$i]}"
  done
  # The kubelet's and containerd's mounts under the folder (pod volumes, sandbox shm).
  if [ -d "$DIR" ]; then
    awk -v d="$DIR/" 'index($2, d) == 1 { print $2 }' /proc/self/mounts | sort -r | while read -r m; do
      umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
    done
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) [ -x "$BIN/kubectl" ] && running ;;
  env)
    printf 'export KUBECONFIG=%s\n' "$DIR/admin.kubeconfig"
    printf 'export PATH=%s:"$PATH"\n' "$BIN"
    printf 'export GOSHIP_CLUSTER_REGISTRY=%s\n' "$REGISTRY"
    ;;
  *) die "usage: $0 start|stop|status|env" ;;
esac
