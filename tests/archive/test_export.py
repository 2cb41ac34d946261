"""``trunkline calls export`` end to end: a real command over a SQLite store, every format."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from tests.support.factories import make_account, make_call
from trunkline.store.database import Database


def _export(db: Database, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "trunkline.cli.main", "calls", "export", "--database-url", db.url, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "TRUNKLINE_EXPORT_BATCH_SIZE": "100"},  # several batches from a small store
    )


@pytest.fixture
def history(store: Database):  # type: ignore[no-untyped-def]
    account = make_account(store)
    # Older than the bulk list's six months, and more than one batch: an export has no such limits.
    calls = [make_call(account, minutes_ago=60 * 24 * (400 - i)) for i in range(250)]
    calls += [make_call(account, minutes_ago=30 + i, status="busy", duration=0, legs=[]) for i in range(5)]
    account.add_calls(*calls)
    return account, calls


def test_csv_has_every_call_oldest_first_without_the_list_limits(store, history, tmp_path: Path) -> None:
    account, calls = history
    out = tmp_path / "calls.csv"
    result = _export(store, "--account", account.sid, "--format", "csv", "--output", str(out))
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(out.open()))
    assert [row["sid"] for row in rows] == [
        c.sid for c in sorted(calls, key=lambda c: (c.date_created, c.sid))
    ]
    first = rows[0]
    assert first["account_sid"] == account.sid and first["price"] == "1.500000" and first["duration"] == "21"
    assert first["date_created"].endswith("Z") and first["from"] == "+919876543210"
    assert "Exported 255 calls" in result.stderr


def test_filters_and_legs_in_json_lines(store, history, tmp_path: Path) -> None:
    account, _ = history
    out = tmp_path / "busy.jsonl"
    result = _export(
        store, "--account", account.sid, "--format", "jsonl", "--status", "busy", "--legs", "-o", str(out)
    )
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == 5 and {line["status"] for line in lines} == {"busy"}
    assert all(line["legs"] == [] for line in lines)
    out = tmp_path / "legs.jsonl"
    assert (
        _export(
            store,
            "--account",
            account.sid,
            "--format",
            "jsonl",
            "--legs",
            "--min-duration",
            "20",
            "-o",
            str(out),
        ).returncode
        == 0
    )
    first = json.loads(out.read_text().splitlines()[0])
    assert [leg["leg_id"] for leg in first["legs"]] == [1, 2] and first["legs"][1]["on_call_duration"] == 8


def test_parquet_with_legs(store, history, tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    account, calls = history
    out = tmp_path / "calls.parquet"
    result = _export(store, "--account", account.sid, "--format", "parquet", "--legs", "--output", str(out))
    assert result.returncode == 0, result.stderr
    table = pq.read_table(out)
    assert table.num_rows == len(calls)
    row = table.slice(0, 1).to_pylist()[0]
    assert str(row["price"]) == "1.500000" and row["date_created"].tzinfo is not None
    assert [leg["leg_id"] for leg in row["legs"]] == [1, 2]
    # Row groups record min/max of times, numbers, status and direction, not of the long strings
    # (their statistics made the footer, held in memory to the end, grow with the store).
    group = pq.ParquetFile(out).metadata.row_group(0)
    columns = {group.column(i).path_in_schema: group.column(i) for i in range(group.num_columns)}
    assert columns["date_created"].is_stats_set and columns["status"].is_stats_set
    assert not columns["sid"].is_stats_set and not columns["from"].is_stats_set


def test_to_stdout_by_date_range(store, history) -> None:
    account, calls = history
    since = "2000-01-01"
    result = _export(
        store, "--account", account.sid, "--format", "csv", "--since", since, "--direction", "outbound-api"
    )
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == len(calls) + 1
    assert f"Exported {len(calls)} calls to standard output in" in result.stderr
    dashed = _export(store, "--account", account.sid, "--format", "csv", "--since", since, "--output", "-")
    assert dashed.returncode == 0 and dashed.stdout.splitlines()[0] == result.stdout.splitlines()[0]
    assert len(dashed.stdout.splitlines()) > len(calls) and not Path("-").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--status", "ringing-ish"), "status must be among"),
        (("--format", "xls"), "format must be one of"),
        (("--to", "not-a-number"), "to:"),
        (("--since", "yesterday"), "since must be a date"),
        (("--min-price", "abc"), "min-price"),
        (("--format", "parquet"), "give --output"),
    ],
)
def test_bad_options_fail_with_a_message_and_write_nothing(
    store, history, tmp_path: Path, args, message
) -> None:
    account, _ = history
    result = _export(store, "--account", account.sid, *args)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert not list(tmp_path.glob("*.csv"))


def test_unknown_account_and_missing_store(store, tmp_path: Path) -> None:
    result = _export(store, "--account", "nobody")
    assert result.returncode == 2 and "no account nobody" in result.stderr
    missing = Database(f"sqlite:///{tmp_path / 'nowhere.db'}")
    result = _export(missing, "--account", "demo")
    assert result.returncode == 2 and "no store at" in result.stderr
    assert not (tmp_path / "nowhere.db").exists()


def test_every_format_is_the_same_from_postgresql_as_from_sqlite(
    store, database_factory, tmp_path: Path
) -> None:
    """The PostgreSQL read (one server-side cursor) writes the same files as SQLite's keyset reads:
    the same calls, in the same order, with the same values, in every format, with legs."""
    pq = pytest.importorskip("pyarrow.parquet")
    postgres = database_factory("postgres", "export_pg")
    sqlite_account = make_account(store)
    pg_account = make_account(postgres, exophones=sqlite_account.exophones)
    calls = [make_call(sqlite_account, minutes_ago=60 * 24 * (400 - i)) for i in range(230)]
    calls += [
        make_call(sqlite_account, minutes_ago=30 + i, status="busy", price_micros=None, legs=[])
        for i in range(5)
    ]
    sqlite_account.add_calls(*calls)
    pg_account.add_calls(*(replace(call, account_sid=pg_account.sid) for call in calls))
    for file_format in ("csv", "jsonl", "parquet"):
        outputs = []
        for db, account in ((store, sqlite_account), (postgres, pg_account)):
            out = tmp_path / f"{account.sid}.{file_format}"
            result = _export(db, "--account", account.sid, "--format", file_format, "--legs", "-o", str(out))
            assert result.returncode == 0, result.stderr
            assert "Exported 235 calls" in result.stderr
            if file_format == "parquet":
                outputs.append(pq.read_table(out).drop_columns(["account_sid"]).to_pylist())
            else:
                outputs.append(out.read_text().replace(account.sid, "ACCOUNT"))
        assert outputs[0] == outputs[1], file_format
