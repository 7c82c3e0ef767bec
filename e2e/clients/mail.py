"""A mail client, as the e2e tests use one against the real Dovecot: Python's own
imaplib, poplib and smtplib, connecting from a chosen loopback address (so the server
sees many clients), then STARTTLS, trusting the server's certificate CA, then the
password.

    mail.py imap|pop3 PORT FROM CA USER PASSWORD
    mail.py submit PORT FROM CA USER PASSWORD   (AUTH PLAIN, then a message to the user)

Prints one line: `OK <what the server showed>` or `NO <the server's refusal>`.
"""
import imaplib
import poplib
import smtplib
import socket
import ssl
import sys
from email.message import EmailMessage

kind, port, source, ca, user, password = sys.argv[1], int(sys.argv[2]), *sys.argv[3:7]
HOST = "127.0.0.1"
TLS = ssl.create_default_context(cafile=ca)


def connect(timeout):
    return socket.create_connection((HOST, port), timeout, source_address=(source, 0))


class Imap(imaplib.IMAP4):
    def _create_socket(self, timeout):
        return connect(timeout)


class Pop(poplib.POP3):
    def _create_socket(self, timeout):
        return connect(timeout)


try:
    if kind == "imap":
        client = Imap(HOST, port, timeout=30)
        client.starttls(TLS)
        client.login(user, password)
        _, boxes = client.list()
        client.logout()
        print("OK", b" ".join(boxes).decode())
    elif kind == "pop3":
        client = Pop(HOST, port, timeout=30)
        client.stls(TLS)
        client.user(user)
        client.pass_(password)
        count, _ = client.stat()
        client.quit()
        print("OK", count, "messages")
    elif kind == "submit":
        client = smtplib.SMTP(HOST, port, timeout=30, source_address=(source, 0))
        client.starttls(context=TLS)
        client.login(user, password)
        message = EmailMessage()
        message["From"] = message["To"] = user
        message["Subject"] = "Sent with an app password"
        message.set_content("Submitted over SMTP with an app password.")
        client.send_message(message)
        client.quit()
        print("OK sent")
    else:
        sys.exit(f"unknown kind {kind}")
except (imaplib.IMAP4.error, poplib.error_proto, smtplib.SMTPException) as refused:
    print("NO", refused)
