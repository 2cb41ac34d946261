"""CCM status callbacks (docs/api-choices.md §CCM v2): a JSON POST to the URL of each subscribed event.

Fields: ``call_sid``, ``event_type`` (``answered``/``terminal``), ``call_state``, ``duration``,
``recording_url``, and — Trunkline's additions, so one callback tells the whole outcome —
``status`` (the v2 status, null on ``answered``) and ``custom_field``. ``call_state`` is
``terminal`` in the terminal callback: the event itself says the call is over, even though
call details show ``active`` until Duration has settled."""

from __future__ import annotations

from typing import Any

from trunkline.api.exotel_ccm import status
from trunkline.api.exotel_ccm.render import recording_url
from trunkline.domain.calls.model import Call
from trunkline.domain.calls.run_state import CallbackRequest
from trunkline.engine.calls.engine import CallbackRenderer


def _seconds(call: Call) -> int | None:
    if call.end_time is None or call.start_time is None:
        return None
    return call.end_time // 1000 - call.start_time // 1000


def status_callback_renderer(public_url: str) -> CallbackRenderer:
    def render(call: Call, event: str, request: CallbackRequest) -> dict[str, Any] | None:
        if event not in request.events:
            return None
        terminal = event == "terminal"
        return {
            "call_sid": call.sid,
            "event_type": event,
            "call_state": status.TERMINAL if terminal else status.ACTIVE,
            "status": status.ended_status(call) if terminal else None,
            "duration": _seconds(call) if terminal else None,
            "recording_url": recording_url(call, public_url) if terminal else None,
            "custom_field": call.custom_field,
        }

    return render
