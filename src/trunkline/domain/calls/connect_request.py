"""A request to place a call, as every dialect hands it to the engine, and the limits it obeys."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_TIME_LIMIT_S = 14_400
"""Four hours (docs/api-choices.md §Connect)."""
MAX_TIME_OUT_S = 2**31 - 1
"""A larger ``TimeOut`` is accepted as 60 s (no leg rings longer); this bound only keeps the number
within what a 32-bit client and every store column hold, so a hostile one is a 400, not a 500."""
MAX_CUSTOM_FIELD = 128
CALLBACK_EVENTS = ("terminal", "answered")
CALLBACK_CONTENT_TYPES = ("multipart/form-data", "application/json")
RECORDING_CHANNELS = ("single", "dual")
RECORDING_FORMATS = ("mp3", "mp3-hq")

# Every form of a flow URL clients send (docs/api-choices.md §Connect): the app id is the last path segment.
_FLOW_URL = re.compile(
    r"^https?://my\.exotel\.(?:com|in)/(?:[^/]+/)?exoml/start(?:_voice)?/(?P<app_id>[A-Za-z0-9_-]{1,64})/?$"
)


def flow_app_id(url: str) -> str | None:
    """The flow (app) id in a ``start_voice`` or legacy ``start`` URL, or None if it is not one."""
    match = _FLOW_URL.match(url.strip())
    return match.group("app_id") if match else None


def flow_url(account_sid: str, app_id: str) -> str:
    """The URL a client connects a call to a flow with, in the form Exotel's docs give (with the
    account sid); ``flow_app_id`` reads it back."""
    return f"http://my.exotel.com/{account_sid}/exoml/start_voice/{app_id}"


@dataclass(frozen=True, slots=True)
class ConnectRequest:
    """Numbers are E.164 (or ``sip:`` URIs); every limit has been checked by the dialect's parser."""

    from_number: str
    caller_id: str
    to_number: str | None = None
    flow_app_id: str | None = None
    time_limit_s: int | None = None
    time_out_s: int | None = None
    record: bool = False
    recording_channels: str = "single"
    recording_format: str = "mp3"
    custom_field: str | None = None
    status_callback: str | None = None
    status_callback_events: tuple[str, ...] = ()
    status_callback_content_type: str = "multipart/form-data"
    status_callback_targets: dict[str, str] = field(default_factory=dict)
    """A URL per event where it differs from ``status_callback`` (CCM's list of ``{event, url}``)."""
    extra: dict[str, str] = field(default_factory=dict)
    """Accepted and kept, not acted on: CallType, WaitUrl, StreamUrl and the playback options."""
