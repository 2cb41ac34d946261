"""HTTP ``Range`` requests on one file (RFC 9110 §14): players seek by asking for byte ranges."""

from __future__ import annotations

import re
from dataclasses import dataclass

_ONE_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)
_HUGE = 1 << 62
"""Stands in for numbers too long to be a position in any file (and too long for int())."""


@dataclass(frozen=True, slots=True)
class ByteRange:
    start: int
    end: int  # inclusive

    @property
    def length(self) -> int:
        return self.end - self.start + 1


class Unsatisfiable(Exception):
    """No byte of the file is in the range: 416 with ``Content-Range: bytes */size``."""


def _number(digits: str) -> int:
    return int(digits) if len(digits) <= 18 else _HUGE


def parse_range(header: str | None, size: int) -> ByteRange | None:
    """The one range to serve, or None to serve the whole file.

    Serves ``bytes=a-b``, ``bytes=a-`` and ``bytes=-n``. A header that does not parse, another
    unit, or several ranges are ignored (the whole file, 200), as RFC 9110 allows; a range
    wholly past the end raises ``Unsatisfiable``."""
    if not header or len(header) > 200:
        return None
    match = _ONE_RANGE.match(header)
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # the last n bytes
        suffix = _number(last)
        if suffix == 0 or size == 0:
            raise Unsatisfiable
        return ByteRange(max(0, size - suffix), size - 1)
    start = _number(first)
    end = _number(last) if last else _HUGE
    if end < start:
        return None  # invalid: ignored
    if start >= size:
        raise Unsatisfiable
    return ByteRange(start, min(end, size - 1))
