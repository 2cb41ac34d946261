"""The Overview stays equal to a direct count while the engine places, ends and settles calls (virtual
clock, Duration settling two minutes after a call ends, as in production), and after ``trunkline seed``."""

from __future__ import annotations

import random
from collections.abc import Iterator

import httpx
import pytest
import typer
from typer.testing import CliRunner

from tests.overview.direct import assert_matches, direct
from tests.overview.test_overview_figures import _rebuilt, _rollups
from tests.support.calls_api import ANSWER, BUSY, MACHINE, NEVER, advance, place
from tests.support.factories import make_account
from tests.support.live_server import LiveServer, start_server
from trunkline.cli.seed import seed_command
from trunkline.engine.clock import wall_ms


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def settling_server(request: pytest.FixtureRequest, database_factory) -> Iterator[LiveServer]:  # type: ignore[no-untyped-def]
    db = database_factory(request.param, f"overview_engine_{request.param}")
    live = start_server(db, rate_limit_per_minute=0, clock="virtual", settle_delay_seconds=120)
    yield live
    live.stop()


def _overview_matches(live: LiveServer, account_id: int, sid: str) -> None:
    service = live.services.overview
    for name, step in (("24h", "hour"), ("7d", "day"), ("30d", "hour")):
        win = service.window(name, step)
        overview = service.read(sid, win)
        with live.db.engine.connect() as conn:
            assert_matches(overview, direct(conn, account_id, win))


def test_the_engine_keeps_the_overview_exact_as_calls_end_and_settle(settling_server: LiveServer) -> None:
    account = make_account(settling_server.db)
    rng = random.Random(14)
    with httpx.Client(base_url=settling_server.base_url, timeout=30) as client:
        for _ in range(20):
            place(client, account, From=rng.choice([ANSWER, MACHINE, NEVER]), To=rng.choice([ANSWER, BUSY]))
        for step in (20, 60, 120, 300):
            advance(client, step)
            with settling_server.db.write() as conn:  # the write lock up front, as the engine takes it
                assert _rollups(conn, account.account_id) == _rebuilt(conn, account.account_id), step
            _overview_matches(settling_server, account.account_id, account.sid)
    overview = settling_server.services.overview.read(
        account.sid, settling_server.services.overview.window("24h", None)
    )
    assert overview.total == 20  # all ended by now
    assert overview.talk["completed"][0] == overview.by_status["completed"]  # and all settled


def test_seeded_history_shows_in_the_overview(settling_server: LiveServer) -> None:
    account = make_account(settling_server.db)
    cli = typer.Typer()

    @cli.callback()
    def main() -> None:
        """Keeps ``seed`` a subcommand."""

    cli.command("seed")(seed_command)
    args = ["seed", "--account", account.sid, "--calls", "600", "--days", "20"]
    result = CliRunner().invoke(cli, [*args, "--database-url", settling_server.db.url])
    assert result.exit_code == 0, result.output
    service = settling_server.services.overview
    # Seeded history ends at the wall clock's now; the virtual clock may be elsewhere.
    for name, step in (("30d", "day"), ("7d", "hour"), ("24h", "hour")):
        win = service.window(name, step, wall_ms())
        with settling_server.db.engine.connect() as conn:
            assert_matches(service.read(account.sid, win), direct(conn, account.account_id, win))
    month = service.read(account.sid, service.window("30d", "day", wall_ms()))
    assert month.total > 400 and month.callers and month.answer_rate is not None
