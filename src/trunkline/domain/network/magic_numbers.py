"""Test numbers whose behaviour is fixed, whatever the scenario (documented in docs/simulated-network.md).

They are Indian mobile numbers in the ``99999`` series, so they pass the same validation as real ones:

| Number | The phone |
|---|---|
| ``+919999900001`` | answers after 2 s, hangs up 60 s later |
| ``+919999900002`` | is busy (2 s) |
| ``+919999900003`` | rings and is never answered |
| ``+919999900004`` | fails: unreachable (1 s) |
| ``+919999900005`` | a machine answers after 4 s, hangs up 30 s later |
| ``+919999900006`` | answers slowly, after 25 s, hangs up 60 s later |
| ``+919999900007`` | answers after 2 s and never hangs up (TimeLimit or the other side ends the call) |
| ``+9199999NNNNN``, NNNNN >= 10000 | answers after 2 s, hangs up NNNNN - 10000 s later |
"""

from __future__ import annotations

from trunkline.domain.network.outcomes import Fate, LegPlan

PREFIX = "+9199999"

_FIXED: dict[str, LegPlan] = {
    "00001": LegPlan(Fate.ANSWER, 2000, hangup_after_ms=60_000),
    "00002": LegPlan(Fate.BUSY, 2000),
    "00003": LegPlan(Fate.NO_ANSWER, 0),
    "00004": LegPlan(Fate.FAIL, 1000),
    "00005": LegPlan(Fate.ANSWER, 4000, hangup_after_ms=30_000, answered_by="machine"),
    "00006": LegPlan(Fate.ANSWER, 25_000, hangup_after_ms=60_000),
    "00007": LegPlan(Fate.ANSWER, 2000, hangup_after_ms=None),
}


def magic_plan(number: str) -> LegPlan | None:
    """The fixed plan of a magic test number (E.164), or None for any other number."""
    if not number.startswith(PREFIX) or len(number) != len(PREFIX) + 5:
        return None
    tail = number[len(PREFIX) :]
    if tail in _FIXED:
        return _FIXED[tail]
    if tail.isdigit() and int(tail) >= 10_000:
        return LegPlan(Fate.ANSWER, 2000, hangup_after_ms=(int(tail) - 10_000) * 1000)
    return None


def describe_plan(plan: LegPlan) -> str:
    """What a phone with this plan does, in words (``Fate`` values are the outcomes' names)."""
    ring = f"{plan.ring_ms / 1000:g} s"
    if plan.fate is Fate.NO_ANSWER:
        return "rings and is never answered"
    if plan.fate is Fate.BUSY:
        return f"is busy ({ring})"
    if plan.fate is Fate.FAIL:
        return f"fails: unreachable ({ring})"
    who = "a machine answers" if plan.answered_by == "machine" else "answers"
    if plan.hangup_after_ms is None:
        return f"{who} after {ring} and never hangs up (TimeLimit or the other side ends the call)"
    return f"{who} after {ring}, hangs up {plan.hangup_after_ms / 1000:g} s later"


def magic_numbers() -> list[tuple[str, str]]:
    """Each fixed magic number with what its phone does, for people (the console's Network page)."""
    described = []
    for tail, plan in _FIXED.items():
        described.append((PREFIX + tail, describe_plan(plan)))
    described.append((PREFIX + "NNNNN", "NNNNN ≥ 10000: answers after 2 s, hangs up NNNNN − 10000 s later"))
    return described
