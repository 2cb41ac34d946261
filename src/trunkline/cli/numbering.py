"""``trunkline numbering import`` and ``trunkline dnd import``: load the number metadata tables.

The shipped mobile series seed is only illustrative; operators load their own table here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from trunkline.cli.common import DatabaseUrlOption, services_of
from trunkline.domain.errors import InvalidParameter

numbering_app = typer.Typer(
    help="Mobile number series: the operator and telecom circle of each prefix.", no_args_is_help=True
)
dnd_app = typer.Typer(help="The local DND (do-not-disturb) preference registry.", no_args_is_help=True)

_out = Console()
_err = Console(stderr=True)

FileArgument = Annotated[
    Path, typer.Argument(help="CSV file; '#' lines and a header row are skipped.", show_default=False)
]


def _fail(exc: InvalidParameter) -> typer.Exit:
    _err.print(f"[red]error:[/red] {escape(exc.message)}", soft_wrap=True)
    return typer.Exit(2)


@numbering_app.command("import")
def import_series(
    file: FileArgument,
    replace: Annotated[
        bool, typer.Option("--replace", help="Delete every existing series first (one transaction).")
    ] = False,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Import prefix,operator_code,circle_code[,source] rows (prefix: first 4-6 digits of the mobile)."""
    numbers = services_of(database_url).numbers
    try:
        count = numbers.import_series(file, replace=replace)
    except InvalidParameter as exc:
        raise _fail(exc) from exc
    verb = "Replaced the series table with" if replace else "Imported"
    _out.print(f"{verb} [bold]{count}[/bold] mobile series from {escape(str(file))}", soft_wrap=True)


@dnd_app.command("import")
def import_dnd(file: FileArgument, database_url: DatabaseUrlOption = None) -> None:
    """Import number,dnd[,categories,source] rows; dnd is yes/no/true/false/1/0, numbers in any spelling."""
    numbers = services_of(database_url).numbers
    try:
        count = numbers.import_dnd(file)
    except InvalidParameter as exc:
        raise _fail(exc) from exc
    _out.print(f"Imported [bold]{count}[/bold] DND entries from {escape(str(file))}", soft_wrap=True)
