#!/usr/bin/env bash
# make build: the release bundle in dist/ (the Makefile's `build` says what it holds),
# made again only when something it is made from has changed.
#
# Trunk runs wasm-bindgen, wasm-split and wasm-opt, and dist.sh compresses every file
# with brotli -q 11, each time it is asked, even when Cargo has nothing to rebuild: 24 s
# and 28 CPU-seconds for a bundle identical to the one in dist/, in every `make test`.
# So the compiled parts are brought up to date first (the same Cargo commands Trunk
# runs, with the same flags, so Trunk's own are no-ops after them), and the bundle is
# remade when the key over them and every file the later steps read differs from the
# key of the bundle in dist/ (target/dist.key, written once that bundle is whole).
#
# Called by the Makefile with Trunk's environment (the wasm's RUSTFLAGS, scripts/bundle
# first on PATH, APP_SPLIT_OUT for the split bundle's chunks).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
WASM=target/wasm32-unknown-unknown/release
STAMP=target/dist.key

cargo build --release --target wasm32-unknown-unknown --bin app-passwords --features split
cargo build --release --target wasm32-unknown-unknown --bin app-passwords-admin --features admin
cargo build --release -p app-passwords-prerender

# Everything dist/ is made from: the compiled parts; the pages, stylesheets, embedding
# scripts and Trunk's settings; the build's own scripts; the pinned tools' versions.
key=$(
  {
    sha256sum "$WASM/app-passwords.wasm" "$WASM/app-passwords-admin.wasm" \
      target/release/app-passwords-prerender
    find index.html admin.html Trunk.toml styles src/embed scripts/bundle scripts/dist.sh \
      scripts/build.sh scripts/tools.sh docs/api/init.js .tools/package-lock.json -type f -print0 \
      | sort -z | xargs -0 sha256sum
  } | sha256sum | cut -d' ' -f1
)

# The bundle in dist/ is this key's, and whole: its entry points and what they name.
whole() {
  [[ -f dist/index.html && -f dist/app-passwords.json && -f $STAMP ]] || return 1
  local name
  for name in $(grep -o '"[^"]*\.\(js\|wasm\)"' dist/app-passwords.json | tr -d '"'); do
    [[ -f dist/$name ]] || return 1
  done
}
if whole && [[ $(cat "$STAMP") == "$key" ]]; then
  echo "make build: dist/ is up to date (nothing it is made from has changed)"
  exit 0
fi

rm -f "$STAMP"
trunk build --release --offline --features split
env -u APP_SPLIT_OUT trunk build --release --offline --features admin --dist dist/admin admin.html
scripts/dist.sh
echo "$key" > "$STAMP"
