"""``trunkline sync`` against a second Trunkline server, a live one with a store of its own."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import threading
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from typer.testing import CliRunner

from tests.support.factories import AccountFixture, make_account, make_call
from tests.support.live_server import LiveServer, start_server
from trunkline.cli.main import app
from trunkline.services.archive.source import SourceUnavailable, V1Source
from trunkline.services.archive.sync import SyncRequest
from trunkline.services.commands import CommandServices
from trunkline.store import call_counts
from trunkline.store.database import Database
from trunkline.store.schema.calls import call_legs, calls

DAY_MIN = 24 * 60


@pytest.fixture
def source(tmp_path: Path) -> Iterator[tuple[LiveServer, AccountFixture]]:
    db = Database(f"sqlite:///{tmp_path / 'source.db'}")
    db.migrate()
    account = make_account(db)
    # Two months of history: three 31-day windows, several pages each.
    account.add_calls(*(make_call(account, minutes_ago=30 + i * DAY_MIN * 60 / 70) for i in range(70)))
    server = start_server(db, rate_limit_per_minute=0)
    yield server, account
    server.stop()
    db.dispose()


def _local_account(store: Database, sid: str) -> None:
    CommandServices.over(store).accounts.create(sid)


def _run(store: Database, server: LiveServer, account: AccountFixture, **env: str):  # type: ignore[no-untyped-def]
    args = ["sync", "--from", server.base_url, "--account", account.sid, "--api-key", account.api_key]
    args += ["--api-token", account.api_token, "--database-url", store.url]
    return CliRunner().invoke(app, args, env={"TRUNKLINE_SYNC_PAGE_SIZE": "10", **env})


def _stored(store: Database) -> list[tuple]:  # type: ignore[type-arg]
    with store.read() as conn:
        return [
            tuple(r)
            for r in conn.execute(select(calls.c.sid, calls.c.status, calls.c.duration).order_by(calls.c.sid))
        ]


def _source_calls(server: LiveServer) -> list[tuple]:  # type: ignore[type-arg]
    return _stored(server.db)


def test_sync_copies_every_call_with_legs_then_a_rerun_adds_nothing(store, source) -> None:
    server, account = source
    _local_account(store, account.sid)
    first = _run(store, server, account)
    assert first.exit_code == 0, first.output
    assert "70 new, 0 updated" in first.output
    assert _stored(store) == _source_calls(server)
    with store.read() as conn:
        assert conn.execute(select(func.count()).select_from(call_legs)).scalar() == 140
    again = _run(store, server, account)
    assert again.exit_code == 0, again.output
    assert "0 new, 0 updated" in again.output
    # Incremental: the re-run walked a look-back of a day, not the whole history.
    assert "1 requests" in again.output or "2 requests" in again.output
    assert _stored(store) == _source_calls(server)


def test_the_synced_calls_are_listed_and_counted_by_the_local_api(store, source) -> None:
    server, account = source
    _local_account(store, account.sid)
    assert _run(store, server, account).exit_code == 0
    with store.read() as conn:
        rollup = conn.execute(select(func.count()).select_from(calls)).scalar()
    assert rollup == 70
    export = subprocess.run(
        [sys.executable, "-m", "trunkline.cli.main", "calls", "export", "--account", account.sid,
         "--database-url", store.url],
        capture_output=True, text=True, timeout=60, env=dict(os.environ),
    )  # fmt: skip
    assert export.returncode == 0 and len(export.stdout.splitlines()) == 71


def test_calls_that_change_between_runs(store, source) -> None:
    server, account = source
    _local_account(store, account.sid)
    live = make_call(
        account, minutes_ago=5, status="in-progress", duration=None, price_micros=None, end_time=None
    )
    account.add_calls(live)
    assert _run(store, server, account).exit_code == 0
    assert live.sid not in {row[0] for row in _stored(store)}  # not listed while live
    # The live call ends; the newest synced one (inside the look-back) settles again, differently.
    with server.db.read() as conn:
        settled = conn.execute(
            select(calls.c.sid).where(calls.c.sid != live.sid).order_by(calls.c.date_created.desc()).limit(1)
        ).scalar()
    with server.db.write() as conn:
        conn.execute(update(calls).where(calls.c.sid == live.sid).values(status="completed", duration=40))
        conn.execute(
            update(calls)
            .where(calls.c.sid == settled)
            .values(duration=99, date_updated=calls.c.date_updated + 1000)
        )
        call_counts.rebuild(conn, account.account_id)
    second = _run(store, server, account)
    assert second.exit_code == 0, second.output
    assert "1 new, 1 updated" in second.output
    assert _stored(store) == _source_calls(server)


def test_a_source_rate_limit_is_kept_to_with_retry_after(store, tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'limited.db'}")
    db.migrate()
    account = make_account(db)
    account.add_calls(*(make_call(account, minutes_ago=30 + i) for i in range(64)))
    server = start_server(db, rate_limit_per_minute=60)  # a burst of 60, then one a second
    try:
        _local_account(store, account.sid)
        result = _run(
            store, server, account, TRUNKLINE_SYNC_PAGE_SIZE="1", TRUNKLINE_SYNC_REQUESTS_PER_MINUTE="60000"
        )
        assert result.exit_code == 0, result.output
        assert "64 new" in result.output
        rate_limited = int(result.output.split(" rate-limited")[0].rsplit(" ", 1)[-1])
        assert rate_limited >= 1
        assert len(_stored(store)) == 64
    finally:
        server.stop()
        db.dispose()


def test_a_source_killed_mid_sync_resumes_where_it_stopped(store, source) -> None:
    server, account = source
    _local_account(store, account.sid)
    port = int(server.base_url.rsplit(":", 1)[1])
    services = CommandServices.over(store)
    pages: list[int] = []
    stopped = threading.Event()

    def stop_midway(report) -> None:  # type: ignore[no-untyped-def]
        pages.append(report.pages)
        if report.fetched >= 20 and not stopped.is_set():  # two full pages stored
            stopped.set()
            server.stop()

    source_api = V1Source(
        server.base_url, account.sid, account.api_key, account.api_token,
        requests_per_minute=60000, max_retries=1, timeout_s=5, sleep=lambda s: None,
    )  # fmt: skip
    with pytest.raises(SourceUnavailable):
        services.sync.run(SyncRequest(source_api, account.sid, page_size=10), on_page=stop_midway)
    source_api.close()
    held = len(_stored(store))
    assert 0 < held < 70
    restarted = start_server(server.db, port=port, rate_limit_per_minute=0)
    try:
        result = _run(store, restarted, account)
        assert result.exit_code == 0, result.output
        assert "(resumed)" in result.output
        assert f"{70 - held} new" in result.output
        assert _stored(store) == _source_calls(restarted)
    finally:
        restarted.stop()


def test_bad_credentials_and_unknown_local_account(store, source) -> None:
    server, account = source
    result = _run(store, server, account)
    assert result.exit_code == 2 and "no account" in result.output
    _local_account(store, account.sid)
    account.api_token = "wrong"
    result = _run(store, server, account)
    assert result.exit_code == 2 and "HTTP 401" in result.output


def test_a_sync_holds_one_page_at_a_time(store, source, monkeypatch: pytest.MonkeyPatch) -> None:
    """Memory is bounded by a page, not by the history: once the next page is asked for, nothing of
    a page before the one just stored, neither its body nor any call in it, is still referenced (by
    the report, the progress bar, the source's client or anything else), so a sync of 1M calls needs
    what a sync of 100 does."""
    server, account = source
    _local_account(store, account.sid)
    pages: list[list[weakref.ref[_Page]]] = []
    """Per page: its body, and each call in it (a leak may keep the calls and drop the body)."""
    held_back: list[int] = []
    original = V1Source.list_page

    def list_page(self: V1Source, params):  # type: ignore[no-untyped-def]
        gc.collect()
        # The caller's variable still names the page before this request until it returns.
        held_back.append(sum(1 for refs in pages[:-1] if any(ref() is not None for ref in refs)))
        body = _Page(original(self, params))
        calls = [_Page(call) for call in body.get("Calls", [])]
        body["Calls"] = calls
        pages.append([weakref.ref(body), *(weakref.ref(call) for call in calls)])
        return body

    monkeypatch.setattr(V1Source, "list_page", list_page)
    result = _run(store, server, account)
    assert result.exit_code == 0, result.output
    assert "70 new" in result.output
    assert len(pages) >= 8
    assert held_back == [0] * len(pages)


class _Page(dict):  # type: ignore[type-arg]
    """A page body that a weak reference can follow (a plain dict cannot be)."""
