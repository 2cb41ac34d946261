"""The file formats of an export: CSV, JSON Lines and Parquet, written a batch at a time.

Every format has the same fields, in the same order (``FIELDS``), named after the store's columns
rather than a dialect's, because an export is the store's own record: numbers in E.164, times in
ISO 8601 UTC to the millisecond (``2025-01-31T04:30:00.000Z``; Parquet: ``timestamp[ms, UTC]``), Price
as an exact decimal with six places (stored as micro-units; Parquet: ``decimal128(19, 6)``). With legs,
CSV has a ``legs`` column holding a JSON list, JSON Lines a list, Parquet a list of structs.

A writer is handed batches of raw store tuples (``store.call_export``) and converts them itself:
building a ``Call`` object per row would cost more than the whole read at a million rows.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable
from typing import IO, Any, Protocol

import orjson

from trunkline.domain.errors import InvalidParameter
from trunkline.store.call_export import LEG_COLUMN_NAMES, CallBatch

FORMATS = ("csv", "jsonl", "parquet")
FIELDS = (
    "sid", "account_sid", "date_created", "date_updated", "from", "to", "phone_number", "status",
    "direction", "start_time", "end_time", "duration", "price", "parent_call_sid", "answered_by",
    "forwarded_from", "caller_name", "recording_path", "conversation_duration", "custom_field",
    "flow_app_id", "ivr_keys",
)  # fmt: skip
"""The fields of an exported call, in order; ``legs`` follows when asked for."""
PARQUET_MISSING = (
    "Parquet export needs pyarrow, an optional extra: pip install 'trunkline[parquet]' "
    "(or pip install pyarrow)"
)

_DAY_MS = 86_400_000
_DAYS: dict[int, str] = {}
_TIMES_OF_DAY = tuple(f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86_400))
_MILLIS = tuple(f".{m:03d}Z" for m in range(1000))
_PRICES: dict[int, str] = {}


def _date_of(day: int) -> str:
    if len(_DAYS) > 100_000:
        _DAYS.clear()
    t = time.gmtime(day * 86_400)
    date = _DAYS[day] = f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}T"
    return date


def iso_utc(ms: int | None) -> str | None:
    """Epoch milliseconds as ``YYYY-MM-DDTHH:MM:SS.mmmZ``. An export writes four a row, a million rows
    from a few hundred days: the date is cached per day and the rest comes from two tables, several
    times faster than ``datetime`` or an f-string."""
    if ms is None:
        return None
    day, rest = divmod(ms, _DAY_MS)
    second, milli = divmod(rest, 1000)
    return (_DAYS.get(day) or _date_of(day)) + _TIMES_OF_DAY[second] + _MILLIS[milli]


def price_text(micros: int | None) -> str | None:
    """Micro-units as an exact decimal (``300030`` → ``0.300030``); a call's price takes few values,
    so they are cached."""
    if micros is None:
        return None
    found = _PRICES.get(micros)
    if found is None:
        if len(_PRICES) > 100_000:
            _PRICES.clear()
        whole, fraction = divmod(micros, 1_000_000)
        found = _PRICES[micros] = f"{whole}.{fraction:06d}"
    return found


def _record(row: tuple[Any, ...], account_sid: str) -> tuple[Any, ...]:
    """A store tuple as ``FIELDS`` values, times and price as text."""
    (_, sid, created, updated, from_, to, phone, status, direction, start, end, duration, price) = row[:13]
    return (
        sid, account_sid, iso_utc(created), iso_utc(updated), from_, to, phone, status, direction,
        iso_utc(start), iso_utc(end), duration, price_text(price), *row[13:],
    )  # fmt: skip


def _legs(batch: CallBatch, call_id: int) -> list[dict[str, Any]]:
    return [dict(zip(LEG_COLUMN_NAMES, leg, strict=True)) for leg in batch.legs.get(call_id, ())]


class BatchWriter(Protocol):
    def write(self, batch: CallBatch) -> None: ...

    def close(self) -> None: ...


class CsvWriter:
    """A header row, then one row per call; empty cells for missing values."""

    def __init__(self, stream: IO[str], account_sid: str, legs: bool) -> None:
        self._writer = csv.writer(stream, lineterminator="\n")
        self._account, self._legs = account_sid, legs
        self._writer.writerow(FIELDS + (("legs",) if legs else ()))

    def write(self, batch: CallBatch) -> None:
        account = self._account
        if not self._legs:
            self._writer.writerows(_record(row, account) for row in batch.rows)
            return
        for row in batch.rows:
            self._writer.writerow((*_record(row, account), orjson.dumps(_legs(batch, row[0])).decode()))

    def close(self) -> None:
        pass


class JsonLinesWriter:
    """One JSON object per line, ``null`` for missing values."""

    def __init__(self, stream: IO[str], account_sid: str, legs: bool) -> None:
        self._stream, self._account, self._legs = stream, account_sid, legs

    def write(self, batch: CallBatch) -> None:
        lines = []
        for row in batch.rows:
            item = dict(zip(FIELDS, _record(row, self._account), strict=True))
            if self._legs:
                item["legs"] = _legs(batch, row[0])
            lines.append(orjson.dumps(item))
        if lines:
            self._stream.write(b"\n".join(lines).decode() + "\n")

    def close(self) -> None:
        pass


def parquet_writer(path: str, account_sid: str, legs: bool, row_group_rows: int) -> BatchWriter:
    """A Parquet file at ``path``, ``row_group_rows`` calls a row group; ``InvalidParameter``
    without pyarrow."""
    try:
        from trunkline.services.archive.parquet import ParquetWriter
    except ImportError as exc:
        raise InvalidParameter(PARQUET_MISSING, parameter="format") from exc
    return ParquetWriter(path, account_sid, legs, row_group_rows)


WriterFactory = Callable[[IO[str], str, bool], BatchWriter]
TEXT_WRITERS: dict[str, WriterFactory] = {"csv": CsvWriter, "jsonl": JsonLinesWriter}
