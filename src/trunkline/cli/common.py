"""What every CLI command shares: the --database-url option, the services of a command (opened
here, in one place, so an unreachable or missing store is one line, never a traceback), the
account argument and failing with a message."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Annotated

import typer
from rich.cells import cell_len
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from trunkline.services.commands import CommandServices
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


_FOLDED_WIDTH = 6
"""The narrowest a folding column is laid out at."""


def print_table(
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    ids: Sequence[str],
    title: str | None = None,
) -> None:
    """Print a table whose ``ids`` columns are never cut: the next command needs them whole.

    On a terminal, id columns neither wrap nor shrink below their longest value; other columns fold
    (wrap inside a word) rather than end in an ellipsis, so no value is lost at any width. Piped into
    a file or another program (``| grep``, ``| cat``), where nobody sees a width, each row is one
    line with every value whole, however wide that makes it."""
    table = Table(title=title)
    rows = [list(row) for row in rows]
    widest = [
        max([cell_len(header), *(cell_len(row[i]) for row in rows)]) for i, header in enumerate(headers)
    ]
    natural = 1 + sum(width + 3 for width in widest)  # the left border; each column its padding and border
    needed = 1
    for index, header in enumerate(headers):
        if header in ids:
            table.add_column(header, no_wrap=True, min_width=widest[index])
            needed += widest[index] + 3
        else:
            table.add_column(header, overflow="fold")
            needed += _FOLDED_WIDTH + 3
    for row in rows:
        table.add_row(*(escape(cell) for cell in row))
    console = Console()  # built here so it measures the terminal it runs in
    if not console.is_terminal:
        console = Console(width=max(natural, cell_len(title or "")))
    elif console.width < needed:
        # Too narrow even for the ids: lay the table out wider and let the terminal wrap its
        # lines, rather than cropping ids or squeezing a column to nothing.
        console = Console(width=needed)
    console.print(table)
