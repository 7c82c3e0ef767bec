#!/usr/bin/env bash
# The demo organization's OpenID provider (examples/idp/idp.mjs) beside `make run-org`:
# Node, in the background, on a loopback port, its people those of the directory of
# scripts/ldap.sh; never a system service.
#
#   scripts/idp.sh up DIR PORT LDAP_DIR PUBLIC_URL PORTAL_URL
#                         start it for the endpoint at PUBLIC_URL (its redirect URI
#                         PUBLIC_URLv1/sso/callback; the resource portals ask access
#                         tokens for) and the example portal at PORTAL_URL (client
#                         `portal`, redirect URI PORTAL_URL/callback), their client
#                         secrets made the first time in DIR/client.secret and
#                         DIR/portal.secret (mode 0600), its signing keys kept in DIR;
#                         print its issuer
#   scripts/idp.sh stop DIR
#
# Its people sign in with their directory password (Demo-dir-2026); the members of
# cn=idp-mfa (Ada) also give a code from the authenticator app whose secret is in
# examples/idp/contoso.json.
set -euo pipefail
shopt -s inherit_errexit

ROOT=$(cd "$(dirname "$0")/.." && pwd)

up() { # dir port ldap_dir public_url portal_url
  local dir=$1 port=$2 ldap=$3 public=$4 portal=$5
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd) ldap=$(cd "$ldap" && pwd)
  stop "$dir"
  local secret
  for secret in client portal; do
    [[ -s $dir/$secret.secret ]] ||
      (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$dir/$secret.secret" && echo >> "$dir/$secret.secret")
  done
  local issuer="http://127.0.0.1:$port"
  IDP_ISSUER=$issuer IDP_STATE=$dir IDP_LDAP_URL="ldap://127.0.0.1:$(cat "$ldap/port")" \
    IDP_LDAP_SECRET_FILE=$ldap/idp.secret NODE_NO_WARNINGS=1 \
    IDP_RESOURCE=$public IDP_RESOURCE_AUDIENCE=app-passwords \
    IDP_CLIENTS="[{\"client_id\":\"app-passwords\",\"secret_file\":\"$dir/client.secret\",\"redirect_uris\":[\"${public}v1/sso/callback\"]},{\"client_id\":\"portal\",\"secret_file\":\"$dir/portal.secret\",\"redirect_uris\":[\"$portal/callback\"]}]" \
    nohup node "$ROOT/examples/idp/idp.mjs" > "$dir/idp.log" 2>&1 < /dev/null &
  echo $! > "$dir/idp.pid"
  for _ in $(seq 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$issuer"; return; fi
    kill -0 "$(cat "$dir/idp.pid")" 2>/dev/null || break
    sleep 0.1
  done
  echo "idp.sh: the OpenID provider did not start:" >&2
  cat "$dir/idp.log" >&2
  exit 1
}

stop() { # dir
  local pid
  pid=$(cat "$1/idp.pid" 2>/dev/null || true)
  [[ -n $pid ]] && kill "$pid" 2>/dev/null || true
  rm -f "$1/idp.pid"
}

case "${1:-}" in
  up) up "$2" "$3" "$4" "$5" "$6" ;;
  stop) stop "$2" ;;
  *) echo "usage: $0 up DIR PORT LDAP_DIR PUBLIC_URL PORTAL_URL | stop DIR" >&2; exit 2 ;;
esac
