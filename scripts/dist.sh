#!/usr/bin/env bash
# Finishes a Trunk build for serving.
#
#   scripts/dist.sh            dist/: points the stable embedding entry at the
#                              content-hashed files, draws the sign-in screen into
#                              index.html and minifies its scripts, adds the API
#                              documentation viewer, then compresses
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
# Renames a file of dist/ by its own content (<prefix>-<sha256, 16 hex><suffix>), points
# index.html at the new name, and prints it.
by_content() { # name prefix suffix
  local own
  own="$2-$(sha256sum "$DIST/$1" | cut -c1-16)$3"
  if [[ $own != "$1" ]]; then
    mv "$DIST/$1" "$DIST/$own"
    sed -i "s|$1|$own|g" "$DIST/index.html"
  fi
  echo "$own"
}
# esbuild (pinned, scripts/tools.sh) minifies what Trunk leaves as written: Trunk's own
# minifier is off, since it would also run over the JS glue, which it cannot parse
# (scripts/bundle/wasm-bindgen minifies that).
minify() { # file loader
  "$TOOLS/node_modules/.bin/esbuild" --minify "--loader=$2" --log-level=warning <"$1" >"$1.min"
  mv "$1.min" "$1"
}
# Every file index.html and the element load is named by its own final content (served
# immutable): Trunk names the glue and the wasm by what wasm-bindgen wrote, which
# neither wasm-opt's work, nor a chunk, nor the minifying here changes.
js=$(hashed 'app-passwords-[0-9a-f]\{8,16\}\.js')
wasm=$(hashed 'app-passwords-[0-9a-f]\{8,16\}_bg\.wasm')
css=$(hashed 'app-[0-9a-f]\{8,16\}\.css')
[[ -n $js && -n $wasm && -n $css ]] || { echo "dist.sh: hashed names not found in index.html" >&2; exit 1; }
# The chunks split off the bundle (scripts/bundle/wasm-bindgen, named by their content)
# go beside it; the JS glue names them.
chunks=("$ROOT"/target/split/app-passwords-*-*.wasm)
[[ -f ${chunks[0]} ]] || { echo "dist.sh: no chunk in target/split (was the bundle split?)" >&2; exit 1; }
for chunk in "${chunks[@]}"; do
  grep -q "$(basename "$chunk")" "$DIST/$js" || { echo "dist.sh: $chunk is not the glue's" >&2; exit 1; }
  cp "$chunk" "$DIST/"
done
js=$(by_content "$js" app-passwords .js)
wasm=$(by_content "$wasm" app-passwords _bg.wasm)
# (No integrity attribute on the stylesheet's link, index.html: one for the text before
# minifying would refuse it; the wasm and the JS beside it come from the same server
# unchecked.)
minify "$DIST/$css" css
css=$(by_content "$css" app .css)
sed -i 's| data-integrity="none"||' "$DIST/index.html" # Trunk's option, left in its output
sed -i "s|'./app-passwords.js'|'./$js'|; s|'app-passwords_bg.wasm'|'$wasm'|; s|'app.css'|'$css'|" \
  "$DIST/app-passwords-element.js"
grep -q "$js" "$DIST/app-passwords-element.js" || { echo "dist.sh: the element was not updated" >&2; exit 1; }
# The admin mode's bundle (dist/admin/): its hashed names into the element too; the page
# Trunk made around it is not served (the element loads the bundle).
admin_js=$(grep -o 'app-passwords-admin-[0-9a-f]\{8,16\}\.js' "$DIST/admin/index.html" | head -1)
admin_wasm=$(grep -o 'app-passwords-admin-[0-9a-f]\{8,16\}_bg\.wasm' "$DIST/admin/index.html" | head -1)
[[ -n $admin_js && -n $admin_wasm ]] || { echo "dist.sh: the admin bundle's names not found" >&2; exit 1; }
admin_js=$(by_content "admin/$admin_js" admin/app-passwords-admin .js); admin_js=${admin_js#admin/}
admin_wasm=$(by_content "admin/$admin_wasm" admin/app-passwords-admin _bg.wasm); admin_wasm=${admin_wasm#admin/}
sed -i "s|'./admin/app-passwords-admin.js'|'./admin/$admin_js'|; s|'admin/app-passwords-admin_bg.wasm'|'admin/$admin_wasm'|" \
  "$DIST/app-passwords-element.js"
grep -q "$admin_js" "$DIST/app-passwords-element.js" || { echo "dist.sh: the element's admin entry was not updated" >&2; exit 1; }
rm "$DIST/admin/index.html"
# The embedding entry keeps its stable name (revalidated by the server, not immutable).
minify "$DIST/app-passwords-element.js" js

# The sign-in screen drawn into index.html (crates/prerender, built by make build): the
# form shows before the wasm has come.
"$ROOT/target/release/app-passwords-prerender" "$DIST/index.html"
# index.html's inline scripts minified too (the server allows them by the hashes of the
# file it serves, computed at start-up).
python3 - "$DIST/index.html" "$TOOLS/node_modules/.bin/esbuild" <<'PY'
import re, subprocess, sys
path, esbuild = sys.argv[1:]
def minified(script):
    attrs, body = script.group(1), script.group(2)
    module = ["--format=esm"] if 'type="module"' in attrs else []
    done = subprocess.run([esbuild, "--minify", "--log-level=warning", *module],
                          input=body, capture_output=True, text=True, check=True)
    return f"<script{attrs}>{done.stdout.strip()}</script>"
with open(path) as f:
    html = f.read()
with open(path, "w") as f:
    f.write(re.sub(r"<script([^>]*)>(.*?)</script>", minified, html, flags=re.S))
PY

mkdir -p "$DIST/api-docs"
cp "$TOOLS/node_modules/swagger-ui-dist/swagger-ui-bundle.js" \
   "$TOOLS/node_modules/swagger-ui-dist/swagger-ui.css" "$ROOT/docs/api/init.js" "$DIST/api-docs/"

compress "$DIST"
