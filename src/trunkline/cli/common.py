"""What every CLI command shares: the --database-url option, the services of a command (opened
here, in one place, so an unreachable or missing store is one line, never a traceback), the
account argument and failing with a message."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from trunkline.services.composition import CommandServices
from trunkline.services.store_opening import StoreUnavailable

AccountArg = Annotated[str, typer.Argument(help="Account SID.")]
_err = Console(stderr=True, soft_wrap=True)

DatabaseUrlOption = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="SQLite path or PostgreSQL URL; default from TRUNKLINE_DATABASE_URL (sqlite:///trunkline.db).",
        show_default=False,
    ),
]


def services_of(database_url: str | None, *, create: bool = False) -> CommandServices:
    """The services of a command over the store named on the command line (or by the settings),
    opened and migrated now. Only commands that set a store up (``serve``, ``migrate``,
    ``accounts create``, ``seed``) pass ``create``; any other command run where there is no store
    fails, naming the URL it looked at, instead of creating an empty one."""
    services = CommandServices(database_url, create=create)
    try:
        _ = services.db
    except StoreUnavailable as exc:
        raise fail(exc.message) from None
    return services


def fail(message: str) -> typer.Exit:
    """Say what went wrong on stderr, on one line however narrow the terminal; raise the returned
    exit (status 2)."""
    _err.print(f"[red]error:[/red] {escape(message)}")
    return typer.Exit(2)
