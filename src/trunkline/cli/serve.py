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
import secrets
import socket
from typing import Annotated

import typer

from trunkline.cli.common import fail, services_of
from trunkline.config import WILDCARD_HOSTS, Settings, base_url
from trunkline.logging_setup import configure
from trunkline.services.accounts import Credential

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
    }
    # Imported here, not at the top: every ``trunkline`` command imports this module, and the web
    # stack (FastAPI, the routes, uvicorn) is ~20 MB of resident memory that only ``serve`` uses;
    # ``calls export`` must stay under 200 MB (issue 15).
    import uvicorn

    from trunkline.api.app import create_app

    settings = Settings(**{k: v for k, v in overrides.items() if v is not None})  # type: ignore[arg-type]
    configure(settings.log_level)
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
        services.seeding.ensure_demo(DEMO_SID, credential, DEMO_EXOPHONE, DEMO_CALLS)
        lines.append(
            f"Demo account  sid={DEMO_SID}  api_key={credential.api_key}  api_token={credential.api_token}"
        )
        auth = f"{credential.api_key}:{credential.api_token}"
        lines.append(f"Try:  curl -u {auth} {base}/v1/Accounts/{DEMO_SID}/Calls.json")
    if settings.admin_token is None:
        # Printed once here and never logged; set TRUNKLINE_ADMIN_TOKEN to keep one across restarts.
        settings = settings.model_copy(update={"admin_token": secrets.token_urlsafe(24)})
        shown_token = settings.admin_token
    else:
        shown_token = "(from TRUNKLINE_ADMIN_TOKEN)"  # the user's own secret is not echoed back
    lines.append(f"Admin API: {base}/admin  (Authorization: Bearer {shown_token})")
    clock_note = f"x{settings.time_scale:g}" if settings.clock == "real" else "advance it via the admin API"
    lines.append(
        f"Network clock: {settings.clock} ({clock_note}), simulated network seed {settings.network_seed}"
    )
    lines.append(f"API docs: {base}/docs")
    # Plain writes, not Rich: Rich wraps at 80 columns when stdout is not a terminal, which broke
    # the credentials and the curl line for anyone capturing the banner.
    typer.echo("\n".join(lines))
    app = create_app(settings, db)
    # What exists now lives as long as the server: frozen out of the cycle collector's sight, a full
    # collection walks only what requests leave behind. Unfrozen, its ~130k objects made every gen-2
    # pass a 100-140 ms stall of whatever request was running (a bulk list's p99).
    gc.collect()
    gc.freeze()
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=bound_port,
        log_config=None,
        # The client address is the app's to decide (TRUNKLINE_TRUSTED_PROXIES); uvicorn's default would
        # believe X-Forwarded-For from any local process.
        proxy_headers=False,
        access_log=False,
        log_level=settings.log_level.lower(),
    )
    uvicorn.Server(config).run(sockets=[sock])


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
