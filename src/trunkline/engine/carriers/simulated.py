"""The simulated telephone network: each dialled leg follows a ``LegPlan`` drawn deterministically
from the network seed, the call's Sid and the leg (magic test numbers, scenario rules, or the
default profile), and becomes the timed signals a real network would send. Callers in a flow
press keys and leave messages by the scenario rule of their number, just as deterministically."""

from __future__ import annotations

import threading
from collections.abc import Callable

from trunkline.domain.calls.effects import Gather, Incoming, Listen
from trunkline.domain.calls.run_state import CallRun, Signal, Timer, TimerKind
from trunkline.domain.network.outcomes import Fate, leg_rng
from trunkline.domain.network.scenarios import DEFAULT_SCENARIO, Scenario

_CALLER_DRAWS = 1000
"""Offset of the caller's flow draws from the leg draws, so adding a prompt never changes a leg."""


class SimulatedNetwork:
    side_effect_free = True

    def __init__(self, seed: int, scenario: Scenario = DEFAULT_SCENARIO) -> None:
        self.seed = seed
        self.scenario = scenario
        # ``refresh`` reads the store while an admin request saves and ``use``s a new scenario: without
        # the lock, a refresh that read the store before the save committed would put the old one back.
        self._changing = threading.Lock()

    def use(self, scenario: Scenario) -> None:
        with self._changing:
            self.scenario = scenario

    def refresh(self, load: Callable[[], Scenario]) -> None:
        """Take up the scenario as stored (another process may have changed it)."""
        with self._changing:
            self.scenario = load()

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

    def incoming(self, run: CallRun, effect: Incoming) -> list[Timer]:
        """An inbound caller stays as long as the talk time of their number's rule (a magic number
        keeps its fixed hang-up; ``+919999900007`` stays until the flow ends)."""
        number = run.from_number
        plan = self.scenario.plan(self.seed, run.sid, 1, number)
        if plan.fate == Fate.ANSWER:
            after = plan.hangup_after_ms
        else:
            after = self.scenario.profile_for(number).talk_ms(leg_rng(self.seed, run.sid, 1))
        if after is None:
            return []
        return [Timer(effect.at + after, TimerKind.SIGNAL, leg=1, signal=Signal.HANGUP)]

    def gather(self, run: CallRun, effect: Gather) -> list[Timer]:
        profile = self.scenario.profile_for(run.from_number)
        rng = leg_rng(self.seed, run.sid, _CALLER_DRAWS + effect.prompt)
        keys = profile.key_press(rng, effect.prompt, effect.keys)
        if not keys:
            return []  # silence: the prompt's own timeout moves the flow on
        low, high = profile.think_seconds
        think_ms = int(rng.uniform(low, high) * 1000)
        return [Timer(effect.at + think_ms, TimerKind.FLOW_INPUT, value=keys, seq=effect.seq)]

    def listen(self, run: CallRun, effect: Listen) -> list[Timer]:
        profile = self.scenario.profile_for(run.from_number)
        rng = leg_rng(self.seed, run.sid, _CALLER_DRAWS + 500 + effect.seq)
        low, high = profile.message_seconds
        speak_ms = max(1000, int(rng.uniform(low, high) * 1000))
        if speak_ms >= effect.max_ms:
            return []  # cut at the applet's limit by its own timer
        return [Timer(effect.at + speak_ms, TimerKind.FLOW_DONE, seq=effect.seq)]
