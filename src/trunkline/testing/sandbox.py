"""A sandbox server for an application's tests: Trunkline in this process (uvicorn on a thread, on
127.0.0.1 and a free port) over a fresh SQLite store in a temporary directory, with a virtual clock,
one account, an SDK client bound to it and a status-callback receiver.

In-process rather than a ``trunkline serve`` subprocess because it starts in a fraction of a second
(no interpreter start, no import of the server a second time) — what makes a per-test or per-module
server affordable. The application under test still reaches it only over HTTP.
"""

from __future__ import annotations

import atexit
import secrets
import shutil
import socket
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from trunkline_client import AsyncTrunkline, StatusCallback, Trunkline
from trunkline_client.sandbox.resources import Sandbox

from trunkline.api.app import create_app
from trunkline.config import Settings
from trunkline.services.commands import CommandServices
from trunkline.services.composition import open_database
from trunkline.store.database import Database
from trunkline.testing.receiver import CallbackReceiver

ACCOUNT_SID = "sandbox"
EXOPHONE = "+918047112233"
START_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 10.0

TEST_SETTINGS: dict[str, Any] = {
    "clock": "virtual",
    "settle_delay_seconds": 0,  # Duration and Price are final as soon as a call ends
    "rate_limit_per_minute": 0,  # a test's burst of requests is not throttled
    "webhook_allow_private": True,  # callbacks go to the receiver on 127.0.0.1
    "webhook_backoff_seconds": 0.1,
    "demo_account": False,
}
"""What a sandbox for tests changes from a server's defaults; ``trunkline_settings`` adds to it."""


@dataclass
class TrunklineSandbox:
    """What the ``trunkline`` fixture yields: one account on a running sandbox server."""

    base_url: str
    account_sid: str
    api_key: str
    api_token: str = field(repr=False)
    exophone: str
    admin_token: str = field(repr=False)
    client: Trunkline
    """The SDK bound to the account, with the admin token (so ``client.sandbox`` works)."""
    receiver: CallbackReceiver
    """Pass ``receiver.url`` as StatusCallback; assert on ``receiver.callbacks``."""
    _server: SandboxServer = field(repr=False)

    @property
    def sandbox(self) -> Sandbox:
        """The sandbox controls: clock, scenario, events, webhook deliveries, flows, ``wait_for``."""
        return self.client.sandbox

    @property
    def callback_url(self) -> str:
        return self.receiver.url

    def wait_for_callback(
        self,
        call_sid: str | None = None,
        *,
        event_type: str | None = None,
        status: str | None = None,
        timeout: float = 5.0,
    ) -> StatusCallback:
        """``receiver.wait_for_callback``: the first matching status callback, within ``timeout``."""
        return self.receiver.wait_for_callback(
            call_sid, event_type=event_type, status=status, timeout=timeout
        )

    def async_client(self, **options: Any) -> AsyncTrunkline:
        """A new ``AsyncTrunkline`` on the same account (close it, or use ``async with``)."""
        options.setdefault("admin_token", self.admin_token)
        options.setdefault("base_url", self.base_url)
        return AsyncTrunkline(self.account_sid, self.api_key, self.api_token, **options)

    def reset(self) -> None:
        """Back to a clean account: no calls or callbacks, flows, agents, properties or traffic, no
        scenario rules, the clock at the wall clock's time, and an empty receiver."""
        self.client.sandbox.reset(everything=True)
        self.receiver.clear()


_template_lock = threading.Lock()
_template: tuple[Path, str, str] | None = None
"""A migrated store holding the sandbox account, made once per process: every server starts from a
copy, which takes milliseconds where migrating and hashing the account's token take half a second."""


def _copy_template(target: Path) -> tuple[str, str]:
    """Put a fresh store with the sandbox account at ``target``; the account's key and token."""
    global _template
    with _template_lock:
        if _template is None:
            folder = Path(tempfile.mkdtemp(prefix="trunkline-sandbox-template-"))
            atexit.register(shutil.rmtree, folder, True)
            path = folder / "template.db"
            db = open_database(f"sqlite:///{path}")
            try:
                api_key, api_token = f"{ACCOUNT_SID}_key", secrets.token_urlsafe(24)
                CommandServices.over(db).accounts.create(
                    ACCOUNT_SID, api_key=api_key, api_token=api_token, exophone_numbers=(EXOPHONE,)
                )
            finally:
                db.dispose()  # the last connection's close folds any WAL into the file
            _template = (path, api_key, api_token)
        path, api_key, api_token = _template
    shutil.copyfile(path, target)
    return api_key, api_token


class SandboxServer:
    """A running server and everything it owns (store, temporary directory, thread, receiver)."""

    def __init__(self, settings: dict[str, Any] | None = None) -> None:
        started = time.perf_counter()
        self._dir = Path(tempfile.mkdtemp(prefix="trunkline-sandbox-"))
        self._db: Database | None = None
        self._receiver = CallbackReceiver()
        self._thread: threading.Thread | None = None
        self._uvicorn: uvicorn.Server | None = None
        self.used = False
        """Whether a test has had the sandbox: the next one resets it first."""
        try:
            self.sandbox = self._start(settings or {})
        except BaseException:
            self.stop()
            raise
        self.start_seconds = time.perf_counter() - started
        """Wall time from nothing to a server answering, for the curious (and the benchmark)."""

    def _start(self, overrides: dict[str, Any]) -> TrunklineSandbox:
        fixed = {"database_url", "admin_token"} & set(overrides)
        if fixed:
            raise ValueError(f"the sandbox sets {', '.join(sorted(fixed))} itself; it cannot be overridden")
        admin_token = secrets.token_urlsafe(24)
        store = self._dir / "trunkline.db"
        api_key, api_token = _copy_template(store)
        options = TEST_SETTINGS | {
            "recordings_dir": str(self._dir / "recordings"),
            "admin_token": admin_token,
            "database_url": f"sqlite:///{store}",
        }
        settings = Settings(**(options | overrides))
        self._db = db = Database(settings.database_url)
        app = create_app(settings, db)
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        self._uvicorn = server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
        self._thread = thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="trunkline-sandbox", daemon=True
        )
        thread.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError(f"the Trunkline sandbox did not start within {START_TIMEOUT_S:g} s")
            time.sleep(0.005)
        base_url = f"http://127.0.0.1:{port}"
        self._receiver.start()
        client = Trunkline(
            ACCOUNT_SID, api_key, api_token, base_url=base_url, admin_token=admin_token, timeout=30
        )
        return TrunklineSandbox(
            base_url, ACCOUNT_SID, api_key, api_token, EXOPHONE, admin_token, client, self._receiver, self
        )

    def stop(self) -> None:
        """Stop the server and the receiver, and delete the store. Safe to call twice."""
        sandbox = self.__dict__.get("sandbox")
        if sandbox is not None:
            sandbox.client.close()
        if self._uvicorn is not None and self._thread is not None:
            self._uvicorn.should_exit = True
            self._thread.join(timeout=STOP_TIMEOUT_S)
            self._uvicorn = None
        self._receiver.close()
        if self._db is not None:
            self._db.dispose()
            self._db = None
        shutil.rmtree(self._dir, ignore_errors=True)
