"""The state of a placed call as the engine drives it: its phase, legs, timers and flow.

Plain dataclasses, stored as JSON in ``call_runs.state``, so a call survives a restart mid-ring.
What the state machine does with them is in ``transitions``; what it asks the engine to do, in
``effects``; the call record a run shows to every dialect, in ``call_record``.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from trunkline.domain.calls.model import CallStatus, Direction


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


#: A leg in one of these can still change: a network signal for any other status lost the race.
LIVE_LEG_STATUSES = frozenset({LegStatus.DIALING, LegStatus.RINGING, LegStatus.ANSWERED})
NOT_ANSWERED_STATUSES = frozenset({LegStatus.DIALING, LegStatus.RINGING})


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
    console: bool = False
    """A person answers this leg in the web console's Phone (``engine.carriers.console``): the
    network does not decide its outcome, and its keys come from the person."""

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
    console_caller: bool = False
    """An inbound call a person dialled from the console's Phone: leg 1 is theirs (``LegRun.console``)."""
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
