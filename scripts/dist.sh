#!/usr/bin/env bash
# Finishes a Trunk build for serving.
#
#   scripts/dist.sh            dist/: points the stable embedding entry at the
#                              content-hashed files, adds the API documentation viewer,
#                              then compresses
#   scripts/dist.sh compress DIR
#                              writes a brotli (q 11) and a gzip (-9) copy beside every
#                              file of DIR, which the server sends by Accept-Encoding
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TOOLS="$ROOT/.tools"

compress() { # dir
  find "$1" -type f ! -name '*.br' ! -name '*.gz' -print0 | while IFS= read -r -d '' f; do
    brotli -q 11 -f -k "$f"
    gzip -9 -n -f -k "$f"
  done
}

if [[ ${1:-} == compress ]]; then
  compress "$2"
  exit 0
fi
DIST="$ROOT/dist"

hashed() { # pattern: the one content-hashed name index.html refers to
  grep -o "$1" "$DIST/index.html" | head -1
}
js=$(hashed 'app-passwords-[0-9a-f]\{8,16\}\.js')
# The chunks split off the bundle (scripts/split/wasm-bindgen, named by their content)
# go beside it. The JS glue names them: it is renamed by its own content, since Trunk
# names it by the main wasm's, which a change in a chunk alone leaves as it was.
chunks=("$ROOT"/target/split/app-passwords-*-*.wasm)
[[ -f ${chunks[0]} ]] || { echo "dist.sh: no chunk in target/split (was the bundle split?)" >&2; exit 1; }
for chunk in "${chunks[@]}"; do
  grep -q "$(basename "$chunk")" "$DIST/$js" || { echo "dist.sh: $chunk is not the glue's" >&2; exit 1; }
  cp "$chunk" "$DIST/"
done
own="app-passwords-$(sha256sum "$DIST/$js" | cut -c1-16).js"
if [[ $own != "$js" ]]; then
  mv "$DIST/$js" "$DIST/$own"
  sed -i "s|$js|$own|g" "$DIST/index.html"
  js=$own
fi
wasm=$(hashed 'app-passwords-[0-9a-f]\{8,16\}_bg\.wasm')
css=$(hashed 'app-[0-9a-f]\{8,16\}\.css')
[[ -n $js && -n $wasm && -n $css ]] || { echo "dist.sh: hashed names not found in index.html" >&2; exit 1; }
sed -i "s|'./app-passwords.js'|'./$js'|; s|'app-passwords_bg.wasm'|'$wasm'|; s|'app.css'|'$css'|" \
  "$DIST/app-passwords-element.js"
grep -q "$js" "$DIST/app-passwords-element.js" || { echo "dist.sh: the element was not updated" >&2; exit 1; }
# The admin mode's bundle (dist/admin/): its hashed names into the element too; the page
# Trunk made around it is not served (the element loads the bundle).
admin_js=$(grep -o 'app-passwords-admin-[0-9a-f]\{8,16\}\.js' "$DIST/admin/index.html" | head -1)
admin_wasm=$(grep -o 'app-passwords-admin-[0-9a-f]\{8,16\}_bg\.wasm' "$DIST/admin/index.html" | head -1)
[[ -n $admin_js && -n $admin_wasm ]] || { echo "dist.sh: the admin bundle's names not found" >&2; exit 1; }
sed -i "s|'./admin/app-passwords-admin.js'|'./admin/$admin_js'|; s|'admin/app-passwords-admin_bg.wasm'|'admin/$admin_wasm'|" \
  "$DIST/app-passwords-element.js"
grep -q "$admin_js" "$DIST/app-passwords-element.js" || { echo "dist.sh: the element's admin entry was not updated" >&2; exit 1; }
rm "$DIST/admin/index.html"

mkdir -p "$DIST/api-docs"
cp "$TOOLS/node_modules/swagger-ui-dist/swagger-ui-bundle.js" \
   "$TOOLS/node_modules/swagger-ui-dist/swagger-ui.css" "$ROOT/docs/api/init.js" "$DIST/api-docs/"

compress "$DIST"
