"""The life of a placed call as a state machine, with its timers: pure, no I/O, no clock.

Leg 1 (``From``) is dialled; when it answers, leg 2 (``To``) is dialled (or, for a flow call, the
flow runs); when leg 2 answers the legs are bridged and talk until a party hangs up or TimeLimit
cuts the call. Each step takes the earliest due ``Timer`` — a signal from the network (a phone
rings, answers, is busy, fails, hangs up) or one of the call's own deadlines (ring timeout,
TimeLimit, settling) — changes the state and returns ``Effect``s for the engine to carry out
(dial or hang up a leg on the carrier, store an event, send a status callback).

Signals that arrive after their leg has ended are ignored: the network and the call's own
deadlines race, and the first to happen wins. Every time is epoch ms of the network clock; a
step uses the timer's own time, never "now", so a call whose timers fell due while the server
was down ends exactly as it would have.

A flow call's applets are steps in ``flow_steps``; dialling a leg and ending the call, which both
take, are in ``leg_actions``.
"""

from __future__ import annotations

from trunkline.domain.calls import flow_steps
from trunkline.domain.calls.effects import Effect, Event, Hangup, Incoming, Notify
from trunkline.domain.calls.leg_actions import dial, hang_up_all
from trunkline.domain.calls.model import CallStatus, Direction
from trunkline.domain.calls.run_state import (
    LIVE_LEG_STATUSES,
    NOT_ANSWERED_STATUSES,
    CallRun,
    LegRun,
    LegStatus,
    Phase,
    Signal,
    Timer,
    TimerKind,
)

INBOUND_PICKUP_MS = 1000
"""How long a call to an ExoPhone rings before Exotel answers it and starts the number's flow."""
_FLOW_TIMERS = frozenset({TimerKind.FLOW_DONE, TimerKind.FLOW_INPUT, TimerKind.FLOW_REPLY})


def start(run: CallRun) -> None:
    """Schedule the first step of a new call: dialling leg 1 at once."""
    run.updated_at = run.created_at
    run.schedule(Timer(run.created_at, TimerKind.START))


def pop_due(run: CallRun, now_ms: int) -> Timer | None:
    if run.timers and run.timers[0].at <= now_ms and not run.waiting:
        return run.timers.pop(0)
    return None


def apply(run: CallRun, timer: Timer, *, settle_delay_ms: int) -> list[Effect]:
    """One step of the state machine."""
    at = timer.at
    if timer.kind == TimerKind.START:
        if run.direction == Direction.INBOUND:
            return _ring_in(run, at)
        return dial(run, 1, run.from_number, at)
    if timer.kind == TimerKind.SETTLE:
        run.phase = Phase.SETTLED
        return [Event("call.settled", at)]
    if run.is_over:
        return []
    if timer.kind == TimerKind.SIGNAL:
        return _signal(run, timer, settle_delay_ms)
    if timer.kind == TimerKind.RING_TIMEOUT:
        leg = run.legs[timer.leg - 1]
        if leg.status not in NOT_ANSWERED_STATUSES:
            return []
        return _fail_leg(run, timer.leg, LegStatus.NO_ANSWER, at, settle_delay_ms, reason="ring timeout")
    if timer.kind == TimerKind.TIME_LIMIT:
        return [Event("call.time-limit", at), *hang_up_all(run, at, settle_delay_ms, by="time-limit")]
    if timer.kind == TimerKind.ANSWER_INBOUND:
        if run.legs[0].status not in NOT_ANSWERED_STATUSES:
            return []
        return _answered(run, 1, "human", at, settle_delay_ms) + [Incoming(at)]
    if timer.kind in _FLOW_TIMERS:
        return flow_steps.on_timer(run, timer, settle_delay_ms)
    raise ValueError(f"unknown timer kind {timer.kind!r}")


def _ring_in(run: CallRun, at: int) -> list[Effect]:
    """An inbound call: the caller is already ringing the ExoPhone; Exotel answers it shortly."""
    run.legs.append(LegRun(run.from_number, LegStatus.RINGING, at, console=run.console_caller))
    run.phase, run.updated_at = Phase.LEG1, at
    run.schedule(Timer(at + INBOUND_PICKUP_MS, TimerKind.ANSWER_INBOUND, leg=1))
    return [Event("leg1.ringing", at, {"number": run.from_number, "direction": "inbound"})]


def _signal(run: CallRun, timer: Timer, settle_delay_ms: int) -> list[Effect]:
    at, leg_no = timer.at, timer.leg
    if leg_no < 1 or leg_no > len(run.legs):
        return []
    leg = run.legs[leg_no - 1]
    if leg.status not in LIVE_LEG_STATUSES:
        return []  # the leg already ended: a late signal lost the race
    signal = timer.signal
    if signal == Signal.RINGING:
        if leg.status != LegStatus.DIALING:
            return []
        leg.status = LegStatus.RINGING
        run.updated_at = at
        return [Event(f"leg{leg_no}.ringing", at)]
    if signal == Signal.ANSWERED:
        if leg.status not in NOT_ANSWERED_STATUSES:
            return []
        return _answered(run, leg_no, timer.answered_by or "human", at, settle_delay_ms)
    if signal in (Signal.BUSY, Signal.FAILED):
        if leg.status not in NOT_ANSWERED_STATUSES:
            return []
        status = LegStatus.BUSY if signal == Signal.BUSY else LegStatus.FAILED
        return _fail_leg(run, leg_no, status, at, settle_delay_ms, reason=signal)
    if signal == Signal.HANGUP:
        if leg_no == 1 and run.direction == Direction.INBOUND and leg.status in NOT_ANSWERED_STATUSES:
            # The caller gave up before the ExoPhone picked up (a person in the console's Phone).
            return hang_up_all(run, at, settle_delay_ms, by="leg1")
        if leg.status != LegStatus.ANSWERED:
            return []
        if leg_no > 1 and run.flow is not None:
            return flow_steps.agent_hung_up(run, leg_no, at, settle_delay_ms)
        return hang_up_all(run, at, settle_delay_ms, by=f"leg{leg_no}")
    raise ValueError(f"unknown signal {signal!r}")


def _answered(run: CallRun, leg_no: int, answered_by: str, at: int, settle_delay_ms: int) -> list[Effect]:
    leg = run.legs[leg_no - 1]
    leg.status, leg.answered_at, leg.answered_by = LegStatus.ANSWERED, at, answered_by
    run.updated_at = at
    effects: list[Effect] = [Event(f"leg{leg_no}.answered", at, {"answered_by": answered_by})]
    if leg_no == 1:
        if run.time_limit_s:
            run.schedule(Timer(at + run.time_limit_s * 1000, TimerKind.TIME_LIMIT))
        if run.flow is not None:
            run.phase = Phase.FLOW
            effects.append(Event("flow.started", at, {"app_id": run.flow.app_id}))
            return effects + flow_steps.start(run, at, settle_delay_ms)
        if run.flow_app_id is not None or run.to_number is None:
            run.phase = Phase.FLOW  # a flow not defined here: the caller stays until hanging up
            effects.append(Event("flow.started", at, {"app_id": run.flow_app_id}))
            return effects
        return effects + dial(run, 2, run.to_number, at)
    if run.flow is not None:
        return effects + flow_steps.bridged(run, leg_no, at)
    run.phase, run.bridged_at = Phase.BRIDGED, at
    effects += [Event("call.bridged", at), Notify("answered", at)]
    return effects


def _fail_leg(
    run: CallRun, leg_no: int, status: LegStatus, at: int, settle_delay_ms: int, *, reason: str
) -> list[Effect]:
    """A leg that never answered ended (busy, failed, not answered in time): so does the call,
    unless a flow dialled it (the flow then tries its next number or moves on)."""
    leg = run.legs[leg_no - 1]
    leg.status, leg.ended_at = status, at
    run.updated_at = at
    effects: list[Effect] = [Event(f"leg{leg_no}.{status}", at, {"reason": reason}), Hangup(leg_no, at)]
    if leg_no > 1 and run.flow is not None:
        return effects + flow_steps.dial_failed(run, leg_no, status, at, settle_delay_ms)
    # Leg 1 is waiting for leg 2; when leg 2 fails, Exotel hangs up on it.
    effects += hang_up_all(run, at, settle_delay_ms, by="system", final_status=CallStatus(status))
    return effects
