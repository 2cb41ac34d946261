"""``trunkline serve``: migrate the store, make sure the demo account exists, run the server.

The order matters to whoever reads the banner: the port is bound first and the store opened next,
so a busy port or an unreachable database fails with one line before any credential is printed
(a second server's fresh admin token would be one the running server refuses). The banner is
plain text, one line per item, never wrapped, so it can be copied at any width."""

from __future__ import annotations

import errno
import gc
import hashlib
import hmac
import os
import secrets
import signal
import socket
import sys
from types import FrameType
from typing import TYPE_CHECKING, Annotated, Any

import typer

from trunkline.cli.common import fail, services_of
from trunkline.config import WILDCARD_HOSTS, Settings, base_url
from trunkline.domain.accounts.errors import NumberHeldElsewhere
from trunkline.logging_setup import configure
from trunkline.services.accounts import Credential

if TYPE_CHECKING:  # the web stack is imported by ``serve`` alone (see there)
    import uvicorn
    from starlette.types import ASGIApp

DEMO_SID = "demo"
DEMO_API_KEY = "demo_key"
DEMO_EXOPHONE = "+918047112233"
DEMO_CALLS = 2000


def demo_credential(secret_key: bytes) -> Credential:
    """The demo token is derived from the server's secret, so every start can print it again
    while the store keeps only its hash."""
    token = hmac.new(secret_key, b"trunkline-demo-token", hashlib.sha256).hexdigest()[:40]
    return Credential(DEMO_API_KEY, token)


def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (TRUNKLINE_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (TRUNKLINE_PORT).")] = None,
    public_url: Annotated[
        str | None,
        typer.Option(
            "--public-url",
            help="Base URL clients reach this server at, for RecordingUrl and signed links "
            "(TRUNKLINE_PUBLIC_URL); default: the bound address and port.",
        ),
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option("--database-url", help="SQLite path or PostgreSQL URL (TRUNKLINE_DATABASE_URL)."),
    ] = None,
    log_level: Annotated[str | None, typer.Option(help="debug, info, warning, error.")] = None,
    clock: Annotated[
        str | None, typer.Option(help="Network clock: real or virtual (TRUNKLINE_CLOCK).")
    ] = None,
    time_scale: Annotated[
        float | None,
        typer.Option(help="Run the network K times faster than real time (TRUNKLINE_TIME_SCALE)."),
    ] = None,
    scenario_file: Annotated[
        str | None, typer.Option(help="JSON scenario rules to load on start (TRUNKLINE_SCENARIO_FILE).")
    ] = None,
    network_seed: Annotated[
        int | None, typer.Option(help="Seed of the simulated network (TRUNKLINE_NETWORK_SEED).")
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=64,
            help="Server processes on the one port (TRUNKLINE_WORKERS); above 1 needs PostgreSQL.",
        ),
    ] = None,
) -> None:
    """Run the API server (127.0.0.1:8000 and a SQLite file by default)."""
    overrides = {
        "host": host,
        "port": port,
        "public_url": public_url,
        "database_url": database_url,
        "log_level": log_level,
        "clock": clock,
        "time_scale": time_scale,
        "scenario_file": scenario_file,
        "network_seed": network_seed,
        "workers": workers,
    }
    signal.signal(signal.SIGTERM, _exit_cleanly)
    # Imported here, not at the top: every ``trunkline`` command imports this module, and the web
    # stack (FastAPI, the routes, uvicorn) is ~20 MB of resident memory that only ``serve`` uses;
    # ``calls export`` must stay under 200 MB (issue 15).
    import uvicorn

    from trunkline.api.app import create_app

    settings = Settings(**{k: v for k, v in overrides.items() if v is not None})  # type: ignore[arg-type]
    configure(settings.log_level)
    if settings.workers > 1 and _is_sqlite(settings.database_url):
        raise fail(
            f"--workers {settings.workers} needs PostgreSQL: a SQLite store is served by one process; "
            "pass --database-url postgresql://... or leave --workers at 1"
        )
    sock = _bind(settings.host, settings.port)
    bound_port = sock.getsockname()[1]
    if settings.public_url == base_url(settings.host, settings.port):
        # The default public URL follows the port actually bound (``--port 0`` picks a free one).
        settings = settings.model_copy(update={"public_url": base_url(settings.host, bound_port)})
    services = services_of(settings.database_url, create=True)
    db = services.db
    base = base_url(settings.host, bound_port)
    lines = [f"Trunkline on {base}  (store: {db.engine.url.render_as_string()})"]
    if settings.host in WILDCARD_HOSTS and settings.public_url == base:
        lines.append(
            f"Listening on every address; links the server hands out (RecordingUrl) use {base}: "
            "set --public-url (TRUNKLINE_PUBLIC_URL) to the URL other machines reach it at"
        )
    elif settings.public_url != base:
        lines.append(f"Public URL (RecordingUrl and signed links): {settings.public_url}")
    if settings.demo_account:
        credential = demo_credential(services.secret_key(settings.secret_key))
        try:
            services.seeding.ensure_demo(DEMO_SID, credential, DEMO_EXOPHONE, DEMO_CALLS)
        except NumberHeldElsewhere:
            # A store whose own account holds the demo's ExoPhone (a number belongs to one account):
            # serve it without a demo account rather than stop.
            lines.append(
                f"No demo account: its ExoPhone {DEMO_EXOPHONE} belongs to another account in this "
                "store (TRUNKLINE_DEMO_ACCOUNT=false leaves the demo out)"
            )
        else:
            lines.append(
                f"Demo account  sid={DEMO_SID}  api_key={credential.api_key}  "
                f"api_token={credential.api_token}"
            )
            auth = f"{credential.api_key}:{credential.api_token}"
            lines.append(f"Try:  curl -u {auth} {base}/v1/Accounts/{DEMO_SID}/Calls.json")
    token_given = settings.admin_token is not None
    if not token_given:
        # Printed once here and never logged; set TRUNKLINE_ADMIN_TOKEN to keep one across restarts.
        settings = settings.model_copy(update={"admin_token": secrets.token_urlsafe(24)})
        bearer = f"'Authorization: Bearer {settings.admin_token}'"
    else:
        # The user's own secret is not echoed back; the shell fills it in from the environment.
        bearer = '"Authorization: Bearer $TRUNKLINE_ADMIN_TOKEN"'
    # A command that works as printed (a bare /admin is no page), and where the operations are listed.
    lines.append(f"Admin API: curl -H {bearer} {base}/admin/accounts   (reference: {base}/docs#/admin)")
    clock_note = f"x{settings.time_scale:g}" if settings.clock == "real" else "advance it via the admin API"
    lines.append(
        f"Network clock: {settings.clock} ({clock_note}), simulated network seed {settings.network_seed}"
    )
    lines.append(f"Web console: {base}/console  (sign in with the admin token or an account's API key)")
    if settings.workers > 1:
        lines.append(f"Workers: {settings.workers} processes on one port, sharing the store")
    lines.append(f"API docs: {base}/docs")
    if not settings.binds_loopback() and not token_given:
        # Second, under the address: the first thing read, before the credentials.
        lines.insert(
            1,
            f"Warning: listening on {settings.host}, reachable from other machines, with an admin token "
            "made up at start: set TRUNKLINE_ADMIN_TOKEN to a secret of your own, and keep the admin "
            "API behind a proxy that only lets operators through (docs/deployment.md)",
        )
    # Plain writes, not Rich: Rich wraps at 80 columns when stdout is not a terminal, which broke
    # the credentials and the curl line for anyone capturing the banner.
    typer.echo("\n".join(lines))
    if settings.workers > 1:
        # The store is migrated (above) before any worker starts; workers open it without migrating.
        services.close()
        _run_workers(settings, sock, bound_port)
        return
    app = create_app(settings, db)
    # What exists now lives as long as the server: frozen out of the cycle collector's sight, a full
    # collection walks only what requests leave behind. Unfrozen, its ~130k objects made every gen-2
    # pass a 100-140 ms stall of whatever request was running (a bulk list's p99).
    gc.collect()
    gc.freeze()
    config = _uvicorn_config(app, settings, bound_port)
    uvicorn.Server(config).run(sockets=[sock])


def _uvicorn_config(app: Any, settings: Settings, port: int, **more: Any) -> uvicorn.Config:
    import uvicorn

    return uvicorn.Config(
        app,
        host=settings.host,
        port=port,
        log_config=None,
        # The client address is the app's to decide (TRUNKLINE_TRUSTED_PROXIES); uvicorn's default would
        # believe X-Forwarded-For from any local process.
        proxy_headers=False,
        access_log=False,  # the app's own, with the request id (TRUNKLINE_ACCESS_LOG)
        log_level=settings.log_level.lower(),
        # On SIGTERM uvicorn closes the listening socket at once, lets requests in flight finish for
        # this long, and then runs the lifespan's shutdown (workers stop, leases are handed back).
        timeout_graceful_shutdown=settings.shutdown_timeout_seconds,
        **more,
    )


WORKER_SETTINGS_ENV = "_TRUNKLINE_WORKER_SETTINGS"
"""How the parent hands its settings (CLI options, the generated admin token) to its workers, which
uvicorn starts afresh (spawn) and which build the app from ``worker_app``. Internal, not a setting."""


def _run_workers(settings: Settings, sock: socket.socket, port: int) -> None:
    """``settings.workers`` processes accepting on the one socket the parent bound; uvicorn's
    supervisor restarts a worker that dies and stops them all on SIGTERM or Ctrl-C."""
    os.environ[WORKER_SETTINGS_ENV] = settings.model_dump_json()
    config = _uvicorn_config(
        "trunkline.cli.serve:worker_app",
        settings,
        port,
        factory=True,
        workers=settings.workers,
        # A worker builds the whole app before it answers the supervisor's ping; on a busy host
        # that takes longer than uvicorn's default 5 s, which then killed and restarted it forever.
        timeout_worker_healthcheck=60,
    )
    from uvicorn.supervisors import Multiprocess

    Multiprocess(config, sockets=[sock]).run()


def worker_app() -> ASGIApp:
    """The app of one worker of ``serve --workers N``: the parent's settings, the store it migrated."""
    settings = Settings.model_validate_json(os.environ[WORKER_SETTINGS_ENV])
    configure(settings.log_level)
    from trunkline.api.app import create_app
    from trunkline.services.composition import Database

    app = create_app(settings, Database(settings.database_url))
    gc.collect()
    gc.freeze()
    return app


def _is_sqlite(url: str) -> bool:
    return url.startswith("sqlite") or "://" not in url


def _exit_cleanly(signum: int, _frame: FrameType | None) -> None:
    """SIGTERM outside uvicorn's own handling: before it serves (nothing is in flight yet), and
    after its graceful shutdown, when uvicorn raises the signal it caught again to let the previous
    handler act. Either way the stop was asked for and went as planned: exit 0, not 143."""
    sys.exit(0)


def _bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound before anything is printed: a busy port is one clear line."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except (socket.gaierror, UnicodeError) as exc:
        raise fail(f"cannot bind {host}:{port}: {exc}; pass another --host (TRUNKLINE_HOST)") from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise fail(
                f"port {port} on {host} is already in use (another `trunkline serve`?); stop it or "
                "pass another --port (TRUNKLINE_PORT)"
            ) from None
        raise fail(f"cannot bind {host}:{port}: {exc.strerror or exc}") from None
    sock.set_inheritable(True)
    return sock
