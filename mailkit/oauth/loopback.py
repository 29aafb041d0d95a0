"""mailkit's loopback receiver for Google's redirect: 127.0.0.1 on a free port, stoppable at any moment.

google-auth-oauthlib's own receiver handles one request, blocks, and cannot be cancelled; this one
serves from a daemon thread, ignores stray requests (favicons, stale tabs of an earlier attempt)
and never logs the URL, which carries the authorization code.
"""

from __future__ import annotations

import html
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


class Receiver(BaseHTTPRequestHandler):
    """Answers the browser's redirect to the loopback address; everything else is a 404."""

    server: LoopbackServer

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        query = dict(parse_qsl(urlsplit(self.path).query))
        if not {"code", "error"} & query.keys():
            self._page(404, "Not found.")
        elif self.server.deliver(self.path):
            self._page(200, "mailkit received Google's answer. You can close this tab and return to mailkit.")
        else:
            self._page(400, "This answer belongs to another mailkit login attempt (its state does not match). "
                            "Start again from mailkit.")

    def _page(self, code: int, text: str) -> None:
        body = (f"<!doctype html><meta charset=utf-8><title>mailkit</title>"
                f"<p style='font:16px sans-serif;margin:3em'>{html.escape(text)}</p>").encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the URL holds the code: never log it
        return


class LoopbackServer(ThreadingHTTPServer):
    """127.0.0.1 on a free port, served from a daemon thread; `stop()` is safe from any thread, twice."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, deliver: Callable[[str], bool]):
        super().__init__(("127.0.0.1", 0), Receiver)
        self.deliver = deliver
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="mailkit-oauth-loopback", daemon=True)
        self._stop_lock = threading.Lock()
        self._stopped = False
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def stop(self) -> None:
        with self._stop_lock:
            if self._stopped:
                return
            self._stopped = True
        if threading.current_thread() is not self._thread:
            self.shutdown()
        self.server_close()


__all__ = ["LoopbackServer", "Receiver"]
