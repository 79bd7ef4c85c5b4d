#!/usr/bin/env bash
# Installs the tools the end-to-end tests use, builds the ones that come from Go modules, and
# makes the Go builder images. It leaves one service running, the registry mirror that holds
# the builder images (`bash scripts/mirror.sh stop` stops it); scripts/dockerd.sh starts and
# stops the Docker engine.
#
#   bash scripts/e2e-setup.sh                 # all of the below; idempotent, seconds when done
#   bash scripts/e2e-setup.sh bin             # prints the folder of the tools built from Go modules
#   bash scripts/e2e-setup.sh tools [NAME…]   # builds only those tools (scripts/tools/NAME)
#   bash scripts/e2e-setup.sh goroot VERSION  # prints the GOROOT of a proven Go release
#
# 1. Debian packages: buildah, runc, umoci, skopeo, docker-registry, qemu-user-static, Docker
#    20.10 (BuildKit built in), debootstrap, gcc. Debian's golang-go is not installed: the
#    host's Go is the machine's /usr/local/go, and Debian's 1.19 is unpacked beside it.
# 2. Tools from their Go modules, pinned, into `bash scripts/e2e-setup.sh bin` (go-tools.sh).
# 3. The Go releases the suites prove (GOSHIP_GO_VERSIONS): the machine's 1.26.8, 1.27.3 (the
#    go command fetches it from the module proxy when GOTOOLCHAIN=go1.27.3 asks for it) and
#    Debian's 1.19.8, the oldest goship supports.
# 4. A builder image for each, named as the official ones are (golang:1.26.8, and golang:1.26
#    for the newest patch of a minor), pushed to the registry mirror (scripts/mirror.sh) through
#    which the Docker engine and buildah resolve `FROM golang:<version>`. Each is Debian
#    bookworm (debootstrap minbase, gcc, CA roots, zoneinfo) with the toolchain copied to
#    /usr/local/go; it is made only when the mirror does not have it yet.
#
# Debian only (apt-get, debootstrap). Runs as root.
#
# Environment:
#   GOSHIP_GO_VERSIONS    the Go releases to make builders for (default "1.26.8 1.27.3 1.19.8")
#   GOSHIP_DEBIAN_MIRROR  mirror for debootstrap (default: the first URIs line of
#                         /etc/apt/sources.list.d/debian.sources, else of /etc/apt/sources.list)
#   GOSHIP_REBUILD_BUILDER=1  make the builder images again even if the mirror has them
#   GOSHIP_TOOLS_DIR, GOSHIP_GO: see go-tools.sh; GOSHIP_MIRROR_DIR, GOSHIP_MIRROR_PORT: mirror.sh
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=scripts/go-tools.sh
. "$here/go-tools.sh"
read -r -a GO_VERSIONS <<<"${GOSHIP_GO_VERSIONS:-1.26.8 1.27.3 1.19.8}"
SUITE=bookworm
# Every buildah call uses the same storage driver: vfs works on any filesystem and needs
# neither fuse nor overlay support in the kernel.
BUILDAH=(buildah --storage-driver vfs)

log() { printf 'e2e-setup: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# The GOROOT of Go release $1 on this machine, fetched or unpacked when missing.
goroot_of() {
  local v="$1" host
  host="$(tools_go)"
  if [ "$("$host" env GOVERSION)" = "go$v" ]; then
    "$host" env GOROOT
  elif [ "$v" = 1.19.8 ]; then
    local root="$GOSHIP_TOOLS_DIR/go/1.19" debs deb
    if [ ! -x "$root/usr/lib/go-1.19/bin/go" ]; then
      debs="$(mktemp -d)"
      (cd "$debs" && apt-get download -q golang-1.19-go golang-1.19-src >/dev/null 2>&1) \
        || (apt-get update -q >/dev/null && cd "$debs" && apt-get download -q golang-1.19-go golang-1.19-src >/dev/null) \
        || die "apt-get download golang-1.19-go golang-1.19-src failed"
      rm -rf "$root" && mkdir -p "$root"
      for deb in "$debs"/*.deb; do dpkg -x "$deb" "$root"; done
      rm -rf "$debs"
    fi
    printf '%s\n' "$root/usr/lib/go-1.19"
  else
    # The go command downloads golang.org/toolchain@v0.0.1-go$v.linux-amd64 from the proxy.
    GOTOOLCHAIN="go$v" "$host" env GOROOT
  fi
}

case "${1:-}" in
  # The folder of the tools built from Go modules (kubectl, buildx, pulumi, ko, ...).
  bin) printf '%s\n' "$TOOLS_BIN"; exit 0 ;;
  # Only the tools built from Go modules, all or the named ones.
  tools) shift; build_tools "$@"; exit 0 ;;
  goroot) [ -n "${2:-}" ] || die "usage: $0 goroot VERSION"; goroot_of "$2"; exit 0 ;;
  '') ;;
  *) printf 'usage: %s [bin | tools [NAME...] | goroot VERSION]\n' "$0" >&2; exit 2 ;;
esac

[ "$(id -u)" = 0 ] || die "run as root (apt-get, debootstrap and buildah's vfs storage need it)"
command -v dpkg >/dev/null || die "needs a Debian system (dpkg, apt-get)"

# ---------------------------------------------------------------------------------------
# 1. Debian packages
# ---------------------------------------------------------------------------------------
PACKAGES=(
  buildah            # builds the Dockerfiles (vfs storage, chroot isolation)
  runc               # runs unpacked images
  umoci              # OCI layout -> runtime bundle
  skopeo             # registry inspection and copies
  docker-registry    # a real registry on 127.0.0.1
  gcc                # cgo builds on the host
  libc6-dev
  qemu-user-static   # runs arm64 binaries on amd64
  busybox-static     # the shell of the alpine-like stand-in base (no registry to pull alpine from)
  docker.io          # Docker 20.10 with BuildKit; started by scripts/dockerd.sh, never as a service
  debootstrap        # makes the builder image's root filesystem
  file
  binutils
  ca-certificates
  tzdata
  curl
  openssl            # certificates: the test Go module proxy, the registry token-auth test
  containerd         # the cluster's container runtime (scripts/cluster.sh)
  containernetworking-plugins  # the cluster's pod network: bridge, host-local, loopback
  iptables           # kube-proxy's Service rules
)

missing=()
for p in "${PACKAGES[@]}"; do
  status="$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)"
  if [ "$status" != "install ok installed" ]; then
    missing+=("$p")
  fi
done

apt_install() {
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
    -o DPkg::Lock::Timeout=600 --no-install-recommends "$@"
}

if [ "${#missing[@]}" -gt 0 ]; then
  log "installing: ${missing[*]}"
  if ! apt_install "${missing[@]}"; then
    log "install failed; refreshing the package lists and trying once more"
    DEBIAN_FRONTEND=noninteractive apt-get update -q -o DPkg::Lock::Timeout=600
    apt_install "${missing[@]}"
  fi
else
  log "packages already installed"
fi

for tool in buildah runc umoci skopeo docker-registry qemu-aarch64-static debootstrap file readelf curl openssl dockerd containerd busybox; do
  command -v "$tool" >/dev/null || die "'$tool' is still missing after the install"
done
# Debian's client: a docker first on PATH may be a newer one that insists on the buildx plugin.
[ -x /usr/bin/docker ] || die "/usr/bin/docker (Debian's docker.io client) is still missing after the install"

# ---------------------------------------------------------------------------------------
# 2. Tools built from their Go modules at pinned releases (scripts/tools/*), cached
# ---------------------------------------------------------------------------------------
build_tools

# ---------------------------------------------------------------------------------------
# 3. Go releases, and 4. a builder image for each in the registry mirror
# ---------------------------------------------------------------------------------------
declare -A GOROOTS
for v in "${GO_VERSIONS[@]}"; do
  GOROOTS[$v]="$(goroot_of "$v")"
  [ "$("${GOROOTS[$v]}/bin/go" env GOVERSION)" = "go$v" ] || die "${GOROOTS[$v]}/bin/go is not go$v"
done

bash "$here/mirror.sh" start
eval "$(bash "$here/mirror.sh" env)"

in_mirror() {
  curl -fs -o /dev/null --head -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    "http://$GOSHIP_MIRROR/v2/library/golang/manifests/$1"
}

# The tags of release $1: its own, and its minor's when no newer patch of it is proven here.
tags_of() {
  local v="$1" minor="${1%.*}" other
  printf '%s\n' "$v"
  [ "$minor" = 1 ] && return 0   # a version such as 1.19 names a minor already
  for other in "${GO_VERSIONS[@]}"; do
    if [ "${other%.*}" = "$minor" ] && [ "$(printf '%s\n%s\n' "$other" "$v" | sort -V | tail -n1)" != "$v" ]; then
      return 0
    fi
  done
  printf '%s\n' "$minor"
}

to_make=()
for v in "${GO_VERSIONS[@]}"; do
  for t in $(tags_of "$v"); do
    if [ "${GOSHIP_REBUILD_BUILDER:-0}" = 1 ] || ! in_mirror "$t"; then to_make+=("$v"); break; fi
  done
done
if [ "${#to_make[@]}" -eq 0 ]; then
  log "builder images for Go ${GO_VERSIONS[*]} already in the mirror $GOSHIP_MIRROR"
  exit 0
fi

mirror="${GOSHIP_DEBIAN_MIRROR:-}"
if [ -z "$mirror" ] && [ -r /etc/apt/sources.list.d/debian.sources ]; then
  mirror="$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources)"
fi
if [ -z "$mirror" ] && [ -r /etc/apt/sources.list ]; then
  mirror="$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; exit } }' /etc/apt/sources.list)"
fi
[ -n "$mirror" ] || die "no Debian mirror found in the apt sources: set GOSHIP_DEBIAN_MIRROR to the mirror apt uses"

work="$(mktemp -d /var/tmp/goship-builder.XXXXXX)"
ctr=""
cleanup() {
  if [ -n "$ctr" ]; then
    "${BUILDAH[@]}" umount "$ctr" >/dev/null 2>&1 || true
    "${BUILDAH[@]}" rm "$ctr" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

log "debootstrap $SUITE from the apt mirror (about a minute)"
start=$(date +%s)
# gcc and libc6-dev make cgo builds possible, as in the official golang images.
debootstrap --variant=minbase --include=gcc,libc6-dev,ca-certificates,tzdata \
  "$SUITE" "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
  || { tail -n 30 "$work/debootstrap.log" >&2; die "debootstrap failed"; }
# Package caches and lists only make every container copy bigger (vfs copies layers).
rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"* \
  "$work/rootfs/usr/share/doc" "$work/rootfs/usr/share/man" "$work/rootfs/usr/share/info"
mkdir -p "$work/rootfs/go/src" "$work/rootfs/go/bin" "$work/rootfs/root/.cache"
log "rootfs ready in $(( $(date +%s) - start )) s"

for v in "${to_make[@]}"; do
  ctr="$("${BUILDAH[@]}" from --pull=never scratch)"
  mnt="$("${BUILDAH[@]}" mount "$ctr")"
  # A tar pipe keeps owners, modes, links and special bits exactly as debootstrap left them.
  tar -C "$work/rootfs" --numeric-owner -cf - . | tar -C "$mnt" --numeric-owner -xpf -
  # The toolchain with its links resolved (Debian's 1.19 links src/ into /usr/share), owned
  # by root and writable by it, as in the official images.
  mkdir -p "$mnt/usr/local/go"
  tar -C "${GOROOTS[$v]}" --owner=0 --group=0 --numeric-owner -chf - . | tar -C "$mnt/usr/local/go" -xpf -
  chmod -R u+w "$mnt/usr/local/go"
  "${BUILDAH[@]}" umount "$ctr" >/dev/null
  # The official images' environment, GOTOOLCHAIN=local included: a go.mod asking for a newer
  # Go fails the build instead of downloading another toolchain.
  "${BUILDAH[@]}" config \
    --os linux --arch amd64 \
    --env PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env GOLANG_VERSION="$v" \
    --env GOTOOLCHAIN=local \
    --env GOPATH=/go \
    --workingdir /go \
    --cmd /bin/bash \
    --label org.opencontainers.image.description="Go $v on Debian $SUITE, made by goship's e2e setup" \
    "$ctr"
  local_name="localhost/goship-builder/golang:$v"
  "${BUILDAH[@]}" commit --quiet --rm "$ctr" "$local_name" >/dev/null
  ctr=""
  for t in $(tags_of "$v"); do
    "${BUILDAH[@]}" push --quiet --tls-verify=false "$local_name" "docker://$GOSHIP_MIRROR/library/golang:$t"
    in_mirror "$t" || die "the mirror does not list golang:$t after the push"
    log "golang:$t (Go $v) is in the mirror $GOSHIP_MIRROR"
  done
  "${BUILDAH[@]}" rmi "$local_name" >/dev/null
done
log "builder images made in $(( $(date +%s) - start )) s"
