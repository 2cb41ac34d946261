"""What every CLI command shares: the --database-url option and opening a migrated store."""

from __future__ import annotations

from typing import Annotated

import typer

from trunkline.config import Settings
from trunkline.store.database import Database

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
