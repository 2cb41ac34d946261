"""What every CLI command shares: the --database-url option, opening a migrated store, the account
argument and failing with a message."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from trunkline.config import Settings
from trunkline.store.accounts import Account, AccountStore
from trunkline.store.database import Database

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


def open_database(database_url: str | None) -> Database:
    """Open the store named on the command line (or by the settings) and migrate it."""
    db = Database(database_url or Settings().database_url)
    db.migrate()
    return db


def fail(message: str) -> typer.Exit:
    """Say what went wrong on stderr; raise the returned exit (status 2)."""
    _err.print(f"[red]error:[/red] {message}")
    return typer.Exit(2)


def account_of(db: Database, sid: str) -> Account:
    """The account named on the command line, or a clean exit saying there is none."""
    account = AccountStore(db).get(sid)
    if account is None:
        raise fail(f"no account {sid}")
    return account
