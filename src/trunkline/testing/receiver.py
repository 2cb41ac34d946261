"""A status-callback receiver for tests: a small HTTP server on 127.0.0.1 that answers every request
200 and keeps what it was sent, parsed with the SDK's ``parse_status_callback``.

An application under test passes ``receiver.url`` as its StatusCallback (or Passthru URL); the test
then asserts on ``receiver.callbacks`` or waits, for a bounded time, for the one it expects with
``wait_for_callback``. Webhooks are delivered by a background worker in real time even when the
network clock is virtual, which is why waiting (briefly) is needed at all.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from trunkline_client import StatusCallback, parse_status_callback

DEFAULT_WAIT_S = 5.0
MAX_BODY_BYTES = 1_000_000
"""Larger requests are answered 413 and not kept: a callback is a few hundred bytes."""


@dataclass(frozen=True, slots=True)
class ReceivedRequest:
    """One request as it arrived; ``callback`` is its parsed status callback, None when the body is
    not one (a Passthru GET, say)."""

    method: str
    path: str
    headers: dict[str, str]
    """Names in lower case."""
    body: bytes
    callback: StatusCallback | None


class CallbackReceiver:
    """Start it with ``with CallbackReceiver() as receiver:`` or ``start()``/``close()``."""

    def __init__(self, path: str = "/callback") -> None:
        self._requests: list[ReceivedRequest] = []
        self._changed = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self.port = int(self._server.server_address[1])
        self.url = f"http://127.0.0.1:{self.port}{path}"
        """Pass this as StatusCallback; any path on this port is received the same way."""
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def start(self) -> CallbackReceiver:
        self._thread.start()
        return self

    def close(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(timeout=5)
        self._server.server_close()

    def __enter__(self) -> CallbackReceiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def requests(self) -> list[ReceivedRequest]:
        """Every request so far, in order of arrival."""
        with self._changed:
            return list(self._requests)

    @property
    def callbacks(self) -> list[StatusCallback]:
        """Every status callback so far, parsed, in order of arrival."""
        return [request.callback for request in self.requests if request.callback is not None]

    def clear(self) -> None:
        """Forget what was received (the fixture does this between tests)."""
        with self._changed:
            self._requests.clear()

    def wait_for_callback(
        self,
        call_sid: str | None = None,
        *,
        event_type: str | None = None,
        status: str | None = None,
        timeout: float = DEFAULT_WAIT_S,
    ) -> StatusCallback:
        """The first callback received (already, or within ``timeout`` wall seconds) that matches
        every criterion given: the call's Sid, ``event_type`` (``terminal``, ``answered``) and
        ``status``. Raises ``AssertionError`` listing what did arrive, so a test fails with it."""
        if timeout < 0:
            raise ValueError("timeout must be at least 0")

        def match() -> StatusCallback | None:
            for callback in self.callbacks:
                if (
                    (call_sid is None or callback.call_sid == call_sid)
                    and (event_type is None or callback.event_type == event_type)
                    and (status is None or callback.status == status)
                ):
                    return callback
            return None

        deadline = time.monotonic() + timeout
        with self._changed:
            found = match()
            while found is None:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._changed.wait(left)
                found = match()
        if found is not None:
            return found
        wanted = ", ".join(
            f"{name}={value!r}"
            for name, value in (("call_sid", call_sid), ("event_type", event_type), ("status", status))
            if value is not None
        )
        got = [(c.call_sid, c.event_type, str(c.status)) for c in self.callbacks]
        raise AssertionError(
            f"no status callback with {wanted or 'any fields'} within {timeout:g} s; received {got}"
        )

    def _keep(self, request: ReceivedRequest) -> None:
        with self._changed:
            self._requests.append(request)
            self._changed.notify_all()


def _parse(body: bytes, content_type: str | None) -> StatusCallback | None:
    if not body:
        return None
    try:
        return parse_status_callback(body, content_type)
    except (ValueError, KeyError, TypeError):
        return None  # not a status callback; kept raw in ``requests``


def _handler(receiver: CallbackReceiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                length = -1
            if not 0 <= length <= MAX_BODY_BYTES:
                self._answer(413)
                return
            body = self.rfile.read(length)
            headers = {name.lower(): value for name, value in self.headers.items()}
            callback = _parse(body, headers.get("content-type"))
            receiver._keep(ReceivedRequest(self.command, self.path, headers, body, callback))
            self._answer(200)

        def _answer(self, status: int) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
            except OSError:
                pass  # the sender gave up

        do_POST = do_GET = do_PUT = _handle

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler
