"""v1's query strings: the bulk call list's filter grammar (docs/api-choices.md §Bulk list) and call
details' options.

``FILTERS`` describes every query parameter (the OpenAPI page is built from it) and
``parse_bulk_query`` turns raw query parameters into a validated ``BulkQuery``, which the store
translates to SQL in one place. Every rule that rejects input raises ``InvalidParameter`` naming
the parameter, so the answer is a precise 400.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from trunkline.domain.calls.bulk_filters import DAY_MS, DEFAULT_PAGE_SIZE, BulkQuery, Range, is_call_sid
from trunkline.domain.calls.cursor import CursorCodec, InvalidCursor, Position
from trunkline.domain.calls.model import PRICE_SCALE, CallStatus, Direction
from trunkline.domain.clock import ist_to_ms
from trunkline.domain.errors import InvalidParameter
from trunkline.domain.numbers.phone import UnparseableNumber, to_e164

MAX_SIDS = 100
MAX_NUMBERS = 5
MAX_PAGE_SIZE = 100
MAX_RANGE_DAYS = 31
RECORDING_VALIDITY_RANGE = (5, 60)

_DURATION_RE = re.compile(r"^(\d{1,9})s?$")
_TRUE, _FALSE = {"true", "1", "yes"}, {"false", "0", "no"}


@dataclass(frozen=True, slots=True)
class FilterSpec:
    name: str
    description: str
    example: str | None = None


FILTERS: tuple[FilterSpec, ...] = (
    FilterSpec("Sid", f"Comma-separated call Sids, at most {MAX_SIDS}.", "48d690c837bb0c755a1228dcb6911416"),
    FilterSpec(
        "DateCreated",
        "`gte:<ts>;lte:<ts>` in IST (`YYYY-MM-DD HH:mm:ss`); range at most one month (31 days), records "
        "at most six months old. Default: the last 31 days.",
        "gte:2019-01-01 00:00:00;lte:2019-01-31 23:59:59",
    ),
    FilterSpec(
        "To", f"Comma-separated customer numbers in any format, at most {MAX_NUMBERS}.", "+919876543210"
    ),
    FilterSpec("From", f"Comma-separated numbers called first, at most {MAX_NUMBERS}.", "09876543210"),
    FilterSpec("PhoneNumber", f"Comma-separated ExoPhones, at most {MAX_NUMBERS}.", "+918047112233"),
    FilterSpec("Status", "Comma list of " + ", ".join(s.value for s in CallStatus) + ".", "failed,no-answer"),
    FilterSpec("Direction", "Comma list of inbound, outbound-dial, outbound-api.", "outbound-api"),
    FilterSpec("Duration", "`gte`/`eq`/`lte` with an `s` suffix, joined by `;`.", "gte:10s;lte:45s"),
    FilterSpec("Price", "`gte`/`eq`/`lte` decimal amounts, joined by `;`.", "gte:0.10;lte:1.0"),
    FilterSpec("PageSize", f"Records per page, 1 to {MAX_PAGE_SIZE}; default {DEFAULT_PAGE_SIZE}.", "50"),
    FilterSpec("SortBy", "`DateCreated:asc` or `DateCreated:desc` (default).", "DateCreated:asc"),
    FilterSpec("Before", "Cursor from PrevPageUri.", None),
    FilterSpec("After", "Cursor from NextPageUri.", None),
    FilterSpec("details", "`true` adds Details (legs) to every call.", "true"),
    FilterSpec(
        "RecordingUrlValidity",
        "Minutes (5 to 60) a PreSignedRecordingUrl stays valid; adds that field to recorded calls.",
        "10",
    ),
)
_CANONICAL = {spec.name.lower(): spec.name for spec in FILTERS}


def canonical_params(raw: Sequence[tuple[str, str]]) -> dict[str, str]:
    """Fold parameter names to their canonical spelling; repeated list parameters are comma-joined.

    Unknown parameters are dropped (clients send extras); empty values mean 'not given'.
    """
    merged: dict[str, str] = {}
    for key, value in raw:
        name = _CANONICAL.get(key.lower())
        if name is None or value == "":
            continue
        merged[name] = f"{merged[name]},{value}" if name in merged else value
    return merged


def _comma_list(name: str, value: str, limit: int | None = None) -> list[str]:
    items = [item.strip() for item in value.split(",") if item.strip()]
    if limit is not None and len(items) > limit:
        raise InvalidParameter(f"{name} accepts at most {limit} values, got {len(items)}", parameter=name)
    return items


def _operators(name: str, value: str, allowed: tuple[str, ...]) -> dict[str, str]:
    """Split ``op:value;op:value``; a bare value means ``eq`` when ``eq`` is allowed."""
    result: dict[str, str] = {}
    for part in value.split(";"):
        part = part.strip()
        if not part:
            continue
        op, sep, operand = part.partition(":")
        if not sep:
            if "eq" not in allowed:
                raise InvalidParameter(
                    f"{name} needs operator:value pairs, e.g. gte:<value>; got {part!r}", parameter=name
                )
            op, operand = "eq", part
        op = op.strip().lower()
        if op not in allowed:
            raise InvalidParameter(
                f"{name} supports the operators {', '.join(allowed)}; got {op!r}", parameter=name
            )
        if op in result:
            raise InvalidParameter(f"{name} has the operator {op!r} twice", parameter=name)
        result[op] = operand.strip()
    if not result:
        raise InvalidParameter(f"{name} is empty", parameter=name)
    return result


def _numbers(name: str, value: str) -> tuple[str, ...]:
    # Split without stripping: a leading space is a '+' that the query string decoded.
    items = [item for item in value.split(",") if item.strip()]
    if len(items) > MAX_NUMBERS:
        raise InvalidParameter(
            f"{name} accepts at most {MAX_NUMBERS} values, got {len(items)}", parameter=name
        )
    normalised = []
    for item in items:
        try:
            normalised.append(to_e164(item))
        except UnparseableNumber as exc:
            raise InvalidParameter(f"{name}: {exc}", parameter=name) from exc
    return tuple(normalised)


def _enum_list(name: str, value: str, allowed: frozenset[str]) -> tuple[str, ...]:
    items = tuple(item.lower() for item in _comma_list(name, value))
    unknown = [item for item in items if item not in allowed]
    if unknown:
        raise InvalidParameter(
            f"{name} has unknown value(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}",
            parameter=name,
        )
    return items


def _int_param(name: str, value: str, low: int, high: int) -> int:
    try:
        number = int(value.strip())
    except ValueError as exc:
        raise InvalidParameter(f"{name} must be an integer, got {value!r}", parameter=name) from exc
    if not low <= number <= high:
        raise InvalidParameter(f"{name} must be between {low} and {high}, got {number}", parameter=name)
    return number


def _duration(value: str) -> Range:
    bounds: dict[str, int] = {}
    for op, operand in _operators("Duration", value, ("gte", "eq", "lte")).items():
        match = _DURATION_RE.match(operand.lower())
        if not match:
            raise InvalidParameter(
                f"Duration values are whole seconds like 30s; got {operand!r}", parameter="Duration"
            )
        bounds[op] = int(match.group(1))
    return Range(**bounds)


def _price(value: str) -> Range:
    bounds: dict[str, int] = {}
    for op, operand in _operators("Price", value, ("gte", "eq", "lte")).items():
        try:
            amount = Decimal(operand)
        except InvalidOperation as exc:
            raise InvalidParameter(
                f"Price values are decimals like 0.50; got {operand!r}", parameter="Price"
            ) from exc
        if not amount.is_finite() or amount < 0 or amount > 10**9:
            raise InvalidParameter(f"Price must be a non-negative amount; got {operand!r}", parameter="Price")
        scaled = amount * PRICE_SCALE
        if scaled != scaled.to_integral_value():
            raise InvalidParameter("Price has at most 6 decimals", parameter="Price")
        bounds[op] = int(scaled)
    return Range(**bounds)


def _date_window(value: str | None, now_ms: int, window_days: int, max_age_days: int) -> tuple[int, int]:
    # Bounds are inclusive to the millisecond; "now" is widened to the end of its second so that a
    # window printed back as DateCreated=gte:…;lte:… (second precision) parses to the same bounds.
    end_of_now = now_ms // 1000 * 1000 + 999
    if value is None:
        return end_of_now + 1 - window_days * DAY_MS, end_of_now
    bounds: dict[str, int] = {}
    for op, operand in _operators("DateCreated", value, ("gte", "lte")).items():
        try:
            bounds[op] = ist_to_ms(operand)
        except ValueError as exc:
            raise InvalidParameter(f"DateCreated: {exc}", parameter="DateCreated") from exc
        if op == "lte":
            # Inclusive to the end of the named second, or of the whole day for a bare date.
            bounds[op] += (DAY_MS if len(operand) == len("YYYY-MM-DD") else 1000) - 1
    high = bounds.get("lte", end_of_now)
    low = bounds.get("gte", high + 1 - MAX_RANGE_DAYS * DAY_MS)
    if low > high:
        raise InvalidParameter("DateCreated: gte is later than lte", parameter="DateCreated")
    if high + 1 - low > MAX_RANGE_DAYS * DAY_MS:
        raise InvalidParameter(
            f"DateCreated range may span at most one month ({MAX_RANGE_DAYS} days)", parameter="DateCreated"
        )
    if low < now_ms - max_age_days * DAY_MS:
        raise InvalidParameter(
            f"DateCreated: records older than {max_age_days} days (six months) cannot be queried",
            parameter="DateCreated",
        )
    return low, high


def _cursor(name: str, token: str, codec: CursorCodec) -> Position:
    try:
        return codec.decode(token.strip())
    except InvalidCursor as exc:
        raise InvalidParameter(f"{name} is not a valid cursor: {exc}", parameter=name) from exc


def _boolean(name: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise InvalidParameter(f"{name} must be true or false, got {value!r}", parameter=name)


def parse_detail_options(params: Mapping[str, str]) -> tuple[bool, int | None]:
    """``details`` and ``RecordingUrlValidity``, which the single-call endpoint accepts too."""
    details = _boolean("details", params["details"]) if "details" in params else False
    validity = (
        _int_param("RecordingUrlValidity", params["RecordingUrlValidity"], *RECORDING_VALIDITY_RANGE)
        if "RecordingUrlValidity" in params
        else None
    )
    return details, validity


def parse_bulk_query(
    params: Mapping[str, str],
    *,
    now_ms: int,
    codec: CursorCodec,
    window_days: int = MAX_RANGE_DAYS,
    max_age_days: int = 183,
) -> BulkQuery:
    """Validate canonical parameters (see ``canonical_params``) into a ``BulkQuery``."""
    low, high = _date_window(params.get("DateCreated"), now_ms, window_days, max_age_days)
    sids: tuple[str, ...] = ()
    if "Sid" in params:
        sids = tuple(_comma_list("Sid", params["Sid"], MAX_SIDS))
        bad = [sid for sid in sids if not is_call_sid(sid)]
        if bad:
            raise InvalidParameter(f"Sid has malformed value(s): {', '.join(bad[:3])}", parameter="Sid")
    sort = params.get("SortBy", "DateCreated:desc").strip()
    field_name, _, order = sort.partition(":")
    if field_name.lower() != "datecreated" or order.lower() not in ("asc", "desc"):
        raise InvalidParameter(
            f"SortBy must be DateCreated:asc or DateCreated:desc, got {sort!r}", parameter="SortBy"
        )
    if "Before" in params and "After" in params:
        raise InvalidParameter("Before and After cannot be used together", parameter="Before")
    details, validity = parse_detail_options(params)
    return BulkQuery(
        created_from_ms=low,
        created_to_ms=high,
        date_created_given="DateCreated" in params,
        sids=sids,
        to_numbers=_numbers("To", params["To"]) if "To" in params else (),
        from_numbers=_numbers("From", params["From"]) if "From" in params else (),
        phone_numbers=_numbers("PhoneNumber", params["PhoneNumber"]) if "PhoneNumber" in params else (),
        statuses=_enum_list("Status", params["Status"], frozenset(CallStatus)) if "Status" in params else (),
        directions=_enum_list("Direction", params["Direction"], frozenset(Direction))
        if "Direction" in params
        else (),
        duration=_duration(params["Duration"]) if "Duration" in params else Range(),
        price_micros=_price(params["Price"]) if "Price" in params else Range(),
        page_size=_int_param("PageSize", params["PageSize"], 1, MAX_PAGE_SIZE)
        if "PageSize" in params
        else DEFAULT_PAGE_SIZE,
        descending=order.lower() == "desc",
        after=_cursor("After", params["After"], codec) if "After" in params else None,
        before=_cursor("Before", params["Before"], codec) if "Before" in params else None,
        details=details,
        recording_url_validity=validity,
    )
