#!/usr/bin/env bash
# A throwaway OpenLDAP directory holding the demo organization (examples/directory/):
# slapd from Debian, in a folder of its own, on a loopback port, run as the unprivileged
# `openldap` user when started as root; never a system service.
#
#   scripts/ldap.sh start DIR [PORT]   make one in DIR (the port free or given), start it,
#                                      print its URL; DIR/service.secret holds the
#                                      service account's password (mode 0600),
#                                      DIR/idp.secret the demo OpenID provider's
#   scripts/ldap.sh stop DIR           stop it, keep DIR
#   scripts/ldap.sh resume DIR         start the stopped directory in DIR again, same port
#   scripts/ldap.sh remove DIR         stop it and remove DIR
#   scripts/ldap.sh up DIR PORT        start the one kept in DIR (made the first time),
#                                      print its URL (`make run-org`)
#
# The demo directory's admin is cn=admin,dc=contoso,dc=example, password
# Demo-ldap-admin-2026 (demo only); the demo people's password is Demo-dir-2026.
set -euo pipefail
shopt -s inherit_errexit

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SUFFIX="dc=contoso,dc=example"
ADMIN_PASSWORD="Demo-ldap-admin-2026"
PEOPLE_PASSWORD="Demo-dir-2026"
SLAPD=/usr/sbin/slapd
[[ -x $SLAPD ]] || { echo "ldap.sh: OpenLDAP is not installed (Debian: slapd ldap-utils)" >&2; exit 1; }

as_root() { [[ $(id -u) -eq 0 ]]; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

secret() { head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 40; }

hash() { /usr/sbin/slappasswd -h '{SSHA}' -s "$1"; }

make_dir() { # dir port
  local dir=$1 port=$2 service idp
  mkdir -p "$dir/db"
  echo "$port" > "$dir/port"
  service=$(secret) idp=$(secret)
  (umask 077 && printf '%s\n' "$service" > "$dir/service.secret" && printf '%s\n' "$idp" > "$dir/idp.secret")
  cat > "$dir/slapd.conf" <<CONF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload ppolicy
pidfile $dir/slapd.pid
argsfile $dir/slapd.args
loglevel none
sizelimit 500

database mdb
maxsize 67108864
suffix "$SUFFIX"
rootdn "cn=admin,$SUFFIX"
rootpw $(hash "$ADMIN_PASSWORD")
directory $dir/db
index objectClass,uid,mail,member eq
index entryUUID eq
overlay ppolicy
ppolicy_default "cn=default,ou=policies,$SUFFIX"

access to attrs=userPassword
  by self =xw
  by anonymous auth
  by * none
access to *
  by dn.exact="cn=app-passwords,ou=services,$SUFFIX" read
  by dn.exact="cn=idp,ou=services,$SUFFIX" read
  by self read
  by * none
CONF
  sed -e "s|@PEOPLE_PASSWORD@|$(hash "$PEOPLE_PASSWORD")|" \
      -e "s|@SERVICE_PASSWORD@|$(hash "$service")|" \
      -e "s|@IDP_PASSWORD@|$(hash "$idp")|" \
      "$ROOT/examples/directory/contoso.ldif" \
    | /usr/sbin/slapadd -q -f "$dir/slapd.conf" -b "$SUFFIX"
  if as_root; then chown -R openldap:openldap "$dir"; chown root: "$dir"/*.secret; fi
}

resume() { # dir
  local dir=$1 port user=()
  port=$(cat "$dir/port")
  as_root && user=(-u openldap -g openldap)
  "$SLAPD" -f "$dir/slapd.conf" -h "ldap://127.0.0.1:$port/" "${user[@]}"
  # slapd forks once it listens; wait for it to answer.
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.05
  done
  echo "ldap://127.0.0.1:$port"
}

# Whether process $1 still runs. slapd daemonizes: once it has exited it is a zombie of
# PID 1's until that reaps it (1.4 s later on this machine's), and it has stopped then.
running() { [[ $(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) =~ ^[^ZX]$ ]]; }

stop() { # dir
  local pid
  [[ -f $1/slapd.pid ]] || return 0
  pid=$(cat "$1/slapd.pid")
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 250); do running "$pid" || return 0; sleep 0.02; done
  kill -9 "$pid" 2>/dev/null || true
}

case "${1:-}" in
  start)
    dir=$2
    make_dir "$dir" "${3:-$(free_port)}"
    resume "$dir"
    ;;
  resume) resume "$2" ;;
  stop) stop "$2" ;;
  remove) stop "$2"; rm -rf "$2" ;;
  up)
    dir=$2
    [[ -f $dir/slapd.conf ]] || make_dir "$dir" "$3"
    stop "$dir"
    resume "$dir"
    ;;
  *) echo "usage: $0 start DIR [PORT] | stop DIR | resume DIR | remove DIR | up DIR PORT" >&2; exit 2 ;;
esac
