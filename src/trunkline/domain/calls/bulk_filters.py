"""The bulk call list's query (docs/api-choices.md §Bulk list) as the store and its rollups read it.

``BulkQuery`` is what a validated list request asks for; the v1 dialect parses its query string
into one (``api/exotel_v1/query.py``) and the store translates it to SQL in one place
(``store/bulk_sql.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from trunkline.domain.calls.cursor import Position

DAY_MS = 86_400_000
DEFAULT_PAGE_SIZE = 50

_SID_RE = re.compile(r"^[A-Za-z0-9]{1,64}$")


def is_call_sid(text: str) -> bool:
    """Whether ``text`` has the shape of a call Sid; anything else cannot name a stored call."""
    return _SID_RE.match(text) is not None


@dataclass(frozen=True, slots=True)
class Range:
    """Inclusive bounds from ``gte``/``eq``/``lte`` operators; ``eq`` is kept apart to compare exactly."""

    gte: int | None = None
    eq: int | None = None
    lte: int | None = None

    @property
    def is_empty(self) -> bool:
        return self.gte is None and self.eq is None and self.lte is None


@dataclass(frozen=True, slots=True)
class BulkQuery:
    created_from_ms: int
    created_to_ms: int
    date_created_given: bool = False
    sids: tuple[str, ...] = ()
    to_numbers: tuple[str, ...] = ()
    from_numbers: tuple[str, ...] = ()
    phone_numbers: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    directions: tuple[str, ...] = ()
    duration: Range = field(default_factory=Range)
    price_micros: Range = field(default_factory=Range)
    page_size: int = DEFAULT_PAGE_SIZE
    descending: bool = True
    after: Position | None = None
    before: Position | None = None
    details: bool = False
    recording_url_validity: int | None = None
