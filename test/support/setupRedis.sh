#!/usr/bin/env bash
# Installs Debian's redis-server for the cluster tests (test/integration/cluster*.test.ts) when it
# is missing. The tests start their own servers on free ports without persistence; nothing here
# starts one. Idempotent: when redis-server is on PATH it exits at once. Runs as root (CI) or
# through sudo -n.
#
# Prints "[redis-setup] ready: <path of redis-server>" as its last line on success.
set -euo pipefail

log() { echo "[redis-setup] $*"; }

if command -v redis-server >/dev/null 2>&1; then
  log "ready: $(command -v redis-server)"
  exit 0
fi

SUDO=""
if [ "$(id -u)" != "0" ]; then
  command -v sudo >/dev/null 2>&1 || { echo "[redis-setup] ERROR: redis-server is missing and this is not root (no sudo)" >&2; exit 1; }
  SUDO="sudo -n"
fi
export DEBIAN_FRONTEND=noninteractive
# One apt at a time on this machine (other setups may run): apt's own lock, waited for.
APT_OPTS=(-o DPkg::Lock::Timeout=300 -y --no-install-recommends)
log "installing redis-server with apt-get"
if ! $SUDO apt-get install "${APT_OPTS[@]}" redis-server; then
  $SUDO apt-get -o DPkg::Lock::Timeout=300 update
  $SUDO apt-get install "${APT_OPTS[@]}" redis-server
fi
command -v redis-server >/dev/null 2>&1 || { echo "[redis-setup] ERROR: redis-server still missing after apt-get" >&2; exit 1; }
log "ready: $(command -v redis-server)"
