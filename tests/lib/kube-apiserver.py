#!/usr/bin/env python3
"""A stand-in for the Kubernetes API server, for tests only.

No real API server (or k3s) can run on the test machines, so this is the one
stand-in of the k8s tests: an HTTPS server on 127.0.0.1 that implements only
what dokku-registry's client uses, with the API server's semantics:

  GET    /api/v1/namespaces/NS/secrets/NAME   200 object | 404 NotFound Status
  PATCH  ...?fieldManager=M[&force=true]      server-side apply
         (Content-Type application/apply-patch+yaml; JSON bodies only):
         201 on create, 200 on update, 409 Conflict when a field owned by
         another manager would change and force is not set, 404 when the
         namespace does not exist, 400/415 for a bad request
  DELETE ...                                  200 Success Status | 404

Authentication: a client certificate issued by the client CA, or a bearer
token (when --token-file is given); anything else is 401 Unauthorized.
Python's ssl module cannot "request a certificate but not verify it", so the
TLS layer trusts every CA given with --trust (the real client CA and the
test's "wrong" CA) and the handler checks the issuer itself, as the API
server's authenticator does after the handshake.

State (namespaces and objects) lives in --state, a JSON file re-read on every
request and rewritten after every change, so a test can seed foreign secrets
and read what the cluster holds. Every request is appended to --log as one
JSON line (method, path, query, content type, who authenticated, status);
bodies are not logged (they carry credentials).
"""

import argparse
import base64
import datetime
import http.server
import json
import os
import ssl
import sys
import urllib.parse
import uuid

PREFIX = "/api/v1/namespaces/"


def status(code, reason, message, name=None):
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {},
            "status": "Success" if code < 400 else "Failure",
            "message": message, "reason": reason, "code": code}
    if name:
        body["details"] = {"name": name, "kind": "secrets"}
    return code, body


def leaves(obj, path=()):
    """The applied fields as (path, value) pairs (the managedFields idea)."""
    if isinstance(obj, dict) and obj:
        for k, v in obj.items():
            yield from leaves(v, path + (k,))
    else:
        yield path, obj


def get_path(obj, path):
    for k in path:
        if not isinstance(obj, dict) or k not in obj:
            return None
        obj = obj[k]
    return obj


def set_path(obj, path, value):
    for k in path[:-1]:
        obj = obj.setdefault(k, {})
    obj[path[-1]] = value


def del_path(obj, path):
    for k in path[:-1]:
        obj = obj.get(k)
        if not isinstance(obj, dict):
            return
    obj.pop(path[-1], None)


APPLIED = (("type",), ("data",), ("stringData",), ("metadata", "labels"),
           ("metadata", "annotations"))


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "kube-apiserver-standin"

    def log_message(self, fmt, *args):  # stderr stays quiet
        pass

    # -- plumbing ---------------------------------------------------------
    def load(self):
        with open(self.server.opts.state) as f:
            return json.load(f)

    def save(self, state):
        tmp = self.server.opts.state + ".tmp"
        with open(tmp, "w") as f:
            json.dump(state, f, indent=1, sort_keys=True)
        os.replace(tmp, self.server.opts.state)

    def record(self, who, code, query):
        line = {"method": self.command, "path": urllib.parse.urlsplit(self.path).path,
                "query": query, "content_type": self.headers.get("Content-Type"),
                "auth": who, "status": code}
        with open(self.server.opts.log, "a") as f:
            f.write(json.dumps(line, sort_keys=True) + "\n")

    def reply(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def authenticate(self):
        cert = self.connection.getpeercert()
        if cert:
            issuer = dict(x[0] for x in cert.get("issuer", ()))
            subject = dict(x[0] for x in cert.get("subject", ()))
            if issuer.get("commonName") == self.server.opts.client_ca_cn:
                return "cert:" + subject.get("commonName", "?")
            return None
        auth = self.headers.get("Authorization", "")
        if self.server.opts.token and auth == "Bearer " + self.server.opts.token:
            return "token"
        return None

    # -- requests ---------------------------------------------------------
    def handle_any(self):
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        who = self.authenticate()
        if not who:
            code, out = status(401, "Unauthorized", "Unauthorized")
        else:
            code, out = self.route(url.path, query, body)
        self.record(who, code, query)
        self.reply(code, out)

    def route(self, path, query, body):
        parts = path[len(PREFIX):].split("/") if path.startswith(PREFIX) else []
        if len(parts) != 3 or parts[1] != "secrets" or not parts[0] or not parts[2]:
            return status(404, "NotFound", "the server could not find the requested resource")
        ns, _, name = parts
        state = self.load()
        key = ns + "/" + name
        objs = state.setdefault("objects", {})
        if self.command == "GET":
            if key not in objs:
                return status(404, "NotFound", 'secrets "%s" not found' % name, name)
            return 200, public(objs[key])
        if self.command == "DELETE":
            if key not in objs:
                return status(404, "NotFound", 'secrets "%s" not found' % name, name)
            del objs[key]
            self.save(state)
            return status(200, "", "", name)
        if self.command == "PATCH":
            return self.apply(state, ns, name, query, body)
        return status(405, "MethodNotAllowed", "the server does not allow this method")

    def apply(self, state, ns, name, query, body):
        if self.headers.get("Content-Type") != "application/apply-patch+yaml":
            return status(415, "UnsupportedMediaType", "only server-side apply is implemented")
        manager = query.get("fieldManager")
        if not manager:
            return status(400, "BadRequest", "PatchOptions.meta.k8s.io \"\" is invalid: "
                          "fieldManager: Required value: is required for apply patch")
        try:
            cfg = json.loads(body)
        except ValueError as err:
            return status(400, "BadRequest", "error decoding YAML: %s" % err)
        meta = cfg.get("metadata") or {}
        if cfg.get("apiVersion") != "v1" or cfg.get("kind") != "Secret":
            return status(400, "BadRequest", "apply of a non-v1 Secret")
        if meta.get("name") != name or meta.get("namespace", ns) != ns:
            return status(400, "BadRequest", "the name of the object does not match the URL")
        if ns not in state.get("namespaces", []):
            return status(404, "NotFound", 'namespaces "%s" not found' % ns, ns)
        objs = state["objects"]
        key = ns + "/" + name
        force = query.get("force") == "true"
        created = key not in objs
        obj = objs.get(key) or {
            "apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": name, "namespace": ns, "uid": str(uuid.uuid4()),
                         "resourceVersion": "0",
                         "creationTimestamp": datetime.datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%SZ")},
            "_owners": {}}
        owners = obj.setdefault("_owners", {})
        applied = [(p, v) for root in APPLIED for p, v in leaves(get_path(cfg, root) or {}, root)
                   if get_path(cfg, root) is not None]
        conflicts = [p for p, v in applied
                     if owners.get("/".join(p), manager) != manager and get_path(obj, p) != v]
        if conflicts and not force:
            what = ", ".join(".%s" % ".".join(p) for p in conflicts)
            other = owners["/".join(conflicts[0])]
            return status(409, "Conflict", 'Apply failed with %d conflict%s: conflict with "%s": %s'
                          % (len(conflicts), "" if len(conflicts) == 1 else "s", other, what))
        # fields this manager applied before and no longer sets are removed
        now = {"/".join(p) for p, _ in applied}
        for owned, m in list(owners.items()):
            if m == manager and owned not in now:
                del_path(obj, owned.split("/"))
                del owners[owned]
        for p, v in applied:
            set_path(obj, p, v)
            owners["/".join(p)] = manager
        if "stringData" in obj:  # the API server folds it into data
            for k, v in obj.pop("stringData").items():
                obj.setdefault("data", {})[k] = base64.b64encode(v.encode()).decode()
        obj["metadata"]["resourceVersion"] = str(int(obj["metadata"]["resourceVersion"]) + 1)
        objs[key] = obj
        self.save(state)
        return (201 if created else 200), public(obj)

    do_GET = handle_any
    do_PATCH = handle_any
    do_DELETE = handle_any
    do_POST = handle_any
    do_PUT = handle_any


def public(obj):
    out = {k: v for k, v in obj.items() if k != "_owners"}
    managers = sorted(set(obj.get("_owners", {}).values()))
    out["metadata"] = dict(obj["metadata"], managedFields=[
        {"manager": m, "operation": "Apply", "apiVersion": "v1"} for m in managers])
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--trust", action="append", required=True,
                    help="CA files accepted at the TLS layer")
    ap.add_argument("--client-ca-cn", required=True,
                    help="the issuer CN whose client certificates authenticate")
    ap.add_argument("--token-file")
    ap.add_argument("--state", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--port-file", required=True)
    opts = ap.parse_args()
    opts.token = None
    if opts.token_file:
        with open(opts.token_file) as f:
            opts.token = f.read().strip()
    if not os.path.exists(opts.state):
        with open(opts.state, "w") as f:
            json.dump({"namespaces": ["default", "kube-system"], "objects": {}}, f)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(opts.cert, opts.key)
    for ca in opts.trust:
        ctx.load_verify_locations(ca)
    ctx.verify_mode = ssl.CERT_OPTIONAL
    srv = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    srv.opts = opts
    tmp = opts.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.replace(tmp, opts.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
