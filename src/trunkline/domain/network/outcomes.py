"""What one dialled phone does, drawn deterministically from the network seed, the call and the leg.

A ``LegPlan`` is decided when a leg is dialled: how long it rings, whether it answers (and who:
a person or a machine), is busy, fails, or rings on unanswered, and how long after answering the
party hangs up. The engine's own timers (ring timeout, TimeLimit) race with it; the plan does not
know about them.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from enum import StrEnum


class Fate(StrEnum):
    ANSWER = "answer"
    BUSY = "busy"
    NO_ANSWER = "no-answer"
    FAIL = "fail"


@dataclass(frozen=True, slots=True)
class LegPlan:
    fate: Fate
    ring_ms: int
    """Until the phone answers, returns busy, or fails; for NO_ANSWER, irrelevant (it rings on)."""
    hangup_after_ms: int | None = None
    """After answering, when this party hangs up; None: it stays until the other side ends the call."""
    answered_by: str = "human"


@dataclass(frozen=True, slots=True)
class Profile:
    """Outcome probabilities and timing of the phones a rule (or the default) covers."""

    answer: float = 0.68
    busy: float = 0.09
    no_answer: float = 0.17
    fail: float = 0.06
    machine: float = 0.015
    """Share of answered calls picked up by a machine (voicemail)."""
    ring_seconds: tuple[float, float] = (3.0, 18.0)
    talk_mean_seconds: float = 95.0
    talk_max_seconds: float = 1800.0
    press: tuple[str, ...] | None = None
    """The keys a caller presses at successive IVR prompts ("" = says nothing); silence after."""
    keys: tuple[tuple[str, float], ...] | None = None
    """Weights of the keys pressed at any prompt ("" = nothing); None: mostly a valid choice."""
    think_seconds: tuple[float, float] = (1.0, 4.0)
    """From the end of a prompt to the key press."""
    message_seconds: tuple[float, float] = (5.0, 40.0)
    """How long a caller speaks into voicemail."""

    def talk_ms(self, rng: random.Random) -> int:
        """How long a party stays once answered. Roughly log-normal: many short calls, a long tail."""
        sigma = 0.9
        mu = math.log(max(self.talk_mean_seconds, 1.0)) - sigma * sigma / 2
        return max(1000, int(min(rng.lognormvariate(mu, sigma), self.talk_max_seconds) * 1000))

    def key_press(self, rng: random.Random, prompt: int, choices: tuple[str, ...]) -> str:
        """What the caller presses at the ``prompt``-th prompt of a call, offered ``choices``."""
        if self.press is not None:
            return self.press[prompt] if prompt < len(self.press) else ""
        if self.keys is not None:
            pick = rng.random() * sum(weight for _, weight in self.keys)
            for key, weight in self.keys:
                if pick < weight:
                    return key
                pick -= weight
            return ""
        roll = rng.random()
        if roll < 0.8 and choices:
            return choices[rng.randrange(len(choices))]
        if roll < 0.92:
            return ""
        wrong = [key for key in "0123456789*#" if key not in choices]
        return wrong[rng.randrange(len(wrong))] if wrong else ""

    def draw(self, rng: random.Random) -> LegPlan:
        total = self.answer + self.busy + self.no_answer + self.fail
        pick = rng.random() * total
        low, high = self.ring_seconds
        ring_ms = int(rng.uniform(low, high) * 1000)
        if pick < self.busy:
            return LegPlan(Fate.BUSY, min(ring_ms, 4000))
        pick -= self.busy
        if pick < self.fail:
            return LegPlan(Fate.FAIL, 1000 + rng.randrange(2000))
        pick -= self.fail
        if pick < self.no_answer:
            return LegPlan(Fate.NO_ANSWER, ring_ms)
        machine = rng.random() < self.machine
        return LegPlan(
            Fate.ANSWER,
            ring_ms,
            hangup_after_ms=self.talk_ms(rng),
            answered_by="machine" if machine else "human",
        )


DEFAULT_PROFILE = Profile()


def leg_rng(seed: int, call_sid: str, leg: int) -> random.Random:
    """The same seed, call and leg always draw the same numbers (``random`` hashes str seeds with SHA-512)."""
    return random.Random(f"{seed}:{call_sid}:{leg}")
