#!/usr/bin/env python3
"""Test-only Docker registry token service (python3 stdlib + openssl CLI).

    token-server.py --port-file F --key KEY.pem --cert CERT.pem \
        --issuer ISS --service SVC --user USER [--refresh-token TOKEN] [--log FILE]
        [--wrong-audience-user NAME] [--huge-user NAME]
    token-server.py --stall --port-file F

Listens on 127.0.0.1 (port 0: the kernel picks; the port is written to
--port-file once listening). The password is read from the environment
variable TOKEN_SERVER_PASS so it does not show in ps.

GET  /token  Basic auth must match USER / password; issues an RS256 JWT
             (kid = libtrust fingerprint of CERT's key, as docker-registry
             expects) with an `access` claim for each requested scope. With
             offline_token=true the reply also carries --refresh-token.
POST /token  grant_type=refresh_token with refresh_token == --refresh-token
             (docker's identity-token flow); issues an access_token.
Anything else gets 401 {"details": ...} or 404. --wrong-audience-user NAME
(same password) gets tokens for another service, which the registry refuses;
--huge-user NAME gets a 2 MiB chunked reply (no Content-Length), past any
client read limit.

Each request is logged (one JSON object per line) without secrets: method,
path, query keys/values except secrets, whether Basic auth was sent.

--stall accepts connections and never answers (for timeout tests).
"""
import argparse
import base64
import hashlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def libtrust_kid(cert_path):
    pub = subprocess.run(["openssl", "x509", "-in", cert_path, "-pubkey", "-noout"],
                         check=True, capture_output=True).stdout
    der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "DER"], input=pub,
                         check=True, capture_output=True).stdout
    enc = base64.b32encode(hashlib.sha256(der).digest()[:30]).decode().rstrip("=")
    return ":".join(enc[i:i + 4] for i in range(0, len(enc), 4))


def parse_scope(scope):
    # repository:name:pull,push  (the name may contain ':' only before the last one)
    parts = scope.rsplit(":", 1)
    kind_name = parts[0].split(":", 1)
    if len(parts) != 2 or len(kind_name) != 2:
        return None
    return {"type": kind_name[0], "name": kind_name[1],
            "actions": [a for a in parts[1].split(",") if a]}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    cfg = None

    def log_message(self, fmt, *args):  # quiet: our own log below
        pass

    def record(self, **kw):
        if not self.cfg.log:
            return
        with open(self.cfg.log, "a") as f:
            f.write(json.dumps(dict(method=self.command, path=self.path.split("?")[0], **kw)) + "\n")

    def reply(self, code, obj):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def huge(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        chunk = b"a" * 65536
        self.wfile.write(b'%x\r\n{"token":"\r\n' % 10)
        try:
            for _ in range(32):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.write(b'2\r\n"}\r\n0\r\n\r\n')
        except OSError:
            pass  # the client hung up at its limit, as it should

    def basic_ok(self):
        h = self.headers.get("Authorization", "")
        if not h.lower().startswith("basic "):
            return False, False
        try:
            user, _, pw = base64.b64decode(h[6:]).decode().partition(":")
        except Exception:
            return True, False
        return True, bool(user) and user in (self.cfg.user, self.cfg.wrong_audience_user, self.cfg.huge_user) \
            and pw == self.cfg.password

    def issue(self, sub, scopes, aud=None):
        now = int(time.time())
        header = {"typ": "JWT", "alg": "RS256", "kid": self.cfg.kid}
        access = [a for a in (parse_scope(s) for s in scopes) if a]
        claims = {"iss": self.cfg.issuer, "sub": sub, "aud": aud or self.cfg.service,
                  "exp": now + 300, "nbf": now - 10, "iat": now,
                  "jti": b64url(os.urandom(12)), "access": access}
        signing_input = (b64url(json.dumps(header).encode()) + "." +
                         b64url(json.dumps(claims).encode())).encode()
        sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", self.cfg.key],
                             input=signing_input, check=True, capture_output=True).stdout
        return signing_input.decode() + "." + b64url(sig)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        sent, ok = self.basic_ok()
        self.record(query={k: v for k, v in q.items()}, basic=sent)
        if url.path != "/token":
            return self.reply(404, {"details": "not found"})
        if not ok:
            return self.reply(401, {"details": "incorrect username or password"})
        user = base64.b64decode(self.headers["Authorization"][6:]).decode().partition(":")[0]
        if user == self.cfg.huge_user:
            return self.huge()
        aud = "not-" + self.cfg.service if user == self.cfg.wrong_audience_user else None
        tok = self.issue(user, q.get("scope", []), aud)
        out = {"token": tok, "access_token": tok, "expires_in": 300,
               "issued_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        if q.get("offline_token") == ["true"] and self.cfg.refresh_token:
            out["refresh_token"] = self.cfg.refresh_token
        self.reply(200, out)

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        form = urllib.parse.parse_qs(self.rfile.read(min(n, 65536)).decode(),
                                     keep_blank_values=True)
        self.record(form={k: v for k, v in form.items() if k not in ("refresh_token", "password")},
                    basic=self.basic_ok()[0])
        if urllib.parse.urlsplit(self.path).path != "/token":
            return self.reply(404, {"details": "not found"})
        good = (self.cfg.refresh_token and form.get("grant_type") == ["refresh_token"]
                and form.get("refresh_token") == [self.cfg.refresh_token])
        if not good:
            return self.reply(401, {"details": "invalid refresh token"})
        scopes = " ".join(form.get("scope", [""])).split()
        tok = self.issue(self.cfg.user, scopes)
        self.reply(200, {"access_token": tok, "expires_in": 300, "scope": " ".join(scopes)})


def stall(port_file):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    with open(port_file + ".tmp", "w") as f:
        f.write(str(s.getsockname()[1]))
    os.rename(port_file + ".tmp", port_file)
    held = []
    while True:
        conn, _ = s.accept()
        held.append(conn)  # never read, never answer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--stall", action="store_true")
    ap.add_argument("--key")
    ap.add_argument("--cert")
    ap.add_argument("--issuer")
    ap.add_argument("--service")
    ap.add_argument("--user")
    ap.add_argument("--refresh-token", default="")
    ap.add_argument("--log", default="")
    ap.add_argument("--wrong-audience-user", default="")
    ap.add_argument("--huge-user", default="")
    cfg = ap.parse_args()
    if cfg.stall:
        return stall(cfg.port_file)
    for need in ("key", "cert", "issuer", "service", "user"):
        if not getattr(cfg, need):
            ap.error("--" + need + " is required")
    cfg.password = os.environ.get("TOKEN_SERVER_PASS", "")
    if not cfg.password:
        ap.error("TOKEN_SERVER_PASS is not set")
    cfg.kid = libtrust_kid(cfg.cert)
    Handler.cfg = cfg
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    with open(cfg.port_file + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(cfg.port_file + ".tmp", cfg.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
