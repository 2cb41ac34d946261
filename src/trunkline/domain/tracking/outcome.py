"""What Get Calls shows about how a tracked (inbound) call ended: one function, used by the live
path (``store.tracking.observer``) and the history generator alike.

Leg 1 of an inbound call is the caller, answered by the flow; every further leg is an endpoint a
Connect applet dialled. The rule:

* ``Answered``: an endpoint answered;
* otherwise, if endpoints were dialled, the last one's outcome: ``Busy``, ``NoAnswer`` (no answer
  in time, or the caller hung up while it rang) or ``Failed``;
* otherwise ``IVR`` when the flow answered the caller (menus, messages, voicemail, no endpoint);
* otherwise the caller never reached the flow: ``Busy``, ``Failed``, or ``NoAnswer`` (the caller hung
  up while it rang).
"""

from __future__ import annotations

from dataclasses import dataclass

from trunkline.domain.calls.model import Call, Leg

ANSWERED, IVR, BUSY, NO_ANSWER, FAILED = "Answered", "IVR", "Busy", "NoAnswer", "Failed"
_BY_STATUS = {"busy": BUSY, "failed": FAILED}


@dataclass(frozen=True, slots=True)
class Outcome:
    disposition: str
    endpoint: str | None
    """The endpoint the call was routed to: the one that answered, else the last one dialled."""
    duration: int
    """Seconds from the call's start to its end (v1's Duration, known here before it settles)."""


def _answered(leg: Leg) -> bool:
    return leg.answered_by is not None or leg.status == "completed"


def disposition_of(status: str, legs: list[Leg]) -> tuple[str, str | None]:
    """(Disposition, Endpoint) of an ended inbound call from its status and legs."""
    endpoints = [leg for leg in legs if leg.leg_id > 1]
    for leg in endpoints:
        if _answered(leg):
            return ANSWERED, leg.number
    if endpoints:
        last = endpoints[-1]
        return _BY_STATUS.get(last.status or "", NO_ANSWER), last.number
    caller = next((leg for leg in legs if leg.leg_id == 1), None)
    if caller is not None and _answered(caller):
        return IVR, None
    return _BY_STATUS.get(status, NO_ANSWER), None


def outcome_of(call: Call) -> Outcome | None:
    """The outcome of an ended call; None while it is live."""
    if not call.is_final:
        return None
    disposition, endpoint = disposition_of(call.status, call.legs)
    start = call.start_time if call.start_time is not None else call.date_created
    end = call.end_time if call.end_time is not None else start
    return Outcome(disposition, endpoint, max(0, end // 1000 - start // 1000))
