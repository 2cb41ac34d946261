"""The simulated telephone network: each dialled leg follows a ``LegPlan`` drawn deterministically
from the network seed, the call's Sid and the leg (magic test numbers, scenario rules, or the
default profile), and becomes the timed signals a real network would send."""

from __future__ import annotations

from trunkline.domain.calls.lifecycle import CallRun, Signal, Timer, TimerKind
from trunkline.domain.network.outcomes import Fate
from trunkline.domain.network.scenarios import DEFAULT_SCENARIO, Scenario


class SimulatedNetwork:
    side_effect_free = True

    def __init__(self, seed: int, scenario: Scenario = DEFAULT_SCENARIO) -> None:
        self.seed = seed
        self.scenario = scenario

    def use(self, scenario: Scenario) -> None:
        self.scenario = scenario

    def dial(self, run: CallRun, leg: int, at_ms: int) -> list[Timer]:
        number = run.legs[leg - 1].number
        plan = self.scenario.plan(self.seed, run.sid, leg, number)

        def signal(after_ms: int, name: Signal, answered_by: str = "") -> Timer:
            return Timer(at_ms + after_ms, TimerKind.SIGNAL, leg=leg, signal=name, answered_by=answered_by)

        if plan.fate == Fate.FAIL:
            return [signal(plan.ring_ms, Signal.FAILED)]
        if plan.fate == Fate.BUSY:
            return [signal(plan.ring_ms, Signal.BUSY)]
        ringing = signal(min(1000, plan.ring_ms // 2), Signal.RINGING)
        if plan.fate == Fate.NO_ANSWER:
            return [ringing]
        timers = [ringing, signal(plan.ring_ms, Signal.ANSWERED, plan.answered_by)]
        if plan.hangup_after_ms is not None:
            timers.append(signal(plan.ring_ms + plan.hangup_after_ms, Signal.HANGUP))
        return timers

    def hangup(self, run: CallRun, leg: int, at_ms: int) -> None:
        """Nothing to do: signals still planned for an ended leg are ignored by the state machine."""
