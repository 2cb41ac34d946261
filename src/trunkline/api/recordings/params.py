"""What a recording request asks: a pre-signed link's ``Expires``/``Signature``, the one byte range
of an HTTP ``Range`` request (RFC 9110 §14: players seek by asking for byte ranges), and the
``If-None-Match`` ETags of a revalidation."""

from __future__ import annotations

import re
from dataclasses import dataclass

from starlette.datastructures import QueryParams

from trunkline.domain.recordings.signed_links import verify

_EXPIRES = re.compile(r"^[0-9]{1,12}$")
_SIGNATURE = re.compile(r"^[0-9a-f]{32}$")

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


def link_allows(key: bytes, path: str, expires: str | None, signature: str | None, now_s: float) -> bool:
    """Whether ``?Expires=&Signature=`` is a link this server signed for ``path`` and it has not
    expired. Anything malformed (non-numeric or absurd Expires, a signature of the wrong shape)
    is simply not valid."""
    if expires is None or signature is None:
        return False
    if not _EXPIRES.match(expires) or not _SIGNATURE.match(signature):
        return False
    return verify(key, path, int(expires), signature, int(now_s))


def has_link(query: QueryParams) -> bool:
    return "Expires" in query or "Signature" in query


def _etags(header: str | None) -> list[str]:
    if not header:
        return []
    return [tag.strip().removeprefix("W/") for tag in header.split(",")]


def matches(etag: str, if_none_match: str | None) -> bool:
    """Whether ``If-None-Match`` names ``etag`` (or ``*``): the client's copy is current."""
    tags = _etags(if_none_match)
    return "*" in tags or etag in tags
