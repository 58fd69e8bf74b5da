#!/usr/bin/env bash
# Vendor pinned front-end packages from the npm registry into static/vendor/ (no CDN at run time).
set -euo pipefail

PICO_VERSION="2.1.1"
HTMX_VERSION="2.0.11"
CHARTJS_VERSION="4.6.1"
AXE_VERSION="4.14.1"  # axe-core: the accessibility browser test only (tests/test_accessibility_browser.py)

root="$(cd "$(dirname "$0")/.." && pwd)"
vendor="$root/static/vendor"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

fetch() {
  local spec="$1"
  local tarball
  tarball="$(cd "$work" && npm pack --silent "$spec" | tail -n 1)"
  local dir="$work/${tarball%.tgz}"
  mkdir -p "$dir"
  tar -xzf "$work/$tarball" -C "$dir"
  echo "$dir/package"
}

pico="$(fetch "@picocss/pico@$PICO_VERSION")"
htmx="$(fetch "htmx.org@$HTMX_VERSION")"
chartjs="$(fetch "chart.js@$CHARTJS_VERSION")"
axe="$(fetch "axe-core@$AXE_VERSION")"

rm -rf "$vendor"
mkdir -p "$vendor/pico" "$vendor/htmx" "$vendor/chartjs" "$vendor/axe-core"
cp "$pico/css/pico.min.css" "$pico/LICENSE.md" "$vendor/pico/"
cp "$htmx/dist/htmx.min.js" "$htmx/LICENSE" "$vendor/htmx/"
cp "$chartjs/dist/chart.umd.min.js" "$chartjs/LICENSE.md" "$vendor/chartjs/"
cp "$axe/axe.min.js" "$axe/LICENSE" "$vendor/axe-core/"
# The source map is not vendored: drop its reference, or collectstatic's manifest step fails.
sed -i '/^\/\/# sourceMappingURL=/d' "$vendor/chartjs/chart.umd.min.js"

cat > "$vendor/VERSIONS.txt" <<VERSIONS
# Written by scripts/vendor_static.sh; edit the versions there and re-run it.
@picocss/pico $PICO_VERSION
htmx.org $HTMX_VERSION
chart.js $CHARTJS_VERSION
axe-core $AXE_VERSION
VERSIONS

echo "Vendored into $vendor:"
find "$vendor" -type f | sort | sed "s|$root/||"
