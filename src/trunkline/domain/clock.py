"""Time as the v1 dialect shows it: IST wall-clock, second precision, stored as UTC epoch milliseconds."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone

IST = timezone(timedelta(hours=5, minutes=30), "IST")
V1_FORMAT = "%Y-%m-%d %H:%M:%S"


def now_ms() -> int:
    return time.time_ns() // 1_000_000


_IST_OFFSET_S = 19_800


def ms_to_ist(ms: int) -> str:
    """Format epoch milliseconds as Exotel's ``YYYY-MM-DD HH:mm:ss`` in IST (no DST in India, so a
    fixed offset is exact; ``gmtime`` and an f-string are several times faster than strftime)."""
    t = time.gmtime(ms // 1000 + _IST_OFFSET_S)
    return f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d} {t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}"


def ist_to_ms(text: str) -> int:
    """Parse an IST ``YYYY-MM-DD HH:mm:ss`` (or ``YYYY-MM-DD``, or with a ``T``) to epoch milliseconds.

    Raises ValueError on anything else, so callers can name the offending parameter.
    """
    value = text.strip().replace("T", " ")
    for fmt in (V1_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            parsed = datetime.strptime(value, fmt)
        except ValueError:
            continue
        return int(parsed.replace(tzinfo=IST).timestamp() * 1000)
    raise ValueError(f"not a date-time in 'YYYY-MM-DD HH:mm:ss' form: {text!r}")


def ms_to_iso_utc(ms: int) -> str:
    """ISO 8601 UTC with milliseconds, as the CCM dialect shows time."""
    dt = datetime.fromtimestamp(ms / 1000, UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"
