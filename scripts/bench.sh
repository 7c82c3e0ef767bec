#!/usr/bin/env bash
# make bench: figures, not assertions.
#   1. the release bundle's transfer size (raw, gzip -9, brotli -q 11) per file kind;
#   2. sign-in latency (Argon2id) over loopback;
#   3. legacy verification throughput vs. a trivial endpoint of the same server (wrk).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
BIN="$ROOT/target/server/app-passwords-server"

echo "== bundle (dist/): bytes raw, gzip -9, brotli -q 11"
declare -A size # file -> "raw gzip brotli", each file compressed once
printf '%-28s %10s %10s %10s\n' file raw gzip brotli
for f in dist/*; do
  size[${f#dist/}]="$(stat -c %s "$f") $(gzip -9 -c "$f" | wc -c) $(brotli -q 11 -c "$f" | wc -c)"
  read -r raw gz br <<<"${size[${f#dist/}]}"
  printf '%-28s %10d %10d %10d\n' "${f#dist/}" "$raw" "$gz" "$br"
done
# What a first visit loads: the standalone page, or a host page embedding the element.
total() { # label files...
  local label=$1 raw=0 gz=0 br=0 r g b; shift
  for f in "$@"; do read -r r g b <<<"${size[$f]}"; raw=$((raw + r)) gz=$((gz + g)) br=$((br + b)); done
  printf '%-28s %10d %10d %10d   (budget: 153600 brotli)\n' "$label" "$raw" "$gz" "$br"
}
total "first visit, standalone" index.html app.css app-passwords.js app-passwords_bg.wasm
total "first visit, embedded" app-passwords-element.js app.css app-passwords.js app-passwords_bg.wasm
echo
echo "== server (release profile 'server', SQLite on tmpfs-like temp dir, loopback)"
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export DATABASE_URL="sqlite://$work/bench.db" APP_SECRET_KEY_FILE="$work/key" APP_PORT=$port APP_DEMO=1 \
  APP_SIGNIN_ADDRESS_LIMIT=1000000 APP_SIGNIN_ACCOUNT_LIMIT=1000000 RUST_LOG=warn
"$BIN" serve > "$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 100); do curl -sf "$base/v1/health" >/dev/null && break; sleep 0.1; done

json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
signin='{"username":"new.user@contoso.example","password":"Demo-new-2026"}'
token=$(curl -sf -H 'content-type: application/json' -d "$signin" "$base/v1/sessions" | json "['token']")
auth=(-H "authorization: Bearer $token" -H 'content-type: application/json')
enr=$(curl -sf "${auth[@]}" -d '{"kind":"totp"}' "$base/v1/mfa/enrollments")
secret=$(json "['secret']" <<<"$enr") id=$(json "['id']" <<<"$enr")
curl -sf "${auth[@]}" -d "{\"code\":\"$(oathtool --totp -b "$secret")\"}" "$base/v1/mfa/enrollments/$id/verify" >/dev/null
pw=$(curl -sf "${auth[@]}" -d '{"name":"bench"}' "$base/v1/app-passwords" | json "['password']")

n=30
times=()
for _ in $(seq $n); do
  times+=("$(curl -s -o /dev/null -w '%{time_total}' -H 'content-type: application/json' -d "$signin" "$base/v1/sessions")")
done
printf '%s\n' "${times[@]}" | python3 -c '
import sys, statistics
t = sorted(float(x) * 1000 for x in sys.stdin)
print(f"sign-in latency over {len(t)} requests: median {statistics.median(t):.1f} ms, p90 {t[int(len(t)*0.9)-1]:.1f} ms, min {t[0]:.1f} ms")'

basic=$(printf '%s:%s' new.user@contoso.example "$pw" | base64 -w0)
curl -sf -H "authorization: Basic $basic" "$base/v1/legacy/whoami" >/dev/null
rps() { wrk -t2 -c16 -d5s "$@" | awk '/Requests\/sec/ {print $2}'; }
trivial=$(rps "$base/v1/health")
legacy=$(rps -H "authorization: Basic $basic" "$base/v1/legacy/whoami")
echo "trivial endpoint GET /v1/health:        $trivial req/s (wrk -t2 -c16 -d5s)"
echo "legacy verification GET /v1/legacy/whoami: $legacy req/s"
python3 -c "print(f'ratio legacy/trivial: {float($legacy)/float($trivial)*100:.0f}% (goal >= 50%)')"
