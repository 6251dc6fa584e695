#!/usr/bin/env bash
# Re-vendors the NL Design System CSS that the web crate serves from
# crates/web/static/vendor/utrecht/. Pinned to exact versions; to upgrade,
# change the versions below, run this script, check the diff, and update
# crates/web/static/vendor/utrecht/README.md and docs/STYLING.md.
#
# Uses `npm pack` (downloads the package tarball only: no dependencies, no
# install scripts) into a temporary directory, then copies the CSS and the
# licence files. Fails if a package's licence is not EUPL-1.2.
set -euo pipefail

COMPONENTS_PKG="@utrecht/component-library-css"
COMPONENTS_VERSION="9.0.4"
# Theme tokens: the NL Design System "voorbeeld" (example) theme, EUPL-1.2.
# NOT @utrecht/design-tokens: that package is proprietary to Gemeente Utrecht
# ("All rights reserved"; see README.md next to the vendored files).
TOKENS_PKG="@nl-design-system-unstable/voorbeeld-design-tokens"
TOKENS_VERSION="7.4.1"

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$repo_root/crates/web/static/vendor/utrecht"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

fetch() { # fetch PKG VERSION DIR
    local pkg="$1" version="$2" dir="$3" tarball
    mkdir -p "$work/$dir"
    tarball="$(cd "$work" && npm pack --silent "$pkg@$version" | tail -n 1)"
    tar -xzf "$work/$tarball" -C "$work/$dir"
    local got_version got_license
    got_version="$(node -p "require('$work/$dir/package/package.json').version")"
    got_license="$(node -p "require('$work/$dir/package/package.json').license")"
    if [ "$got_version" != "$version" ]; then
        echo "vendor-css: $pkg: expected version $version, got $got_version" >&2
        exit 1
    fi
    if [ "$got_license" != "EUPL-1.2" ]; then
        echo "vendor-css: $pkg@$version: licence is '$got_license', not EUPL-1.2; refusing to vendor" >&2
        exit 1
    fi
}

fetch "$COMPONENTS_PKG" "$COMPONENTS_VERSION" components
fetch "$TOKENS_PKG" "$TOKENS_VERSION" tokens

mkdir -p "$dest"
# All components in one compiled file (the package's dist/index.css).
cp "$work/components/package/dist/index.css" "$dest/component-library.css"
# Theme: defines the --basis-* and --utrecht-* custom properties on .voorbeeld-theme.
cp "$work/tokens/package/dist/theme.css" "$dest/design-tokens.css"
cp "$work/components/package/LICENSE.md" "$dest/LICENSE-component-library-css"
cp "$work/tokens/package/LICENSE.md" "$dest/LICENSE-design-tokens"

# The vendored CSS must not load anything from another host.
if grep -E -n 'url\((["'"'"']?)(https?:)?//|@import' "$dest"/*.css; then
    echo "vendor-css: vendored CSS references another host or uses @import" >&2
    exit 1
fi

echo "vendor-css: vendored into $dest"
(cd "$dest" && ls -l && sha256sum component-library.css design-tokens.css)
