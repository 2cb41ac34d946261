"""Dialling a leg and ending a call: the steps both the call's own transitions and its flow's
applets take (a Connect applet dials, a Hangup applet or the flow's end hangs up).

Kept apart from ``transitions`` so that ``flow_steps`` can use them without importing the module
that dispatches to it: ``transitions`` imports ``flow_steps``, both import this, never the reverse.
"""

from __future__ import annotations

from trunkline.domain.calls.effects import Dial, Effect, Event, Hangup, Notify
from trunkline.domain.calls.model import CallStatus
from trunkline.domain.calls.run_state import (
    NOT_ANSWERED_STATUSES,
    CallRun,
    FlowRun,
    LegRun,
    LegStatus,
    Phase,
    Timer,
    TimerKind,
)

MAX_RING_SECONDS = 60
"""No leg rings longer than this, whatever TimeOut asks (TRAI; docs/api-choices.md §Conflicts)."""


def dial(run: CallRun, leg_no: int, number: str, at: int, ring_ms: int | None = None) -> list[Effect]:
    """Dial a leg; it rings until it answers, fails, or ``ring_ms`` (at most ``MAX_RING_SECONDS``)."""
    run.legs.append(LegRun(number, LegStatus.DIALING, at))
    if run.flow is None:
        run.phase = Phase.LEG1 if leg_no == 1 else Phase.LEG2
    run.updated_at = at
    ring = min(run.ring_timeout_s * 1000 if ring_ms is None else ring_ms, MAX_RING_SECONDS * 1000)
    run.schedule(Timer(at + ring, TimerKind.RING_TIMEOUT, leg=leg_no))
    return [Event(f"leg{leg_no}.dialing", at, {"number": number}), Dial(leg_no, at)]


def hang_up_all(
    run: CallRun, at: int, settle_delay_ms: int, *, by: str, final_status: CallStatus | None = None
) -> list[Effect]:
    """End the call: every live leg hangs up (or stops ringing)."""
    effects: list[Effect] = []
    for number, leg in enumerate(run.legs, start=1):
        if leg.status == LegStatus.ANSWERED:
            leg.status, leg.ended_at = LegStatus.COMPLETED, at
        elif leg.status in NOT_ANSWERED_STATUSES:
            leg.status, leg.ended_at = LegStatus.CANCELED, at
        else:
            continue
        effects += [Event(f"leg{number}.{leg.status}", at, {"by": by}), Hangup(number, at)]
    if final_status is None:
        final_status = _final_status(run)
    return effects + _end(run, final_status, at, settle_delay_ms)


def _final_status(run: CallRun) -> CallStatus:
    """Completed once the conversation (or the flow) happened. Leg 1 hanging up while leg 2 still
    rings leaves leg 2 ``canceled`` and the call ``no-answer``: the callback keeps to the four
    statuses Exotel documents for it."""
    if run.bridged_at is not None or run.phase == Phase.FLOW:
        return CallStatus.COMPLETED
    if run.flow is not None and run.legs and run.legs[0].answered_at is not None:
        return CallStatus.COMPLETED
    return CallStatus.NO_ANSWER


def _end(run: CallRun, status: CallStatus, at: int, settle_delay_ms: int) -> list[Effect]:
    run.phase, run.status, run.ended_at, run.updated_at = Phase.ENDED, status.value, at, at
    run.timers.clear()
    if run.flow is not None:
        stop_recording(run.flow, at)
        run.flow.waiting = False
    effects: list[Effect] = [Event(f"call.{status.value}", at), Notify("terminal", at)]
    if settle_delay_ms <= 0:
        run.phase = Phase.SETTLED
        effects.append(Event("call.settled", at))
    else:
        run.schedule(Timer(at + settle_delay_ms, TimerKind.SETTLE))
    return effects


def stop_recording(state: FlowRun, at: int) -> None:
    """Close the stretch being recorded, if any; an empty one is dropped."""
    if state.record_from is not None:
        if at > state.record_from:
            state.recorded.append([state.record_from, at, state.record_kind])
        state.record_from = None
