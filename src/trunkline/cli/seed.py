"""``trunkline seed``: fill an account with realistic call history (demos, client tests, load tests)."""

from __future__ import annotations

import time
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from trunkline.cli.common import DatabaseUrlOption, fail, services_of
from trunkline.domain.errors import TrunklineError

_err = Console(stderr=True)


class _RateColumn(ProgressColumn):
    """Calls per second; Rich only ships a bytes-per-second column."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f}/s" if speed else "-/s", style="progress.data.speed")


def seed_command(
    account: Annotated[str, typer.Option("--account", help="SID of an existing account.")],
    calls: Annotated[int, typer.Option("--calls", min=1, help="How many calls to create.")],
    days: Annotated[
        int, typer.Option("--days", min=1, max=183, help="Spread them over this many days before now.")
    ] = 30,
    seed: Annotated[
        int | None,
        typer.Option(
            "--seed",
            help="Random seed: the same seed gives the same calls. Default: the lowest seed from 1 up "
            "whose calls the account does not hold yet.",
            show_default=False,
        ),
    ] = None,
    tracking: Annotated[
        bool,
        typer.Option(
            "--tracking",
            help="Also track the inbound calls (Fone Dynamics): a property whose tracking numbers are the "
            "account's ExoPhones, attribution, visitor sessions, repeat callers.",
        ),
    ] = False,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Create realistic finished calls for an account: business-hour traffic, repeat customers, legs."""
    services = services_of(database_url, create=True)
    try:
        try:
            plan = services.seeding.plan(account, calls, days, seed, tracking=tracking)
        except TrunklineError as exc:
            raise fail(exc.message) from None
        progress = Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            _RateColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=_err,
        )
        started = time.perf_counter()
        with progress:
            task = progress.add_task(f"Seeding {plan.account_sid}", total=calls)
            loaded = services.seeding.load(plan, on_batch=lambda n: progress.advance(task, n))
        seconds = time.perf_counter() - started
    finally:
        services.close()
    rate = loaded / seconds if seconds > 0 else float(loaded)
    typer.echo(
        f"Loaded {loaded:,} calls into {plan.account_sid} (seed {plan.seed}) in {seconds:.1f} s "
        f"({rate:,.0f} calls/s)."
    )
    if plan.tracked is not None:
        typer.echo(f"Tracked {plan.tracked.index:,} inbound calls in property {plan.property_sid}.")
