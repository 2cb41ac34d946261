"""``trunkline serve``: migrate the store, make sure the demo account exists, run the server."""

from __future__ import annotations

import gc
import hashlib
import hmac
import secrets
from typing import Annotated

import typer
import uvicorn
from rich.console import Console

from trunkline.api.app import create_app
from trunkline.config import Settings
from trunkline.logging_setup import configure
from trunkline.services.accounts import Credential
from trunkline.services.composition import CommandServices

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
        "database_url": database_url,
        "log_level": log_level,
        "clock": clock,
        "time_scale": time_scale,
        "scenario_file": scenario_file,
        "network_seed": network_seed,
    }
    settings = Settings(**{k: v for k, v in overrides.items() if v is not None})  # type: ignore[arg-type]
    configure(settings.log_level)
    services = CommandServices(settings.database_url)
    db = services.db
    console = Console()
    base = f"http://{settings.host}:{settings.port}"
    # render_as_string() masks a PostgreSQL password.
    console.print(f"[bold]Trunkline[/bold] on {base}  (store: {db.engine.url.render_as_string()})")
    if settings.demo_account:
        credential = demo_credential(services.secret_key(settings.secret_key))
        services.seeding.ensure_demo(DEMO_SID, credential, DEMO_EXOPHONE, DEMO_CALLS)
        console.print(
            f"Demo account  sid={DEMO_SID}  api_key={credential.api_key}  api_token={credential.api_token}"
        )
        auth = f"{credential.api_key}:{credential.api_token}"
        console.print(f"Try:  curl -u {auth} {base}/v1/Accounts/{DEMO_SID}/Calls.json")
    if settings.admin_token is None:
        # Printed once here and never logged; set TRUNKLINE_ADMIN_TOKEN to keep one across restarts.
        settings = settings.model_copy(update={"admin_token": secrets.token_urlsafe(24)})
    console.print(f"Admin API: {base}/admin  (Authorization: Bearer {settings.admin_token})")
    clock_note = f"x{settings.time_scale:g}" if settings.clock == "real" else "advance it via the admin API"
    console.print(
        f"Network clock: {settings.clock} ({clock_note}), simulated network seed {settings.network_seed}"
    )
    console.print(f"API docs: {base}/docs")
    app = create_app(settings, db)
    # What exists now lives as long as the server: frozen out of the cycle collector's sight, a full
    # collection walks only what requests leave behind. Unfrozen, its ~130k objects made every gen-2
    # pass a 100-140 ms stall of whatever request was running (a bulk list's p99).
    gc.collect()
    gc.freeze()
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        # The client address is the app's to decide (TRUNKLINE_TRUSTED_PROXIES); uvicorn's default would
        # believe X-Forwarded-For from any local process.
        proxy_headers=False,
        access_log=False,
        log_level=settings.log_level.lower(),
    )
