"""Reading a CCM v2 make-call body (docs/api-choices.md §CCM v2) into what the engine needs. Pure: no I/O (the
body is read by ``api/pipeline.read_body``).

Types are strict where a wrong one means a client bug (an object where a number belongs) and
lenient where clients differ harmlessly (``"true"`` for ``true``, ``"30"`` for ``30``). Every
problem names its field: 1001 when a mandatory one is missing, 1002 when one is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import orjson

from trunkline.api.exotel_ccm.errors import MissingParameter, UnparseableBody, UnsupportedContentType
from trunkline.domain.agents.model import AGENT_KEY, Agent, normalise_contact_uri
from trunkline.domain.calls.connect_request import (
    CALLBACK_EVENTS,
    MAX_CUSTOM_FIELD,
    MAX_TIME_LIMIT_S,
    RECORDING_CHANNELS,
    ConnectRequest,
)
from trunkline.domain.client_text import check_text
from trunkline.domain.errors import InvalidParameter
from trunkline.domain.numbers.phone import UnparseableNumber, to_e164
from trunkline.domain.whole_numbers import whole_number

DEFAULT_ATTEMPT_TIME_OUT_S = 30
MAX_ATTEMPT_TIME_OUT_S = 3600
MAX_URL = 2048
_TRUE, _FALSE = ("true", "1", "yes"), ("false", "0", "no")


@dataclass(frozen=True, slots=True)
class AgentRef:
    """How the body names the agent: by user_id or by contact_uri (normalised)."""

    user_id: str | None = None
    contact_uri: str | None = None


@dataclass(frozen=True, slots=True)
class MakeCall:
    agent: AgentRef
    customer: str
    virtual_number: str
    record: bool = False
    recording_channels: str = "single"
    wait_audio_url: str | None = None
    max_time_limit_s: int | None = None
    attempt_time_out_s: int = DEFAULT_ATTEMPT_TIME_OUT_S
    custom_field: str | None = None
    callbacks: tuple[tuple[str, str], ...] = ()
    """(event, url) pairs, one per event."""

    def connect_request(self, agent: Agent) -> ConnectRequest:
        """The engine's request: leg 1 rings the agent, leg 2 the customer, from the virtual number."""
        extra = {AGENT_KEY: agent.user_id}
        if self.wait_audio_url:
            extra["WaitAudioUrl"] = self.wait_audio_url
        targets = dict(self.callbacks)
        return ConnectRequest(
            from_number=agent.contact_uri,
            caller_id=self.virtual_number,
            to_number=self.customer,
            time_limit_s=self.max_time_limit_s,
            time_out_s=self.attempt_time_out_s,
            record=self.record,
            recording_channels=self.recording_channels,
            custom_field=self.custom_field,
            status_callback=self.callbacks[0][1] if self.callbacks else None,
            status_callback_events=tuple(event for event, _ in self.callbacks),
            status_callback_content_type="application/json",
            status_callback_targets=targets,
            extra=extra,
        )


def check_content_type(value: str | None) -> None:
    """JSON only. A body with no Content-Type at all is read as JSON (some HTTP clients omit it)."""
    if value is None:
        return
    media = value.split(";", 1)[0].strip().lower()
    if media != "application/json" and not (media.startswith("application/") and media.endswith("+json")):
        raise UnsupportedContentType(media or value.strip() or "(empty)")


def parse_body(raw: bytes) -> dict[str, Any]:
    """The body as a JSON object (1007 otherwise)."""
    if not raw.strip():
        raise UnparseableBody("the request body is empty; send a JSON object")
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise UnparseableBody(f"the request body is not valid JSON: {exc}") from None
    if not isinstance(body, dict):
        raise UnparseableBody("the request body must be a JSON object")
    _check_strings(body, "")
    return body


def _check_strings(value: Any, where: str) -> None:
    """Every string of the body, names included, free of control characters (``client_text``)."""
    if isinstance(value, str):
        check_text(where or "body", value)
    elif isinstance(value, dict):
        for name, item in value.items():
            inner = f"{where}.{name}" if where else str(name)
            check_text(inner, str(name))
            _check_strings(item, inner)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_strings(item, f"{where}[{index}]")


def parse_make_call(body: dict[str, Any]) -> MakeCall:
    return MakeCall(
        agent=_agent_ref(body),
        customer=_number(_required_object(body, "to"), "to.number"),
        virtual_number=_number(body, "virtual_number"),
        record=_bool(body, "recording"),
        recording_channels=_choice(body, "recording_channels", RECORDING_CHANNELS, "single"),
        wait_audio_url=_url(body.get("wait_audio_url"), "wait_audio_url"),
        max_time_limit_s=_seconds(body, "max_time_limit", MAX_TIME_LIMIT_S, None),
        attempt_time_out_s=_seconds(
            body, "attempt_time_out", MAX_ATTEMPT_TIME_OUT_S, DEFAULT_ATTEMPT_TIME_OUT_S
        )
        or DEFAULT_ATTEMPT_TIME_OUT_S,
        custom_field=_custom_field(body),
        callbacks=_callbacks(body.get("status_callback")),
    )


def _invalid(name: str, why: str) -> InvalidParameter:
    return InvalidParameter(f"{name}: {why}", parameter=name)


def _required_object(body: dict[str, Any], name: str) -> dict[str, Any]:
    value = body.get(name)
    if value is None:
        raise MissingParameter(f"{name} is mandatory", parameter=name)
    if not isinstance(value, dict):
        raise _invalid(name, "must be an object")
    return value


def _agent_ref(body: dict[str, Any]) -> AgentRef:
    source = _required_object(body, "from")
    user_id, contact_uri = source.get("user_id"), source.get("user_contact_uri")
    if user_id is None and contact_uri is None:
        raise MissingParameter("from.user_id or from.user_contact_uri is mandatory", parameter="from")
    if user_id is not None and contact_uri is not None:
        raise _invalid("from", "give either user_id or user_contact_uri, not both")
    if user_id is not None:
        if not isinstance(user_id, str) or not user_id.strip() or len(user_id) > 64:
            raise _invalid("from.user_id", "must be a user id (a non-empty string of at most 64 characters)")
        return AgentRef(user_id=user_id.strip())
    if not isinstance(contact_uri, str):
        raise _invalid("from.user_contact_uri", "must be a phone number or a sip: URI")
    try:
        return AgentRef(contact_uri=normalise_contact_uri(contact_uri))
    except InvalidParameter as exc:
        raise _invalid("from.user_contact_uri", exc.message) from None


def _number(container: dict[str, Any], name: str) -> str:
    key = name.rpartition(".")[2]
    value = container.get(key)
    if value is None or value == "":
        raise MissingParameter(f"{name} is mandatory", parameter=name)
    if not isinstance(value, str):
        raise _invalid(name, "must be a phone number in a string, e.g. +919876543210")
    if value.strip().lower().startswith("sip"):
        raise _invalid(name, "must be a phone number, not a SIP URI")
    try:
        return to_e164(value)
    except UnparseableNumber as exc:
        raise _invalid(name, str(exc)) from None


def _bool(body: dict[str, Any], name: str) -> bool:
    value = body.get(name)
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE + _FALSE:
        return value.strip().lower() in _TRUE
    raise _invalid(name, "must be true or false")


def _choice(body: dict[str, Any], name: str, allowed: tuple[str, ...], default: str) -> str:
    value = body.get(name)
    if value is None or value == "":
        return default
    if not isinstance(value, str) or value.strip().lower() not in allowed:
        raise _invalid(name, f"must be one of {', '.join(allowed)}")
    return value.strip().lower()


def _seconds(body: dict[str, Any], name: str, maximum: int, default: int | None) -> int | None:
    value = body.get(name)
    if value is None or value == "":
        return default
    if isinstance(value, str):
        value = whole_number(value.strip(), maximum)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= maximum:
        raise _invalid(name, f"must be a whole number of seconds from 1 to {maximum}")
    return value


def _url(value: Any, name: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > MAX_URL:
        raise _invalid(name, f"must be an http(s) URL of at most {MAX_URL} characters")
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        raise _invalid(name, "is not a URL") from None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise _invalid(name, "must be an http(s) URL")
    return value.strip()


def _custom_field(body: dict[str, Any]) -> str | None:
    value = body.get("custom_field")
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _invalid("custom_field", "must be a string")
    text = str(value)
    if len(text) > MAX_CUSTOM_FIELD:
        raise _invalid("custom_field", f"is longer than {MAX_CUSTOM_FIELD} characters")
    return text


def _callbacks(value: Any) -> tuple[tuple[str, str], ...]:
    if value is None or value == []:
        return ()
    if isinstance(value, dict):
        value = [value]  # one subscription sent bare rather than in a list
    if not isinstance(value, list):
        raise _invalid("status_callback", "must be a list of {event, url} objects")
    seen: dict[str, str] = {}
    for index, item in enumerate(value):
        where = f"status_callback[{index}]"
        if not isinstance(item, dict):
            raise _invalid(where, "must be an {event, url} object")
        event = item.get("event")
        if event is None or item.get("url") in (None, ""):
            raise MissingParameter(f"{where}: event and url are mandatory", parameter=where)
        if not isinstance(event, str) or event.strip().lower() not in CALLBACK_EVENTS:
            raise _invalid(f"{where}.event", f"must be one of {', '.join(CALLBACK_EVENTS)}")
        event = event.strip().lower()
        if event in seen:
            raise _invalid(f"{where}.event", f"{event} is subscribed twice; give one url per event")
        url = _url(item.get("url"), f"{where}.url")
        assert url is not None
        seen[event] = url
    return tuple(seen.items())
