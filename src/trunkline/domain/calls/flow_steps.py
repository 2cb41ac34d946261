"""A call running its flow: each applet as steps of the call's state machine (pure, no I/O).

Entering an applet bumps ``FlowRun.seq``; the applet's own timers carry that number, so a timer
of an applet the call has already left (a key press after the prompt timed out, a greeting cut
by a branch) is ignored. What the caller does — the keys pressed, a message left, hanging up —
comes from the network (the ``Gather``, ``Listen`` and ``Incoming`` effects); the user's server
answers Passthru (``Fetch``). Only ``transitions`` calls in here; dialling and hanging up come
from ``leg_actions``, which ``transitions`` uses too.
"""

from __future__ import annotations

from functools import lru_cache

import orjson

from trunkline.domain.calls.effects import Effect, Event, Fetch, Gather, Hangup, Listen
from trunkline.domain.calls.leg_actions import dial, hang_up_all, stop_recording
from trunkline.domain.calls.run_state import CallRun, LegStatus, Phase, Timer, TimerKind
from trunkline.domain.clock import ms_to_ist
from trunkline.domain.flows.definition import MAX_FLOW_STEPS, Applet, Flow, parse_flow
from trunkline.domain.numbers.phone import to_v1

_NEVER = "1970-01-01 05:30:00"
"""Passthru's EndTime while the call is live (docs/api-choices.md §Passthru)."""


@lru_cache(maxsize=256)
def _parsed(app_id: str, document: str) -> Flow:
    return parse_flow(app_id, orjson.loads(document))


def flow_of(run: CallRun) -> Flow:
    assert run.flow is not None
    return _parsed(run.flow.app_id, orjson.dumps(run.flow.document, option=orjson.OPT_SORT_KEYS).decode())


def start(run: CallRun, at: int, settle_delay_ms: int) -> list[Effect]:
    return enter(run, flow_of(run).start, at, settle_delay_ms)


def enter(run: CallRun, applet_id: str | None, at: int, settle_delay_ms: int) -> list[Effect]:
    """Go to ``applet_id`` (None: the flow is over, hang up)."""
    state = run.flow
    assert state is not None
    applet = flow_of(run).applet(applet_id)
    if applet is None:
        return [Event("flow.ended", at), *hang_up_all(run, at, settle_delay_ms, by="flow")]
    state.steps += 1
    if state.steps > MAX_FLOW_STEPS:
        return [Event("flow.step-limit", at), *hang_up_all(run, at, settle_delay_ms, by="flow")]
    state.applet, state.seq, state.attempt = applet.id, state.seq + 1, 0
    run.phase, run.updated_at = Phase.FLOW, at
    effects: list[Effect] = [Event("flow.applet", at, {"applet": applet.id, "type": applet.type})]
    if applet.type == "greeting":
        run.schedule(Timer(at + applet.play_ms, TimerKind.FLOW_DONE, seq=state.seq))
        return effects
    if applet.type == "ivr":
        return effects + _prompt(run, applet, at)
    if applet.type == "passthru":
        state.waiting = True
        return effects + [Fetch(applet.id, applet.url, passthru_params(run, at), at, applet.timeout_ms)]
    if applet.type == "connect":
        return effects + _dial_next(run, applet, at, settle_delay_ms)
    if applet.type == "voicemail":
        begins = at + applet.play_ms
        state.record_from, state.record_kind, state.call_type = begins, "voicemail", "voicemail"
        run.schedule(Timer(begins + applet.max_ms, TimerKind.FLOW_DONE, seq=state.seq))
        return effects + [Listen(begins, state.seq, applet.max_ms)]
    return effects + hang_up_all(run, at, settle_delay_ms, by="flow")  # hangup


def on_timer(run: CallRun, timer: Timer, settle_delay_ms: int) -> list[Effect]:
    state = run.flow
    if state is None:
        return []
    at = timer.at
    applet = flow_of(run).applet(state.applet)
    if applet is None or timer.seq != state.seq:
        return []  # a timer of an applet the call already left
    if timer.kind == TimerKind.FLOW_DONE and applet.type in ("greeting", "voicemail"):
        if applet.type == "voicemail":
            stop_recording(state, at)
            return [Event("voicemail.recorded", at), *enter(run, applet.next, at, settle_delay_ms)]
        return enter(run, applet.next, at, settle_delay_ms)
    if timer.kind == TimerKind.FLOW_INPUT and applet.type == "ivr":
        return _keys(run, applet, timer.value, at, settle_delay_ms)
    if timer.kind == TimerKind.FLOW_REPLY and applet.type == "passthru":
        state.waiting = False
        ok = timer.value == "200"
        target = (applet.on_success if ok else applet.on_failure) or applet.next
        return [
            Event("passthru.reply", at, {"status": timer.value}),
            *enter(run, target, at, settle_delay_ms),
        ]
    return []


def _prompt(run: CallRun, applet: Applet, at: int) -> list[Effect]:
    state = run.flow
    assert state is not None
    ends = at + applet.play_ms
    run.schedule(Timer(ends + applet.timeout_ms, TimerKind.FLOW_INPUT, value="", seq=state.seq))
    state.prompts += 1
    return [
        Event("ivr.prompt", at, {"applet": applet.id, "attempt": state.attempt + 1}),
        Gather(ends, state.seq, tuple(applet.branches), state.prompts - 1),
    ]


def _keys(run: CallRun, applet: Applet, keys: str, at: int, settle_delay_ms: int) -> list[Effect]:
    state = run.flow
    assert state is not None
    if keys in applet.branches:
        state.keys.append(keys)
        return [
            Event("ivr.keys", at, {"keys": keys}),
            *enter(run, applet.branches[keys], at, settle_delay_ms),
        ]
    state.attempt += 1
    effects: list[Effect] = [Event("ivr.invalid" if keys else "ivr.no-input", at, {"keys": keys})]
    if state.attempt < applet.attempts:
        state.seq += 1  # the old prompt's timeout no longer applies
        return effects + _prompt(run, applet, at)
    return effects + enter(run, applet.default or applet.next, at, settle_delay_ms)


# --- Connect ---


def _dial_next(run: CallRun, applet: Applet, at: int, settle_delay_ms: int) -> list[Effect]:
    state = run.flow
    assert state is not None
    if state.attempt >= len(applet.numbers):
        state.call_type = "incomplete"
        target = applet.on_no_answer or applet.next
        return [Event("connect.no-answer", at), *enter(run, target, at, settle_delay_ms)]
    number = applet.numbers[state.attempt]
    state.last_dial = {"number": number, "status": "", "seconds": 0}
    return dial(run, len(run.legs) + 1, number, at, applet.timeout_ms)


def _current_connect(run: CallRun) -> Applet | None:
    state = run.flow
    applet = flow_of(run).applet(state.applet) if state is not None else None
    return applet if applet is not None and applet.type == "connect" else None


def bridged(run: CallRun, leg_no: int, at: int) -> list[Effect]:
    state, applet = run.flow, _current_connect(run)
    assert state is not None
    state.bridge_leg = leg_no
    run.phase = Phase.BRIDGED
    if run.bridged_at is None:
        run.bridged_at = at
    state.call_type, state.last_dial["status"] = "completed", "completed"
    if applet is not None and (applet.record or run.record):
        state.record_from, state.record_kind = at, "conversation"
    return [Event("call.bridged", at, {"leg": leg_no})]


def dial_failed(run: CallRun, leg_no: int, status: str, at: int, settle_delay_ms: int) -> list[Effect]:
    """A number the Connect applet dialled did not answer: try the next one, or move on."""
    state, applet = run.flow, _current_connect(run)
    assert state is not None
    if applet is None or leg_no != len(run.legs):
        return []
    state.last_dial["status"] = status
    state.attempt += 1
    return _dial_next(run, applet, at, settle_delay_ms)


def agent_hung_up(run: CallRun, leg_no: int, at: int, settle_delay_ms: int) -> list[Effect]:
    """The connected party hung up: the caller goes on to the Connect applet's next applet."""
    state, applet = run.flow, _current_connect(run)
    assert state is not None
    leg = run.legs[leg_no - 1]
    leg.status, leg.ended_at = LegStatus.COMPLETED, at
    stop_recording(state, at)
    state.bridge_leg = None
    state.last_dial["seconds"] = leg.on_call_seconds
    run.phase, run.updated_at = Phase.FLOW, at
    effects: list[Effect] = [Event(f"leg{leg_no}.completed", at, {"by": f"leg{leg_no}"}), Hangup(leg_no, at)]
    return effects + enter(run, applet.next if applet is not None else None, at, settle_delay_ms)


# --- Passthru ---


def passthru_params(run: CallRun, at: int) -> dict[str, str]:
    """The query of a Passthru GET (docs/api-choices.md §Passthru), as Exotel sends it."""
    state = run.flow
    assert state is not None
    started = run.legs[0].dialed_at if run.legs else run.created_at
    inbound = run.direction == "inbound"
    last_dial = state.last_dial
    to = to_v1(run.to_number if run.to_number is not None else run.caller_id) or ""
    # Relative, like ``Call.recording_path``: the engine makes it absolute with the server's URL.
    recording = f"exotelrecordings/{run.account_sid}/{run.sid}.mp3" if state.recorded else ""
    return {
        "CallSid": run.sid,
        "CallFrom": to_v1(run.from_number) or "",
        "CallTo": to,
        "From": to_v1(run.from_number) or "",
        "To": to,
        "Direction": "incoming" if inbound else "outbound-dial",
        "Created": ms_to_ist(run.created_at),
        "CurrentTime": ms_to_ist(at),
        "StartTime": ms_to_ist(started),
        "EndTime": _NEVER,
        "DialCallDuration": str(last_dial.get("seconds", 0)),
        "DialWhomNumber": to_v1(last_dial.get("number")) or "",
        "CallType": state.call_type,
        "digits": f'"{state.keys[-1]}"' if state.keys else "",
        "RecordingUrl": recording,
        "CustomField": run.custom_field or "",
        "flow_id": state.app_id,
        "tenant_id": run.account_sid,
    }
