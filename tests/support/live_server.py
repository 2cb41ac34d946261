"""A real uvicorn server on 127.0.0.1 and a free port, in a background thread."""

from __future__ import annotations

import shutil
import socket
import tempfile
import threading
import time
from dataclasses import dataclass

import uvicorn

from trunkline.api.app import create_app
from trunkline.config import Settings
from trunkline.services.composition import Server, Services
from trunkline.store.database import Database


@dataclass
class LiveServer:
    base_url: str
    db: Database
    services: Services
    _server: uvicorn.Server
    _thread: threading.Thread
    _temp_dir: str | None = None
    parts: Server | None = None
    """The server's parts (its engine, workers, leases), for tests that stall or inspect them."""

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        if self._temp_dir is not None:
            shutil.rmtree(self._temp_dir, ignore_errors=True)


ADMIN_TOKEN = "test-admin-token"


def start_server(db: Database, *, port: int = 0, **settings: object) -> LiveServer:
    """A server over ``db``; ``port`` 0 picks a free one (a given port restarts a server where it was)."""
    settings.setdefault("admin_token", ADMIN_TOKEN)
    # Every test client is 127.0.0.1, and many send wrong credentials on purpose: the failed-login
    # limit would soon refuse them all. Its own tests start servers with a low one.
    settings.setdefault("login_failures_per_minute", 1_000_000)
    temp_dir = None
    if "recordings_dir" not in settings:  # rendered recordings go to a directory of this server's own
        temp_dir = settings["recordings_dir"] = tempfile.mkdtemp(prefix="trunkline-recordings-")
    config = Settings(database_url=db.url, demo_account=False, **settings)  # type: ignore[arg-type]
    app = create_app(config, db)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    port = sock.getsockname()[1]
    # lifespan on: the call engine and the webhook deliverer run as its background tasks.
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on", proxy_headers=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("test server did not start")
        time.sleep(0.01)
    parts: Server = app.app.server  # type: ignore[attr-defined]
    return LiveServer(f"http://127.0.0.1:{port}", db, parts.services, server, thread, temp_dir, parts)
