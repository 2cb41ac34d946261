"""How CCM v2 names the state of a call of the shared model (docs/api-choices.md §CCM v2). Pure: no I/O.

The agent's legs are ``from`` and the customer's ``to``: for an outgoing call leg 1 rings the agent
and leg 2 the customer; for an incoming call (reversed) leg 1 is the customer and the legs a flow
connected are agents. One function derives the status, used by call details and callbacks alike.
"""

from __future__ import annotations

from trunkline.domain.calls.model import Call, CallStatus, Direction, Leg

ACTIVE, TERMINAL = "active", "terminal"
COMPLETED = "completed"
AGENT_UNANSWERED = "agent_unanswered"
CUSTOMER_UNANSWERED = "customer_unanswered"
AGENT_CANCELED = "agent_canceled"
CUSTOMER_NO_DIAL = "customer_no_dial"
AGENT_NO_DIAL = "agent_no_dial"

_UNANSWERED = frozenset({CallStatus.BUSY, CallStatus.NO_ANSWER})
_LEG_STATUS: dict[str, str] = {
    CallStatus.COMPLETED: "completed",
    CallStatus.FAILED: "failed",
    CallStatus.BUSY: "no-answer",
    CallStatus.NO_ANSWER: "no-answer",
    CallStatus.CANCELED: "no-answer",
}
"""v3 legs know four statuses: a busy or cancelled leg did not answer; anything live is in-progress."""


def is_incoming(call: Call) -> bool:
    return call.direction == Direction.INBOUND


def agent_legs(call: Call) -> list[Leg]:
    return call.legs[1:] if is_incoming(call) else call.legs[:1]


def customer_legs(call: Call) -> list[Leg]:
    return call.legs[:1] if is_incoming(call) else call.legs[1:]


def state(call: Call) -> str:
    """``terminal`` once the call has ended and settled (Duration known): "all data processed"."""
    return TERMINAL if call.is_final and call.duration is not None else ACTIVE


def ended_status(call: Call) -> str | None:
    """The v2 status of an ended call (None while it is live), from what its legs did."""
    if not call.is_final:
        return None
    if is_incoming(call):
        return _incoming_status(call)
    agent = call.leg(1)
    if agent is None or agent.status == CallStatus.FAILED:
        return AGENT_NO_DIAL
    if agent.status in _UNANSWERED or agent.status == CallStatus.CANCELED:
        return AGENT_UNANSWERED
    customers = customer_legs(call)
    if not customers:
        # A flow call that dialled no one completed; otherwise the agent left before the dial.
        return COMPLETED if call.status == CallStatus.COMPLETED else AGENT_CANCELED
    customer = customers[-1]
    if customer.status == CallStatus.COMPLETED or call.status == CallStatus.COMPLETED:
        return COMPLETED
    if customer.status in _UNANSWERED:
        return CUSTOMER_UNANSWERED
    if customer.status == CallStatus.FAILED:
        return CUSTOMER_NO_DIAL
    return AGENT_CANCELED  # the customer's leg was cancelled: the agent hung up while it rang


def _incoming_status(call: Call) -> str:
    """An incoming call: the customer reached the ExoPhone; the agent is whoever the flow dialled."""
    agents = agent_legs(call)
    if not agents:  # the flow answered and dialled no one
        return COMPLETED if call.status == CallStatus.COMPLETED else CUSTOMER_UNANSWERED
    agent = agents[-1]
    if agent.status == CallStatus.COMPLETED:
        return COMPLETED
    if agent.status == CallStatus.FAILED:
        return AGENT_NO_DIAL
    return AGENT_UNANSWERED


def status(call: Call) -> str | None:
    """What call details show: null while ``active``."""
    return ended_status(call) if state(call) == TERMINAL else None


def leg_status(shown: str | None) -> str:
    """A leg's status in the legs API: in-progress, completed, failed or no-answer."""
    return _LEG_STATUS.get(shown or "", "in-progress")
