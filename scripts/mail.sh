#!/usr/bin/env bash
# A Dovecot (IMAP, POP3, SMTP submission) whose users sign in with app passwords checked
# by the app-passwords endpoint: examples/mail/, run in a folder of its own, on
# loopback, as an unprivileged user; never a system service.
#
#   scripts/mail.sh run DIR    writes DIR/dovecot.conf (and a throwaway certificate,
#                              DIR/tls/cert.pem, for STARTTLS) and runs Dovecot in the
#                              foreground (as the `dovecot` user when started as root)
#
# Environment, with the defaults `make mail` uses beside `make run`:
#   APP_PASSWORDS_URL=http://127.0.0.1:8080
#   APP_PASSWORDS_SECRET_FILE=data/mail-server.secret   (created when missing, as
#                                                       `make run` does)
#   MAIL_IMAP_PORT=1143 MAIL_POP3_PORT=1110 MAIL_SUBMISSION_PORT=1587
#   MAIL_RELAY_PORT=1025   the SMTP server on 127.0.0.1 that submission hands mail to
#   MAIL_LOG=/dev/stderr   Dovecot's log
set -euo pipefail
shopt -s inherit_errexit

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
EXAMPLE="$ROOT/examples/mail"

run() { # dir
  local dir secret user
  dir=$(realpath -m "$1")
  secret=$(realpath -m "${APP_PASSWORDS_SECRET_FILE:-$ROOT/data/mail-server.secret}")
  if [[ ! -e $secret ]]; then
    mkdir -p "$(dirname "$secret")"
    (umask 077 && set -o noclobber && openssl rand -hex 32 > "$secret") 2>/dev/null || [[ -e $secret ]]
  fi
  # Dovecot refuses to run as root without its own users; as root, run it as `dovecot`.
  user=$(id -un)
  [[ $(id -u) -eq 0 ]] && user=dovecot
  mkdir -p "$dir/run" "$dir/state" "$dir/mail" "$dir/tls"
  # A throwaway certificate for STARTTLS; clients trust DIR/tls/cert.pem.
  if [[ ! -e $dir/tls/cert.pem ]]; then
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 365 \
      -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
      -keyout "$dir/tls/key.pem" -out "$dir/tls/cert.pem" 2>/dev/null
  fi
  # Copies, not links: the user Dovecot runs as may not reach this checkout's folders.
  cp "$EXAMPLE/dovecot.conf" "$dir/example.conf"
  cp "$EXAMPLE/app-passwords.lua" "$dir/run/app-passwords.lua"
  (umask 077 && cp "$secret" "$dir/mail-server.secret")
  cat > "$dir/dovecot.conf" <<CONF
# Written by scripts/mail.sh: the example (copied from examples/mail/), then this run's
# folder and ports.
!include $dir/example.conf

base_dir = $dir/run
state_dir = $dir/state
log_path = ${MAIL_LOG:-/dev/stderr}
instance_name = app-passwords-mail
default_internal_user = $user
default_internal_group = $(id -gn "$user")
default_login_user = $user
mail_home = $dir/mail/%Lu
ssl_cert = <$dir/tls/cert.pem
ssl_key = <$dir/tls/key.pem
submission_relay_host = 127.0.0.1
submission_relay_port = ${MAIL_RELAY_PORT:-1025}
service imap-login {
  inet_listener imap {
    port = ${MAIL_IMAP_PORT:-1143}
  }
}
service pop3-login {
  inet_listener pop3 {
    port = ${MAIL_POP3_PORT:-1110}
  }
}
service submission-login {
  inet_listener submission {
    port = ${MAIL_SUBMISSION_PORT:-1587}
  }
}
CONF
  export APP_PASSWORDS_URL="${APP_PASSWORDS_URL:-http://127.0.0.1:8080}"
  export APP_PASSWORDS_SECRET_FILE="$dir/mail-server.secret"
  if [[ $(id -u) -eq 0 ]]; then
    chown -R "$user:" "$dir"
    exec setpriv --reuid="$user" --regid="$(id -g "$user")" --init-groups -- \
      dovecot -F -c "$dir/dovecot.conf"
  fi
  exec dovecot -F -c "$dir/dovecot.conf"
}

command -v dovecot >/dev/null || { echo "mail.sh: Dovecot is not installed (scripts/tools.sh mail)" >&2; exit 1; }
case "${1:-}" in
  run) run "${2:?usage: $0 run DIR}" ;;
  *) echo "usage: $0 run DIR" >&2; exit 2 ;;
esac
