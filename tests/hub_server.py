"""A Hugging Face Hub on 127.0.0.1 for the tests: the endpoints that
huggingface_hub and transformers call, serving repositories from a folder.

    ROOT/ORG/NAME/<files>   one repository; its commit is a hash of its files

    GET  /api/models/ORG/NAME/revision/REV        model info (sha, siblings)
    GET  /api/models/ORG/NAME/tree/REV?recursive=true   the file list
    HEAD /ORG/NAME/resolve/REV/FILE, GET (Range)   a file, with ETag and
                                                  X-Repo-Commit

`gated` repositories answer 401/403 (X-Error-Code: GatedRepo) unless the
request carries `Bearer <token>`; `cut_file` names a file whose body the
server cuts off after `cut_bytes` bytes while `cut_file` stays set;
`stall_file` one whose body stops after `cut_bytes` bytes until `resume` is
set (then the connection is closed).
"""

import hashlib
import http.server
import json
import re
import threading
from pathlib import Path


class HubServer:
    def __init__(self, root, token="test-token"):
        self.root = Path(root)
        self.token = token
        self.gated = set()
        self.cut_file = None
        self.stall_file = None
        self.cut_bytes = 1000
        self.resume = threading.Event()
        self.requests = []
        handler = type("Handler", (_Handler,), {"hub": self})
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.endpoint = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def files(self, repo):
        folder = self.root / repo
        return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                      if p.is_file())

    def commit(self, repo):
        digest = hashlib.sha1()
        for name in self.files(repo):
            digest.update(name.encode() + (self.root / repo / name).read_bytes())
        return digest.hexdigest()


class _Handler(http.server.BaseHTTPRequestHandler):
    hub = None
    protocol_version = "HTTP/1.0"  # one request a connection: stop() ends them all

    def log_message(self, *args):
        pass

    def do_HEAD(self):
        self._serve(body=False)

    def do_GET(self):
        self._serve(body=True)

    def _error(self, status, code):
        self.send_response(status)
        self.send_header("X-Error-Code", code)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _json(self, value):
        data = json.dumps(value).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _serve(self, body):
        hub = self.hub
        path = self.path.split("?")[0]
        hub.requests.append((self.command, path))
        match = (re.match(r"^/api/models/([^/]+/[^/]+)/(revision|tree)/([^/]+)$", path)
                 or re.match(r"^/([^/]+/[^/]+)/resolve/([^/]+)/(.+)$", path))
        if not match:
            return self._error(404, "RepoNotFound")
        repo = match.group(1)
        if not (hub.root / repo).is_dir():
            return self._error(404, "RepoNotFound")
        if repo in hub.gated and self.headers.get("Authorization") != f"Bearer {hub.token}":
            return self._error(403 if self.headers.get("Authorization") else 401,
                               "GatedRepo")
        commit = hub.commit(repo)
        revision = match.group(3) if path.startswith("/api/") else match.group(2)
        if revision not in ("main", commit):
            return self._error(404, "RevisionNotFound")
        if path.startswith("/api/") and match.group(2) == "revision":
            return self._json({"id": repo, "modelId": repo, "sha": commit,
                               "private": False, "gated": repo in hub.gated,
                               "siblings": [{"rfilename": f} for f in hub.files(repo)]})
        if path.startswith("/api/"):
            return self._json([{"type": "file", "path": f, "oid": commit,
                                "size": (hub.root / repo / f).stat().st_size}
                               for f in hub.files(repo)])
        self._send_file(repo, commit, match.group(3), body)

    def _send_file(self, repo, commit, name, body):
        hub = self.hub
        file = hub.root / repo / name
        if not file.is_file():
            return self._error(404, "EntryNotFound")
        data = file.read_bytes()
        start = 0
        range_header = self.headers.get("Range")
        if range_header:
            start = int(re.match(r"bytes=(\d+)-", range_header).group(1))
        self.send_response(206 if start else 200)
        self.send_header("ETag", f'"{hashlib.sha256(data).hexdigest()}"')
        self.send_header("X-Repo-Commit", commit)
        self.send_header("Content-Length", str(len(data) - start))
        if start:
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        self.end_headers()
        if not body:
            return
        if name in (hub.cut_file, hub.stall_file):  # a connection that breaks mid-file
            self.wfile.write(data[start:start + hub.cut_bytes])
            self.wfile.flush()
            if name == hub.stall_file:
                hub.resume.wait(timeout=60)
            self.close_connection = True
            self.connection.shutdown(2)
            return
        self.wfile.write(data[start:])
