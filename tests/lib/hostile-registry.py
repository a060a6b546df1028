#!/usr/bin/env python3
"""Test-only hostile registry and token service (python3 stdlib).

A stand-in by nature: real registries do not misbehave on purpose, so the
fault tests need one that does. It listens on 127.0.0.1 only:

  A  the "registry" the client is pointed at (http)
  B  another origin (another port): it records everything it receives, raw,
     so a test can assert that no credential arrived there
  T  optional https listener (--cert/--key), a token realm to downgrade from

    hostile-registry.py --port-file F [--upstream HOST:PORT] [--log FILE]
                        [--cert CRT --key KEY]

The port file gets "A B T" (T is 0 without --cert) once listening. The mode
is switched by the test with `GET /__mode/<name>` on A (which also resets
the per-mode counters). Modes:

  login / token service (no upstream; password from env HOSTILE_PASS, user
  HOSTILE_USER, identity token HOSTILE_REFRESH):
    realm-302-other realm-307-other   the realm redirects to B
    realm-302-same realm-307-same     the realm redirects to /token2 on A
    realm-loop                        the realm redirects to itself
    realm-cleartext                   to http://192.0.2.1/ (never contacted)
    realm-ftp                         to ftp:// on B
    realm-downgrade                   the realm is https on T, which redirects
                                      to http on B
    v2-500 v2-302 v2-huge-body v2-huge-headers garbage v2-slow
  a proxy in front of --upstream (a real docker-registry), with faults:
    proxy head-lie-length head-lie-digest head-redirect (a 200 HEAD becomes a 307
    to a "storage backend" on B) range-impossible range-past-end (the first
    PATCH or PUT with a body fails, the next upload status lies)
    trickle-put (the first final PUT's answer comes one byte every 0.3 s)
    trickle-puts (every final PUT's answer does) trickle-put-each (the first
    final PUT of each blob does)
    slow-503-blobs (every blob request waits 1 s, then gets 503)
    storm (the first 3 and every 7th blob request get 503)
    storm-all huge-body-post huge-headers-head
    location-other location-ftp location-cleartext
    chunk-min chunk-min-huge (upload sessions answer OCI-Chunk-Min-Length:
    5 MiB, or 1 GiB)
    put-cut (the first PUT with a body: its first half reaches the registry
    as a PATCH of the session, the client gets a 503; its next request for
    that session goes to the URL the registry gave for the PATCH)

Each request is logged as one JSON line: listener, method, path, whether an
Authorization header came (A/T), and for B the raw headers and body.
"""
import argparse
import json
import os
import socket
import ssl
import sys
import threading
import time
import urllib.parse
import http.client
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STATE = {"mode": "proxy", "count": {}, "lock": threading.Lock()}
CFG = None
PORTS = {}


def path_only(url):
    """url without its ?digest= (what a PATCH of the same session is sent to)"""
    parts = urllib.parse.urlsplit(url)
    query = [(k, v) for k, v in urllib.parse.parse_qsl(parts.query) if k != "digest"]
    return urllib.parse.urlunsplit(("", "", parts.path, urllib.parse.urlencode(query), ""))


def bump(key):
    with STATE["lock"]:
        n = STATE["count"].get(key, 0) + 1
        STATE["count"][key] = n
        return n


def log(rec):
    if not CFG.log:
        return
    rec["t"] = round(time.time(), 3)
    with STATE["lock"]:
        with open(CFG.log, "a") as f:
            f.write(json.dumps(rec) + "\n")


class Base(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    listener = "A"

    def log_message(self, fmt, *args):
        pass

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def send(self, code, body=b"", headers=None, ctype="application/json"):
        self.send_response(code)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if ctype and body:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def jsend(self, code, obj, headers=None):
        self.send(code, json.dumps(obj).encode(), headers)

    def url(self, listener, path, scheme="http"):
        return "%s://127.0.0.1:%d%s" % (scheme, PORTS[listener], path)


class Other(Base):
    """B: records everything, gives out a worthless token, refuses the rest."""
    listener = "B"

    def handle_any(self):
        body = self.body()
        log({"listener": "B", "method": self.command, "path": self.path,
             "headers": str(self.headers), "body": body.decode("latin-1")})
        if self.path.startswith("/token"):
            self.jsend(200, {"token": "from-b"})
        elif self.path.startswith("/storage/"):
            # a storage backend answering a redirected blob HEAD
            q = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
            self.send_response(200)
            self.send_header("Content-Length", q["len"][0])
            self.end_headers()
        else:
            self.jsend(401, {"errors": [{"code": "UNAUTHORIZED", "message": "not here"}]})

    do_GET = do_POST = do_PUT = do_PATCH = do_HEAD = do_DELETE = handle_any


class Tls(Base):
    """T: an https token realm that downgrades."""
    listener = "T"

    def handle_any(self):
        self.body()
        log({"listener": "T", "method": self.command, "path": self.path,
             "auth": "Authorization" in self.headers})
        self.send(302, headers={"Location": self.url("B", "/token")})

    do_GET = do_POST = handle_any


class Hostile(Base):
    listener = "A"

    # ---- token service modes ----
    def realm(self):
        mode = STATE["mode"]
        if mode == "realm-downgrade":
            return self.url("T", "/token", "https")
        return self.url("A", "/token")

    def token_ok(self, body):
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            import base64
            user, _, pw = base64.b64decode(auth[6:]).decode().partition(":")
            return user == os.environ.get("HOSTILE_USER") and pw == os.environ.get("HOSTILE_PASS")
        form = urllib.parse.parse_qs(body.decode("latin-1"))
        return form.get("refresh_token", [""])[0] == os.environ.get("HOSTILE_REFRESH", "\0")

    def token(self, body):
        mode = STATE["mode"]
        q = urllib.parse.urlsplit(self.path).query
        targets = {
            "realm-302-other": (302, self.url("B", "/token?" + q)),
            "realm-307-other": (307, self.url("B", "/token?" + q)),
            "realm-302-same": (302, "/token2?" + q),
            "realm-307-same": (307, "/token2?" + q),
            "realm-loop": (302, "/token?" + q),
            "realm-cleartext": (302, "http://192.0.2.1/token"),
            "realm-ftp": (302, "ftp://127.0.0.1:%d/token" % PORTS["B"]),
        }
        if self.path.startswith("/token2") or mode not in targets:
            if self.token_ok(body):
                return self.jsend(200, {"token": "good"})
            return self.jsend(401, {"details": "bad credentials"})
        code, where = targets[mode]
        self.send(code, headers={"Location": where})

    def v2_login(self):
        if self.headers.get("Authorization") == "Bearer good":
            return self.jsend(200, {})
        self.jsend(401, {"errors": [{"code": "UNAUTHORIZED"}]}, {
            "WWW-Authenticate": 'Bearer realm="%s",service="hostile"' % self.realm()})

    # ---- faults that need no upstream ----
    def raw(self, data):
        self.wfile.write(data)
        self.wfile.flush()
        self.close_connection = True

    def plain_fault(self, mode):
        if mode == "v2-500":
            self.jsend(500, {"errors": [{"code": "UNKNOWN", "message": "storage on fire"}]})
        elif mode == "v2-302":
            self.send(302, headers={"Location": self.url("B", "/v2/")})
        elif mode == "v2-huge-body":
            self.send(200, b"x" * (2 << 20), ctype="text/plain")
        elif mode == "v2-huge-headers":
            self.raw(b"HTTP/1.1 200 OK\r\nX-Pad: " + b"p" * (300 << 10) +
                     b"\r\nContent-Length: 0\r\n\r\n")
        elif mode == "garbage":
            self.raw(b"\x16\x03\x01 this is not HTTP \xff\xfe\r\n\r\n" * 50)
        elif mode == "v2-slow":
            time.sleep(30)
            self.jsend(200, {})
        elif mode == "storm-all":
            self.jsend(503, {"errors": [{"code": "UNAVAILABLE", "message": "try later"}]})
        else:
            return False
        return True

    # ---- the proxy ----
    def forward(self, body, path=None, method=None):
        up = http.client.HTTPConnection(CFG.upstream, timeout=60)
        headers = {k: v for k, v in self.headers.items()
                   if k.lower() not in ("connection", "content-length", "transfer-encoding")}
        headers["Content-Length"] = str(len(body))
        up.request(method or self.command, path or self.path, body=body, headers=headers)
        resp = up.getresponse()
        data = resp.read()
        hdrs = [(k, v) for k, v in resp.getheaders()
                if k.lower() not in ("connection", "transfer-encoding", "content-length")]
        length = resp.getheader("Content-Length")
        up.close()
        return resp.status, hdrs, data, length

    def relay(self, status, hdrs, data, length=None, trickle=False):
        head = "HTTP/1.1 %d X\r\n" % status
        for k, v in hdrs:
            head += "%s: %s\r\n" % (k, v)
        if self.command == "HEAD":
            head += "Content-Length: %s\r\n" % (length or "0")
        else:
            head += "Content-Length: %d\r\n" % len(data)
        head = head.encode() + b"\r\n"
        if not trickle:
            self.wfile.write(head + (b"" if self.command == "HEAD" else data))
            return
        # slow-loris: one byte every 0.3 s, for at most 60 s
        deadline = time.time() + 60
        try:
            for i in range(len(head)):
                if time.time() > deadline:
                    break
                self.wfile.write(head[i:i + 1])
                self.wfile.flush()
                time.sleep(0.3)
        except OSError:
            pass
        self.close_connection = True

    def proxy(self, body):
        mode = STATE["mode"]
        path = urllib.parse.urlsplit(self.path).path
        blobs = "/blobs/" in path
        upload = "/blobs/uploads/" in path
        if mode == "slow-503-blobs" and blobs:
            time.sleep(1)
            return self.jsend(503, {"errors": [{"code": "UNAVAILABLE", "message": "slow"}]})
        if mode == "storm" and blobs and (lambda n: n <= 3 or n % 7 == 0)(bump("storm")):
            return self.jsend(503, {"errors": [{"code": "UNAVAILABLE", "message": "storm"}]})
        # a request carrying blob data: a PATCH, or a PUT with the body
        data_req = upload and (self.command == "PATCH" or (self.command == "PUT" and body))
        if mode in ("range-impossible", "range-past-end") and upload:
            if data_req and bump("data") == 1:
                log({"listener": "A", "event": "failed first upload request"})
                return self.jsend(500, {"errors": [{"code": "UNKNOWN", "message": "lost it"}]})
            if self.command == "GET" and bump("status") == 1:
                last = "9223372036854775806" if mode == "range-impossible" else "99999999"
                return self.send(204, headers={"Range": "0-" + last, "Location": self.path,
                                               "Docker-Upload-UUID": path.rsplit("/", 1)[-1]})
        if mode == "put-cut" and data_req and self.command == "PUT" and bump("put-cut") == 1:
            # the registry gets the first half (as a PATCH of the session),
            # the client a 503: its upload must go on from the half
            half = len(body) // 2
            st, hdrs, _, _ = self.forward(body[:half], path=path_only(self.path), method="PATCH")
            # docker-registry moved the session's state token on; a registry
            # without such tokens keeps the client's URL valid: stand in
            # for one by sending the client's next request to the new URL
            where = dict((k.lower(), v) for k, v in hdrs).get("location", "")
            STATE["moved"] = (path, urllib.parse.urlsplit(where))
            log({"listener": "A", "event": "cut the PUT after %d bytes (upstream %d)" % (half, st)})
            return self.jsend(503, {"errors": [{"code": "UNAVAILABLE", "message": "cut"}]})
        moved = STATE.get("moved")
        if mode == "put-cut" and moved and moved[0] == path:
            STATE["moved"] = None
            status, hdrs, data, length = self.forward(
                body, path=urllib.parse.urlunsplit(("", "", moved[1].path, moved[1].query, "")))
            return self.relay(status, hdrs, data, length)
        if mode == "huge-body-post" and upload and self.command == "POST":
            return self.send(202, b"y" * (4 << 20), {"Location": path + "x"}, "text/plain")
        if mode == "huge-headers-head" and blobs and self.command == "HEAD":
            return self.raw(b"HTTP/1.1 200 OK\r\nX-Pad: " + b"h" * (1 << 20) +
                            b"\r\nContent-Length: 1\r\n\r\n")
        status, hdrs, data, length = self.forward(body)
        if blobs and not upload and self.command == "HEAD" and status == 200:
            if mode == "head-redirect":
                where = self.url("B", "/storage/%s?len=%s" % (path.rsplit("/", 1)[-1], length))
                return self.send(307, headers={"Location": where})
            if mode == "head-lie-length":
                length = str(int(length or "0") + 1)
            elif mode == "head-lie-digest":
                hdrs = [(k, "sha256:" + "0" * 64 if k.lower() == "docker-content-digest" else v)
                        for k, v in hdrs]
        if upload and self.command == "POST" and status == 202:
            new = {"location-other": self.url("B", path),
                   "location-ftp": "ftp://127.0.0.1:%d%s" % (PORTS["B"], path),
                   "location-cleartext": "http://192.0.2.1" + path}.get(mode)
            if new:
                hdrs = [(k, new if k.lower() == "location" else v) for k, v in hdrs]
            if mode in ("chunk-min", "chunk-min-huge"):
                hdrs.append(("OCI-Chunk-Min-Length",
                             "5242880" if mode == "chunk-min" else "1073741824"))
        if (mode == "manifest-digest-escape" and self.command == "PUT" and "/manifests/" in path
                and status == 201):
            # a digest header that, printed raw, erases the line and rewrites it
            hdrs = [(k, "sha256:\x1b[2K\x1b[1Apushed fine\x1b]0;pwned\x07" if k.lower() ==
                     "docker-content-digest" else v) for k, v in hdrs]
        final_put = self.command == "PUT" and upload and "digest=" in self.path
        digest = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query).get("digest", [""])[0]
        trickle = final_put and (
            (mode == "trickle-put" and bump("put") == 1) or mode == "trickle-puts" or
            (mode == "trickle-put-each" and bump("put " + digest) == 1))
        if trickle:
            log({"listener": "A", "event": "trickling the final PUT answer"})
        self.relay(status, hdrs, data, length, trickle)

    def handle_any(self):
        if self.path.startswith("/__mode/"):
            with STATE["lock"]:
                STATE["mode"] = self.path[len("/__mode/"):]
                STATE["count"] = {}
                STATE["moved"] = None
            return self.send(200, b"ok\n", ctype="text/plain")
        body = self.body()
        mode = STATE["mode"]
        log({"listener": "A", "method": self.command, "path": self.path,
             "auth": "Authorization" in self.headers, "len": len(body),
             "range": self.headers.get("Content-Range")})
        if self.path.startswith("/token"):
            return self.token(body)
        if self.plain_fault(mode):
            return
        if mode.startswith("realm-"):
            return self.v2_login()
        if not CFG.upstream:
            return self.jsend(404, {})
        try:
            self.proxy(body)
        except (OSError, http.client.HTTPException) as exc:
            self.jsend(502, {"errors": [{"code": "UNKNOWN", "message": str(exc)}]})

    do_GET = do_POST = do_PUT = do_PATCH = do_HEAD = do_DELETE = handle_any


def serve(handler, tls=None):
    srv = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    srv.daemon_threads = True
    if tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(tls[0], tls[1])
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv.server_address[1]


def main():
    global CFG
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--upstream")
    ap.add_argument("--log")
    ap.add_argument("--cert")
    ap.add_argument("--key")
    CFG = ap.parse_args()
    PORTS["B"] = serve(Other)
    PORTS["T"] = serve(Tls, (CFG.cert, CFG.key)) if CFG.cert else 0
    PORTS["A"] = serve(Hostile)
    tmp = CFG.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d %d %d\n" % (PORTS["A"], PORTS["B"], PORTS["T"]))
    os.rename(tmp, CFG.port_file)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
