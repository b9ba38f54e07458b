"""A local HTTP server standing in for upstreams (the Hugging Face Hub, the GPU and price feeds),
serving recorded payloads from catalog/tests/payloads on 127.0.0.1. Tests change what it serves
(a payload, a delay, an HTTP error, a cut-off body) through ``Upstream.serve``."""

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

PAYLOADS = Path(__file__).parent / "payloads"


@dataclass
class Reply:
    body: bytes
    content_type: str = "application/json"
    status: int = 200
    delay_s: float = 0.0
    truncate: bool = False  # announce more bytes than sent, then hang up
    headers: tuple = ()
    trickle_s: float = 0.0  # send the body a byte at a time, this long apart


class _Server(ThreadingHTTPServer):
    """The loopback upstream: what to answer per path, and every path asked for."""

    daemon_threads = True
    routes: dict[str, "Reply"]
    hits: list[str]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, *args):
        pass

    def _reply(self, with_body: bool):
        path = urlsplit(self.path).path
        self.server.hits.append(path)
        reply = self.server.routes.get(path)
        if reply is None:
            code = "RepoNotFound" if path.startswith("/api/models/") else "EntryNotFound"
            reply = Reply(json.dumps({"error": "not found"}).encode(), status=404, headers=(("X-Error-Code", code),))
        time.sleep(reply.delay_s)
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body) + (500 if reply.truncate else 0)))
        for name, value in reply.headers:
            self.send_header(name, value)
        self.end_headers()
        if with_body:
            try:
                for chunk in (
                    [reply.body[i : i + 1] for i in range(len(reply.body))] if reply.trickle_s else [reply.body]
                ):
                    self.wfile.write(chunk)
                    self.wfile.flush()
                    time.sleep(reply.trickle_s)
            except (BrokenPipeError, ConnectionResetError):
                pass
        if reply.truncate:
            self.close_connection = True

    def do_GET(self):
        self._reply(True)

    def do_HEAD(self):
        self._reply(False)


class Upstream:
    def __init__(self):
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.routes, self.server.hits = {}, []
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def hits(self) -> list[str]:
        return self.server.hits

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def serve(self, path: str, reply: Reply | None):
        if reply is None:
            self.server.routes.pop(path, None)
        else:
            self.server.routes[path] = reply

    def reset(self):
        self.server.routes.clear()
        self.server.hits.clear()

    def serve_json(self, path: str, data, status: int = 200, headers: tuple = ()):
        self.serve(path, Reply(json.dumps(data).encode(), status=status, headers=headers))

    def serve_file(self, path: str, name: str, content_type: str = "application/json", **kwargs):
        self.serve(path, Reply((PAYLOADS / name).read_bytes(), content_type, **kwargs))

    def serve_hub_model(self, repo_id: str, *, config: bool = True, card: bool = False):
        stem = repo_id.replace("/", "__")
        self.serve_file(f"/api/models/{repo_id}", f"hub/{stem}.info.json")
        if config:
            self.serve_file(f"/{repo_id}/resolve/main/config.json", f"hub/{stem}.config.json")
        if card:
            self.serve_file(f"/{repo_id}/resolve/main/README.md", f"hub/{stem}.README.md", "text/markdown")
