"""The v1 requests, as seeds 000-002 show them: ``.json`` paths, urlencoded connect bodies with
Exotel's parameter names, filters in the query string. Pure data, shared by the sync and async
resources, so both send byte-for-byte the same requests to Trunkline and to Exotel alike."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TypedDict, Unpack
from urllib.parse import parse_qsl, quote, urlsplit

from trunkline_client.connection import Api
from trunkline_client.field_values import IST
from trunkline_client.transport import ApiRequest

FLOW_URL = "http://my.exotel.com/{account_sid}/exoml/start_voice/{app_id}"
"""The flow URL form of docs/api-choices.md §Connect."""


class ConnectOptions(TypedDict, total=False):
    """The optional connect parameters (docs/api-choices.md §Connect), by their Python names."""

    call_type: str
    time_limit: int
    time_out: int
    wait_url: str
    record: bool
    recording_channels: str
    recording_format: str
    custom_field: str
    status_callback: str
    status_callback_events: Sequence[str]
    status_callback_content_type: str
    extra: dict[str, str]
    """Any other parameter, sent as named (``StreamUrl``, ...)."""


class ListFilters(TypedDict, total=False):
    """The bulk list's filters (docs/api-choices.md §Bulk list), by their Python names; see
    ``list_params``."""

    sid: str | Iterable[str]
    date_created: str
    created_after: datetime
    created_before: datetime
    to: str | Iterable[str]
    from_: str | Iterable[str]
    phone_number: str | Iterable[str]
    status: str | Iterable[str]
    direction: str | Iterable[str]
    duration: str
    price: str
    page_size: int
    sort_by: str
    details: bool
    recording_url_validity: int


def _prefix(account_sid: str) -> str:
    return f"/v1/Accounts/{quote(account_sid, safe='')}"


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _joined(value: str | Iterable[str] | None) -> str | None:
    """Comma lists (``Status=failed,busy``): one string, or several joined."""
    if value is None or isinstance(value, str):
        return value
    return ",".join(str(item) for item in value)


def ist(value: datetime) -> str:
    """A datetime as v1's ``YYYY-MM-DD HH:MM:SS`` IST (naive values are taken as IST already)."""
    if value.tzinfo is not None:
        value = value.astimezone(IST)
    return value.strftime("%Y-%m-%d %H:%M:%S")


def connect(
    account_sid: str,
    *,
    from_: str,
    caller_id: str,
    to: str | None = None,
    url: str | None = None,
    **options: Unpack[ConnectOptions],
) -> ApiRequest:
    """``POST Calls/connect.json``. ``StatusCallbackEvents`` goes as the indexed array
    (``StatusCallbackEvents[0]=terminal``), the spelling Exotel's documentation uses."""
    form: list[tuple[str, str]] = [("From", from_)]
    if to is not None:
        form.append(("To", to))
    if url is not None:
        form.append(("Url", url))
    form.append(("CallerId", caller_id))
    for key, value in options.items():
        if key in ("status_callback_events", "extra") or value is None:
            continue
        name = _CONNECT_NAMES.get(key)
        if name is None:
            raise TypeError(f"connect() got an unexpected keyword argument {key!r}")
        form.append((name, _flag(value) if isinstance(value, bool) else str(value)))
    for index, event in enumerate(options.get("status_callback_events") or ()):
        form.append((f"StatusCallbackEvents[{index}]", event))
    form += list((options.get("extra") or {}).items())
    return ApiRequest("POST", Api.V1, f"{_prefix(account_sid)}/Calls/connect.json", form=form)


_CONNECT_NAMES = {
    "call_type": "CallType",
    "time_limit": "TimeLimit",
    "time_out": "TimeOut",
    "wait_url": "WaitUrl",
    "record": "Record",
    "recording_channels": "RecordingChannels",
    "recording_format": "RecordingFormat",
    "custom_field": "CustomField",
    "status_callback": "StatusCallback",
    "status_callback_content_type": "StatusCallbackContentType",
}


def call_details(account_sid: str, call_sid: str, *, details: bool = False) -> ApiRequest:
    params = [("details", "true")] if details else None
    path = f"{_prefix(account_sid)}/Calls/{quote(call_sid, safe='')}.json"
    return ApiRequest("GET", Api.V1, path, params=params)


def list_params(
    *,
    sid: str | Iterable[str] | None = None,
    date_created: str | None = None,
    created_after: datetime | None = None,
    created_before: datetime | None = None,
    to: str | Iterable[str] | None = None,
    from_: str | Iterable[str] | None = None,
    phone_number: str | Iterable[str] | None = None,
    status: str | Iterable[str] | None = None,
    direction: str | Iterable[str] | None = None,
    duration: str | None = None,
    price: str | None = None,
    page_size: int | None = None,
    sort_by: str | None = None,
    details: bool = False,
    recording_url_validity: int | None = None,
) -> list[tuple[str, str]]:
    """The bulk filters of docs/api-choices.md §Bulk list. ``date_created`` is the raw grammar
    (``gte:…;lte:…``); ``created_after``/``created_before`` build it from datetimes (inclusive bounds)."""
    if date_created is None and (created_after is not None or created_before is not None):
        bounds = []
        if created_after is not None:
            bounds.append(f"gte:{ist(created_after)}")
        if created_before is not None:
            bounds.append(f"lte:{ist(created_before)}")
        date_created = ";".join(bounds)
    pairs: list[tuple[str, str | None]] = [
        ("Sid", _joined(sid)),
        ("DateCreated", date_created),
        ("To", _joined(to)),
        ("From", _joined(from_)),
        ("PhoneNumber", _joined(phone_number)),
        ("Status", _joined(status)),
        ("Direction", _joined(direction)),
        ("Duration", duration),
        ("Price", price),
        ("PageSize", None if page_size is None else str(page_size)),
        ("SortBy", sort_by),
        ("details", "true" if details else None),
        ("RecordingUrlValidity", None if recording_url_validity is None else str(recording_url_validity)),
    ]
    return [(name, value) for name, value in pairs if value is not None]


def list_calls(account_sid: str, params: Sequence[tuple[str, str]]) -> ApiRequest:
    return ApiRequest("GET", Api.V1, f"{_prefix(account_sid)}/Calls.json", params=list(params))


def next_page(account_sid: str, page_uri: str) -> ApiRequest:
    """The page a ``NextPageUri`` names. Its query string (the filters, the window written out, and
    the cursor) is sent to this client's own list path, so a base URL with a path prefix still works."""
    return list_calls(account_sid, parse_qsl(urlsplit(page_uri).query, keep_blank_values=True))


def number_metadata(account_sid: str, number: str) -> ApiRequest:
    return ApiRequest("GET", Api.V1, f"{_prefix(account_sid)}/Numbers/{quote(number, safe='')}.json")
