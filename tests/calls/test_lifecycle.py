"""The call state machine on its own: outcomes, durations and prices from magic numbers, races."""

from __future__ import annotations

import pytest

from trunkline.domain.calls import transitions
from trunkline.domain.calls.call_record import to_call
from trunkline.domain.calls.effects import Dial, Event, Notify
from trunkline.domain.calls.pricing import RateTable
from trunkline.domain.calls.run_state import CallRun, Timer, TimerKind
from trunkline.engine.carriers.simulated import SimulatedNetwork

T0 = 1_700_000_000_000
RATES = RateTable({"+91": 0.6, "": 1.2}, 60)
ANSWER, BUSY, NEVER, FAIL, MACHINE, SLOW, STAYS = (f"+9199999{n:05d}" for n in range(1, 8))


def run_call(
    from_number: str,
    to_number: str | None,
    *,
    until_s: int = 4 * 3600,
    ring_timeout_s: int = 30,
    time_limit_s: int | None = None,
    settle_ms: int = 0,
    flow: str | None = None,
) -> tuple[CallRun, list[Event], list[Notify]]:
    """Drive one call with the simulated network, as the engine does, without a store."""
    network = SimulatedNetwork(seed=7)
    run = CallRun(
        sid="c" * 32,
        account_sid="acme",
        from_number=from_number,
        to_number=to_number,
        caller_id="+918047112233",
        created_at=T0,
        ring_timeout_s=ring_timeout_s,
        time_limit_s=time_limit_s,
        flow_app_id=flow,
    )
    transitions.start(run)
    events: list[Event] = []
    notes: list[Notify] = []
    while (timer := transitions.pop_due(run, T0 + until_s * 1000)) is not None:
        for effect in transitions.apply(run, timer, settle_delay_ms=settle_ms):
            if isinstance(effect, Dial):
                for signal in network.dial(run, effect.leg, effect.at):
                    run.schedule(signal)
            elif isinstance(effect, Event):
                events.append(effect)
            elif isinstance(effect, Notify):
                notes.append(effect)
    return run, events, notes


def test_both_answer_and_leg1_hangs_up_first() -> None:
    run, events, notes = run_call(ANSWER, ANSWER)
    call = to_call(run, RATES)
    # leg 1 answers at 2 s and hangs up 60 s later (62 s); leg 2 answered at 4 s.
    assert call.status == "completed"
    assert [leg.status for leg in call.legs] == ["completed", "completed"]
    assert [leg.on_call_duration for leg in call.legs] == [60, 58]
    assert call.conversation_duration == 58
    assert call.duration == 62
    assert call.end_time == T0 + 62_000
    assert call.answered_by == "human"
    # Two legs, one pulse each at 0.6 per minute.
    assert call.price_micros == 1_200_000
    assert [n.event for n in notes] == ["answered", "terminal"]
    names = [e.name for e in events]
    assert names[:4] == ["leg1.dialing", "leg1.ringing", "leg1.answered", "leg2.dialing"]
    assert "call.bridged" in names and names[-2:] == ["call.completed", "call.settled"]
    assert [e.at for e in events] == sorted(e.at for e in events)


@pytest.mark.parametrize(
    ("leg1", "leg2", "status", "leg_statuses"),
    [
        (BUSY, ANSWER, "busy", ["busy"]),
        (FAIL, ANSWER, "failed", ["failed"]),
        (NEVER, ANSWER, "no-answer", ["no-answer"]),
        (ANSWER, BUSY, "busy", ["completed", "busy"]),
        (ANSWER, FAIL, "failed", ["completed", "failed"]),
        (ANSWER, NEVER, "no-answer", ["completed", "no-answer"]),
    ],
)
def test_unanswered_outcomes(leg1: str, leg2: str, status: str, leg_statuses: list[str]) -> None:
    run, _, notes = run_call(leg1, leg2)
    call = to_call(run, RATES)
    assert call.status == status
    assert [leg.status for leg in call.legs] == leg_statuses
    assert call.conversation_duration == 0
    assert [n.event for n in notes] == ["terminal"]


def test_ring_timeout_cuts_a_slow_answer() -> None:
    run, _, _ = run_call(SLOW, ANSWER, ring_timeout_s=10)
    assert to_call(run, RATES).status == "no-answer"
    run, _, _ = run_call(SLOW, ANSWER, ring_timeout_s=40)
    assert to_call(run, RATES).status == "completed"


def test_timeout_never_exceeds_sixty_seconds() -> None:
    run, _, _ = run_call(NEVER, ANSWER, ring_timeout_s=600)
    assert run.ended_at == T0 + 60_000


def test_time_limit_cuts_a_call_nobody_hangs_up() -> None:
    run, events, _ = run_call(STAYS, STAYS, time_limit_s=90)
    call = to_call(run, RATES)
    assert call.status == "completed"
    assert run.ended_at == T0 + 2_000 + 90_000  # counted from leg 1's answer
    assert "call.time-limit" in [e.name for e in events]


def test_leg1_hanging_up_while_leg2_rings_cancels_leg2() -> None:
    run, _, _ = run_call("+919999910005", SLOW, ring_timeout_s=60)  # leg 1 leaves 5 s after answering
    call = to_call(run, RATES)
    assert [leg.status for leg in call.legs] == ["completed", "canceled"]
    assert call.status == "no-answer"


def test_machine_answer_is_reported() -> None:
    run, _, _ = run_call(ANSWER, MACHINE)
    call = to_call(run, RATES)
    assert call.legs[1].answered_by == "machine"
    assert call.answered_by == "machine"


def test_flow_call_has_one_leg_and_the_exophone_as_to() -> None:
    run, events, _ = run_call("+919999910030", None, flow="12345")
    call = to_call(run, RATES)
    assert call.status == "completed"
    assert len(call.legs) == 1 and call.to_number == "+918047112233"
    assert call.conversation_duration == 30
    assert "flow.started" in [e.name for e in events]


def test_duration_and_price_wait_for_settling() -> None:
    run, _, _ = run_call(ANSWER, ANSWER, settle_ms=120_000, until_s=100)
    call = to_call(run, RATES)
    assert call.status == "completed" and call.duration is None and call.price_micros is None
    assert run.next_due_at == T0 + 62_000 + 120_000


def test_late_signals_after_the_end_change_nothing() -> None:
    run, _, _ = run_call(ANSWER, ANSWER)
    before = to_call(run, RATES)
    late = Timer(T0 + 999_000, TimerKind.SIGNAL, leg=2, signal="hangup")
    assert transitions.apply(run, late, settle_delay_ms=0) == []
    assert to_call(run, RATES) == before


def test_state_round_trips_through_json() -> None:
    import orjson

    run, _, _ = run_call(ANSWER, ANSWER, settle_ms=120_000, until_s=30)
    again = CallRun.from_dict(orjson.loads(orjson.dumps(run)))
    assert again == run


def test_same_seed_same_outcomes() -> None:
    network = SimulatedNetwork(seed=3)
    plans = [network.scenario.plan(3, f"sid{i}", 1, "+919812345678") for i in range(50)]
    again = [SimulatedNetwork(seed=3).scenario.plan(3, f"sid{i}", 1, "+919812345678") for i in range(50)]
    assert plans == again
    assert len({p.fate for p in plans}) > 1
