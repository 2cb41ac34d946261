"""Call flows (Exotel's "apps"): an ordered list of applets that a call runs once its caller is on
the line. Defined as JSON or YAML, validated here, with a message that names the applet and field::

    {"name": "Support line",
     "applets": [
       {"id": "welcome", "type": "greeting", "text": "Welcome to Acme"},
       {"id": "menu", "type": "ivr", "prompt": "Press 1 for sales, 2 for support",
        "branches": {"1": "sales", "2": "check"}, "default": "bye"},
       {"id": "check", "type": "passthru", "url": "https://example.com/open",
        "on_success": "sales", "on_failure": "vm"},
       {"id": "sales", "type": "connect", "numbers": ["+919876543210"], "record": true,
        "on_no_answer": "vm", "next": "bye"},
       {"id": "vm", "type": "voicemail", "max_seconds": 60},
       {"id": "bye", "type": "hangup"}]}

Every applet goes on to ``next`` when it is done, by default the applet after it; after the last
one the call hangs up. The flow starts at its first applet. Branch targets must name applets of
the same flow; loops are allowed (a menu may return to itself), a call is cut after
``MAX_FLOW_STEPS`` applets.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from trunkline.domain.errors import InvalidParameter
from trunkline.domain.numbers.phone import UnparseableNumber, to_e164

MAX_APPLETS = 100
MAX_FLOW_STEPS = 200
"""Applets one call may enter before the flow is cut (a menu that loops on silence, say)."""
MAX_CONNECT_NUMBERS = 10
WORDS_PER_SECOND = 2.5
"""Text-to-speech pace: a greeting or prompt of N words plays for N / 2.5 seconds."""
KEYS = frozenset("0123456789*#")
APP_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_APPLET_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


class FlowError(InvalidParameter):
    code = "invalid-flow"


@dataclass(frozen=True, slots=True)
class Applet:
    id: str
    type: str
    next: str | None
    """Where the call goes when the applet is done (None: hang up)."""
    play_ms: int = 0
    """Greeting, IVR prompt, voicemail prompt: how long it plays."""
    text: str = ""
    audio_url: str = ""
    branches: dict[str, str] = field(default_factory=dict)
    default: str | None = None
    timeout_ms: int = 0
    attempts: int = 1
    url: str = ""
    on_success: str | None = None
    on_failure: str | None = None
    numbers: tuple[str, ...] = ()
    record: bool = False
    on_no_answer: str | None = None
    max_ms: int = 0


@dataclass(frozen=True, slots=True)
class Flow:
    app_id: str
    name: str
    applets: dict[str, Applet]
    start: str
    document: dict[str, Any]
    """The normalised document, as stored and shown back."""

    def applet(self, applet_id: str | None) -> Applet | None:
        return None if applet_id is None else self.applets.get(applet_id)


# --- validation ---

_COMMON = {"id", "type", "next"}
_FIELDS: dict[str, set[str]] = {
    "greeting": {"text", "audio_url", "duration_seconds"},
    "ivr": {"prompt", "duration_seconds", "branches", "default", "timeout_seconds", "attempts"},
    "passthru": {"url", "timeout_seconds", "on_success", "on_failure"},
    "connect": {"numbers", "ring_timeout_seconds", "record", "on_no_answer"},
    "voicemail": {"prompt", "duration_seconds", "max_seconds"},
    "hangup": set(),
}
_ALIASES = {"record": "voicemail", "menu": "ivr", "dial": "connect"}


def _fail(where: str, message: str) -> FlowError:
    return FlowError(f"{where}: {message}", parameter="applets")


def _text(where: str, raw: dict[str, Any], name: str, *, limit: int = 1000) -> str:
    value = raw.get(name, "")
    if not isinstance(value, str) or len(value) > limit:
        raise _fail(where, f"{name} must be text of at most {limit} characters")
    return value


def _seconds(where: str, raw: dict[str, Any], name: str, default: float, low: float, high: float) -> int:
    """A duration field in seconds, returned in ms."""
    value = raw.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _fail(where, f"{name} must be a number of seconds")
    if not low <= value <= high:
        raise _fail(where, f"{name} must be between {low:g} and {high:g} seconds")
    return int(value * 1000)


def _spoken_ms(text: str) -> int:
    return max(1000, int(len(text.split()) / WORDS_PER_SECOND * 1000))


def _url(where: str, raw: dict[str, Any], name: str, *, required: bool) -> str:
    value = raw.get(name, "")
    if not isinstance(value, str) or len(value) > 2000:
        raise _fail(where, f"{name} must be an http(s) URL")
    if not value:
        if required:
            raise _fail(where, f"{name} is required")
        return ""
    if not re.match(r"^https?://[^/\s]+", value) or any(c.isspace() for c in value):
        raise _fail(where, f"{name} must be an http(s) URL, not {value[:80]!r}")
    return value


def _target(where: str, raw: dict[str, Any], name: str) -> str | None:
    value = raw.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not _APPLET_ID.match(value):
        raise _fail(where, f"{name} must be the id of an applet")
    return value


def _applet(index: int, raw: Any, following: str | None) -> Applet:
    where = f"applets[{index}]"
    if not isinstance(raw, dict):
        raise _fail(where, "must be an object with an id and a type")
    applet_id = raw.get("id")
    if not isinstance(applet_id, str) or not _APPLET_ID.match(applet_id):
        raise _fail(where, "id must be 1 to 64 letters, digits, '.', '_' or '-'")
    where = f"applet {applet_id!r}"
    kind = raw.get("type")
    kind = _ALIASES.get(kind, kind) if isinstance(kind, str) else kind
    if kind not in _FIELDS:
        raise _fail(where, f"type must be one of {', '.join(_FIELDS)}")
    unknown = sorted(set(raw) - _COMMON - _FIELDS[kind])
    if unknown:
        raise _fail(where, f"unknown field {unknown[0]!r} for a {kind} applet")
    next_id = _target(where, raw, "next") if "next" in raw else following
    base: dict[str, Any] = {"id": applet_id, "type": kind, "next": next_id}
    if kind == "greeting":
        text, audio = _text(where, raw, "text"), _url(where, raw, "audio_url", required=False)
        if not text and not audio:
            raise _fail(where, "a greeting needs text or audio_url")
        play = _spoken_ms(text) if text else 5000
        if "duration_seconds" in raw:
            play = _seconds(where, raw, "duration_seconds", 5, 0.5, 600)
        return Applet(**base, text=text, audio_url=audio, play_ms=play)
    if kind == "ivr":
        prompt = _text(where, raw, "prompt")
        play = _spoken_ms(prompt) if prompt else 3000
        if "duration_seconds" in raw:
            play = _seconds(where, raw, "duration_seconds", 3, 0.5, 600)
        branches = raw.get("branches")
        if not isinstance(branches, dict) or not branches:
            raise _fail(where, "branches must map keys ('0'-'9', '*', '#') to applet ids")
        checked: dict[str, str] = {}
        for key, target in branches.items():
            if str(key) not in KEYS:
                raise _fail(where, f"branch key {key!r} must be one of 0-9, * or #")
            if not isinstance(target, str) or not _APPLET_ID.match(target):
                raise _fail(where, f"branch {key!r} must name an applet")
            checked[str(key)] = target
        attempts = raw.get("attempts", 2)
        if isinstance(attempts, bool) or not isinstance(attempts, int) or not 1 <= attempts <= 5:
            raise _fail(where, "attempts must be a whole number from 1 to 5")
        return Applet(
            **base,
            text=prompt,
            play_ms=play,
            branches=checked,
            default=_target(where, raw, "default"),
            timeout_ms=_seconds(where, raw, "timeout_seconds", 5, 1, 60),
            attempts=attempts,
        )
    if kind == "passthru":
        return Applet(
            **base,
            url=_url(where, raw, "url", required=True),
            timeout_ms=_seconds(where, raw, "timeout_seconds", 5, 0.1, 30),
            on_success=_target(where, raw, "on_success"),
            on_failure=_target(where, raw, "on_failure"),
        )
    if kind == "connect":
        numbers = raw.get("numbers")
        if isinstance(numbers, str):
            numbers = [numbers]
        if not isinstance(numbers, list) or not 1 <= len(numbers) <= MAX_CONNECT_NUMBERS:
            raise _fail(
                where, f"numbers must list 1 to {MAX_CONNECT_NUMBERS} phone numbers, dialled in order"
            )
        parsed = []
        for number in numbers:
            if not isinstance(number, str) or len(number) > 32:
                raise _fail(where, "numbers must be phone numbers given as text")
            try:
                parsed.append(to_e164(number))
            except UnparseableNumber as exc:
                raise _fail(where, str(exc)) from None
        record = raw.get("record", False)
        if not isinstance(record, bool):
            raise _fail(where, "record must be true or false")
        return Applet(
            **base,
            numbers=tuple(parsed),
            timeout_ms=_seconds(where, raw, "ring_timeout_seconds", 30, 1, 60),
            record=record,
            on_no_answer=_target(where, raw, "on_no_answer"),
        )
    if kind == "voicemail":
        prompt = _text(where, raw, "prompt")
        play = _spoken_ms(prompt) if prompt else 0
        if "duration_seconds" in raw:
            play = _seconds(where, raw, "duration_seconds", 3, 0, 600)
        return Applet(
            **base, text=prompt, play_ms=play, max_ms=_seconds(where, raw, "max_seconds", 60, 1, 3600)
        )
    return Applet(**base)


def parse_flow(app_id: str, document: Any) -> Flow:
    """Validate a flow document. Every mistake is a 400 naming the applet and the field."""
    if not APP_ID.match(app_id):
        raise FlowError("app_id must be 1 to 64 letters, digits, '_' or '-'", parameter="app_id")
    if not isinstance(document, dict):
        raise FlowError("a flow must be an object with an 'applets' list", parameter="applets")
    unknown = sorted(set(document) - {"name", "applets", "app_id"})
    if unknown:
        raise FlowError(f"unknown flow field {unknown[0]!r} (known: name, applets)", parameter="applets")
    if "app_id" in document and document["app_id"] != app_id:
        raise FlowError(
            f"app_id {document['app_id']!r} does not match the URL's {app_id!r}", parameter="app_id"
        )
    name = document.get("name", "")
    if not isinstance(name, str) or len(name) > 200:
        raise FlowError("name must be text of at most 200 characters", parameter="name")
    raw_applets = document.get("applets")
    if not isinstance(raw_applets, list) or not 1 <= len(raw_applets) <= MAX_APPLETS:
        raise FlowError(f"applets must be a list of 1 to {MAX_APPLETS} applets", parameter="applets")
    ids = [raw.get("id") if isinstance(raw, dict) else None for raw in raw_applets]
    applets: dict[str, Applet] = {}
    for index, raw in enumerate(raw_applets):
        following = ids[index + 1] if index + 1 < len(ids) and isinstance(ids[index + 1], str) else None
        applet = _applet(index, raw, following)
        if applet.id in applets:
            raise _fail(f"applets[{index}]", f"id {applet.id!r} is used twice")
        applets[applet.id] = applet
    for applet in applets.values():
        for name_, target in _targets(applet):
            if target is not None and target not in applets:
                raise _fail(
                    f"applet {applet.id!r}", f"{name_} names {target!r}, which is not an applet of this flow"
                )
    start = next(iter(applets))
    return Flow(app_id, name, applets, start, {"name": name, "applets": raw_applets})


def _targets(applet: Applet) -> list[tuple[str, str | None]]:
    found = [("next", applet.next), ("default", applet.default), ("on_success", applet.on_success)]
    found += [("on_failure", applet.on_failure), ("on_no_answer", applet.on_no_answer)]
    found += [(f"branches[{key!r}]", target) for key, target in applet.branches.items()]
    return found
