#!/usr/bin/env bash
# Prepares this machine for bench/pathLab.mjs: the network lab's packages (test/netlab/setup.sh:
# nftables, conntrack, iproute2) and the magic-wormhole baseline, all Debian packages:
#   magic-wormhole                          the `wormhole` client (0.12 in bookworm)
#   python3-magic-wormhole-mailbox-server   the rendezvous ("mailbox") server, a twistd plugin
#   magic-wormhole-transit-relay            its transit relay, a twistd plugin
#   ethtool                                 turns segmentation offloads off on the lab links, so
#                                           every packet on them is at most 1500 bytes (see pathLab.mjs)
# Idempotent: when they are installed it only says so. Installing needs root (the bench runs as
# root: the lab creates network namespaces). Runs `apt-get update` before installing, as the
# package lists on a fresh machine may be missing or stale.
#
# Last line on success: "[pathlab-setup] ready".
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
APT_PKGS=(magic-wormhole python3-magic-wormhole-mailbox-server magic-wormhole-transit-relay ethtool)

log() { echo "[pathlab-setup] $*"; }
die() { echo "[pathlab-setup] ERROR: $*" >&2; exit 1; }

bash "$HERE/../../test/netlab/setup.sh" | sed 's/^/  /'

missing_pkgs() {
  local installed p out=()
  installed=" $(dpkg-query -W -f='${Package}=${Status}\n' "${APT_PKGS[@]}" 2>/dev/null \
    | sed -n 's/=install ok installed$//p' | tr '\n' ' ' || true) "
  for p in "${APT_PKGS[@]}"; do
    case "$installed" in *" $p "*) ;; *) out+=("$p") ;; esac
  done
  echo "${out[*]:-}"
}

MISSING="$(missing_pkgs)"
if [ -n "$MISSING" ]; then
  SUDO=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "need root (or sudo) to install: $MISSING"
    SUDO="sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  log "apt-get update, then install: $MISSING"
  $SUDO apt-get update -q || die "apt-get update failed"
  # shellcheck disable=SC2086
  $SUDO apt-get install -y -q --no-install-recommends $MISSING || die "apt-get install failed for: $MISSING"
  MISSING="$(missing_pkgs)"
  [ -z "$MISSING" ] || die "packages still missing after apt-get install: $MISSING"
else
  log "already set up (${APT_PKGS[*]} installed)"
fi
command -v wormhole >/dev/null 2>&1 || die "wormhole is not on PATH"
command -v twistd3 >/dev/null 2>&1 || die "twistd3 is not on PATH"
command -v ethtool >/dev/null 2>&1 || die "ethtool is not on PATH"
log "wormhole $(dpkg-query -W -f='${Version}' magic-wormhole), mailbox server $(dpkg-query -W -f='${Version}' python3-magic-wormhole-mailbox-server), transit relay $(dpkg-query -W -f='${Version}' magic-wormhole-transit-relay)"
log "ready"
