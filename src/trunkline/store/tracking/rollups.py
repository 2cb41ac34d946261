"""The two rollups of listed tracked calls: ``tracked_call_counts`` per UTC day by every filter a
rollup can hold, ``tracked_call_summary`` per hour and day by the common ones (``call_lists`` reads
them). Added to as calls end (``TrackingObserver``), rebuilt after bulk loads, purged with the calls."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, delete, func, insert, literal_column, select

from trunkline.domain.calls.bulk_filters import DAY_MS
from trunkline.store.rollup_periods import HOUR_MS, adding_upsert, fill_longer_periods
from trunkline.store.schema.tracking import tracked_call_counts, tracked_call_summary, tracked_calls

_SUMMARY_KEY = (
    "account_id",
    "period_ms",
    "period_start",
    "property_id",
    "is_repeat",
    "disposition",
    "prompts_keys",
)
ROLLUP_KEYS = (
    "property_id",
    "to_number",
    "disposition",
    "is_repeat",
    "endpoint",
    "attribution_source",
    "attribution_medium",
    "attribution_campaign",
    "attribution_content",
)
"""The rollup's columns besides account and day; each is also a column of ``tracked_calls``."""


def _day_start(at_ms: int) -> int:
    return at_ms - at_ms % DAY_MS


def _rollup_key(row: dict[str, Any]) -> tuple[Any, ...]:
    return (
        row["account_id"],
        _day_start(row["date_start"]),
        *(row[k] if row[k] is not None else ("" if k != "is_repeat" else 0) for k in ROLLUP_KEYS),
    )


def _summary_keys(row: dict[str, Any]) -> list[tuple[Any, ...]]:
    at = row["date_start"]
    keys = (row["property_id"], row["is_repeat"], row["disposition"], row["prompts_keys"] or "")
    return [(row["account_id"], length, at - at % length, *keys) for length in (HOUR_MS, DAY_MS)]


def add_to_rollup(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Count newly listed rows (their outcome just set) in ``tracked_call_counts`` and
    ``tracked_call_summary``; sorted, so concurrent batches lock shared rows in one order."""
    for table, key, groups in (
        (
            tracked_call_counts,
            ("account_id", "day_start", *ROLLUP_KEYS),
            Counter(_rollup_key(row) for row in rows),
        ),
        (tracked_call_summary, _SUMMARY_KEY, Counter(key for row in rows for key in _summary_keys(row))),
    ):
        if groups:
            conn.execute(
                adding_upsert(conn, table, key),
                [{**dict(zip(key, values, strict=True)), "calls": n} for values, n in sorted(groups.items())],
            )


def rebuild_rollup(conn: Connection, account_id: int) -> None:
    """Recount the account's rollups from ``tracked_calls`` (after bulk loads)."""
    purge_rollup(conn, account_id)
    calls = tracked_calls.c
    day = calls.date_start - calls.date_start % literal_column(str(DAY_MS))
    keyed = [
        calls[k] if k in ("property_id", "is_repeat") else func.coalesce(calls[k], "") for k in ROLLUP_KEYS
    ]
    listed = (calls.account_id == account_id, calls.disposition.is_not(None), calls.date_start >= 0)
    grouped = (
        select(calls.account_id, day, *keyed, func.count())
        .where(*listed)
        .group_by(calls.account_id, day, *keyed)
    )
    conn.execute(
        insert(tracked_call_counts).from_select(["account_id", "day_start", *ROLLUP_KEYS, "calls"], grouped)
    )
    hour = calls.date_start - calls.date_start % literal_column(str(HOUR_MS))
    summary = (calls.property_id, calls.is_repeat, calls.disposition, func.coalesce(calls.prompts_keys, ""))
    hours = (
        select(calls.account_id, literal_column(str(HOUR_MS)), hour, *summary, func.count())
        .where(*listed)
        .group_by(calls.account_id, hour, *summary)
    )
    conn.execute(insert(tracked_call_summary).from_select([*_SUMMARY_KEY, "calls"], hours))
    fill_longer_periods(conn, tracked_call_summary, account_id, _SUMMARY_KEY[3:], up_to=DAY_MS)


def purge_rollup(conn: Connection, account_id: int | None) -> None:
    for table in (tracked_call_counts, tracked_call_summary):
        conn.execute(
            delete(table) if account_id is None else delete(table).where(table.c.account_id == account_id)
        )
