"""What every local fake AWS endpoint shares: a threaded HTTP server on 127.0.0.1 and a script queue.

Subclasses build their request handler in `start()` and pass it to `_serve()`.
"""

from __future__ import annotations

import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self


class LocalFakeServer:
    def __init__(self) -> None:
        self.requests: list[Any] = []
        self._script: deque[Any] = deque()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    def start(self) -> Self:
        raise NotImplementedError

    def _serve(self, handler: type[BaseHTTPRequestHandler], name: str) -> Self:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True  # a slow scripted answer must not block shutdown
        threading.Thread(target=self._server.serve_forever, name=name, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "start the server first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def script(self, *responses: Any) -> None:
        with self._lock:
            self._script.extend(responses)
