"""A real HTTP receiver on 127.0.0.1 and a free port, for webhook tests: it records every request
and answers 200 unless told otherwise (a status, a body, headers, or a delay past the client's timeout)."""

from __future__ import annotations

import io
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import python_multipart


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]
    """Names in lower case."""
    body: bytes


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b"ok"
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0


class Receiver:
    def __init__(self) -> None:
        self.received: list[Received] = []
        self.default = Reply()
        self._replies: deque[Reply] = deque()
        self._changed = threading.Condition()
        self._closing = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.port = int(self._server.server_address[1])
        self.url = f"http://127.0.0.1:{self.port}/callback"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05})
        self._thread.start()

    def reply(self, *replies: Reply) -> None:
        """Answer the next requests with these, in order; then ``default``."""
        with self._changed:
            self._replies.extend(replies)

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Received]:
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.received) >= count, timeout):
                got = len(self.received)
                raise AssertionError(f"expected {count} requests within {timeout} s, got {got}")
            return list(self.received)

    def close(self) -> None:
        self._closing.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> Receiver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _take(self, request: Received) -> Reply:
        with self._changed:
            self.received.append(request)
            self._changed.notify_all()
            return self._replies.popleft() if self._replies else self.default

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {name.lower(): value for name, value in self.headers.items()}
                reply = receiver._take(Received(self.command, self.path, headers, body))
                if reply.delay_s and receiver._closing.wait(reply.delay_s):
                    return
                try:
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                except OSError:
                    pass  # the client gave up (a timeout test)

            do_POST = do_GET = do_PUT = _handle

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler


def form_fields(request: Received) -> list[tuple[str, str]]:
    """A multipart/form-data body as (name, value) pairs, in order; every part must be a plain field."""
    content_type = request.headers["content-type"]
    assert content_type.startswith("multipart/form-data; boundary="), content_type
    fields: list[tuple[str, str]] = []

    def on_field(item: Any) -> None:
        fields.append((item.field_name.decode(), (item.value or b"").decode()))

    def on_file(item: Any) -> None:
        raise AssertionError(f"part {item.field_name!r} was sent as a file, not a form field")

    python_multipart.parse_form(
        {"Content-Type": content_type.encode(), "Content-Length": str(len(request.body)).encode()},
        io.BytesIO(request.body),
        on_field,
        on_file,
    )
    return fields
