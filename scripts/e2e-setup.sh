#!/usr/bin/env bash
# Installs the container tools the end-to-end tests use (buildah, runc, umoci, skopeo,
# docker-registry, Go, qemu-user-static, and Debian's Docker engine with BuildKit built in)
# and makes the local Go builder image. The engine is not started here: scripts/dockerd.sh
# starts and stops one for the suite.
#
# Idempotent and quick when everything is already there: packages are checked with
# dpkg before apt-get runs, and the builder image is made only when buildah's
# storage does not list it yet. Debian only (apt-get, debootstrap). Runs as root.
#
# Environment:
#   GOSHIP_BUILDER_IMAGE  name of the builder image   (default localhost/golang:1.19-local)
#   GOSHIP_DEBIAN_MIRROR  mirror for debootstrap      (default: the first URIs line of
#                         /etc/apt/sources.list.d/debian.sources, else of /etc/apt/sources.list)
#   GOSHIP_REBUILD_BUILDER=1  make the builder image again even if it exists
set -euo pipefail

# shellcheck source=scripts/go-tools.sh
. "$(dirname "$0")/go-tools.sh"
case "${1:-}" in
  # The folder of the tools built from Go modules (kubectl, buildx, pulumi, ko, ...).
  bin) printf '%s\n' "$TOOLS_BIN"; exit 0 ;;
  # Only the tools built from Go modules, all or the named ones.
  tools) shift; build_tools "$@"; exit 0 ;;
  '') ;;
  *) printf 'usage: %s [bin | tools [NAME...]]\n' "$0" >&2; exit 2 ;;
esac

BUILDER_IMAGE="${GOSHIP_BUILDER_IMAGE:-localhost/golang:1.19-local}"
SUITE=bookworm
# Every buildah call uses the same storage driver: vfs works on any filesystem and needs
# neither fuse nor overlay support in the kernel.
BUILDAH=(buildah --storage-driver vfs)

log() { printf 'e2e-setup: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

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
  golang-go          # Go 1.19 on the host (reference builds, cgo)
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

for tool in buildah runc umoci skopeo docker-registry go qemu-aarch64-static debootstrap file readelf curl openssl dockerd containerd busybox; do
  command -v "$tool" >/dev/null || die "'$tool' is still missing after the install"
done
# Debian's client: a docker first on PATH may be a newer one that insists on the buildx plugin.
[ -x /usr/bin/docker ] || die "/usr/bin/docker (Debian's docker.io client) is still missing after the install"

# ---------------------------------------------------------------------------------------
# 2. Tools built from their Go modules at pinned releases (scripts/tools/*), cached
# ---------------------------------------------------------------------------------------
build_tools

# ---------------------------------------------------------------------------------------
# 3. Builder image: Debian bookworm with Go 1.19, gcc and CA roots/zoneinfo, made locally
#    because no registry can be pulled from. Cached in buildah's storage
#    (/var/lib/containers/storage), so later runs on the same machine skip this.
# ---------------------------------------------------------------------------------------
builder_exists() {
  local images
  images="$("${BUILDAH[@]}" images --format '{{.Name}}:{{.Tag}}' 2>/dev/null || true)"
  grep -qxF -- "$BUILDER_IMAGE" <<<"$images"
}

if [ "${GOSHIP_REBUILD_BUILDER:-0}" != 1 ] && builder_exists; then
  log "builder image $BUILDER_IMAGE already present"
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

log "debootstrap $SUITE from $mirror (about a minute)"
start=$(date +%s)
# gcc and libc6-dev make cgo builds possible, as in the official golang images.
debootstrap --variant=minbase \
  --include=golang-go,gcc,libc6-dev,ca-certificates,tzdata \
  "$SUITE" "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
  || { tail -n 30 "$work/debootstrap.log" >&2; die "debootstrap failed"; }
# Package caches and lists only make every container copy bigger (vfs copies layers).
rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"* \
  "$work/rootfs/usr/share/doc" "$work/rootfs/usr/share/man" "$work/rootfs/usr/share/info"
mkdir -p "$work/rootfs/go/src" "$work/rootfs/go/bin" "$work/rootfs/root/.cache"
log "rootfs ready in $(( $(date +%s) - start )) s"

ctr="$("${BUILDAH[@]}" from --pull=never scratch)"
mnt="$("${BUILDAH[@]}" mount "$ctr")"
# A tar pipe keeps owners, modes, links and special bits exactly as debootstrap left them.
tar -C "$work/rootfs" --numeric-owner -cf - . | tar -C "$mnt" --numeric-owner -xpf -
"${BUILDAH[@]}" umount "$ctr" >/dev/null

"${BUILDAH[@]}" config \
  --os linux --arch amd64 \
  --env PATH=/go/bin:/usr/lib/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  --env GOPATH=/go \
  --env GOCACHE=/root/.cache/go-build \
  --env GOMODCACHE=/go/pkg/mod \
  --env GOPROXY=off \
  --env GOTOOLCHAIN=local \
  --workingdir /go \
  --cmd /bin/bash \
  --label org.opencontainers.image.description="Go 1.19 on Debian $SUITE, made locally by goship's e2e setup" \
  "$ctr"
"${BUILDAH[@]}" commit --quiet --rm "$ctr" "$BUILDER_IMAGE" >/dev/null
ctr=""

builder_exists || die "buildah did not list $BUILDER_IMAGE after commit"
log "builder image $BUILDER_IMAGE made in $(( $(date +%s) - start )) s"
