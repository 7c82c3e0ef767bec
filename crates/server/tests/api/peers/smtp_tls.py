"""A real SMTP server for the delivery tests: aiosmtpd speaking STARTTLS (required) or
implicit TLS, with AUTH that accepts one user and nothing else; messages land in a
Maildir. Prints "ready" once listening; stops when its standard input closes.

usage: smtp_tls.py PORT MAILDIR CERT KEY USER PASSWORD starttls|implicit
"""
import ssl
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import AuthResult, LoginPassword

port, maildir, cert, key, user, password, mode = sys.argv[1:8]
tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
tls.load_cert_chain(cert, key)


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == user.encode()
        and auth_data.password == password.encode()
    )
    # handled=False: aiosmtpd answers the failure (535) itself.
    return AuthResult(success=ok, handled=False)


options = dict(
    hostname="127.0.0.1",
    port=int(port),
    authenticator=authenticator,
    auth_required=True,
    auth_exclude_mechanism=["LOGIN"],
)
if mode == "starttls":
    options.update(tls_context=tls, require_starttls=True)
else:
    # The whole connection is TLS: AUTH is safe from the first command.
    options.update(ssl_context=tls, auth_require_tls=False)
controller = Controller(Mailbox(maildir), **options)
controller.start()
print("ready", flush=True)
sys.stdin.read()
controller.stop()
