#!/usr/bin/env bash
# Installs, once, every tool the build and the tests need, pinned, into .tools/
# (git-ignored) and Debian's packages where they come from Debian. Idempotent:
# a second run only checks and returns in well under a second per tool.
#
#   scripts/tools.sh build   wasm target, Trunk, wasm-bindgen-cli, wasm-split-cli, wasm-opt,
#                            esbuild, swagger-ui-dist
#   scripts/tools.sh bench   wrk, brotli, oathtool, curl, haproxy, PostgreSQL for `make bench`
#   scripts/tools.sh test    build tools plus Chromium, ChromeDriver, Firefox ESR,
#                            geckodriver, oathtool, zbarimg, axe-core (accessibility
#                            audit), aiosmtpd (a real SMTP server for the delivery tests),
#                            openssl (a test CA for the TLS delivery tests),
#                            schemathesis + openapi-spec-validator (the contract test),
#                            scim2-tester (the SCIM conformance test),
#                            PostgreSQL (the second pass of the API suite), Dovecot,
#                            OpenLDAP and the demo OpenID provider (the organization's tests)
#   scripts/tools.sh mail    Dovecot with its Lua passdb (scripts/mail.sh, make mail)
#   scripts/tools.sh ldap    OpenLDAP's slapd and ldap-utils (scripts/ldap.sh)
#   scripts/tools.sh org     ldap, and the demo OpenID provider's npm packages
#                            (examples/idp/; make run-org)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TOOLS="$ROOT/.tools"
TRUNK_VERSION="0.21.14"
# Splits the user's bundle at its split points, and minifies the JS glue of the bundles
# (scripts/bundle/wasm-bindgen).
WASM_SPLIT_VERSION="0.2.4"
ESBUILD_VERSION="0.28.2"
BINARYEN_VERSION="132"
# The API documentation viewer served at /v1/docs (copied into dist/api-docs by make build).
SWAGGER_UI_VERSION="5.35.0"
# wasm-bindgen-cli must match the wasm-bindgen library in Cargo.lock to the patch.
WASM_BINDGEN_VERSION="$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/[^0-9.]/,""); print; exit}' "$ROOT/Cargo.lock")"

mkdir -p "$TOOLS"
say() { printf '==> %s\n' "$*" >&2; }

need_rust() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}

# The tools built from crates.io run only while building and testing: built for a short
# build (light optimization, no LTO, many codegen units, no debug info), all in one
# target folder so the crates they share are built once. A cold `make test` spent 21 of
# its minutes here with the crates' own release profiles.
cargo_install() {
  CARGO_PROFILE_RELEASE_OPT_LEVEL=1 CARGO_PROFILE_RELEASE_LTO=false \
    CARGO_PROFILE_RELEASE_CODEGEN_UNITS=256 CARGO_PROFILE_RELEASE_DEBUG=0 \
    CARGO_PROFILE_RELEASE_STRIP=true CARGO_PROFILE_RELEASE_INCREMENTAL=false \
    cargo install --target-dir "$TOOLS/build" "$@"
}

need_cargo_tool() { # crate version binary [extra cargo install flags]
  local crate=$1 version=$2 bin=$3; shift 3
  if [[ -x "$TOOLS/bin/$bin" ]] && "$TOOLS/bin/$bin" --version 2>/dev/null | grep -q -- "$version"; then
    return
  fi
  say "installing $crate $version into .tools (cached for later runs)"
  cargo_install "$crate" --version "=$version" --root "$TOOLS" --force "$@"
}

# wasm-split-cli prints no version: cargo's own record of what it installed tells.
need_wasm_split() {
  if [[ -x "$TOOLS/bin/wasm-split-cli" ]] \
    && grep -q "\"wasm_split_cli_support $WASM_SPLIT_VERSION " "$TOOLS/.crates.toml" 2>/dev/null; then
    return
  fi
  say "installing wasm_split_cli_support $WASM_SPLIT_VERSION into .tools (cached for later runs)"
  cargo_install wasm_split_cli_support --version "=$WASM_SPLIT_VERSION" --features build-binary \
    --root "$TOOLS" --force --locked
}

need_npm() { # package version
  local pkg=$1 version=$2 manifest="$TOOLS/node_modules/$1/package.json"
  if [[ -f $manifest ]] && grep -q "\"version\": \"$version\"" "$manifest"; then
    return
  fi
  say "installing npm $pkg@$version into .tools"
  npm install --silent --no-audit --no-fund --prefix "$TOOLS" "$pkg@$version"
}

need_wasm_opt() {
  need_npm binaryen "$BINARYEN_VERSION.0.0"
}

need_apt() { # [--with-recommends] package=binary ...
  local recommends=--no-install-recommends
  if [[ $1 == --with-recommends ]]; then recommends=""; shift; fi
  local missing=()
  for pair in "$@"; do
    command -v "${pair#*=}" >/dev/null 2>&1 || missing+=("${pair%%=*}")
  done
  ((${#missing[@]})) || return 0
  say "installing Debian packages: ${missing[*]}"
  local sudo=""; [[ $(id -u) -eq 0 ]] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $recommends "${missing[@]}" >/dev/null
}

build_tools() {
  need_rust
  need_cargo_tool trunk "$TRUNK_VERSION" trunk --locked
  # Without --locked: with it, cargo asks for a webpki-roots the registry does not serve.
  need_cargo_tool wasm-bindgen-cli "$WASM_BINDGEN_VERSION" wasm-bindgen
  need_wasm_split
  need_npm esbuild "$ESBUILD_VERSION"
  need_wasm_opt
  need_npm swagger-ui-dist "$SWAGGER_UI_VERSION"
  need_apt brotli=brotli # precompressed copies of dist/ (scripts/dist.sh)
  # The server's WebAuthn (webauthn-rs) builds on OpenSSL: its headers, found by pkg-config.
  pkg-config --exists openssl 2>/dev/null || need_apt pkg-config=pkg-config libssl-dev=__openssl_headers__
}

AIOSMTPD_VERSION="1.4.6"
SCHEMATHESIS_VERSION="4.32.5"
SCIM_TESTER_VERSION="0.5.2"
SPEC_VALIDATOR_VERSION="0.7.2"
GECKODRIVER_VERSION="0.37.1"
AXE_VERSION="4.14.1"
# make bench drives Debian's Chromium through it (no browser download).
PLAYWRIGHT_VERSION="1.65.1"

# A real SMTP server for the delivery tests, from PyPI, into .tools/py.
need_aiosmtpd() {
  if PYTHONPATH="$TOOLS/py" python3 -c "import aiosmtpd, sys; sys.exit(aiosmtpd.__version__ != '$AIOSMTPD_VERSION')" 2>/dev/null; then
    return
  fi
  say "installing aiosmtpd $AIOSMTPD_VERSION into .tools/py"
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --target "$TOOLS/py" --upgrade "aiosmtpd==$AIOSMTPD_VERSION"
}

# schemathesis and openapi-spec-validator for the contract test, in their own virtualenv
# (.tools/schemathesis): many dependencies, kept apart from everything else.
need_schemathesis() {
  local venv="$TOOLS/schemathesis"
  if "$venv/bin/st" --version 2>/dev/null | grep "$SCHEMATHESIS_VERSION" >/dev/null \
    && "$venv/bin/pip" show openapi-spec-validator 2>/dev/null | grep "^Version: $SPEC_VALIDATOR_VERSION$" >/dev/null; then
    return
  fi
  say "installing schemathesis $SCHEMATHESIS_VERSION and openapi-spec-validator $SPEC_VALIDATOR_VERSION into .tools/schemathesis"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check \
    "schemathesis==$SCHEMATHESIS_VERSION" "openapi-spec-validator==$SPEC_VALIDATOR_VERSION"
}

# scim2-tester, the SCIM 2.0 conformance tester, in its own virtualenv
# (.tools/scim2-tester), its SCIM client and models pinned with it.
need_scim_tester() {
  local venv="$TOOLS/scim2-tester"
  if "$venv/bin/pip" show scim2-tester 2>/dev/null | grep "^Version: $SCIM_TESTER_VERSION$" >/dev/null; then
    return
  fi
  say "installing scim2-tester $SCIM_TESTER_VERSION into .tools/scim2-tester"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check \
    "scim2-tester[httpx2]==$SCIM_TESTER_VERSION" "scim2-client==0.13.2" "scim2-models==0.12.3" \
    "httpx2==2.17.0"
}

# Dovecot's IMAP, POP3 and submission servers and its Lua passdb with a JSON library,
# from Debian (examples/mail/). None of them is on PATH: each is checked by its file.
need_mail() {
  [[ -x /usr/lib/dovecot/imap && -x /usr/lib/dovecot/pop3 && -x /usr/lib/dovecot/submission ]] \
    && [[ -e /usr/lib/dovecot/modules/auth/libauthdb_lua.so ]] \
    && compgen -G "/usr/lib/*/lua/5.4/cjson.so" >/dev/null \
    && command -v setpriv openssl >/dev/null && return
  need_apt dovecot-imapd=__imap__ dovecot-pop3d=__pop3__ dovecot-submissiond=__submission__ \
    dovecot-auth-lua=__lua_passdb__ lua-cjson=__cjson__ openssl=openssl
}

# OpenLDAP's server and its command-line tools, from Debian, for scripts/ldap.sh's
# throwaway directories. Debian's package would make and start a system directory of
# its own: told not to (no configuration), so none runs.
need_ldap() {
  [[ -x /usr/sbin/slapd && -x /usr/sbin/slappasswd && -x /usr/sbin/slapadd ]] \
    && command -v ldapmodify >/dev/null && return
  local sudo=""; [[ $(id -u) -eq 0 ]] || sudo="sudo"
  echo "slapd slapd/no_configuration boolean true" | $sudo debconf-set-selections
  need_apt slapd=__slapd__ ldap-utils=__ldapmodify__
}

# The demo organization's OpenID provider (examples/idp/): its npm packages, pinned by
# its package-lock.json, installed beside it; again only when the lock changed.
need_idp() {
  local dir="$ROOT/examples/idp" stamp="$ROOT/examples/idp/node_modules/.lock-installed"
  [[ -f $stamp ]] && cmp -s "$dir/package-lock.json" "$stamp" && return
  command -v node >/dev/null || need_apt nodejs=node
  say "installing the demo OpenID provider's npm packages (examples/idp)"
  npm ci --silent --no-audit --no-fund --ignore-scripts --prefix "$dir"
  cp "$dir/package-lock.json" "$stamp"
}

# What `make run-org` runs around the app: the directory and the OpenID provider.
need_org() {
  need_ldap
  need_idp
}

test_tools() {
  build_tools
  need_apt chromium=chromium chromium-driver=chromedriver firefox-esr=firefox-esr \
    oathtool=oathtool zbar-tools=zbarimg curl=curl openssl=openssl
  # WebKitGTK's MiniBrowser on a virtual display, as tested: with the fonts, GL and
  # keyboard data its packages recommend.
  need_apt --with-recommends webkit2gtk-driver=WebKitWebDriver xvfb=Xvfb
  need_cargo_tool geckodriver "$GECKODRIVER_VERSION" geckodriver --locked
  need_npm axe-core "$AXE_VERSION"
  need_aiosmtpd
  need_schemathesis
  need_scim_tester
  # PostgreSQL's server binaries (not on PATH) for scripts/pg.sh's throwaway clusters.
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need_apt postgresql=__initdb_not_on_path__
  need_mail
  need_org
}

case "${1:-build}" in
  build) build_tools ;;
  test) test_tools ;;
  mail) need_mail ;;
  ldap) need_ldap ;;
  org) need_org ;;
  bench)
    need_apt wrk=wrk brotli=brotli oathtool=oathtool curl=curl haproxy=haproxy postgresql-client=psql \
      chromium=chromium nodejs=node
    need_npm playwright-core "$PLAYWRIGHT_VERSION"
    compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need_apt postgresql=__initdb_not_on_path__
    ;;
  *) echo "usage: $0 build|test|bench|mail|ldap|org" >&2; exit 2 ;;
esac
