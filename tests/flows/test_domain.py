"""Flows and traffic specs as pure domain logic: parsing defaults, the state machine's flow steps
(stale timers, the step limit) and arrival draws."""

from __future__ import annotations

import statistics

import pytest

from trunkline.domain.calls import transitions
from trunkline.domain.calls.effects import Dial, Event
from trunkline.domain.calls.run_state import CallRun, FlowRun, Signal, Timer, TimerKind
from trunkline.domain.errors import InvalidParameter
from trunkline.domain.flows.definition import MAX_FLOW_STEPS, parse_flow
from trunkline.domain.traffic.generator import arrival, gap_ms, parse_spec


def test_applets_chain_in_order_and_texts_set_their_length() -> None:
    flow = parse_flow(
        "x",
        {
            "applets": [
                {"id": "a", "type": "greeting", "text": "one two three four five"},
                {"id": "b", "type": "menu", "branches": {"1": "a"}},
                {"id": "c", "type": "record"},
            ]
        },
    )
    a, b, c = flow.applets["a"], flow.applets["b"], flow.applets["c"]
    assert (a.next, b.next, c.next) == ("b", "c", None)
    assert a.play_ms == 2000 and b.type == "ivr" and c.type == "voicemail"
    assert (b.timeout_ms, b.attempts, c.max_ms) == (5000, 2, 60_000)
    assert flow.start == "a"


def test_app_id_must_match_and_be_safe() -> None:
    with pytest.raises(InvalidParameter, match="does not match"):
        parse_flow("x", {"app_id": "y", "applets": [{"id": "a", "type": "hangup"}]})
    with pytest.raises(InvalidParameter, match="app_id must be"):
        parse_flow("../x", {"applets": [{"id": "a", "type": "hangup"}]})


def _run(document: dict[str, object]) -> CallRun:
    run = CallRun("sid1", "acct", "+919999900007", None, "+918047112233", 0, 30, flow_app_id="x")
    run.flow = FlowRun("x", document)  # type: ignore[arg-type]
    return run


def _play(run: CallRun, until_ms: int) -> list[str]:
    """Drive the run with leg 1 answering at once and nothing else from the network."""
    names: list[str] = []
    transitions.start(run)
    answered = False
    while (timer := transitions.pop_due(run, until_ms)) is not None:
        for effect in transitions.apply(run, timer, settle_delay_ms=0):
            if isinstance(effect, Event):
                names.append(effect.name)
            if isinstance(effect, Dial) and not answered:
                answered = True
                run.schedule(Timer(effect.at, TimerKind.SIGNAL, leg=1, signal=Signal.ANSWERED))
    return names


def test_a_loop_is_cut_after_the_step_limit() -> None:
    run = _run(
        {"applets": [{"id": "a", "type": "greeting", "text": "hi", "duration_seconds": 1, "next": "a"}]}
    )
    names = _play(run, 10_000_000)
    assert names.count("flow.applet") == MAX_FLOW_STEPS and "flow.step-limit" in names
    assert run.status == "completed" and run.legs[0].on_call_seconds == MAX_FLOW_STEPS


def test_a_key_after_the_prompt_timed_out_is_ignored() -> None:
    menu = {"id": "m", "type": "ivr", "duration_seconds": 1, "timeout_seconds": 2, "branches": {"1": "z"}}
    run = _run({"applets": [menu, {"id": "z", "type": "hangup"}]})
    transitions.start(run)
    run.schedule(Timer(0, TimerKind.SIGNAL, leg=1, signal=Signal.ANSWERED))
    late = Timer(3500, TimerKind.FLOW_INPUT, value="1", seq=1)  # the first prompt's seq, after its timeout
    run.schedule(late)
    names = _play(run, 4000)
    assert "ivr.no-input" in names and "ivr.keys" not in names and run.flow is not None
    assert run.flow.keys == []


def test_traffic_gaps_average_the_rate_and_callers_repeat() -> None:
    spec = parse_spec({"exophones": ["+918047112233"], "rate_per_minute": 120, "count": 5000, "callers": 10})
    gaps = [gap_ms(spec, i) for i in range(5000)]
    assert 450 <= statistics.mean(gaps) <= 550 and statistics.pstdev(gaps) > 300  # exponential
    callers = {arrival(spec, i, 0).caller for i in range(200)}
    assert len(callers) == 10 and all(c.startswith("+91") and len(c) == 13 for c in callers)
    uniform = parse_spec(
        {"exophones": ["+918047112233"], "rate_per_minute": 120, "count": 5, "arrival": "uniform"}
    )
    assert {gap_ms(uniform, i) for i in range(5)} == {500}
