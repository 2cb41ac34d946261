"""The rollups of final calls that answer the bulk list's ``Total`` without counting rows."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, SmallInteger, String, Table

from trunkline.store.schema.catalog import metadata


def _period_key() -> list[Column[int]]:
    """Every rollup's key starts the same: the account, then the period as its length and its start
    (hours, UTC days and eight-day blocks: ``store.rollup_periods``). New columns each time, as a
    ``Table`` takes ownership of the columns it is given."""
    return [
        Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
        Column("period_ms", BigInteger, primary_key=True),
        Column("period_start", BigInteger, primary_key=True),
    ]


call_counts = Table(
    "call_counts",
    metadata,
    # Final calls per account, period, status, direction and ExoPhone: the bulk list's Total sums whole
    # periods from here (hours, UTC days and eight-day blocks: ``store.rollup_periods``) and counts only
    # the minutes at the window's ends in ``calls``. Kept by ``store.call_counts`` (``add`` on insert,
    # ``rebuild`` after bulk loads); calls before 1970 are left out.
    *_period_key(),
    Column("status", String(16), primary_key=True),
    Column("direction", String(16), primary_key=True),
    Column("phone_number", String(32), primary_key=True),
    Column("calls", BigInteger, nullable=False),
)

call_value_counts = Table(
    "call_value_counts",
    metadata,
    # ``call_counts`` split further by Duration bucket and exact Price, so a Duration/Price filter over a
    # month sums a few thousand rows (``store.call_value_counts``). ``settled``: bit 1 when Duration is
    # known, bit 2 when Price is; an unknown value is stored as 0 and never matched by a filter on it.
    *_period_key(),
    Column("status", String(16), primary_key=True),
    Column("direction", String(16), primary_key=True),
    Column("phone_number", String(32), primary_key=True),
    Column("settled", SmallInteger, primary_key=True),
    Column("duration_from", BigInteger, primary_key=True),
    Column("price_micros", BigInteger, primary_key=True),
    Column("calls", BigInteger, nullable=False),
    # SQLite: the rows live in the primary key's b-tree, so summing a month reads no second structure.
    sqlite_with_rowid=False,
)

call_caller_counts = Table(
    "call_caller_counts",
    metadata,
    # Final calls per account, period and caller (From): the console's busiest callers over a window sum
    # whole periods from here (``store.call_callers``) instead of grouping a month of ``calls``. Counts
    # exactly the calls ``call_counts`` counts (``call_counts.add`` and ``rebuild`` keep both).
    *_period_key(),
    Column("from_number", String(128), primary_key=True),
    Column("calls", BigInteger, nullable=False),
    # By caller first, for the bulk list's Total of a From= query (``call_counts.count``): a frequent
    # caller's few rows a period, where the key walks every caller of the period. Covering, with calls.
    Index("ix_call_caller_counts_caller", "account_id", "from_number", "period_ms", "period_start", "calls"),
    sqlite_with_rowid=False,
)

call_talk_times = Table(
    "call_talk_times",
    metadata,
    # Final calls per account, period and status: all of them, those with a known Duration, and the sum of
    # those Durations. The console's Overview reads its bars by status, answer rate and mean talk time
    # here (``store.call_talk_times``): a few rows per hour, where ``call_counts`` splits further by
    # direction and ExoPhone. Moves when a call's Duration settles after it ended.
    *_period_key(),
    Column("status", String(16), primary_key=True),
    Column("calls", BigInteger, nullable=False),
    Column("timed", BigInteger, nullable=False),
    Column("duration_sum", BigInteger, nullable=False),
    sqlite_with_rowid=False,
)
