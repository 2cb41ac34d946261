"""``trunkline seed --tracking`` loads tracked history that lists like live calls: every seeded inbound
call to a tracking number has a row, repeat flags follow the callers, and the rollup's totals match."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from tests.support.factories import make_account
from trunkline.cli.main import app
from trunkline.domain.tracking.query import parse_calls_query
from trunkline.store.database import Database
from trunkline.store.schema import calls, tracked_calls
from trunkline.store.tracking import TrackingStore

runner = CliRunner()


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_seeded_tracking_lists_with_exact_totals(database_factory, backend: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db: Database = database_factory(backend, f"fone_seed_{backend}")
    account = make_account(db, exophones=("+918047112233", "+918047112234"))
    result = runner.invoke(
        app, ["seed", "--account", account.sid, "--calls", "3000", "--days", "5", "--tracking",
              "--database-url", db.url.replace("+psycopg", "")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with db.engine.connect() as conn:
        inbound = conn.execute(
            select(func.count()).where(
                calls.c.account_id == account.account_id, calls.c.direction == "inbound"
            )
        ).scalar_one()
        rows = conn.execute(
            select(tracked_calls.c.from_number, tracked_calls.c.is_repeat)
            .where(tracked_calls.c.account_id == account.account_id)
            .order_by(tracked_calls.c.date_start, tracked_calls.c.call_id)
        ).all()
    assert len(rows) == inbound > 1000
    seen: set[str] = set()
    for caller, is_repeat in rows:
        assert is_repeat == (caller in seen)
        seen.add(caller)
    store = TrackingStore(db)
    for params in ({}, {"Unique": "Repeat"}, {"Unique": "Unique"}, {"Disposition": "Answered,Busy"},
                   {"Attribution_Source": "google", "Unique": "Repeat"}):  # fmt: skip
        page = store.list_calls(
            account.account_id, None, parse_calls_query({**params, "Results_Count": "1000"})
        )
        exact = store.list_calls(
            account.account_id, None, parse_calls_query({**params, "Prompts_keys": "", "Results_Count": "1"})
        )
        assert page.total == exact.total
        deep = store.list_calls(
            account.account_id,
            None,
            parse_calls_query({**params, "Results_Skip": str(max(0, page.total - 5))}),
        )
        assert len(deep.calls) == min(5, page.total)
    repeats = store.list_calls(account.account_id, None, parse_calls_query({"Unique": "Repeat"})).total
    assert repeats == len(rows) - len(seen)
