#!/usr/bin/env bash
# make bench: figures, not assertions. `scripts/bench.sh sizes` stops after 1 (seconds,
# after `make build`), `scripts/bench.sh pages` after 2, `scripts/bench.sh legacy` runs
# only the legacy door on SQLite and PostgreSQL (4, below); BENCH_RUNS
# (default 7) sets how many runs its medians are of; `scripts/bench.sh spray` runs only the
# password spray (5).
#   1. the release bundle's transfer size (raw, gzip -9, brotli -q 11) per file kind;
#   2. page load in headless Chromium (bench/page-load.mjs): time to the sign-in field and
#      bytes on the wire, first and second visit, on loopback and on Lighthouse's mobile
#      profile, for the app, the app embedded in the example portal, and a bare Yew page;
#   3. sign-in latency (Argon2id) over loopback, known and unknown usernames, and again
#      while a flood of wrong sign-ins (wrk, 64 connections) competes for the hashers;
#   4. legacy verification throughput vs. a trivial endpoint of the same server (wrk), on
#      SQLite (a local account, then a server with a throwaway OpenLDAP directory: a
#      local account and a directory person on it, whose sign-in latency follows), on
#      PostgreSQL, and on two PostgreSQL replicas behind haproxy: an HTTP client's
#      GET /v1/legacy/whoami, and a mail server's POST
#      /v1/legacy/verify;
#   5. a password spray (bench/spray.py) against two PostgreSQL replicas behind haproxy,
#      with real people signing in, proving MFA, creating app passwords and checking
#      mail meanwhile: their latency and throughput without and with the spray, with
#      narrow locks and with the old global lock, and the guesses evaluated.
set -euo pipefail
case ${1:-} in
  "" | sizes | pages | legacy | spray) ;;
  *) echo "bench.sh: no part named '$1' (sizes, pages, legacy, spray)" >&2; exit 2 ;;
esac
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
BIN="$ROOT/target/server/app-passwords-server"
# One table of the figures docs/figures.md keeps, printed at the end (whatever the mode):
# each section adds its rows (measure, figure, goal).
table=$(mktemp)
row() { printf '%s\t%s\t%s\n' "$1" "$2" "${3:-}" >> "$table"; }
print_table() {
  [[ -s $table ]] || return 0
  echo
  echo "== the figures, to compare with docs/figures.md"
  awk -F'\t' '{ printf "%-58s %-30s %s\n", $1, $2, ($3 == "" ? "" : "goal: " $3) }' "$table"
}
trap 'print_table; rm -f "$table"' EXIT

echo "== bundle (dist/): bytes raw, gzip -9, brotli -q 11"
declare -A size # file -> "raw gzip brotli", each file compressed once
printf '%-40s %10s %10s %10s\n' file raw gzip brotli
for f in dist/*; do
  [[ -f $f && $f != *.br && $f != *.gz ]] || continue # dist/api-docs: the API documentation
  size[${f#dist/}]="$(stat -c %s "$f") $(gzip -9 -c "$f" | wc -c) $(brotli -q 11 -c "$f" | wc -c)"
  read -r raw gz br <<<"${size[${f#dist/}]}"
  printf '%-40s %10d %10d %10d\n' "${f#dist/}" "$raw" "$gz" "$br"
done
# What a first visit loads: the standalone page, or a host page embedding the element.
total() { # label files...
  local label=$1 raw=0 gz=0 br=0 r g b; shift
  for f in "$@"; do read -r r g b <<<"${size[$f]}"; raw=$((raw + r)) gz=$((gz + g)) br=$((br + b)); done
  printf '%-40s %10d %10d %10d   (goal: 100000 brotli)\n' "$label" "$raw" "$gz" "$br"
  row "bytes, $label (brotli)" "$br" "<= 100000"
}
one() { ls dist | grep -E "^$1\$" | head -1; } # the content-hashed name of a file
hash='[0-9a-f]{8,16}' # Trunk's 64-bit hash, in hex without leading zeros
app=("$(one "app-passwords-$hash\.js")" "$(one "app-passwords-${hash}_bg\.wasm")")
total "first visit, standalone" index.html "$(one "app-$hash\.css")" "${app[@]}"
# (The element has the stylesheet's text and the sign-in screens in it.)
total "first visit, embedded" app-passwords-element.js "${app[@]}"
# The screens after sign-in (src/lazy.rs): fetched once the person starts signing in.
chunk=$(one "app-passwords-journey-$hash\.wasm")
read -r r g b <<<"${size[$chunk]}"
printf '%-40s %10d %10d %10d   (not in the first visit)\n' "then, from the first key typed" "$r" "$g" "$b"
[[ ${1:-} == sizes ]] && exit 0
echo
echo "== server (release profile 'server', loopback; SQLite in a temp dir, PostgreSQL in a throwaway cluster)"
work=$(mktemp -d)
chmod 711 "$work"
pids=()
cleanup() {
  # serve() runs in $(…), a subshell: its servers are known by their pid files only.
  kill "${pids[@]}" $(cat "$work"/pid-* 2>/dev/null) 2>/dev/null || true
  "$ROOT/scripts/pg.sh" remove "$work/pg" 2>/dev/null || true
  rm -rf "$work"
  print_table
  rm -f "$table"
}
trap cleanup EXIT
# The servers' mail server secret and admin credential (the settings say where).
(umask 077 && openssl rand -hex 32 > "$work/mail.secret" \
  && echo "portal read,manage,policy $(openssl rand -hex 32)" > "$work/admin.credentials")
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

serve() { # database-url [VAR=value...]: starts a server on it (demo accounts, limits out of
  # the way, the settings given); echoes its base URL
  local port log url=$1
  shift
  port=$(free_port) log="$work/server-$port.log"
  env DATABASE_URL="$url" APP_SECRET_KEY_FILE="$work/key" APP_PORT=$port APP_DEMO=1 \
    APP_MAIL_SERVER_SECRET_FILE="$work/mail.secret" APP_ADMIN_CREDENTIALS_FILE="$work/admin.credentials" \
    APP_SIGNIN_ADDRESS_LIMIT=1000000 APP_SIGNIN_ACCOUNT_LIMIT=1000000 RUST_LOG=warn "$@" \
    "$BIN" serve > "$log" 2>&1 &
  echo "$!" > "$work/pid-$port"
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/v1/health" >/dev/null && break; sleep 0.1; done
  echo "http://127.0.0.1:$port"
}

proxy_for() { # base...: haproxy in front of these servers (round robin); echoes its URL
  local port=$(free_port) servers="" i=0
  for base in "$@"; do i=$((i + 1)) servers+="  server s$i ${base#http://}"$'\n'; done
  cat > "$work/haproxy-$port.cfg" <<CFG
global
  maxconn 4096
defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
frontend replicas
  bind 127.0.0.1:$port
  default_backend servers
backend servers
  balance roundrobin
$servers
CFG
  haproxy -f "$work/haproxy-$port.cfg" -db > "$work/haproxy-$port.log" 2>&1 &
  echo "$!" > "$work/pid-$port"
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/v1/health" >/dev/null && break; sleep 0.1; done
  echo "http://127.0.0.1:$port"
}

spray_bench() { # pg-server-url: a password spray against two replicas with real people at
  # work (bench/spray.py), with narrow locks, then with the old global lock, in this run
  echo "== a password spray on PostgreSQL, two replicas behind haproxy: 10,000 people, 60 of them at work"
  echo "   (web: sign-in, MFA challenge, create; mail clients: the right app password, wrk -c16 12 s;"
  echo "    spray: wrong passwords for random names from 1,000 addresses, wrk -c64, half at each door)"
  local locks db a b
  for locks in narrow global; do
    db=spray_$locks
    psql -q "$1/postgres" -c "CREATE DATABASE $db" >/dev/null
    # The default budgets (serve() lifts the sign-in ones), the proxy trusted.
    local settings=(APP_PG_LOCKS=$locks APP_TRUSTED_PROXIES=127.0.0.1/32
      APP_SIGNIN_ADDRESS_LIMIT=30 APP_SIGNIN_ACCOUNT_LIMIT=5)
    a=$(serve "$1/$db" "${settings[@]}")
    b=$(serve "$1/$db" "${settings[@]}")
    BENCH_TABLE=$table python3 bench/spray.py "$(proxy_for "$a" "$b")" "$1/$db" "$work/mail.secret" \
      "$locks" "$a" "$b"
    kill "$(cat "$work/pid-${a##*:}")" "$(cat "$work/pid-${b##*:}")"
  done
}

signin='{"username":"new.user@contoso.example","password":"Demo-new-2026"}'

app_password() { # base [username password]: enrolls an authenticator, creates an app
  # password (the demo's new user, or the one given); echoes Basic credentials
  local base=$1 user=${2:-new.user@contoso.example} pass=${3:-Demo-new-2026} token auth enr secret id ver pw
  token=$(curl -sf -H 'content-type: application/json' \
    -d "{\"username\":\"$user\",\"password\":\"$pass\"}" "$base/v1/sessions" | json "['token']")
  auth=(-H "authorization: Bearer $token" -H 'content-type: application/json')
  enr=$(curl -sf "${auth[@]}" -d '{"kind":"totp"}' "$base/v1/mfa/enrollments")
  secret=$(json "['secret']" <<<"$enr") id=$(json "['id']" <<<"$enr")
  ver=$(curl -sf "${auth[@]}" -d "{\"code\":\"$(oathtool --totp -b "$secret")\"}" "$base/v1/mfa/enrollments/$id/verify")
  # Proving MFA replaced the session's token.
  auth=(-H "authorization: Bearer $(json "['token']" <<<"$ver")" -H 'content-type: application/json')
  pw=$(curl -sf "${auth[@]}" -d "{\"name\":\"bench $RANDOM\"}" "$base/v1/app-passwords" | json "['password']")
  printf '%s:%s' "$user" "$pw" | base64 -w0
}

rps() { wrk -t2 -c16 -d5s "$@" | awk '/Requests\/sec/ {print $2}'; }

cpu_split() { # the machine's busy CPU ticks; those of this bench's endpoints; PostgreSQL's
  # (the postmaster's own and its ended backends', which it has waited for, and its live
  # backends')
  local pg=0 postmaster
  ticks() { local t=0 p; for p in "$@"; do
    [[ -r /proc/$p/stat ]] && t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
  done; echo "$t"; }
  if [[ -f $work/pg/data/postmaster.pid ]]; then
    postmaster=$(head -1 "$work/pg/data/postmaster.pid")
    pg=$(( $(awk '{print $14 + $15 + $16 + $17}' "/proc/$postmaster/stat") + $(ticks $(pgrep -P "$postmaster")) ))
  fi
  echo "$(awk '/^cpu / {print $2 + $3 + $4 + $7 + $8}' /proc/stat)" "$(ticks $(pgrep -f "^$BIN serve"))" "$pg"
}

legacy_vs_trivial() { # label base basic
  local label=$1 base=$2 basic=$3 trivial legacy verify pct
  curl -sf -H "authorization: Basic $basic" "$base/v1/legacy/whoami" >/dev/null
  # What Dovecot's passdb sends (examples/mail/): the same app password, over IMAP.
  python3 - "$basic" "$(cat "$work/mail.secret")" "$work/verify.json" > "$work/verify.lua" <<'PY'
import base64, json, sys
user, password = base64.b64decode(sys.argv[1]).decode().split(":", 1)
body = json.dumps({"username": user, "password": password, "protocol": "imap", "client": "203.0.113.7"})
open(sys.argv[3], "w").write(body)
print('wrk.method = "POST"')
print('wrk.headers["content-type"] = "application/json"')
print(f'wrk.headers["authorization"] = "Bearer {sys.argv[2]}"')
print(f"wrk.body = {json.dumps(body)}")
PY
  curl -sf -H 'content-type: application/json' -H "authorization: Bearer $(cat "$work/mail.secret")" \
    --data "@$work/verify.json" "$base/v1/legacy/verify" | grep -q '"valid":true' \
    || { echo "bench: the mail server's verification is not answered valid" >&2; exit 1; }
  trivial=$(rps "$base/v1/health")
  local before=($(cpu_split))
  legacy=$(rps -H "authorization: Basic $basic" "$base/v1/legacy/whoami")
  local after=($(cpu_split)) share
  verify=$(rps -s "$work/verify.lua" "$base/v1/legacy/verify")
  pct() { python3 -c "print(round(float($1)/float($trivial)*100))"; }
  # Where the machine's CPU went during the whoami run: the endpoint(s), PostgreSQL, the
  # rest (wrk, the proxy); the cores are shared, so the database's work is the door's cost.
  share=$(python3 -c "
b, a = [int(x) for x in '${before[*]}'.split()], [int(x) for x in '${after[*]}'.split()]
t, e, p = (a[0] - b[0]) or 1, a[1] - b[1], a[2] - b[2]
print(f'endpoint {100 * e // t} %, PostgreSQL {100 * p // t} %, the rest {100 * (t - e - p) // t} %')")
  printf '%-34s trivial GET /v1/health %9s req/s | GET whoami %9s req/s %3s%% | POST verify (mail server) %9s req/s %3s%%\n' \
    "$label" "$trivial" "$legacy" "$(pct "$legacy")" "$verify" "$(pct "$verify")"
  printf '%-34s CPU busy during whoami: %s\n' "" "$share"
  row "legacy door / trivial endpoint, $label" "whoami $(pct "$legacy") %, verify $(pct "$verify") % (CPU: $share)" ">= 80 %"
}

# `scripts/bench.sh legacy`: the legacy door's ratio to the trivial endpoint alone, on
# SQLite and on PostgreSQL (BENCH_RUNS times each), to compare one change of that path
# quickly.
if [[ ${1:-} == legacy ]]; then
  echo "== legacy verification throughput (wrk -t2 -c16 -d5s)"
  base=$(serve "sqlite://$work/legacy.db")
  basic=$(app_password "$base")
  for _ in $(seq "${BENCH_RUNS:-3}"); do legacy_vs_trivial "SQLite, one server" "$base" "$basic"; done
  pg=$("$ROOT/scripts/pg.sh" start "$work/pg")
  psql -q "$pg/postgres" -c "CREATE DATABASE bench" >/dev/null
  a=$(serve "$pg/bench")
  pg_basic=$(app_password "$a")
  for _ in $(seq "${BENCH_RUNS:-3}"); do legacy_vs_trivial "PostgreSQL, one server" "$a" "$pg_basic"; done
  exit 0
fi

# `scripts/bench.sh spray`: the password spray alone (its own PostgreSQL cluster).
if [[ ${1:-} == spray ]]; then
  spray_bench "$("$ROOT/scripts/pg.sh" start "$work/pg")"
  exit 0
fi

echo "== page load in headless Chromium (medians of ${BENCH_RUNS:-7} alternating runs, fresh context each)"
portal=$(free_port)
page_app=$(serve "sqlite://$work/page.db" APP_PORTAL_PORT="$portal")
page_bare=$(serve "sqlite://$work/bare.db" APP_STATIC_DIR="$ROOT/bench/bare/dist")
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$portal/" >/dev/null && break; sleep 0.1; done
node bench/page-load.mjs "$page_app/" "$page_bare/" "http://127.0.0.1:$portal/" "${BENCH_RUNS:-7}" \
  | tee "$work/pages.out"
# "ratios to the bare Yew page: app 0.85x, embedded 0.82x (…); Sign in takes a press: app
# 0.86x, embedded 0.84x; live: app 1.49x, embedded 1.74x", and "app pressed as soon as Sign
# in takes it: next screen at 1700 ms; pressed once the app is live: at 1900 ms (…)"
awk '/^-- / { where = ($2 == "mobile" ? "mobile" : "loopback") }
  /^app +pressed/ { gsub(/;/, " "); early[where] = $13; live[where] = $(NF - 3) }
  /^ratios/ { gsub(/[,;x]/, " "); print where, $8, $10, $(NF - 7), $(NF - 5), $(NF - 2), $NF, early[where], live[where] }' \
  "$work/pages.out" \
  | while read -r where field embedded_field press embedded_press live embedded_live early late; do
    row "page, $where: sign-in field / bare Yew page" "${field}x, embedded ${embedded_field}x"
    row "page, $where: Sign in takes a press / bare Yew page" "${press}x, embedded ${embedded_press}x" \
      "$([[ $where == mobile ]] && echo "1.2x, embedded 1.3x" || echo "1.2x")"
    row "page, $where: the app's own code live / bare Yew page" "${live}x, embedded ${embedded_live}x"
    row "page, $where: pressed at once / once live: next screen at" "$early / $late ms"
  done
[[ ${1:-} == pages ]] && exit 0

echo
echo "== sign-in"
base=$(serve "sqlite://$work/bench.db")
server=$(cat "$work/pid-${base##*:}")
basic=$(app_password "$base")
latency() { # label body [n]: the sign-in's time over n requests, and its answers
  local label=$1 body=$2 n=${3:-30} out=() line
  for _ in $(seq "$n"); do
    out+=("$(curl -s -o /dev/null -w '%{time_total} %{http_code}' -H 'content-type: application/json' -d "$body" "$base/v1/sessions")")
  done
  line=$(printf '%s\n' "${out[@]}" | python3 -c '
import sys, statistics, collections
rows = [l.split() for l in sys.stdin]
t = sorted(float(r[0]) * 1000 for r in rows)
codes = dict(collections.Counter(r[1] for r in rows))
print(f"'"$label"' over {len(t)}: median {statistics.median(t):.1f} ms, p90 {t[int(len(t)*0.9)-1]:.1f} ms, min {t[0]:.1f} ms, answers {codes}")')
  echo "$line"
  row "$label" "$(sed -E 's/.*(median [0-9.]+ ms).*/\1/' <<<"$line")"
}
latency "sign-in, known user" "$signin"
latency "sign-in, known user, wrong password" '{"username":"new.user@contoso.example","password":"not-the-one"}'
latency "sign-in, unknown user" '{"username":"nobody@contoso.example","password":"Demo-new-2026"}'

# A flood of wrong passwords for ever-new usernames (no per-account budget stops them):
# the hashers stay at one per core, the excess is turned away with 503 after 1 s.
cat > "$work/flood.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["content-type"] = "application/json"
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, "/v1/sessions", nil,
    string.format('{"username":"flood%d-%d@contoso.example","password":"wrong"}', math.random(1e9), n))
end
LUA
wrk -t2 -c64 -d12s -s "$work/flood.lua" "$base" > "$work/flood.out" 2>&1 &
flood=$!
sleep 2
latency "sign-in under a 64-connection flood" "$signin" 20
wait $flood
awk '/Requests\/sec/ {print "flood: " $2 " wrong sign-ins/s answered (401, or 503 with Retry-After)"}' "$work/flood.out"
echo "server peak memory (VmHWM): $(awk '/VmHWM/ {print int($2/1024) " MiB"}' /proc/$server/status)"

echo
echo "== legacy verification throughput (wrk -t2 -c16 -d5s; goal: legacy >= 80% of trivial)"
legacy_vs_trivial "SQLite, one server" "$base" "$basic"
# A person of the organization's directory (the demo organization of make run-org, in a
# throwaway slapd): their app password is checked here, their standing read every 10 s.
ldap=$("$ROOT/scripts/ldap.sh" start "$work/ldap")
trap '"$ROOT/scripts/ldap.sh" stop "$work/ldap"; cleanup' EXIT
org=$(serve "sqlite://$work/org.db" APP_DIRECTORY_URL="$ldap" \
  APP_DIRECTORY_BIND_DN=cn=app-passwords,ou=services,dc=contoso,dc=example \
  APP_DIRECTORY_BIND_PASSWORD_FILE="$work/ldap/service.secret" APP_DIRECTORY_BASE=dc=contoso,dc=example \
  APP_DIRECTORY_MFA_GROUP=cn=mfa-required,ou=groups,dc=contoso,dc=example)
org_basic=$(app_password "$org" ada.lovelace@contoso.example Demo-dir-2026)
# Beside a local account of the same server: the trivial endpoint's speed moves from one
# server (and minute) to the next, so the two are compared on one.
org_local=$(app_password "$org")
legacy_vs_trivial "SQLite + directory: local account" "$org" "$org_local"
legacy_vs_trivial "SQLite + directory: directory person" "$org" "$org_basic"
base_was=$base base=$org
latency "sign-in, directory person" '{"username":"ada.lovelace@contoso.example","password":"Demo-dir-2026"}'
latency "sign-in, directory person, wrong" '{"username":"ada.lovelace@contoso.example","password":"not-the-one"}'
latency "sign-in, name no one has (directory)" '{"username":"nobody@contoso.example","password":"Demo-dir-2026"}'
base=$base_was
pg=$("$ROOT/scripts/pg.sh" start "$work/pg")
psql -q "$pg/postgres" -c "CREATE DATABASE bench" >/dev/null
a=$(serve "$pg/bench")
pg_basic=$(app_password "$a")
legacy_vs_trivial "PostgreSQL, one server" "$a" "$pg_basic"
b=$(serve "$pg/bench")
legacy_vs_trivial "PostgreSQL, two replicas + haproxy" "$(proxy_for "$a" "$b")" "$pg_basic"
echo
spray_bench "$pg"
