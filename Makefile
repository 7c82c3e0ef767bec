# Two commands: `make run` and `make test`. Everything else is what they are made of.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := run

TOOLS    := $(CURDIR)/.tools
export PATH := $(TOOLS)/bin:$(TOOLS)/node_modules/.bin:$(PATH)
WASM     := --target wasm32-unknown-unknown
SERVER   := app-passwords-server
NATIVE   := -p app-passwords-wire -p $(SERVER) -p app-passwords-prerender -p app-passwords-e2e


.PHONY: run run-org test build tools test-tools lint fmt test-native test-sqlite test-pg test-wasm test-e2e e2e e2e-ready bench clean openapi mail

## make run: install what is missing, build the app, serve app + API on http://127.0.0.1:8080
run: tools build
	cargo run --profile server -p $(SERVER) -- serve --demo --portal-port 8081

## make run-org: `make run` with the demo organization's directory (docs/directory.md)
## and its OpenID provider (docs/sso.md): a real OpenLDAP (slapd from Debian, installed
## when missing; scripts/ldap.sh) on 127.0.0.1:1389, kept in data/ldap, holding
## examples/directory/contoso.ldif, and panva's oidc-provider (examples/idp/,
## scripts/idp.sh) on 127.0.0.1:9400, kept in data/idp; its people
## (ada.lovelace@contoso.example, grace.hopper@contoso.example, password Demo-dir-2026)
## sign in with their password or through the provider, beside the demo's local
## accounts; the example portal (http://localhost:8081) signs them in there too and
## hands them to the module. Stopped with the server.
ORG := APP_DIRECTORY_URL=ldap://127.0.0.1:1389 \
  APP_DIRECTORY_BIND_DN=cn=app-passwords,ou=services,dc=contoso,dc=example \
  APP_DIRECTORY_BIND_PASSWORD_FILE=data/ldap/service.secret \
  APP_DIRECTORY_BASE=dc=contoso,dc=example \
  APP_DIRECTORY_MFA_GROUP=cn=mfa-required,ou=groups,dc=contoso,dc=example \
  APP_DIRECTORY_APP_PASSWORDS_OFF_GROUP=cn=app-passwords-off,ou=groups,dc=contoso,dc=example \
  APP_SSO_ISSUER=http://127.0.0.1:9400 APP_SSO_CLIENT_ID=app-passwords \
  APP_SSO_CLIENT_SECRET_FILE=data/idp/client.secret APP_SSO_MFA_AMR=mfa,otp,hwk,swk \
  APP_PORTAL_SSO_CLIENT_ID=portal APP_PORTAL_SSO_CLIENT_SECRET_FILE=data/idp/portal.secret
run-org: tools build
	scripts/tools.sh org
	mkdir -p data && scripts/ldap.sh up data/ldap 1389
	scripts/idp.sh up data/idp 9400 data/ldap http://localhost:8080/ http://localhost:8081
	trap 'scripts/idp.sh stop data/idp; scripts/ldap.sh stop data/ldap' EXIT; \
	  $(ORG) cargo run --profile server -p $(SERVER) -- serve --demo --portal-port 8081

## make mail: a real mail server beside `make run` (in another terminal): Dovecot
## (examples/mail/) in the foreground on 127.0.0.1, IMAP 1143, POP3 1110, submission
## 1587 (STARTTLS, a throwaway certificate), every password asked of the endpoint on
## 127.0.0.1:8080. Installs Dovecot from Debian when missing.
mail:
	scripts/tools.sh mail
	scripts/mail.sh run data/mail

## make test: install what is missing, then every check and test suite. The API suite's
## two passes (SQLite, PostgreSQL), the app's browser tests and the release build run
## side by side (they share no server, port or file; each waits on its own services,
## sleeps and browsers part of the time; each one's output is printed whole when it
## ends), then the end-to-end suite over that build, which keeps the CPU busy alone.
test: test-tools lint
	$(MAKE) --no-print-directory -j4 --output-sync=target test-sqlite test-pg test-wasm e2e-ready
	$(MAKE) --no-print-directory e2e
	@echo "make test: all suites passed"

tools:
	scripts/tools.sh build

test-tools:
	scripts/tools.sh test

## The release bundle in dist/, built offline by Trunk with wasm-opt -Oz (content-hashed
## names), its screens after sign-in split into a chunk fetched on demand (src/lazy.rs;
## the chunk left in target/split), and the admin mode's own bundle in dist/admin/
## (admin.html, --features admin); both with Trunk's wasm-bindgen wrapped by
## scripts/bundle/ (the split, short import names, a minified JS glue), then
## finished by scripts/dist.sh: the chunk beside the bundle, the sign-in screen drawn
## into index.html and the embedding entry (crates/prerender), the entry bundled with the
## hashed names and the stylesheet, the API documentation viewer in dist/api-docs/,
## brotli and gzip.
##
## The wasm's panic locations name each crate by where Cargo keeps its source: the
## registry's part of those paths is left out (--remap-path-prefix), 155 B of the first
## visit once brotli'd (~40 locations of ~60 bytes each).
REMAP := for d in $${CARGO_HOME:-$$HOME/.cargo}/registry/src/*/; do printf -- '--remap-path-prefix=%s= ' "$$d"; done
WASM_RELEASE := CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="$$($(REMAP))" PATH=$(CURDIR)/scripts/bundle:$$PATH
##
## Remade only when something it is made from has changed (scripts/build.sh).
build: tools
	APP_SPLIT_OUT=$(CURDIR)/target/split $(WASM_RELEASE) scripts/build.sh

lint:
	cargo fmt --all -- --check
	cargo clippy $(NATIVE) --all-targets -- -D warnings
	cargo clippy -p app-passwords $(WASM) --all-targets -- -D warnings
	cargo clippy -p app-passwords $(WASM) --features admin,split --all-targets -- -D warnings

fmt:
	cargo fmt --all

## The app's reducer on its own (native, no browser); the sign-in screen drawn at build
## time (crates/prerender); the server's tests on SQLite (test-sqlite), then the whole
## API suite (attacks, replicas, contract included) again on a throwaway PostgreSQL
## cluster (test-pg, scripts/pg.sh).
test-native: test-sqlite test-pg

test-sqlite: test-tools
	cargo test -p app-passwords --lib --features admin
	cargo test -p app-passwords-prerender
	APP_TEST_PYTHONPATH=$(TOOLS)/py cargo test -p app-passwords-wire -p $(SERVER)

test-pg: test-tools
	APP_TEST_PYTHONPATH=$(TOOLS)/py scripts/pg.sh run cargo test -p $(SERVER) --test api -- --include-ignored

## The release build served by the real server, driven in real browsers over WebDriver
## (and a real Dovecot); screenshots of every step land in e2e/artifacts/. The tests
## mostly wait on browsers: cargo-nextest (on every machine of this kind) runs four at
## once across the test files, the longest first (.config/nextest.toml); without it,
## cargo test runs one file after another.
E2E_RUN := $(shell cargo nextest --version >/dev/null 2>&1 && echo "cargo nextest run --test-threads 4" || echo "cargo test")
test-e2e: test-tools build
	$(MAKE) --no-print-directory e2e

# The end-to-end suite over the bundle in dist/ as it is (test-e2e builds it first).
e2e:
	$(E2E_RUN) -p app-passwords-e2e

# The bundle, then the e2e tests compiled (not run): in make test, while the API suites
# run, rather than after them.
E2E_BUILD := $(shell cargo nextest --version >/dev/null 2>&1 && echo "cargo nextest run --no-run" || echo "cargo test --no-run")
e2e-ready: build
	$(E2E_BUILD) -p app-passwords-e2e

## The app's browser tests (the helpdesk view's too), in headless Chromium, then in
## headless Firefox (the runner
## and Chromium's driver are set in .cargo/config.toml; GECKODRIVER takes precedence).
test-wasm: test-tools
	cargo test -p app-passwords $(WASM) --features admin
	GECKODRIVER=$(TOOLS)/bin/geckodriver cargo test -p app-passwords $(WASM) --features admin

## Regenerates crates/server/openapi.json from the code (commit the result).
openapi:
	UPDATE_OPENAPI=1 cargo test -p $(SERVER) --test api openapi

## make bench: bundle transfer size, page load in a real browser (loopback and mobile)
## against a bare Yew page built alike, sign-in latency, legacy-verification throughput,
## the password spray; `make bench PART=pages` (or sizes, legacy, spray) runs one part,
## with everything it needs built and installed (scripts/bench.sh)
ifneq ($(filter-out sizes pages legacy spray,$(PART)),)
$(error PART=$(PART): make bench has the parts sizes, pages, legacy and spray)
endif
bench: build
	scripts/tools.sh bench
	scripts/tools.sh ldap
	cargo build --profile server -p $(SERVER)
	cd bench/bare && $(WASM_RELEASE) trunk build --release --offline
	scripts/dist.sh compress bench/bare/dist
	scripts/bench.sh $(PART)

clean:
	rm -rf dist target
