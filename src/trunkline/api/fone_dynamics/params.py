"""Reading a Fone Dynamics request: the parameters of Purchase and Configure Numbers (query string,
then a form or JSON body), and the Get Calls list filters (docs/api-choices.md §Fone Dynamics), parsed
once and validated into a ``CallsQuery``. Filter names match case-insensitively (the docs spell
``Prompts_keys``, the field is ``Prompts_Keys``); a bad value is an ``InvalidParameter`` naming the filter."""

from __future__ import annotations

from collections.abc import Iterable

from starlette.requests import Request

from trunkline.api.fone_dynamics.errors import ERRORS
from trunkline.api.pipeline import json_parameters, multipart_pairs, read_body
from trunkline.domain.client_text import check_text
from trunkline.domain.errors import InvalidParameter
from trunkline.domain.numbers.phone import UnparseableNumber, to_e164
from trunkline.domain.tracking.query import DEFAULT_COUNT, CallsQuery
from trunkline.domain.whole_numbers import whole_number

MAX_COUNT = 1000
"""Results_Count above this is a 400: a page of 1,000 calls is ~1 MB of JSON already."""
MAX_SKIP = 100_000_000
MAX_LIST_VALUES = 100
MAX_UNIX = 2**41
"""Unix seconds beyond year 71,000 would overflow epoch milliseconds; refuse them up front."""
KEYS = frozenset("0123456789*#")

DISPOSITIONS = ("Answered", "IVR", "Busy", "NoAnswer", "Failed")
UNIQUE_VALUES = ("All", "Unique", "Repeat")

FILTERS = (
    "Date_From",
    "Date_To",
    "Disposition",
    "To",
    "Endpoint",
    "Attribution_Source",
    "Attribution_Medium",
    "Attribution_Campaign",
    "Attribution_Content",
    "Prompts_keys",
    "Unique",
    "Results_Count",
    "Results_Skip",
)
_CANONICAL = {name.lower(): name for name in FILTERS}


async def read_parameters(request: Request) -> dict[str, str]:
    """The query string, then a form or JSON body (which wins). Names as sent; no name or value
    may hold a control character (``client_text``)."""
    params = await _read_parameters(request)
    for name, value in params.items():
        check_text(name, name)
        check_text(name, value)
    return params


async def _read_parameters(request: Request) -> dict[str, str]:
    params = dict(request.query_params.multi_items())
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        params.update(await multipart_pairs(request, ERRORS, max_fields=100))
        return params
    body = await read_body(request, ERRORS)
    if not body.strip():
        return params
    if content_type == "application/json" or body.lstrip()[:1] == b"{":
        for name, value in json_parameters(body).items():
            if isinstance(value, dict | list):
                raise InvalidParameter(f"{name} must be a string", parameter=str(name))
            params[str(name)] = (
                "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
            )
        return params
    try:
        form = await request.form(max_files=0, max_fields=100)
    except Exception as exc:  # too many fields: Starlette's 400, which this dialect must answer itself
        raise InvalidParameter(f"the form body cannot be read: {getattr(exc, 'detail', exc)}") from None
    params.update({k: v for k, v in form.multi_items() if isinstance(v, str)})
    return params


def canonical(params: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Fold known filter names to their documented spelling; unknown names are kept (and ignored).
    A repeated filter keeps its last value. No name or value may hold a control character."""
    folded: dict[str, str] = {}
    for name, value in params:
        folded[_CANONICAL.get(check_text(name, name).lower(), name)] = check_text(name, value)
    return folded


def _bad(name: str, message: str) -> InvalidParameter:
    return InvalidParameter(f"{name}: {message}", parameter=name)


def _unsigned(params: dict[str, str], name: str, high: int) -> int | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    value = whole_number(raw, high)
    if value is None:
        raise _bad(name, f"must be a whole number from 0 to {high}, not {raw[:40]!r}")
    return value


def _list(params: dict[str, str], name: str) -> tuple[str, ...]:
    raw = params.get(name, "")
    values = tuple(dict.fromkeys(v.strip() for v in raw.split(",") if v.strip()))
    if len(values) > MAX_LIST_VALUES:
        raise _bad(name, f"at most {MAX_LIST_VALUES} values")
    if any(len(v) > 200 for v in values):
        raise _bad(name, "a value is longer than 200 characters")
    return values


def _numbers(params: dict[str, str], name: str) -> tuple[str, ...]:
    raw = params.get(name, "")
    # An unencoded '+' in a query string decodes to a space: keep it as one for ``to_e164``.
    values = [v for v in raw.split(",") if v.strip()]
    if len(values) > MAX_LIST_VALUES:
        raise _bad(name, f"at most {MAX_LIST_VALUES} numbers")
    numbers = []
    for value in values:
        if len(value) > 32 or value.strip().lower().startswith("sip:"):
            raise _bad(name, f"{value.strip()[:40]!r} is not an E.164 number")
        try:
            numbers.append(to_e164(value))
        except UnparseableNumber as exc:
            raise _bad(name, str(exc)) from None
    return tuple(dict.fromkeys(numbers))


def _choices(params: dict[str, str], name: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
    by_lower = {value.lower(): value for value in allowed}
    chosen = []
    for value in _list(params, name):
        found = by_lower.get(value.lower())
        if found is None:
            raise _bad(name, f"{value[:40]!r} is not one of {', '.join(allowed)}")
        chosen.append(found)
    return tuple(dict.fromkeys(chosen))


def parse_prompts_keys(raw: str) -> tuple[str, ...]:
    """``1,2;3,5`` → (``1,2``, ``3,5``): ``;`` separates alternatives, ``,`` the keys of nested menus."""
    alternatives = [a.strip() for a in raw.split(";") if a.strip()]
    if len(alternatives) > MAX_LIST_VALUES:
        raise _bad("Prompts_keys", f"at most {MAX_LIST_VALUES} alternatives")
    paths = []
    for alternative in alternatives:
        keys = [k.strip() for k in alternative.split(",")]
        if not all(len(k) == 1 and k in KEYS for k in keys) or len(keys) > 30:
            raise _bad(
                "Prompts_keys",
                f"{alternative[:40]!r} is not a key path: keys 0-9, * or #, nested menus separated by ','",
            )
        paths.append(",".join(keys))
    return tuple(dict.fromkeys(paths))


def parse_calls_query(params: dict[str, str]) -> CallsQuery:
    """Validate every filter of a list request (``params`` folded by ``canonical``)."""
    date_from = _unsigned(params, "Date_From", MAX_UNIX)
    date_to = _unsigned(params, "Date_To", MAX_UNIX)
    unique = _choices(params, "Unique", UNIQUE_VALUES)
    if len(unique) > 1:
        raise _bad("Unique", "give one of All, Unique or Repeat")
    count = _unsigned(params, "Results_Count", MAX_COUNT)
    if count == 0:
        raise _bad("Results_Count", f"must be from 1 to {MAX_COUNT}")
    return CallsQuery(
        date_from_ms=None if date_from is None else date_from * 1000,
        date_to_ms=None if date_to is None else date_to * 1000,
        dispositions=_choices(params, "Disposition", DISPOSITIONS),
        to_numbers=_numbers(params, "To"),
        endpoints=_numbers(params, "Endpoint"),
        attribution_source=_list(params, "Attribution_Source"),
        attribution_medium=_list(params, "Attribution_Medium"),
        attribution_campaign=_list(params, "Attribution_Campaign"),
        attribution_content=_list(params, "Attribution_Content"),
        prompts_keys=parse_prompts_keys(params.get("Prompts_keys", "")),
        repeat=None if not unique or unique[0] == "All" else unique[0] == "Repeat",
        count=DEFAULT_COUNT if count is None else count,
        skip=_unsigned(params, "Results_Skip", MAX_SKIP) or 0,
    )
