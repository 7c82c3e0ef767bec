"""Schemathesis hooks for the contract test: a session that signed in AND proved MFA
(the demo account enrolls an authenticator app the first time), so the routes behind
step-up are exercised, not just refused.

Environment: CONTRACT_BASE (the server's base URL), CONTRACT_CLOCK (unix seconds of the
server's clock, when it is a test clock), CONTRACT_MAIL_SECRET (the shared secret a mail
server sends to /v1/legacy/verify), CONTRACT_ADMIN_CREDENTIAL (a portal's admin
credential: it mints the admin token /v1/admin/ routes take), CONTRACT_SCIM_SECRET (an
identity system's SCIM secret: /scim/v2/ takes it and nothing else).
"""
import base64
import hashlib
import hmac
import json
import os
import struct
import time
import re
import urllib.parse
import urllib.request
import uuid

import schemathesis

BASE = os.environ["CONTRACT_BASE"]
USER = {"username": "new.user@contoso.example", "password": "Demo-new-2026"}


def _post(path, body, token=None):
    req = urllib.request.Request(BASE + path, data=json.dumps(body).encode(), method="POST")
    req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", "Bearer " + token)
    with urllib.request.urlopen(req) as res:
        return json.loads(res.read() or b"null")


def _totp(secret_b32, step_offset=0):
    """RFC 6238, SHA-1, 6 digits, 30 s: the code at the server's time."""
    now = int(os.environ.get("CONTRACT_CLOCK") or time.time())
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    counter = struct.pack(">Q", now // 30 + step_offset)
    digest = hmac.new(key, counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


_secret = None


def mfa_session():
    """Signs in and proves the authenticator; returns the rotated token."""
    global _secret
    session = _post("/v1/sessions", USER)
    token = session["token"]
    if _secret is None:
        enrollment = _post("/v1/mfa/enrollments", {"kind": "totp"}, token)
        _secret = enrollment["secret"]
        verified = _post(f"/v1/mfa/enrollments/{enrollment['id']}/verify", {"code": _totp(_secret)}, token)
        return verified["token"]
    method = session["account"]["methods"][0]["id"]
    challenge = _post("/v1/mfa/challenges", {"method_id": method}, token)
    # Each TOTP step is accepted once per method: use the next one (the server allows ±1).
    verified = _post(f"/v1/mfa/challenges/{challenge['id']}/verify", {"code": _totp(_secret, 1)}, token)
    return verified["token"]


def admin_token():
    req = urllib.request.Request(BASE + "/v1/admin/sessions", data=json.dumps({"actor": "contract test"}).encode(), method="POST")
    req.add_header("content-type", "application/json")
    req.add_header("authorization", "Bearer " + os.environ["CONTRACT_ADMIN_CREDENTIAL"])
    with urllib.request.urlopen(req) as res:
        return json.loads(res.read())["token"]


_scim = None


def _scim_id():
    """The run's person's SCIM id (asked once)."""
    global _scim
    if _scim is None:
        query = urllib.parse.urlencode({"filter": f'userName eq "{USER["username"]}"'})
        req = urllib.request.Request(BASE + "/scim/v2/Users?" + query)
        req.add_header("authorization", "Bearer " + os.environ["CONTRACT_SCIM_SECRET"])
        with urllib.request.urlopen(req) as res:
            _scim = json.loads(res.read())["Resources"][0]["id"]
    return _scim


def plain_session():
    """A session of its own (password only), for the call that ends a session."""
    return _post("/v1/sessions", USER)["token"]


def legacy_credentials(token):
    """An app password for the legacy endpoint, made with the proven session."""
    created = _post("/v1/app-passwords", {"name": "contract test"}, token)
    pair = f"{USER['username']}:{created['password']}".encode()
    return "Basic " + base64.b64encode(pair).decode()


# One proven session for the whole run: a TOTP step is accepted once, so proofs cannot be
# repeated at will, and a 401 (a wrong password, a revoked app password) is an answer
# under test here, not a sign that the session died (retry_on=[]). Signing out gets a
# session of its own, so the run's survives; the legacy endpoint gets an app password.
_KEY = re.compile(r"[\x20-\x7e]*[\x21-\x7e][\x20-\x7e]*")


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    """A well-formed Idempotency-Key is made unique per request. A fuzzer repeats short
    keys across unrelated requests, which no client does (keys are 128-bit random), and
    the server rightly answers a repeated key with the first answer, even for a password
    revoked since; replays are tested in the API tests. Malformed keys pass unchanged."""
    headers = case.headers or {}
    for name in list(headers):
        if name.lower() == "idempotency-key" and _KEY.fullmatch(str(headers[name])):
            headers[name] = f"{headers[name]}-{uuid.uuid4().hex}"


@schemathesis.auth(refresh_interval=3600, retry_on=[])
class ProvenSession:
    def get(self, case, ctx):
        token = mfa_session()
        return {"bearer": token, "basic": legacy_credentials(token), "admin": admin_token()}

    def set(self, case, data, ctx):
        path, method = case.operation.path, case.method.upper()
        if path == "/v1/sessions" or path == "/v1/health" or path == "/v1/demo/outbox":
            return
        if path.startswith("/scim/v2/"):
            # Provisioning: the identity system's secret. It must not end the run's
            # person (a DELETE or `active: false` ends every session, and nothing behind
            # one would be fuzzed after): the fuzzer learns ids from lists, so the run's
            # person's id is swapped for one that names no one.
            header = "Bearer " + os.environ["CONTRACT_SCIM_SECRET"]
            params = case.path_parameters or {}
            if path.startswith("/scim/v2/Users/") and params.get("id") == _scim_id():
                params["id"] = "0"
        elif path == "/v1/legacy/whoami":
            header = data["basic"]
        elif path == "/v1/legacy/verify":
            header = "Bearer " + os.environ["CONTRACT_MAIL_SECRET"]
        elif path == "/v1/admin/sessions" or path == "/v1/token":
            # The token exchange takes the portal's credential itself too.
            header = "Bearer " + os.environ["CONTRACT_ADMIN_CREDENTIAL"]
        elif path == "/v1/admin/sessions/current":
            # Ending an admin token gets a token of its own, so the run's survives.
            header = "Bearer " + admin_token()
        elif path.startswith("/v1/admin/"):
            header = "Bearer " + data["admin"]
            # The helpdesk acts on another demo account than the run's person: the
            # document names the demo accounts, and a reset of the person's (every
            # session ended) would leave every later call of the person's to answer 401,
            # so nothing behind a signed-in session would be fuzzed past that point.
            # (Path parameters come percent-encoded.)
            params = case.path_parameters or {}
            named = str(params.get("username", ""))
            if urllib.parse.unquote(named) == USER["username"]:
                params["username"] = named.replace("new.user", "no.apppw")
        elif method == "DELETE" and path == "/v1/sessions/current":
            header = "Bearer " + plain_session()
        else:
            header = "Bearer " + data["bearer"]
        case.headers = case.headers or {}
        case.headers["Authorization"] = header
