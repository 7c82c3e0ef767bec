"""A password spray against two replicas, with real people at work meanwhile (make bench).

Usage: spray.py BASE DATABASE_URL MAIL_SECRET_FILE LABEL REPLICA...

BASE is the proxy in front of the replicas (which trust it for X-Forwarded-For), so that
each request can come from an address of its own. The database gets 10,000 people (the
demo new user's password and policy, MFA required); the first 60 are the real people: each
signs in once from an address of their own (which becomes familiar), registers an
authenticator app and creates an app password. Then, twice (without the spray, and with
it): each real person signs in from that address, answers an MFA challenge with their
app and creates an app password, while mail clients check the real people's app
passwords flat out at the legacy door; with the spray, wrk sends at the same time wrong
passwords for random names of the 10,000 (the real people among them) from 1,000
addresses, half at the web sign-in, half at the legacy door. Prints one line per phase
and how many guesses the servers evaluated against the budgets that bound them.
"""

import base64
import hashlib
import hmac
import http.client
import json
import os
import re
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

BASE, DATABASE_URL, MAIL_SECRET_FILE, LABEL = sys.argv[1:5]
REPLICAS = sys.argv[5:]
PEOPLE, REAL = 10_000, 60
PASSWORD = "Demo-new-2026"  # the demo new user's, whose hash every person gets
SPRAY_ADDRESSES = 1_000
MAIL_SECONDS = 12
ADDRESS_LIMIT, LEGACY_ADDRESS_LIMIT = 30, 60  # the defaults the servers run with
HOST, PORT = urllib.parse.urlsplit(BASE).hostname, urllib.parse.urlsplit(BASE).port
MAIL_SECRET = open(MAIL_SECRET_FILE).read().strip()


def name(n):
    return f"person{n}@contoso.example"


def psql(sql):
    out = subprocess.run(["psql", "-qtA", DATABASE_URL, "-c", sql], check=True, capture_output=True, text=True)
    return out.stdout.strip()


def totp(secret, step):
    key = base64.b32decode(secret.replace(" ", "").upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000)


class Client:
    """One keep-alive connection; requests from `address` (X-Forwarded-For)."""

    def __init__(self, address):
        self.conn = http.client.HTTPConnection(HOST, PORT, timeout=60)
        self.address = address
        self.token = None

    def call(self, method, path, body=None):
        headers = {"content-type": "application/json", "x-forwarded-for": self.address}
        if self.token:
            headers["authorization"] = f"Bearer {self.token}"
        started = time.perf_counter()
        self.conn.request(method, path, json.dumps(body) if body is not None else None, headers)
        res = self.conn.getresponse()
        data = res.read()
        elapsed = (time.perf_counter() - started) * 1000
        return res.status, (json.loads(data) if data else None), elapsed


class Person:
    def __init__(self, n):
        self.n, self.address = n, f"198.51.100.{n}"
        self.secret = self.method = self.app_password = None
        self.last_step = 0

    def code(self):
        """A TOTP code for a step the server has not taken from this person yet."""
        while True:
            now = int(time.time()) // 30
            step = max(self.last_step + 1, now - 1)
            if step <= now + 1:
                self.last_step = step
                return totp(self.secret, step)
            time.sleep(1)

    def set_up(self):
        c = Client(self.address)
        status, session, _ = c.call("POST", "/v1/sessions", {"username": name(self.n), "password": PASSWORD})
        assert status == 201, (status, session)
        c.token = session["token"]
        status, e, _ = c.call("POST", "/v1/mfa/enrollments", {"kind": "totp"})
        assert status == 201, (status, e)
        self.secret = e["secret"]
        status, v, _ = c.call("POST", f"/v1/mfa/enrollments/{e['id']}/verify", {"code": self.code()})
        assert status == 200, (status, v)
        c.token = v["token"]
        self.method = v["account"]["methods"][0]["id"] if "account" in v else None
        status, p, _ = c.call("POST", "/v1/app-passwords", {"name": "Mail"})
        assert status == 201, (status, p)
        self.app_password = p["password"]

    def journey(self, label):
        """Signs in, answers a challenge, creates an app password: (sign-in ms, journey ms, ok)."""
        c = Client(self.address)
        started = time.perf_counter()
        status, session, sign_in_ms = c.call("POST", "/v1/sessions", {"username": name(self.n), "password": PASSWORD})
        if status != 201:
            return sign_in_ms, None, f"sign-in {status} {session and session.get('code')}"
        c.token = session["token"]
        method = self.method or session["account"]["methods"][0]["id"]
        status, ch, _ = c.call("POST", "/v1/mfa/challenges", {"method_id": method})
        if status != 201:
            return sign_in_ms, None, f"challenge {status} {ch and ch.get('code')}"
        status, v, _ = c.call("POST", f"/v1/mfa/challenges/{ch['id']}/verify", {"code": self.code()})
        if status != 200:
            return sign_in_ms, None, f"verify {status} {v and v.get('code')}"
        c.token = v["token"]
        status, p, _ = c.call("POST", "/v1/app-passwords", {"name": f"{label} {time.time_ns()}"})
        if status != 201:
            return sign_in_ms, None, f"create {status} {p and p.get('code')}"
        return sign_in_ms, (time.perf_counter() - started) * 1000, None


def in_threads(items, work, threads):
    results, lock, queue = [], threading.Lock(), list(items)

    def run():
        while True:
            with lock:
                if not queue:
                    return
                item = queue.pop(0)
            r = work(item)
            with lock:
                results.append(r)

    pool = [threading.Thread(target=run) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return results


def metrics():
    """Counters summed over the replicas: {(name, labels): value}."""
    total = {}
    for base in REPLICAS:
        u = urllib.parse.urlsplit(base)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        conn.request("GET", "/metrics")
        for line in conn.getresponse().read().decode().splitlines():
            m = re.match(r"^(app_passwords_(?:sign_ins|legacy_verifications)_total)\{result=\"(\w+)\"\} (\d+)", line)
            if m:
                key = (m[1].split("_total")[0].removeprefix("app_passwords_"), m[2])
                total[key] = total.get(key, 0) + int(m[3])
    return total


WRK_COUNT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) valid = 0; other = 0 end
function response(status, headers, body)
  if status == 200 and body:find('"valid":true', 1, true) then valid = valid + 1 else other = other + 1 end
end
function done(summary, latency, requests)
  local v, o = 0, 0
  for _, t in ipairs(threads) do v = v + t:get("valid"); o = o + t:get("other") end
  io.write(string.format("VALID %d OTHER %d\\n", v, o))
end
"""


def mail_clients(people, work):
    """wrk on the legacy door with the real people's app passwords: (valid/s, others)."""
    bodies = [
        json.dumps({"username": name(p.n), "password": p.app_password, "protocol": "imap", "client": f"192.0.2.{p.n}"})
        for p in people
    ]
    script = os.path.join(work, "mail.lua")
    with open(script, "w") as f:
        f.write("local bodies = {" + ",".join(json.dumps(b) for b in bodies) + "}\n")
        f.write("local n = 0\n")
        f.write(
            "request = function() n = n + 1; return wrk.format('POST', '/v1/legacy/verify', "
            f"{{['content-type'] = 'application/json', ['authorization'] = 'Bearer {MAIL_SECRET}'}}, "
            "bodies[n % #bodies + 1]) end\n"
        )
        f.write(WRK_COUNT)
    out = subprocess.run(
        ["wrk", "-t2", "-c16", f"-d{MAIL_SECONDS}s", "-s", script, BASE], check=True, capture_output=True, text=True
    ).stdout
    m = re.search(r"VALID (\d+) OTHER (\d+)", out)
    return int(m[1]) / MAIL_SECONDS, int(m[2])


def spray(work, door):
    """wrk sending wrong passwords for random names of the 10,000 from 1,000 addresses, flat
    out at one door (`sessions` or `legacy`), until interrupted."""
    script = os.path.join(work, f"spray-{door}.lua")
    web = f"""
  return wrk.format("POST", "/v1/sessions",
    {{["content-type"] = "application/json", ["x-forwarded-for"] = address}},
    string.format('{{"username":"%s","password":"Spring%d!"}}', person, n))"""
    legacy = f"""
  return wrk.format("POST", "/v1/legacy/verify",
    {{["content-type"] = "application/json", ["authorization"] = "Bearer {MAIL_SECRET}"}},
    string.format('{{"username":"%s","password":"guess%d","protocol":"imap","client":"%s"}}', person, n, address))"""
    with open(script, "w") as f:
        f.write(
            f"""
math.randomseed(os.time() + (tonumber(tostring({{}}):match("0x(%x+)"), 16) or 0))
local n = 0
request = function()
  n = n + 1
  local a = math.random(0, {SPRAY_ADDRESSES - 1})
  local address = string.format("10.%d.%d.%d", math.floor(a / 250), a % 250, 7)
  local person = string.format("person%d@contoso.example", math.random(1, {PEOPLE}))
{web if door == "sessions" else legacy}
end
"""
        )
    return subprocess.Popen(
        ["wrk", "-t1", "-c32", "-d600s", "--timeout", "10s", "-s", script, BASE],
        stdout=subprocess.PIPE,
        text=True,
    )


def stop(sprayer):
    """Interrupts a spray's wrk (it then prints its figures): its answers per second."""
    sprayer.send_signal(signal.SIGINT)
    m = re.search(r"Requests/sec:\s+([\d.]+)", sprayer.communicate()[0])
    return float(m[1]) if m else 0.0


UNLOADED = {}


def row(measure, figure, goal):
    """A row of make bench's table (BENCH_TABLE), when there is one."""
    if os.environ.get("BENCH_TABLE"):
        with open(os.environ["BENCH_TABLE"], "a") as f:
            f.write(f"{measure}\t{figure}\t{goal}\n")


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p / 100))]


def phase(people, label, with_spray, work):
    before = metrics()
    sprayers = [spray(work, door) for door in ("sessions", "legacy")] if with_spray else []
    if sprayers:
        time.sleep(3)  # the spray at full speed before the people come
    mail = {}
    mailer = threading.Thread(target=lambda: mail.update(zip(("rate", "other"), mail_clients(people, work))))
    mailer.start()
    journeys = in_threads(people, lambda p: p.journey(label), 6)
    mailer.join()
    rates = [stop(s) for s in sprayers]
    after = metrics()
    delta = {k: after.get(k, 0) - before.get(k, 0) for k in after}
    sign_ins = [j[0] for j in journeys]
    whole = [j[1] for j in journeys if j[1] is not None]
    failed = [j[2] for j in journeys if j[2]]
    print(
        f"{LABEL:7} {label:11} web sign-in p50 {statistics.median(sign_ins):6.0f} ms p99 {pct(sign_ins, 99):6.0f} ms"
        f" | journeys {len(whole)}/{len(journeys)} p50 {statistics.median(whole) if whole else 0:6.0f} ms"
        f" p99 {pct(whole, 99) if whole else 0:6.0f} ms"
        f" | mail clients {mail['rate']:7.0f} right/s ({mail['other']} refused)",
        flush=True,
    )
    for f in sorted(set(failed)):
        print(f"        failed: {f} x{failed.count(f)}")
    row(f"spray ({LABEL} locks), {label}: real web sign-in p50 / p99", f"{statistics.median(sign_ins):.0f} / {pct(sign_ins, 99):.0f} ms", "p99 <= 1000 ms")
    row(f"spray ({LABEL} locks), {label}: real journeys that succeeded", f"{len(whole)} of {len(journeys)}", "all")
    row(f"spray ({LABEL} locks), {label}: mail clients, right app password", f"{mail['rate']:.0f}/s", "")
    UNLOADED.setdefault("rate", mail["rate"])
    if sprayers:
        web = delta.get(("sign_ins", "invalid"), 0)
        legacy = delta.get(("legacy_verifications", "invalid"), 0)
        counted = psql(
            "SELECT COALESCE(MAX(hits) FILTER (WHERE bucket LIKE 'signin:addr:10.%'), 0) || ' ' || "
            "COALESCE(MAX(hits) FILTER (WHERE bucket LIKE 'legacy:addr:10.%'), 0) || ' ' || "
            "COALESCE(MAX(hits) FILTER (WHERE bucket LIKE 'password:person%'), 0) FROM throttles"
        ).split()
        print(
            f"        spray answered {rates[0]:.0f} web + {rates[1]:.0f} legacy guesses/s; evaluated {web} web,"
            f" {legacy} legacy; most counted from one address {counted[0]} web (budget {ADDRESS_LIMIT}),"
            f" {counted[1]} legacy (budget {LEGACY_ADDRESS_LIMIT}); at one name {counted[2]} (budget 5)",
            flush=True,
        )
        share = round(mail["rate"] / UNLOADED["rate"] * 100)
        row(f"spray ({LABEL} locks): mail clients under the spray / without", f"{share} %", ">= 80 %")
        row(
            f"spray ({LABEL} locks): most guesses counted from one address",
            f"{counted[0]} web, {counted[1]} legacy",
            f"<= {ADDRESS_LIMIT} web, {LEGACY_ADDRESS_LIMIT} legacy",
        )


def main():
    psql(
        "INSERT INTO accounts (id, username, display_name, password_hash, mfa_required, app_passwords_allowed, "
        "allowed_methods, phishing_resistant, app_password_scopes, app_password_max_days, "
        "keep_app_passwords_on_password_change, app_password_unused_days, created_at) "
        f"SELECT 'person-' || g, 'person' || g || '@contoso.example', 'Person ' || g, password_hash, mfa_required, "
        "app_passwords_allowed, allowed_methods, phishing_resistant, app_password_scopes, app_password_max_days, "
        "keep_app_passwords_on_password_change, app_password_unused_days, created_at "
        f"FROM accounts, generate_series(1, {PEOPLE}) g WHERE username = 'new.user@contoso.example'"
    )
    people = [Person(n) for n in range(1, REAL + 1)]
    in_threads(people, Person.set_up, 4)
    with tempfile.TemporaryDirectory() as work:
        phase(people, "no spray", False, work)
        phase(people, "spray", True, work)


main()
