"""A real HTTPS endpoint for the delivery tests, standing in for a text/voice gateway:
TLS with the given certificate; each POST body is printed on one line and answered
202; a POST to /moved answers 302 to /elsewhere (which must never be reached).
Prints "ready PORT" once listening.

usage: https_gateway.py CERT KEY
"""
import http.server
import ssl
import sys

cert, key = sys.argv[1:3]


class Gateway(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        print(f"{self.path} {body.decode()}", flush=True)
        if self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "/elsewhere")
        else:
            self.send_response(202)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Gateway)
tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
tls.load_cert_chain(cert, key)
server.socket = tls.wrap_socket(server.socket, server_side=True)
print(f"ready {server.server_address[1]}", flush=True)
server.serve_forever()
