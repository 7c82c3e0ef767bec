#!/usr/bin/env bash
# Finishes a Trunk build for serving.
#
#   scripts/dist.sh            dist/: names the files by their content, draws the
#                              sign-in screen into index.html and inlines and minifies
#                              its script, bundles the stable embedding entry with what
#                              it loads and shows, adds the API documentation viewer,
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
ESBUILD="$TOOLS/node_modules/.bin/esbuild"
# esbuild (pinned, scripts/tools.sh) minifies what Trunk leaves as written: Trunk's own
# minifier is off, since it would also run over the JS glue, which it cannot parse
# (scripts/bundle/wasm-bindgen minifies that).
minify() { # file loader
  "$ESBUILD" --minify "--loader=$2" --log-level=warning <"$1" >"$1.min"
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
# The screens after sign-in's chunk, which a press on the stand-in's Sign in starts
# fetching (src/embed/stand-in.js).
journey=$(cd "$DIST" && ls app-passwords-journey-*.wasm)
[[ $journey =~ ^app-passwords-journey-[0-9a-f]{16}\.wasm$ ]] \
  || { echo "dist.sh: not one chunk of the screens after sign-in in dist/: $journey" >&2; exit 1; }
js=$(by_content "$js" app-passwords .js)
wasm=$(by_content "$wasm" app-passwords _bg.wasm)
# The stylesheet: the module's (styles/app.css), which the element carries (below), and
# for the page, the page's own rules after it (styles/page.css). (No integrity attribute
# on its link, index.html: one for the text before minifying would refuse it; the wasm
# and the JS beside it come from the same server unchecked.)
EMBED="$ROOT/target/embed"
rm -rf "$EMBED" && mkdir -p "$EMBED"
cp "$DIST/$css" "$EMBED/app.css"
minify "$EMBED/app.css" css
cat "$ROOT/styles/page.css" >>"$DIST/$css"
minify "$DIST/$css" css
css=$(by_content "$css" app .css)
sed -i 's| data-integrity="none"||' "$DIST/index.html" # Trunk's option, left in its output
# The admin mode's bundle (dist/admin/), loaded by the element only: the page Trunk made
# around it is not served.
admin_js=$(grep -o 'app-passwords-admin-[0-9a-f]\{8,16\}\.js' "$DIST/admin/index.html" | head -1)
admin_wasm=$(grep -o 'app-passwords-admin-[0-9a-f]\{8,16\}_bg\.wasm' "$DIST/admin/index.html" | head -1)
[[ -n $admin_js && -n $admin_wasm ]] || { echo "dist.sh: the admin bundle's names not found" >&2; exit 1; }
admin_js=$(by_content "admin/$admin_js" admin/app-passwords-admin .js)
admin_wasm=$(by_content "admin/$admin_wasm" admin/app-passwords-admin _bg.wasm)
rm "$DIST/admin/index.html"

# The sign-in screen drawn at build time (crates/prerender, built by make build): into
# index.html, and for the element.
"$ROOT/target/release/app-passwords-prerender" "$DIST/index.html" "$EMBED/sign-in.json"
# The embedding entry, bundled from src/embed/ with what this build made for it: the
# hashed names of the files it loads, the stylesheet's text (a constructed stylesheet: no
# request, no round trip before the form shows), the sign-in screens. It keeps its stable
# name (revalidated by the server, not immutable).
cp "$ROOT"/src/embed/*.js "$EMBED/"
printf '{"app":{"js":"./%s","wasm":"%s","journey":"%s"},"admin":{"js":"./%s","wasm":"%s"}}\n' \
  "$js" "$wasm" "$journey" "$admin_js" "$admin_wasm" >"$EMBED/files.json"
"$ESBUILD" "$EMBED/app-passwords-element.js" --bundle --format=esm --minify --loader:.css=text \
  --log-level=warning "--outfile=$DIST/app-passwords-element.js"
# The bundle's manifest, for hosts that start the module with their page (preload the
# files the element would load: docs/embedding.md); a stable name, revalidated.
printf '{"element":"app-passwords-element.js","app":{"js":"%s","wasm":"%s"}}\n' "$js" "$wasm" \
  >"$DIST/app-passwords.json"
# index.html's inline script: src/embed/page.js and what it imports (the page's
# stand-in), bundled in its place, told where the chunk is (JOURNEY, beside the glue at
# the page's base, /); its inline scripts minified (the server allows them by the hashes
# of the file it serves, computed at start-up).
python3 - "$DIST/index.html" "$ESBUILD" "$ROOT" "/$journey" <<'PY'
import json, re, subprocess, sys
path, esbuild, root, journey = sys.argv[1:]
def esbuilt(args, body=None):
    return subprocess.run([esbuild, "--minify", "--log-level=warning", *args], input=body,
                          capture_output=True, text=True, check=True).stdout.strip()
def minified(script):
    attrs, body = script.group(1), script.group(2)
    inline = re.fullmatch(r' data-inline="([^"]+)"', attrs)
    if inline:
        bundled = esbuilt(['--bundle', '--format=iife', f'--define:JOURNEY={json.dumps(journey)}',
                           f'{root}/{inline.group(1)}'])
        return f"<script>{bundled}</script>"
    module = ["--format=esm"] if 'type="module"' in attrs else []
    return f"<script{attrs}>{esbuilt(module, body)}</script>"
with open(path) as f:
    html = f.read()
with open(path, "w") as f:
    f.write(re.sub(r"<script([^>]*)>(.*?)</script>", minified, html, flags=re.S))
PY

mkdir -p "$DIST/api-docs"
cp "$TOOLS/node_modules/swagger-ui-dist/swagger-ui-bundle.js" \
   "$TOOLS/node_modules/swagger-ui-dist/swagger-ui.css" "$ROOT/docs/api/init.js" "$DIST/api-docs/"

compress "$DIST"
