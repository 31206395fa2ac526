#!/usr/bin/env bash
# Prepares this machine for the end-to-end tests: Debian packages (Chromium and
# what code-server's native modules need to build) and code-server@4.100.3
# (VS Code 1.100.3) installed once into a cache folder outside the repo.
#
# Idempotent: when everything is in place (stamp file + packages present) it
# exits in well under a second. Runs as root (CI) or via sudo if available.
#
# Environment:
#   PEERCHAT_E2E_CACHE   cache root (default: $HOME/.cache/peerchat-e2e)
#   PEERCHAT_E2E_FORCE=1 reinstall code-server even if the stamp is present
#
# Prints the code-server install dir's binary path as the last line
# "[e2e-setup] ready: <path>" on success.
set -euo pipefail

CS_VERSION="4.100.3"
CACHE_ROOT="${PEERCHAT_E2E_CACHE:-$HOME/.cache/peerchat-e2e}"
CS_DIR="$CACHE_ROOT/code-server"
CS_BIN="$CS_DIR/node_modules/.bin/code-server"
CS_PKG="$CS_DIR/node_modules/code-server"
STAMP="$CS_DIR/.peerchat-e2e-stamp"
LOCK="$CACHE_ROOT/.setup.lock"
INSTALL_LOG="$CACHE_ROOT/code-server-install.log"
APT_PKGS=(chromium build-essential pkg-config python3 libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev ripgrep)

# @vscode/ripgrep's postinstall downloads rg from GitHub (offline here) unless
# this tarball is already in its cache under os.tmpdir().
RG_CACHE_SUBDIR="vscode-ripgrep-cache-1.15.11"
RG_TARBALL="ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"

T0=$(date +%s)
log() { echo "[e2e-setup] $*"; }
die() { echo "[e2e-setup] ERROR: $*" >&2; exit 1; }
elapsed() { echo "$(( $(date +%s) - T0 ))s"; }

# What the stamp must say; changes (code-server version, Node ABI) force a reinstall.
node_abi() { node -p 'process.versions.modules + "-" + process.arch' 2>/dev/null || echo none; }

missing_pkgs() {
  # One dpkg-query for all packages; only "install ok installed" counts as present
  # (half-configured or removed packages count as missing).
  local installed p out=()
  installed=" $(dpkg-query -W -f='${Package}=${Status}\n' "${APT_PKGS[@]}" 2>/dev/null \
    | sed -n 's/=install ok installed$//p' | tr '\n' ' ' || true) "
  for p in "${APT_PKGS[@]}"; do
    case "$installed" in *" $p "*) ;; *) out+=("$p") ;; esac
  done
  echo "${out[*]:-}"
}

# ---------------------------------------------------------------- fast path
command -v node >/dev/null 2>&1 || die "node is not on PATH"
command -v npm >/dev/null 2>&1 || die "npm is not on PATH"
WANT_STAMP="code-server@$CS_VERSION node-abi=$(node_abi)"
MISSING="$(missing_pkgs)"
if [ -z "${PEERCHAT_E2E_FORCE:-}" ] && [ -z "$MISSING" ] && [ -x /usr/bin/chromium ] \
   && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT_STAMP" ] && [ -x "$CS_BIN" ]; then
  log "already set up (code-server $CS_VERSION in $CS_DIR)"
  log "ready: $CS_BIN"
  exit 0
fi

mkdir -p "$CACHE_ROOT"
# Serialise concurrent setups (parallel test runners) on one machine.
exec 9>"$LOCK"
if ! flock -n 9; then
  log "another setup is running; waiting for it (lock $LOCK)"
  flock 9
fi

# ---------------------------------------------------------------- Debian packages
SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
fi
export DEBIAN_FRONTEND=noninteractive

MISSING="$(missing_pkgs)"
if [ -n "$MISSING" ]; then
  [ "$(id -u)" = 0 ] || [ -n "$SUDO" ] || die "need root (or sudo) to install: $MISSING"
  log "installing Debian packages: $MISSING"
  # Only refresh the package lists when they are absent, or when an install
  # from the current lists fails (stale lists point at removed versions).
  if ! ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1; then
    log "apt lists are empty: apt-get update"
    $SUDO apt-get update -q || die "apt-get update failed"
  fi
  # shellcheck disable=SC2086
  if ! $SUDO apt-get install -y -q $MISSING; then
    log "install from current apt lists failed: apt-get update and retry"
    $SUDO apt-get update -q || die "apt-get update failed"
    # shellcheck disable=SC2086
    $SUDO apt-get install -y -q $MISSING || die "apt-get install failed for: $MISSING"
  fi
  MISSING="$(missing_pkgs)"
  [ -z "$MISSING" ] || die "packages still missing after apt-get install: $MISSING"
  log "Debian packages installed ($(elapsed))"
else
  log "Debian packages present"
fi
[ -x /usr/bin/chromium ] || die "/usr/bin/chromium missing after installing package chromium"
[ -x /usr/bin/rg ] || die "/usr/bin/rg missing after installing package ripgrep"

if [ -z "${PEERCHAT_E2E_FORCE:-}" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT_STAMP" ] && [ -x "$CS_BIN" ]; then
  log "code-server $CS_VERSION already installed in $CS_DIR"
  log "ready: $CS_BIN"
  exit 0
fi

# ---------------------------------------------------------------- ripgrep cache
TMP_FOR_NODE="$(node -p 'require("os").tmpdir()')"
RG_DIR="$TMP_FOR_NODE/$RG_CACHE_SUBDIR"
if [ ! -s "$RG_DIR/$RG_TARBALL" ]; then
  log "placing Debian's rg in @vscode/ripgrep's download cache: $RG_DIR/$RG_TARBALL"
  mkdir -p "$RG_DIR"
  STAGE="$(mktemp -d)"
  cp /usr/bin/rg "$STAGE/rg"
  tar -czf "$RG_DIR/$RG_TARBALL.part" -C "$STAGE" rg
  mv "$RG_DIR/$RG_TARBALL.part" "$RG_DIR/$RG_TARBALL"
  rm -rf "$STAGE"
fi

# ---------------------------------------------------------------- code-server
log "installing code-server@$CS_VERSION into $CS_DIR (1.5-5 minutes depending on load; full log: $INSTALL_LOG)"
rm -rf "$CS_DIR"
mkdir -p "$CS_DIR"
# A private root package.json so the install is project-scoped in $CS_DIR and
# npm 11's allowScripts policy explicitly approves the packages whose install
# scripts we need (code-server's postinstall builds all of VS Code's modules).
cat >"$CS_DIR/package.json" <<EOF
{
  "name": "peerchat-e2e-code-server",
  "private": true,
  "description": "Cache for the Peer Chat end-to-end tests; made by test/e2e/setup.sh",
  "allowScripts": { "code-server": true, "argon2": true }
}
EOF

NPM_ENV=(
  # code-server's postinstall refuses to run as root without it.
  npm_config_unsafe_perm=true
  # node-pty's postinstall runs "npx node-gyp"; /root/.npmrc says yes=false.
  npm_config_yes=true
  # The postinstall runs nested "npm install"s in lib/vscode and its extensions
  # whose own roots have no allowScripts; this env var reaches them too and
  # keeps their install scripts running whatever npm's default becomes.
  npm_config_dangerously_allow_all_scripts=true
  npm_config_strict_allow_scripts=false
  npm_config_ignore_scripts=false
  npm_config_audit=false
  npm_config_fund=false
  npm_config_update_notifier=false
)
# Build native modules against the installed Node headers instead of
# downloading them (no internet here).
if [ -f /usr/include/node/node.h ]; then NPM_ENV+=(npm_config_nodedir=/usr); fi

INSTALL_T0=$(date +%s)
if ! env "${NPM_ENV[@]}" npm install --prefix "$CS_DIR" --no-save --foreground-scripts \
     "code-server@$CS_VERSION" >"$INSTALL_LOG" 2>&1; then
  echo "----- last 80 lines of $INSTALL_LOG -----" >&2
  tail -n 80 "$INSTALL_LOG" >&2
  die "npm install code-server@$CS_VERSION failed (see $INSTALL_LOG)"
fi
log "npm install finished in $(( $(date +%s) - INSTALL_T0 ))s"
if grep -q "not yet covered by allowScripts" "$INSTALL_LOG"; then
  log "note: npm listed install scripts not covered by allowScripts (see $INSTALL_LOG); checking the results below"
fi

# ---------------------------------------------------------------- verify
# npm can finish "successfully" with install scripts skipped; check that the
# postinstall really ran and that the native modules were built.
[ -x "$CS_BIN" ] || die "no code-server binary at $CS_BIN"
VS="$CS_PKG/lib/vscode"
check() { [ -e "$1" ] || die "code-server's postinstall did not finish: missing $1 (see $INSTALL_LOG)"; }
check "$VS/node_modules"
check "$VS/extensions/node_modules"
check "$VS/node_modules/@vscode/ripgrep/bin/rg"
"$VS/node_modules/@vscode/ripgrep/bin/rg" --version >/dev/null 2>&1 || die "bundled rg does not run (see $INSTALL_LOG)"
# Load every native module VS Code's server needs; a skipped or failed build shows up here.
( cd "$VS" && node -e '
  for (const m of ["node-pty", "@vscode/spdlog", "@parcel/watcher", "native-watchdog", "kerberos"]) {
    try { require(m); } catch (e) { console.error("[e2e-setup] cannot load native module " + m + ": " + e.message); process.exit(1); }
  }' ) || die "VS Code native modules are missing or broken (see $INSTALL_LOG)"
( cd "$CS_PKG" && node -e 'require("argon2")' ) || die "argon2's native module is missing or broken (see $INSTALL_LOG)"
log "native modules load (node-pty, spdlog, parcel watcher, native-watchdog, kerberos, argon2)"

log "smoke test: starting code-server"
SMOKE="$(mktemp -d)"
PORT="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
setsid "$CS_BIN" --auth none --bind-addr "127.0.0.1:$PORT" --user-data-dir "$SMOKE/data" \
  --extensions-dir "$SMOKE/ext" --disable-telemetry --disable-update-check \
  --disable-workspace-trust "$SMOKE" >"$SMOKE/log" 2>&1 &
CS_PID=$!
ok=""
for _ in $(seq 1 120); do
  if node -e 'require("http").get(process.argv[1],r=>process.exit(r.statusCode<500?0:1)).on("error",()=>process.exit(1))' \
       "http://127.0.0.1:$PORT/healthz" 2>/dev/null; then ok=1; break; fi
  kill -0 "$CS_PID" 2>/dev/null || break
  sleep 0.5
done
kill -TERM -- "-$CS_PID" 2>/dev/null || true
wait "$CS_PID" 2>/dev/null || true
if [ -z "$ok" ]; then
  echo "----- code-server log -----" >&2; cat "$SMOKE/log" >&2
  rm -rf "$SMOKE"
  die "code-server did not answer HTTP on port $PORT"
fi
rm -rf "$SMOKE"
log "smoke test passed: code-server answered on /healthz"

echo "$WANT_STAMP" >"$STAMP"
log "done in $(elapsed)"
log "ready: $CS_BIN"
