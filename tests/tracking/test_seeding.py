"""``trunkline seed --tracking`` loads tracked history that lists like live calls: every seeded inbound
call to a tracking number has a row, repeat flags follow the callers, and the rollup's totals match."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from sqlalchemy import case, func, select, update
from typer.testing import CliRunner

from tests.support.factories import make_account
from trunkline.api.fone_dynamics.params import parse_calls_query, parse_prompts_keys
from trunkline.cli.main import app
from trunkline.domain.tracking.query import matches_keys
from trunkline.store.database import Database
from trunkline.store.schema.calls import calls
from trunkline.store.schema.tracking import tracked_calls
from trunkline.store.tracking.call_lists import TrackedCallStore
from trunkline.store.tracking.rollups import rebuild_rollup

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
    store, listed = TrackedCallStore(db), _listed_rows(db, account.account_id)
    for params in ({}, {"Unique": "Repeat"}, {"Unique": "Unique"}, {"Disposition": "Answered,Busy"},
                   {"Attribution_Source": "google", "Unique": "Repeat"}):  # fmt: skip
        page = store.list_calls(
            account.account_id, None, parse_calls_query({**params, "Results_Count": "1000"})
        )
        assert page.total == len(_walk(listed, params)), params  # counted in Python, not by the store
        deep = store.list_calls(
            account.account_id,
            None,
            parse_calls_query({**params, "Results_Skip": str(max(0, page.total - 5))}),
        )
        assert len(deep.calls) == min(5, page.total)
    repeats = store.list_calls(account.account_id, None, parse_calls_query({"Unique": "Repeat"})).total
    assert repeats == len(rows) - len(seen)


def _listed_rows(db: Database, account_id: int) -> list[tuple[int, int, int, str, str, str | None]]:
    """The account's listed tracked calls as ``_walk`` takes them, earliest first."""
    with db.engine.connect() as conn:
        return [
            (int(call_id), int(at), int(is_repeat), disposition, source, keys)
            for call_id, at, is_repeat, disposition, source, keys in conn.execute(
                select(
                    tracked_calls.c.call_id,
                    tracked_calls.c.date_start,
                    tracked_calls.c.is_repeat,
                    tracked_calls.c.disposition,
                    tracked_calls.c.attribution_source,
                    tracked_calls.c.prompts_keys,
                )
                .where(tracked_calls.c.account_id == account_id, tracked_calls.c.disposition.is_not(None))
                .order_by(tracked_calls.c.date_start, tracked_calls.c.call_id)
            )
        ]


def _walk(rows: list[tuple[int, int, int, str, str, str | None]], params: dict[str, str]) -> list[int]:
    """The listed call ids ``params`` selects, earliest first, worked out in Python."""
    low = int(params["Date_From"]) * 1000 if "Date_From" in params else None
    high = int(params["Date_To"]) * 1000 if "Date_To" in params else None
    repeat = {"Repeat": 1, "Unique": 0}.get(params.get("Unique", "All"))
    dispositions = params["Disposition"].split(",") if "Disposition" in params else None
    return [
        call_id
        for call_id, at, is_repeat, disposition, source, keys in rows
        if (low is None or at >= low)
        and (high is None or at < high)
        and (repeat is None or is_repeat == repeat)
        and (dispositions is None or disposition in dispositions)
        and ("Attribution_Source" not in params or source == params["Attribution_Source"])
        and matches_keys(keys, parse_prompts_keys(params.get("Prompts_keys", "")))
    ]


KEY_PATHS = (None, "1", "1,2", "1,2,3", "3")


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_every_skip_lands_where_a_walk_of_the_calls_does(database_factory, backend: str) -> None:  # type: ignore[no-untyped-def]
    """TotalCount and Results_Skip go by the rollups (days, then the hour a skip lands in, and the
    minutes at the window's ends counted exactly); the pages must be those of a plain walk."""
    db: Database = database_factory(backend, f"fone_skip_{backend}")
    account = make_account(db, exophones=("+918047112233",))
    result = runner.invoke(
        app, ["seed", "--account", account.sid, "--calls", "1500", "--days", "3", "--tracking", "--seed", "5",
              "--database-url", db.url.replace("+psycopg", "")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with db.write() as conn:  # key paths the seeder does not press: "", "1", "1,2", "1,2,3", "3"
        paths = case(*((tracked_calls.c.call_id % 5 == i, path) for i, path in enumerate(KEY_PATHS)))
        conn.execute(
            update(tracked_calls)
            .where(tracked_calls.c.account_id == account.account_id)
            .values(prompts_keys=paths)
        )
        rebuild_rollup(conn, account.account_id)
    rows = _listed_rows(db, account.account_id)
    first, last = rows[0][1] // 1000, rows[-1][1] // 1000
    rng = random.Random(3)
    store = TrackedCallStore(db)
    filters = (
        {},
        {"Unique": "Repeat"},
        {"Disposition": "Answered"},
        {"Attribution_Source": "google"},
        {"Prompts_keys": "1,2"},
        {"Prompts_keys": "3;1,2,3", "Unique": "Repeat"},
        {"Prompts_keys": "1", "Attribution_Source": "google"},
    )
    for _ in range(40):
        params = dict(rng.choice(filters))
        if rng.random() < 0.6:
            params["Date_From"] = str(rng.randint(first - 3600, last))
        if rng.random() < 0.6:
            params["Date_To"] = str(rng.randint(int(params.get("Date_From", first)), last + 3600))
        expected = _walk(rows, params)
        for skip in {
            0,
            len(expected) // 3,
            len(expected) // 2,
            max(0, len(expected) - 7),
            rng.randint(0, len(rows)),
        }:
            query = parse_calls_query({**params, "Results_Skip": str(skip), "Results_Count": "5"})
            page = store.list_calls(account.account_id, None, query)
            assert page.total == len(expected), params
            assert [call.call_id for call in page.calls] == expected[skip : skip + 5], (params, skip)
