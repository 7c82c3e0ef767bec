#!/usr/bin/env bash
# Screenshot a page in headless Chromium: scripts/screenshot.sh URL OUT.png [WIDTHxHEIGHT] [dark]
set -euo pipefail
url=$1 out=$2 size=${3:-1280x800} scheme=${4:-light}
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
flags=(--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --disable-background-networking
  --disable-component-update --disable-sync --no-first-run --hide-scrollbars
  --user-data-dir="$profile" --window-size="${size/x/,}" --virtual-time-budget=4000)
[[ $scheme == dark ]] && flags+=(--force-dark-mode --blink-settings=preferredColorScheme=0)
chromium "${flags[@]}" --screenshot="$out" "$url" 2>/dev/null
