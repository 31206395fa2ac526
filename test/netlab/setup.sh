#!/usr/bin/env bash
# Prepares this machine for the network lab tests (test/integration/netlab.test.ts,
# docs/testing.md): the Debian packages that give `nft`, `conntrack` and `ip`.
#
# Idempotent: when every package is installed it only says so (one dpkg-query, well under a
# second). Installing needs root (CI runs as root) or sudo. The lab itself also needs root at
# test time: it creates network namespaces.
#
# Last line on success: "[netlab-setup] ready".
set -euo pipefail

APT_PKGS=(nftables conntrack iproute2)

log() { echo "[netlab-setup] $*"; }
die() { echo "[netlab-setup] ERROR: $*" >&2; exit 1; }

missing_pkgs() {
  # Only "install ok installed" counts as present (half-configured or removed packages do not).
  local installed p out=()
  installed=" $(dpkg-query -W -f='${Package}=${Status}\n' "${APT_PKGS[@]}" 2>/dev/null \
    | sed -n 's/=install ok installed$//p' | tr '\n' ' ' || true) "
  for p in "${APT_PKGS[@]}"; do
    case "$installed" in *" $p "*) ;; *) out+=("$p") ;; esac
  done
  echo "${out[*]:-}"
}

have_tools() { command -v nft >/dev/null 2>&1 && command -v conntrack >/dev/null 2>&1 && command -v ip >/dev/null 2>&1; }

MISSING="$(missing_pkgs)"
if [ -z "$MISSING" ] && have_tools; then
  log "already set up (${APT_PKGS[*]} installed)"
  log "ready"
  exit 0
fi

SUDO=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null 2>&1 || die "need root (or sudo) to install: $MISSING"
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive

log "installing Debian packages: $MISSING"
# Refresh the package lists only when they are absent or an install from them fails (stale
# lists point at removed versions): `apt-get update` is the slow part.
if ! ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1; then
  log "apt lists are empty: apt-get update"
  $SUDO apt-get update -q || die "apt-get update failed"
fi
# shellcheck disable=SC2086
if ! $SUDO apt-get install -y -q --no-install-recommends $MISSING; then
  log "install from the current apt lists failed: apt-get update and retry"
  $SUDO apt-get update -q || die "apt-get update failed"
  # shellcheck disable=SC2086
  $SUDO apt-get install -y -q --no-install-recommends $MISSING || die "apt-get install failed for: $MISSING"
fi
MISSING="$(missing_pkgs)"
[ -z "$MISSING" ] || die "packages still missing after apt-get install: $MISSING"
have_tools || die "nft, conntrack or ip is still not on PATH after installing ${APT_PKGS[*]}"
log "installed: nft $(nft --version 2>/dev/null | head -1), $(conntrack --version 2>&1 | head -1)"
log "ready"
