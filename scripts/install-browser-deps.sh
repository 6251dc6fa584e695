#!/usr/bin/env bash
# Installs what the browser accessibility checks need:
#   - Debian's `chromium` and `chromium-driver` (apt-get), and
#   - axe-core from tests/browser/package-lock.json (npm ci).
# Idempotent: each step is skipped when its result is already present.
# Needs root (or sudo) for apt-get, and node/npm for the npm step.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
browser_dir="$repo_root/tests/browser"

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        echo "install-browser-deps: need root (or sudo) to run: $*" >&2
        exit 1
    fi
}

if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    echo "install-browser-deps: installing chromium and chromium-driver (apt-get)"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        chromium chromium-driver
else
    echo "install-browser-deps: chromium and chromedriver already installed"
fi

if [ ! -f "$browser_dir/node_modules/axe-core/axe.min.js" ]; then
    if ! command -v npm >/dev/null 2>&1; then
        echo "install-browser-deps: npm not found; install Node.js/npm first" >&2
        exit 1
    fi
    echo "install-browser-deps: installing axe-core (npm ci in tests/browser)"
    (cd "$browser_dir" && npm ci --no-audit --no-fund)
else
    echo "install-browser-deps: axe-core already installed"
fi

/usr/bin/chromium --version
/usr/bin/chromedriver --version
