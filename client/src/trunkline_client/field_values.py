"""Turning the wire's strings into Python values, leniently.

Each dialect writes times, numbers and prices its own way (v1: IST wall-clock strings and numbers
as strings; CCM: ISO 8601 UTC; Fone Dynamics: Unix seconds). A client that crashed on a value it
did not expect would break on the first server upgrade, so every parser here answers ``None`` for
empty values and keeps unknown enum values as plain strings instead of raising.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, TypeVar

IST = timezone(timedelta(hours=5, minutes=30), "IST")
"""India has no daylight saving time, so a fixed offset is exact."""
_V1_FORMAT = "%Y-%m-%d %H:%M:%S"
_NEVER_SET_V1 = "1970-01-01 05:30:00"
"""Epoch 0 in IST: how some real v1 records spell a date that was never set."""

E = TypeVar("E", bound=StrEnum)


def text(value: Any) -> str | None:
    """A string, with ``""`` and ``null`` both meaning "no value" (v1 uses either, by call state)."""
    if value is None or value == "":
        return None
    return str(value)


def ist_time(value: Any) -> datetime | None:
    """A v1 ``YYYY-MM-DD HH:MM:SS`` (IST, no zone marker) as an aware datetime."""
    raw = text(value)
    if raw is None or raw == _NEVER_SET_V1:
        return None
    try:
        return datetime.strptime(raw, _V1_FORMAT).replace(tzinfo=IST)
    except ValueError:
        return iso_time(raw)


def iso_time(value: Any) -> datetime | None:
    """An ISO 8601 time (CCM's ``2024-06-15T10:30:00.000Z``, v3's ``+05:30`` form); naive ones are UTC."""
    raw = text(value)
    if raw is None:
        return None
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def unix_time(value: Any) -> datetime | None:
    """Unix seconds (Fone Dynamics sends them as a string) as an aware UTC datetime."""
    number = integer(value)
    return None if number is None else datetime.fromtimestamp(number, UTC)


def integer(value: Any) -> int | None:
    """An integer from a number or a numeric string (v1 sends ``"17"``, callbacks send ``17``)."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except ValueError:
        try:
            return int(Decimal(str(value).strip()))
        except (InvalidOperation, ValueError):
            return None


def decimal(value: Any) -> Decimal | None:
    """A price as a Decimal (``"1.500"``): floats would lose the paise."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        return None


def boolean(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    raw = text(value)
    if raw is None:
        return None
    return raw.strip().lower() in ("true", "1", "yes")


def enum_or_text(kind: type[E], value: Any) -> E | str | None:
    """The enum member, or the value itself when a newer server sends one this client does not know."""
    raw = text(value)
    if raw is None:
        return None
    try:
        return kind(raw)
    except ValueError:
        return raw


def extra_fields(body: Mapping[str, Any], known: Iterable[str]) -> dict[str, Any]:
    """The fields this client does not model, kept so that nothing a server sends is lost."""
    names = set(known)
    return {key: value for key, value in body.items() if key not in names}


def mapping(value: Any) -> dict[str, Any]:
    """A JSON object, or an empty one when the server sent something else (null, a string)."""
    return dict(value) if isinstance(value, Mapping) else {}
