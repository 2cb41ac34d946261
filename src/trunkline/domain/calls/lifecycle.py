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
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from trunkline.domain.calls.model import Call, CallStatus, Direction, Leg
from trunkline.domain.calls.pricing import RateTable

MAX_RING_SECONDS = 60
"""No leg rings longer than this, whatever TimeOut asks (TRAI; API-NOTES §10)."""


class Phase(StrEnum):
    QUEUED = "queued"
    LEG1 = "leg1"  # leg 1 dialled, not yet answered
    LEG2 = "leg2"  # leg 1 answered, leg 2 dialled
    FLOW = "flow"  # leg 1 answered, the flow runs
    BRIDGED = "bridged"
    ENDED = "ended"  # final status known; Duration and Price not yet settled
    SETTLED = "settled"


class LegStatus(StrEnum):
    DIALING = "dialing"
    RINGING = "ringing"
    ANSWERED = "answered"
    COMPLETED = "completed"
    BUSY = "busy"
    NO_ANSWER = "no-answer"
    FAILED = "failed"
    CANCELED = "canceled"


_LIVE_LEG = frozenset({LegStatus.DIALING, LegStatus.RINGING, LegStatus.ANSWERED})
_NOT_ANSWERED = frozenset({LegStatus.DIALING, LegStatus.RINGING})
#: How v1 shows a leg's status (Leg1Status/Leg2Status).
_SHOWN_LEG_STATUS = {LegStatus.DIALING: "queued", LegStatus.ANSWERED: "in-progress"}


class TimerKind(StrEnum):
    START = "start"
    SIGNAL = "signal"
    RING_TIMEOUT = "ring-timeout"
    TIME_LIMIT = "time-limit"
    SETTLE = "settle"
    ANSWER_INBOUND = "answer-inbound"  # Exotel picks up a call to an ExoPhone
    FLOW_DONE = "flow-done"  # the applet entered as ``seq`` finished (played, recorded)
    FLOW_INPUT = "flow-input"  # the caller pressed ``value`` ("" = nothing before the timeout)
    FLOW_REPLY = "flow-reply"  # a Passthru request came back with HTTP status ``value``


class Signal(StrEnum):
    """What the network reports about a leg."""

    RINGING = "ringing"
    ANSWERED = "answered"
    BUSY = "busy"
    FAILED = "failed"
    HANGUP = "hangup"


@dataclass(slots=True)
class Timer:
    at: int
    kind: str
    leg: int = 0
    signal: str = ""
    answered_by: str = ""
    value: str = ""
    seq: int = 0
    """Flow timers: the applet entry they belong to; a timer of an applet already left is ignored."""


@dataclass(slots=True)
class LegRun:
    number: str
    status: str
    dialed_at: int
    answered_at: int | None = None
    ended_at: int | None = None
    answered_by: str | None = None

    @property
    def on_call_seconds(self) -> int:
        if self.answered_at is None or self.ended_at is None:
            return 0
        return self.ended_at // 1000 - self.answered_at // 1000


@dataclass(slots=True)
class CallbackRequest:
    url: str
    events: list[str]
    content_type: str
    dialect: str
    """Which dialect renders the payload (each has its own webhook format)."""
    targets: dict[str, str] = field(default_factory=dict)
    """A URL per event where it differs from ``url`` (CCM takes a list of ``{event, url}``)."""

    def url_for(self, event: str) -> str:
        return self.targets.get(event, self.url)


@dataclass(slots=True)
class FlowRun:
    """Where a call is in its flow. ``document`` is the flow as it was when the call started: editing
    a flow changes the calls that start afterwards, not the calls running it."""

    app_id: str
    document: dict[str, Any]
    applet: str | None = None
    seq: int = 0
    steps: int = 0
    attempt: int = 0
    """IVR: prompts played so far; Connect: the index of the number being dialled."""
    keys: list[str] = field(default_factory=list)
    prompts: int = 0
    """IVR prompts played so far in the whole flow (the simulated caller's script follows them)."""
    waiting: bool = False
    """A Passthru request is out: the call's timers wait for its reply."""
    bridge_leg: int | None = None
    record_from: int | None = None
    record_kind: str = ""
    recorded: list[list[Any]] = field(default_factory=list)
    """Recorded stretches: [start, end, kind]."""
    last_dial: dict[str, Any] = field(default_factory=dict)
    """The last Connect: number, status, seconds (Passthru's DialWhomNumber and DialCallDuration)."""
    call_type: str = "call-attempt"
    """Passthru's CallType: call-attempt, completed, incomplete, voicemail."""


@dataclass(slots=True)
class CallRun:
    """Everything the engine needs to drive one call; stored as JSON in ``call_runs.state``."""

    sid: str
    account_sid: str
    from_number: str
    to_number: str | None
    caller_id: str
    created_at: int
    ring_timeout_s: int
    direction: str = Direction.OUTBOUND_API.value
    time_limit_s: int | None = None
    flow_app_id: str | None = None
    record: bool = False
    recording_channels: str = "single"
    recording_format: str = "mp3"
    custom_field: str | None = None
    callback: CallbackRequest | None = None
    flow: FlowRun | None = None
    extra: dict[str, str] = field(default_factory=dict)
    """Accepted and kept, not acted on (CallType, WaitUrl, StreamUrl, ...)."""
    phase: str = Phase.QUEUED.value
    status: str = CallStatus.IN_PROGRESS.value
    legs: list[LegRun] = field(default_factory=list)
    timers: list[Timer] = field(default_factory=list)
    updated_at: int = 0
    bridged_at: int | None = None
    ended_at: int | None = None

    @property
    def is_over(self) -> bool:
        return self.phase in (Phase.ENDED, Phase.SETTLED)

    @property
    def waiting(self) -> bool:
        return self.flow is not None and self.flow.waiting

    @property
    def next_due_at(self) -> int | None:
        if not self.timers or self.waiting:
            return None
        return self.timers[0].at

    def schedule(self, timer: Timer) -> None:
        """Keep timers ordered by time; equal times keep the order they were scheduled in."""
        bisect.insort_right(self.timers, timer, key=lambda t: t.at)

    # --- JSON (orjson dumps dataclasses itself) ---

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CallRun:
        data = dict(data)
        data["legs"] = [LegRun(**leg) for leg in data.get("legs", [])]
        data["timers"] = [Timer(**timer) for timer in data.get("timers", [])]
        callback = data.get("callback")
        data["callback"] = CallbackRequest(**callback) if callback else None
        flow = data.get("flow")
        data["flow"] = FlowRun(**flow) if flow else None
        return cls(**data)


# --- effects the engine carries out ---


@dataclass(frozen=True, slots=True)
class Dial:
    leg: int
    at: int


@dataclass(frozen=True, slots=True)
class Hangup:
    leg: int
    at: int


@dataclass(frozen=True, slots=True)
class Event:
    name: str
    at: int
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Notify:
    """Send the status callback for ``event`` (``answered`` or ``terminal``), if one was asked for."""

    event: str
    at: int


@dataclass(frozen=True, slots=True)
class Gather:
    """Listen for the caller's keys from ``at`` (a prompt ended); ``keys`` are the menu's choices."""

    at: int
    seq: int
    keys: tuple[str, ...]
    prompt: int
    """How many prompts the call heard before this one."""


@dataclass(frozen=True, slots=True)
class Listen:
    """The caller may leave a message from ``at``, of at most ``max_ms``."""

    at: int
    seq: int
    max_ms: int


@dataclass(frozen=True, slots=True)
class Incoming:
    """An inbound caller was answered at ``at``: the network says when they hang up."""

    at: int


@dataclass(frozen=True, slots=True)
class Fetch:
    """A Passthru applet's GET; the call waits for its reply (``FLOW_REPLY``)."""

    applet: str
    url: str
    params: dict[str, str]
    at: int
    timeout_ms: int


Effect = Dial | Hangup | Event | Notify | Gather | Listen | Incoming | Fetch


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
        if leg.status not in _NOT_ANSWERED:
            return []
        return _fail_leg(run, timer.leg, LegStatus.NO_ANSWER, at, settle_delay_ms, reason="ring timeout")
    if timer.kind == TimerKind.TIME_LIMIT:
        return [Event("call.time-limit", at), *hang_up_all(run, at, settle_delay_ms, by="time-limit")]
    if timer.kind == TimerKind.ANSWER_INBOUND:
        if run.legs[0].status not in _NOT_ANSWERED:
            return []
        return _answered(run, 1, "human", at, settle_delay_ms) + [Incoming(at)]
    if timer.kind in _FLOW_TIMERS:
        return flow_steps.on_timer(run, timer, settle_delay_ms)
    raise ValueError(f"unknown timer kind {timer.kind!r}")


INBOUND_PICKUP_MS = 1000
"""How long a call to an ExoPhone rings before Exotel answers it and starts the number's flow."""
_FLOW_TIMERS = frozenset({TimerKind.FLOW_DONE, TimerKind.FLOW_INPUT, TimerKind.FLOW_REPLY})


def _ring_in(run: CallRun, at: int) -> list[Effect]:
    """An inbound call: the caller is already ringing the ExoPhone; Exotel answers it shortly."""
    run.legs.append(LegRun(run.from_number, LegStatus.RINGING, at))
    run.phase, run.updated_at = Phase.LEG1, at
    run.schedule(Timer(at + INBOUND_PICKUP_MS, TimerKind.ANSWER_INBOUND, leg=1))
    return [Event("leg1.ringing", at, {"number": run.from_number, "direction": "inbound"})]


def dial(run: CallRun, leg_no: int, number: str, at: int, ring_ms: int | None = None) -> list[Effect]:
    """Dial a leg; it rings until it answers, fails, or ``ring_ms`` (at most ``MAX_RING_SECONDS``)."""
    run.legs.append(LegRun(number, LegStatus.DIALING, at))
    if run.flow is None:
        run.phase = Phase.LEG1 if leg_no == 1 else Phase.LEG2
    run.updated_at = at
    ring = min(run.ring_timeout_s * 1000 if ring_ms is None else ring_ms, MAX_RING_SECONDS * 1000)
    run.schedule(Timer(at + ring, TimerKind.RING_TIMEOUT, leg=leg_no))
    return [Event(f"leg{leg_no}.dialing", at, {"number": number}), Dial(leg_no, at)]


def _signal(run: CallRun, timer: Timer, settle_delay_ms: int) -> list[Effect]:
    at, leg_no = timer.at, timer.leg
    if leg_no < 1 or leg_no > len(run.legs):
        return []
    leg = run.legs[leg_no - 1]
    if leg.status not in _LIVE_LEG:
        return []  # the leg already ended: a late signal lost the race
    signal = timer.signal
    if signal == Signal.RINGING:
        if leg.status != LegStatus.DIALING:
            return []
        leg.status = LegStatus.RINGING
        run.updated_at = at
        return [Event(f"leg{leg_no}.ringing", at)]
    if signal == Signal.ANSWERED:
        if leg.status not in _NOT_ANSWERED:
            return []
        return _answered(run, leg_no, timer.answered_by or "human", at, settle_delay_ms)
    if signal in (Signal.BUSY, Signal.FAILED):
        if leg.status not in _NOT_ANSWERED:
            return []
        status = LegStatus.BUSY if signal == Signal.BUSY else LegStatus.FAILED
        return _fail_leg(run, leg_no, status, at, settle_delay_ms, reason=signal)
    if signal == Signal.HANGUP:
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


def hang_up_all(
    run: CallRun, at: int, settle_delay_ms: int, *, by: str, final_status: CallStatus | None = None
) -> list[Effect]:
    """End the call: every live leg hangs up (or stops ringing)."""
    effects: list[Effect] = []
    for number, leg in enumerate(run.legs, start=1):
        if leg.status == LegStatus.ANSWERED:
            leg.status, leg.ended_at = LegStatus.COMPLETED, at
        elif leg.status in _NOT_ANSWERED:
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
        flow_steps.stop_recording(run.flow, at)
        run.flow.waiting = False
    effects: list[Effect] = [Event(f"call.{status.value}", at), Notify("terminal", at)]
    if settle_delay_ms <= 0:
        run.phase = Phase.SETTLED
        effects.append(Event("call.settled", at))
    else:
        run.schedule(Timer(at + settle_delay_ms, TimerKind.SETTLE))
    return effects


# --- the call record as every dialect shows it ---


@dataclass(frozen=True, slots=True)
class RecordingSpec:
    """What a recorded call's audio file must be."""

    path: str
    kind: str  # conversation | voicemail
    channels: str  # single | dual
    format: str  # mp3 | mp3-hq
    duration_ms: int


def recorded_segments(run: CallRun) -> list[tuple[int, int, str]]:
    """The recorded stretches of the call: (start, end, kind), in order."""
    if run.flow is not None:
        return [(int(start), int(end), str(kind)) for start, end, kind in run.flow.recorded]
    if run.record and run.bridged_at is not None and run.ended_at is not None:
        return [(run.bridged_at, run.ended_at, "conversation")]
    return []


def recording(run: CallRun) -> RecordingSpec | None:
    """The call's recording, once a recorded call has ended with something recorded (API-NOTES §3.2)."""
    if run.ended_at is None:
        return None
    segments = recorded_segments(run)
    duration_ms = sum(end - start for start, end, _ in segments)
    if duration_ms <= 0:
        return None
    kinds = {kind for _, _, kind in segments}
    return RecordingSpec(
        path=f"exotelrecordings/{run.account_sid}/{run.sid}.mp3",
        kind="conversation" if "conversation" in kinds else "voicemail",
        channels=run.recording_channels,
        format=run.recording_format,
        duration_ms=duration_ms,
    )


def recording_path(run: CallRun) -> str | None:
    spec = recording(run)
    return spec.path if spec else None


def conversation_seconds(run: CallRun) -> int:
    """Seconds both parties were on the call (the legs a flow connected, one after another); for a
    flow call that connected no one, the caller's time in the flow."""
    talk = sum(leg.on_call_seconds for leg in run.legs[1:])
    if talk == 0 and run.flow_app_id and run.is_over and run.legs:
        return run.legs[0].on_call_seconds
    return talk


def to_call(run: CallRun, rates: RateTable) -> Call:
    """The stored call record of a run. Duration and Price appear once the call has settled."""
    start_time = run.legs[0].dialed_at if run.legs else run.created_at
    settled = run.phase == Phase.SETTLED
    answered = [leg for leg in reversed(run.legs) if leg.answered_by]
    return Call(
        sid=run.sid,
        account_sid=run.account_sid,
        date_created=run.created_at,
        date_updated=run.updated_at or run.created_at,
        from_number=run.from_number,
        to_number=run.to_number if run.to_number is not None else run.caller_id,
        phone_number=run.caller_id,
        status=run.status,
        direction=run.direction,
        start_time=start_time,
        end_time=run.ended_at,
        duration=(run.ended_at // 1000 - start_time // 1000) if settled and run.ended_at else None,
        price_micros=rates.price_micros((leg.number, leg.on_call_seconds) for leg in run.legs)
        if settled
        else None,
        answered_by=answered[0].answered_by if answered else None,
        recording_path=recording_path(run),
        conversation_duration=conversation_seconds(run) if run.is_over else None,
        custom_field=run.custom_field,
        flow_app_id=run.flow_app_id,
        ivr_keys=",".join(run.flow.keys) if run.flow is not None and run.flow.keys else None,
        legs=[
            Leg(
                number,
                leg.number,
                _SHOWN_LEG_STATUS.get(LegStatus(leg.status), leg.status),
                leg.on_call_seconds,
                leg.answered_by,
            )
            for number, leg in enumerate(run.legs, start=1)
        ],
    )


from trunkline.domain.calls import flow_steps  # noqa: E402  (flow_steps builds on the functions above)
