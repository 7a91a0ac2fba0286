"""A partner's Atom feed served by a real HTTP server on loopback, for the feed tests."""

from __future__ import annotations

import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def entry(n: int) -> str:
    return (
        f"<entry><id>urn:partner:warning:{n}</id><title>Partner warning {n}</title>"
        f"<updated>2024-03-0{n}T09:00:00Z</updated>"
        f"<content type='html'>&lt;p&gt;Extremists plan to attack a concert hall in Moscow, "
        f"report {n}.&lt;/p&gt;</content></entry>"
    )


def atom(*entries: int) -> bytes:
    return (
        "<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
        "<id>urn:partner:feed</id><title>Partner warnings</title>"
        "<updated>2024-03-06T09:00:00Z</updated>" + "".join(entry(n) for n in entries) + "</feed>"
    ).encode()


class PartnerServer:
    """Serves ``body`` with an ETag; answers 304 to a matching If-None-Match; fails with
    ``status`` when it is set."""

    def __init__(self) -> None:
        self.body = atom(1, 2)
        self.status = 200
        self.requests: list[tuple[int, str | None]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                etag = '"' + hashlib.sha256(server.body).hexdigest()[:16] + '"'
                asked = self.headers.get("If-None-Match")
                code = 304 if server.status == 200 and asked == etag else server.status
                # Recorded before answering: the client may look as soon as it has the
                # answer, before this thread would get to a line after it.
                server.requests.append((code, asked))
                self.send_response(code)
                if code == 200:
                    self.send_header("Content-Type", "application/atom+xml")
                    self.send_header("ETag", etag)
                    self.end_headers()
                    self.wfile.write(server.body)
                else:
                    self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/partner.atom"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
