"""``trunkline seed``: fill an account with realistic call history (demos, client tests, load tests)."""

from __future__ import annotations

import time
from itertools import chain
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

from trunkline.cli.common import DatabaseUrlOption, fail, open_database
from trunkline.domain.clock import now_ms
from trunkline.engine.seeding.history import generate_history
from trunkline.engine.seeding.tracking import TrackedHistory, mobile_circles, prepare_property
from trunkline.store.accounts import AccountStore
from trunkline.store.bulk_load import load_calls, rebuild_tracking
from trunkline.store.calls import CallStore

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
    seed: Annotated[int, typer.Option("--seed", help="Random seed: the same seed gives the same calls.")] = 1,
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
    db = open_database(database_url)
    try:
        found = AccountStore(db).get(account)
        if found is None:
            raise fail(f"no account {account!r}; create it with `trunkline accounts create --sid {account}`")
        if not found.exophones:
            raise fail(
                f"account {account!r} has no ExoPhone; add one with "
                f"`trunkline accounts add-exophone --sid {account} <number>` "
                "(or create accounts with `trunkline accounts create --exophone <number>`)"
            )
        records = generate_history(found.exophones, found.sid, calls, days, seed, now_ms())
        # A seed's Sids depend on the seed and the account only, so the first one tells a repeat.
        first = next(records, None)
        if first is not None and CallStore(db).get(found.id, found.sid, first.sid) is not None:
            raise fail(f"account {account!r} already holds the calls of seed {seed}; choose another --seed")
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
        along = None
        if tracking:
            prop, numbers = prepare_property(db, found.id, found.sid, found.exophones, seed, now_ms())
            along = TrackedHistory(found.id, prop.id, numbers, seed, mobile_circles(db))
        started = time.perf_counter()
        with progress:
            task = progress.add_task(f"Seeding {found.sid}", total=calls)
            loaded = load_calls(
                db,
                found.id,
                chain([] if first is None else [first], records),
                on_batch=lambda n: progress.advance(task, n),
                along=along,
            )
        if along is not None and loaded:
            rebuild_tracking(db, found.id)
        seconds = time.perf_counter() - started
    finally:
        db.dispose()
    rate = loaded / seconds if seconds > 0 else float(loaded)
    typer.echo(f"Loaded {loaded:,} calls into {found.sid} in {seconds:.1f} s ({rate:,.0f} calls/s).")
    if along is not None:
        typer.echo(f"Tracked {along.index:,} inbound calls in property {prop.sid}.")
