"""What every CLI command shares: the --database-url option, the services of a command, the account
argument and failing with a message."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from trunkline.services.composition import CommandServices

AccountArg = Annotated[str, typer.Argument(help="Account SID.")]
_err = Console(stderr=True)

DatabaseUrlOption = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="SQLite path or PostgreSQL URL; default from TRUNKLINE_DATABASE_URL (sqlite:///trunkline.db).",
        show_default=False,
    ),
]


def services_of(database_url: str | None) -> CommandServices:
    """The services of a command over the store named on the command line (or by the settings),
    each built on first use; the store is opened and migrated with the first of them."""
    return CommandServices(database_url)


def fail(message: str) -> typer.Exit:
    """Say what went wrong on stderr; raise the returned exit (status 2)."""
    _err.print(f"[red]error:[/red] {message}")
    return typer.Exit(2)
