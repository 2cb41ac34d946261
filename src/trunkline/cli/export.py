"""``trunkline calls export``: write an account's calls to CSV, JSON Lines or Parquet.

Thin: the options become ``ExportFilters`` and ``ExportService`` does the rest; this module only
draws the progress bar (on stderr, so ``--output`` may be left out to write to stdout).
"""

from __future__ import annotations

import time
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)

from trunkline.cli.common import DatabaseUrlOption, fail, services_of
from trunkline.domain.errors import TrunklineError
from trunkline.services.archive.export import ExportFilters

calls_app = typer.Typer(help="An account's calls, in bulk.", no_args_is_help=True)
_err = Console(stderr=True)


def _listed(values: list[str] | None) -> tuple[str, ...]:
    """Repeated options and comma lists alike: ``--status busy --status failed`` or ``busy,failed``."""
    return tuple(item.strip() for value in values or () for item in value.split(",") if item.strip())


@calls_app.command("export")
def export_command(
    account: Annotated[str, typer.Option("--account", help="SID of the account whose calls to export.")],
    file_format: Annotated[
        str, typer.Option("--format", help="csv, jsonl or parquet (Parquet needs pyarrow).")
    ] = "csv",
    output: Annotated[
        str | None,
        typer.Option(
            "--output", "-o", help="File to write; standard output when left out or `-` (not Parquet)."
        ),
    ] = None,
    legs: Annotated[bool, typer.Option("--legs", help="Include each call's legs.")] = False,
    status: Annotated[
        list[str] | None, typer.Option("--status", help="completed, failed, busy, no-answer, canceled.")
    ] = None,
    direction: Annotated[
        list[str] | None, typer.Option("--direction", help="inbound, outbound-api, outbound-dial.")
    ] = None,
    to: Annotated[list[str] | None, typer.Option("--to", help="Customer number(s) called.")] = None,
    from_: Annotated[list[str] | None, typer.Option("--from", help="Number(s) called first.")] = None,
    phone_number: Annotated[list[str] | None, typer.Option("--phone-number", help="ExoPhone(s).")] = None,
    sid: Annotated[list[str] | None, typer.Option("--sid", help="Call Sid(s).")] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Created at or after: YYYY-MM-DD[ HH:MM:SS], IST.")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Created at or before (a bare date: that whole day).")
    ] = None,
    min_duration: Annotated[int | None, typer.Option("--min-duration", help="Seconds, at least.")] = None,
    max_duration: Annotated[int | None, typer.Option("--max-duration", help="Seconds, at most.")] = None,
    min_price: Annotated[str | None, typer.Option("--min-price", help="Price at least, e.g. 0.50.")] = None,
    max_price: Annotated[str | None, typer.Option("--max-price", help="Price at most.")] = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Export an account's finished calls, oldest first, with the bulk list's filters but none of its
    limits: by default every call the store holds."""
    filters = ExportFilters(
        sids=_listed(sid),
        to_numbers=_listed(to),
        from_numbers=_listed(from_),
        phone_numbers=_listed(phone_number),
        statuses=_listed(status),
        directions=_listed(direction),
        created_from=since,
        created_to=until,
        min_duration=min_duration,
        max_duration=max_duration,
        min_price=min_price,
        max_price=max_price,
    )
    services = services_of(database_url)
    started = time.perf_counter()
    try:
        total = services.export.count(account, filters)
        progress = Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=_err,
        )
        with progress:
            task = progress.add_task(f"Exporting {account}", total=total)
            result = services.export.export(
                account,
                filters,
                file_format.lower(),
                None if output == "-" else output,
                legs=legs,
                on_batch=lambda n: progress.advance(task, n),
            )
    except TrunklineError as exc:
        raise fail(exc.message) from None
    finally:
        services.close()
    seconds = time.perf_counter() - started
    where = "standard output" if result.output == "-" else result.output
    _err.print(f"Exported {result.calls:,} calls to {where} in {seconds:.1f} s.")
