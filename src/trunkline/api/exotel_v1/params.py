"""Reading a v1 ``Calls/connect`` request as real clients send it (docs/api-choices.md §Lenient requests).

Lenient about form: urlencoded, multipart or JSON bodies, a body with no Content-Type, parameters
in the query string of a POST (the body wins), names in any case, empty strings (and 0 for
TimeLimit/TimeOut) meaning unset, every spelling of the StatusCallbackEvents array. Strict about
meaning: each bad value is a 400 naming the parameter, before anything is stored.

The query strings of the bulk list and of call details are read in ``query.py``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import parse_qsl

import orjson
from starlette.requests import Request

from trunkline.api.exotel_v1.errors import ERRORS
from trunkline.api.pipeline import json_parameters, multipart_pairs, read_body
from trunkline.domain.calls.connect_request import (
    CALLBACK_CONTENT_TYPES,
    CALLBACK_EVENTS,
    MAX_CUSTOM_FIELD,
    MAX_TIME_LIMIT_S,
    MAX_TIME_OUT_S,
    RECORDING_CHANNELS,
    RECORDING_FORMATS,
    ConnectRequest,
    flow_app_id,
)
from trunkline.domain.client_text import check_text
from trunkline.domain.errors import InvalidParameter
from trunkline.domain.numbers.phone import UnparseableNumber, to_e164
from trunkline.domain.whole_numbers import whole_number

MAX_URL_LENGTH = 2048
_KEPT = ("CallType", "WaitUrl", "StreamUrl", "StreamBegin", "StartPlaybackToNew", "StartPlaybackValueNew")

#: Every parameter of Calls/connect with its meaning (the OpenAPI page is built from this list).
CONNECT_PARAMETERS: tuple[tuple[str, str], ...] = (
    ("From", "Required. The number called first (E.164, 0-prefixed, 10 digits, STD landline or sip:)."),
    ("To", "The customer's number, called once From answers. Required unless Url is given."),
    ("CallerId", "Required. One of your ExoPhones."),
    ("Url", "A flow to connect From to: http://my.exotel.com/<sid>/exoml/start_voice/<app_id>."),
    ("CallType", "`trans` (legacy `promo` accepted)."),
    ("TimeLimit", f"Seconds after which the call is cut, at most {MAX_TIME_LIMIT_S}; empty or 0: no limit."),
    ("TimeOut", "Seconds each leg rings (at most 60 are honoured); empty or 0: the default."),
    ("WaitUrl", "Audio played to From while To rings (kept, not played by the simulator)."),
    ("Record", "`true` or `false` (default)."),
    ("RecordingChannels", "`single` (default) or `dual`."),
    ("RecordingFormat", "`mp3` (default) or `mp3-hq`."),
    ("CustomField", f"Your value, at most {MAX_CUSTOM_FIELD} characters; returned in the terminal callback."),
    ("StatusCallback", "URL that receives a POST when the call ends (and on the events asked for)."),
    ("StatusCallbackEvents", "Array of `terminal`, `answered`, in any spelling (`[0]`, `[]`, repeated, "
     "comma-joined, JSON)."),
    ("StatusCallbackContentType", "`multipart/form-data` (default) or `application/json`."),
    ("StreamUrl", "Media stream URL (kept)."),
    ("StreamBegin", "`at Leg1Connect` or `at Leg2Connect` (kept)."),
    ("StartPlaybackToNew", "`Callee` or `Both` (kept)."),
    ("StartPlaybackValueNew", "Playback value (kept)."),
)  # fmt: skip
_SCALARS = tuple(name for name, _ in CONNECT_PARAMETERS if name != "StatusCallbackEvents")
_CANONICAL = {name.lower(): name for name in _SCALARS}
_EVENTS_NAME = re.compile(r"^statuscallbackevents?(\[\d*\])?$")
_TRUE, _FALSE = {"true", "1", "yes"}, {"false", "0", "no"}
MAX_NUMBER_LENGTH = 100
"""Longest From/To/CallerId accepted: room for a SIP URI, inside the store's column."""

Pairs = list[tuple[str, object]]


async def read_parameters(request: Request) -> tuple[dict[str, str], list[str]]:
    """All parameters, canonically named (query string first, then the body, which wins), and the
    StatusCallbackEvents values in every spelling, flattened."""
    pairs: Pairs = list(request.query_params.multi_items())
    pairs += await _body_pairs(request)
    scalars: dict[str, str] = {}
    events: list[str] = []
    for raw_name, value in pairs:
        name = raw_name.strip().lower()
        if _EVENTS_NAME.match(name):
            events += _event_values(value)
            continue
        canonical = _CANONICAL.get(name)
        if canonical is None:
            continue  # unknown parameters are ignored (StatusCallbackMethod, __RequestedServerCode, ...)
        scalars[canonical] = _scalar(canonical, value)
    return scalars, events


async def _body_pairs(request: Request) -> Pairs:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        return list(await multipart_pairs(request, ERRORS, max_fields=200))
    body = await read_body(request, ERRORS)
    if not body.strip():
        return []
    if content_type == "application/json" or (not content_type and body.lstrip()[:1] == b"{"):
        return list(json_parameters(body).items())
    # urlencoded, or no Content-Type at all (a Go client): parse it as a form.
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidParameter("the request body is not UTF-8") from None
    return list(parse_qsl(text, keep_blank_values=True))


def _scalar(name: str, value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return check_text(name, str(value))
    raise InvalidParameter(f"{name} must be a single value", parameter=name)


def _event_values(value: object) -> list[str]:
    """``terminal``, ``terminal,answered``, a JSON array, or an array inside a form value."""
    if isinstance(value, list):
        items: Iterable[object] = value
    elif isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                parsed = orjson.loads(text)
            except orjson.JSONDecodeError:
                raise InvalidParameter(
                    f"StatusCallbackEvents is not a valid array: {value!r}", parameter="StatusCallbackEvents"
                ) from None
            items = parsed if isinstance(parsed, list) else [parsed]
        else:
            items = text.split(",")
    else:
        raise InvalidParameter(
            "StatusCallbackEvents must be a list of events", parameter="StatusCallbackEvents"
        )
    values = []
    for item in items:
        if not isinstance(item, str):
            raise InvalidParameter(
                "StatusCallbackEvents must be a list of events", parameter="StatusCallbackEvents"
            )
        if item.strip():
            values.append(check_text("StatusCallbackEvents", item.strip()))
    return values


def _number(params: dict[str, str], name: str, *, allow_sip: bool) -> str | None:
    raw = params.get(name, "")
    if not raw.strip():
        return None
    if len(raw) > MAX_NUMBER_LENGTH:
        raise InvalidParameter(f"{name} is longer than {MAX_NUMBER_LENGTH} characters", parameter=name)
    if raw.strip().lower().startswith("sip:") and not allow_sip:
        raise InvalidParameter(f"{name} must be a phone number, not a SIP address", parameter=name)
    try:
        return to_e164(raw)
    except UnparseableNumber as exc:
        raise InvalidParameter(f"{name}: {exc}", parameter=name) from None


def _seconds(params: dict[str, str], name: str, maximum: int) -> int | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    value = whole_number(raw, maximum)
    if value is None:
        raise InvalidParameter(
            f"{name} must be a whole number of seconds between 1 and {maximum}", parameter=name
        )
    return value or None  # a Go client always sends 0 for "unset"


def _choice(params: dict[str, str], name: str, allowed: tuple[str, ...], default: str) -> str:
    raw = params.get(name, "").strip()
    if not raw:
        return default
    for value in allowed:
        if raw.lower() == value:
            return value
    raise InvalidParameter(f"{name} must be one of {', '.join(allowed)}; got {raw!r}", parameter=name)


def _url(params: dict[str, str], name: str) -> str | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    if len(raw) > MAX_URL_LENGTH:
        raise InvalidParameter(f"{name} is longer than {MAX_URL_LENGTH} characters", parameter=name)
    return raw


def parse_connect(params: dict[str, str], event_values: list[str]) -> ConnectRequest:
    from_number = _number(params, "From", allow_sip=True)
    if from_number is None:
        raise InvalidParameter("From is required: the number to call first", parameter="From")
    caller_id = _number(params, "CallerId", allow_sip=False)
    if caller_id is None:
        raise InvalidParameter("CallerId is required: one of your ExoPhones", parameter="CallerId")
    to_number = _number(params, "To", allow_sip=True)
    url = _url(params, "Url")
    app_id = None
    if url is not None:
        app_id = flow_app_id(url)
        if app_id is None:
            raise InvalidParameter(
                "Url must be a flow URL: http://my.exotel.com/<your_sid>/exoml/start_voice/<app_id>",
                parameter="Url",
            )
    if to_number is None and app_id is None:
        raise InvalidParameter("either To (a number) or Url (a flow) is required", parameter="To")
    call_type = params.get("CallType", "").strip().lower()
    if call_type and call_type not in ("trans", "promo"):
        raise InvalidParameter(f"CallType must be trans; got {call_type!r}", parameter="CallType")
    record_raw = params.get("Record", "").strip().lower()
    if record_raw and record_raw not in _TRUE | _FALSE:
        raise InvalidParameter(f"Record must be true or false; got {record_raw!r}", parameter="Record")
    custom_field = params.get("CustomField") or None
    if custom_field is not None and len(custom_field) > MAX_CUSTOM_FIELD:
        raise InvalidParameter(
            f"CustomField must be at most {MAX_CUSTOM_FIELD} characters; got {len(custom_field)}",
            parameter="CustomField",
        )
    events = []
    for value in event_values:
        if value.lower() not in CALLBACK_EVENTS:
            raise InvalidParameter(
                f"StatusCallbackEvents: unknown event {value!r} (known: {', '.join(CALLBACK_EVENTS)})",
                parameter="StatusCallbackEvents",
            )
        if value.lower() not in events:
            events.append(value.lower())
    kept = {name: params[name] for name in _KEPT if params.get(name, "").strip()}
    if "WaitUrl" in kept:
        kept["WaitUrl"] = _url(params, "WaitUrl") or ""
    return ConnectRequest(
        from_number=from_number,
        caller_id=caller_id,
        to_number=to_number,
        flow_app_id=app_id,
        time_limit_s=_seconds(params, "TimeLimit", MAX_TIME_LIMIT_S),
        time_out_s=_seconds(params, "TimeOut", MAX_TIME_OUT_S),
        record=record_raw in _TRUE,
        recording_channels=_choice(params, "RecordingChannels", RECORDING_CHANNELS, "single"),
        recording_format=_choice(params, "RecordingFormat", RECORDING_FORMATS, "mp3"),
        custom_field=custom_field,
        status_callback=_url(params, "StatusCallback"),
        status_callback_events=tuple(events),
        status_callback_content_type=_choice(
            params, "StatusCallbackContentType", CALLBACK_CONTENT_TYPES, "multipart/form-data"
        ),
        extra=kept,
    )
