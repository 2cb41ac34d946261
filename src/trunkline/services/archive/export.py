"""Exporting an account's calls to a file (``trunkline calls export``).

The export takes the bulk list's filters (Sid, numbers, Status, Direction, DateCreated, Duration,
Price) but none of its limits: no 31-day default window, no six-month floor, no page size. By default
it writes every finished call the account has, oldest first. Like the list, it shows finished calls
only: a live call's record is still changing, and the next export will have it.

It streams: the store yields batches (``store.call_export``) and each is written and dropped, so
memory stays flat whatever the store holds; the count for a progress bar comes from the rollups.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO

from trunkline.domain.calls.bulk_filters import DAY_MS, BulkQuery, Range, is_call_sid
from trunkline.domain.calls.model import PRICE_SCALE, CallStatus, Direction
from trunkline.domain.clock import IST
from trunkline.domain.errors import InvalidParameter
from trunkline.domain.numbers.phone import UnparseableNumber, to_e164
from trunkline.services.accounts import AccountService
from trunkline.services.archive.formats import FORMATS, TEXT_WRITERS, BatchWriter, parquet_writer
from trunkline.store.call_export import CallExport

EARLIEST_MS = 0
"""The window of an export without dates starts at 1970: every stored call is later."""
LATEST_MS = 2**53
"""... and ends past any date a call can have."""
READ_ROWS = 2_000
"""Calls read from the store at a time. Each read's Python tuples (about 1 KB a call) are written and
dropped before the next, so this, not the row group (``export_batch_size``, kept as compact Arrow
columns), is what the tuples cost; keyset reads this size still walk the index once overall."""


@dataclass(frozen=True, slots=True)
class ExportFilters:
    """What an export is asked for, as a front end read it; ``ExportService.query`` checks it."""

    sids: tuple[str, ...] = ()
    to_numbers: tuple[str, ...] = ()
    from_numbers: tuple[str, ...] = ()
    phone_numbers: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    directions: tuple[str, ...] = ()
    created_from: str | None = None
    """Inclusive: ``YYYY-MM-DD``, ``YYYY-MM-DD HH:MM[:SS]`` or ISO 8601; without an offset, IST."""
    created_to: str | None = None
    """Inclusive; a bare date includes that whole day."""
    min_duration: int | None = None
    max_duration: int | None = None
    min_price: str | None = None
    max_price: str | None = None


@dataclass(frozen=True, slots=True)
class ExportResult:
    calls: int
    output: str
    """The file written, or ``-`` for standard output."""


def parse_when(name: str, text: str, *, end_of_day: bool = False) -> int:
    """Epoch ms of a date or date-time given on a command line (IST unless it has an offset); with
    ``end_of_day``, a bare date means its last millisecond (an inclusive upper bound)."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise InvalidParameter(
            f"{name} must be a date (YYYY-MM-DD) or date-time (YYYY-MM-DD HH:MM:SS); got {text!r}",
            parameter=name,
        ) from exc
    ms = int((value if value.tzinfo else value.replace(tzinfo=IST)).timestamp() * 1000)
    if end_of_day and len(text.strip()) == len("YYYY-MM-DD"):
        ms += DAY_MS - 1
    return ms


def _numbers(name: str, values: Iterable[str]) -> tuple[str, ...]:
    try:
        return tuple(to_e164(value) for value in values)
    except UnparseableNumber as exc:
        raise InvalidParameter(f"{name}: {exc}", parameter=name) from exc


def _choices(name: str, values: Iterable[str], allowed: Iterable[str]) -> tuple[str, ...]:
    known = sorted(allowed)
    chosen = tuple(value.strip().lower() for value in values)
    bad = [value for value in chosen if value not in known]
    if bad:
        raise InvalidParameter(f"{name} must be among {', '.join(known)}; got {bad[0]!r}", parameter=name)
    return chosen


def _micros(name: str, value: str | None) -> int | None:
    if value is None:
        return None
    try:
        amount = Decimal(value)
    except InvalidOperation as exc:
        raise InvalidParameter(f"{name} must be a decimal like 0.50; got {value!r}", parameter=name) from exc
    scaled = amount * PRICE_SCALE
    if not amount.is_finite() or amount < 0 or scaled != scaled.to_integral_value():
        raise InvalidParameter(
            f"{name} must be a non-negative amount with at most 6 decimals", parameter=name
        )
    return int(scaled)


def _range(name: str, low: int | None, high: int | None) -> Range:
    if low is not None and high is not None and low > high:
        raise InvalidParameter(f"{name}: the minimum is above the maximum", parameter=name)
    if (low is not None and low < 0) or (high is not None and high < 0):
        raise InvalidParameter(f"{name} cannot be negative", parameter=name)
    return Range(gte=low, lte=high)


class ExportService:
    def __init__(self, accounts: AccountService, store: CallExport, batch_size: int) -> None:
        self._accounts, self._store, self._batch_size = accounts, store, batch_size

    @staticmethod
    def query(filters: ExportFilters) -> BulkQuery:
        """The bulk query of ``filters``, every value checked (``InvalidParameter`` naming it)."""
        bad = [sid for sid in filters.sids if not is_call_sid(sid)]
        if bad:
            raise InvalidParameter(f"sid: malformed call Sid {bad[0]!r}", parameter="sid")
        low = EARLIEST_MS if filters.created_from is None else parse_when("since", filters.created_from)
        high = (
            LATEST_MS
            if filters.created_to is None
            else parse_when("until", filters.created_to, end_of_day=True)
        )
        if low > high:
            raise InvalidParameter("since is later than until", parameter="since")
        return BulkQuery(
            created_from_ms=low,
            created_to_ms=high,
            date_created_given=True,
            sids=filters.sids,
            to_numbers=_numbers("to", filters.to_numbers),
            from_numbers=_numbers("from", filters.from_numbers),
            phone_numbers=_numbers("phone-number", filters.phone_numbers),
            statuses=_choices("status", filters.statuses, CallStatus),
            directions=_choices("direction", filters.directions, Direction),
            duration=_range("duration", filters.min_duration, filters.max_duration),
            price_micros=_range(
                "price", _micros("min-price", filters.min_price), _micros("max-price", filters.max_price)
            ),
        )

    def count(self, account_sid: str, filters: ExportFilters) -> int:
        """How many calls the export will write (``NotFound`` for an unknown account)."""
        account = self._accounts.get(account_sid)
        return self._store.count(account.id, self.query(filters))

    def export(
        self,
        account_sid: str,
        filters: ExportFilters,
        file_format: str,
        output: str | None,
        *,
        legs: bool = False,
        on_batch: Callable[[int], None] | None = None,
    ) -> ExportResult:
        """Write the calls to ``output`` (standard output when None; Parquet needs a file).

        Everything is checked before the file is created, so a bad request leaves no file behind."""
        account = self._accounts.get(account_sid)
        query = self.query(filters)
        if file_format not in FORMATS:
            raise InvalidParameter(f"format must be one of {', '.join(FORMATS)}", parameter="format")
        if file_format == "parquet" and output is None:
            raise InvalidParameter("Parquet is binary: give --output FILE", parameter="output")
        target = Path(output) if output is not None else None
        if target is not None and not target.parent.is_dir():
            raise InvalidParameter(f"no directory {str(target.parent)!r} for the output", parameter="output")
        stream: IO[str] | None = None
        if file_format == "parquet":
            assert output is not None
            writer: BatchWriter = parquet_writer(output, account.sid, legs, self._batch_size)
        else:
            stream = sys.stdout if target is None else target.open("w", encoding="utf-8", newline="")
            writer = TEXT_WRITERS[file_format](stream, account.sid, legs)
        written = 0
        try:
            read = min(self._batch_size, READ_ROWS)
            for batch in self._store.batches(account.id, query, batch_size=read, legs=legs):
                writer.write(batch)
                count = len(batch.rows)
                del batch  # before the next read: two batches of tuples are never held at once
                written += count
                if on_batch is not None:
                    on_batch(count)
        finally:
            writer.close()
            if stream is not None and target is not None:
                stream.close()
            elif stream is not None:
                stream.flush()
        return ExportResult(written, output or "-")
