"""Scenario rules: which numbers behave how on the simulated network.

A scenario is a JSON document (file, CLI or admin API)::

    {"rules": [
      {"match": "+9180*", "answer": 0.5, "busy": 0.3, "no_answer": 0.2, "fail": 0,
       "machine": 0.1, "ring_seconds": [5, 30], "talk_seconds": {"mean": 40, "max": 300}},
      {"match": "+9198*", "press": ["1", "2"], "think_seconds": [1, 2]},
      {"match": "*", "keys": {"1": 60, "2": 30, "": 10}, "message_seconds": [5, 20]}
    ]}

The caller's side of a flow: ``press`` is what the caller presses at successive IVR prompts
(``""`` for nothing; nothing after the list ends); ``keys`` weighs the key pressed at any prompt;
without either, a caller mostly picks one of the menu's choices. ``think_seconds`` is the pause
after a prompt before the key, ``message_seconds`` how long a caller speaks into voicemail.

``match`` is a shell-style pattern on the E.164 number (``*``, ``?``, ``[0-9]``). The first rule
that matches wins; a rule leaves any field it omits at the default profile's value; numbers no
rule matches use the default profile. Magic test numbers ignore scenarios.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, replace
from typing import Any

from trunkline.domain.errors import InvalidParameter
from trunkline.domain.network.magic_numbers import magic_plan
from trunkline.domain.network.outcomes import DEFAULT_PROFILE, LegPlan, Profile, leg_rng

MAX_RULES = 200
_WEIGHTS = ("answer", "busy", "no_answer", "fail")
_RULE_KEYS = {
    "match",
    "machine",
    "ring_seconds",
    "talk_seconds",
    "press",
    "keys",
    "think_seconds",
    "message_seconds",
    *_WEIGHTS,
}
_KEYS = set("0123456789*#")


@dataclass(frozen=True, slots=True)
class Rule:
    match: str
    profile: Profile
    _pattern: re.Pattern[str]

    def matches(self, number: str) -> bool:
        return self._pattern.match(number) is not None


@dataclass(frozen=True, slots=True)
class Scenario:
    rules: tuple[Rule, ...] = ()
    document: dict[str, Any] | None = None
    """The document it was parsed from, to show it back as given."""

    def profile_for(self, number: str) -> Profile:
        for rule in self.rules:
            if rule.matches(number):
                return rule.profile
        return DEFAULT_PROFILE

    def plan(self, seed: int, call_sid: str, leg: int, number: str) -> LegPlan:
        """What the phone at ``number`` does when leg ``leg`` of ``call_sid`` dials it."""
        fixed = magic_plan(number)
        if fixed is not None:
            return fixed
        return self.profile_for(number).draw(leg_rng(seed, call_sid, leg))


def _bad(index: int, message: str) -> InvalidParameter:
    return InvalidParameter(f"rules[{index}]: {message}", parameter="rules")


def _number(index: int, name: str, value: Any, *, low: float = 0.0, high: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _bad(index, f"{name} must be a number")
    if value < low or (high is not None and value > high):
        bound = f"between {low:g} and {high:g}" if high is not None else f"at least {low:g}"
        raise _bad(index, f"{name} must be {bound}")
    return float(value)


def _rule(index: int, raw: Any) -> Rule:
    if not isinstance(raw, dict):
        raise _bad(index, "must be an object")
    unknown = sorted(set(raw) - _RULE_KEYS)
    if unknown:
        raise _bad(index, f"unknown field {unknown[0]!r} (known: {', '.join(sorted(_RULE_KEYS))})")
    match = raw.get("match")
    if not isinstance(match, str) or not match or len(match) > 64:
        raise _bad(index, "match must be a pattern of 1 to 64 characters, such as '+9198*'")
    changes: dict[str, Any] = {}
    for name in _WEIGHTS:
        if name in raw:
            changes[name] = _number(index, name, raw[name])
    if "machine" in raw:
        changes["machine"] = _number(index, "machine", raw["machine"], high=1.0)
    if "ring_seconds" in raw:
        ring = raw["ring_seconds"]
        if not isinstance(ring, list) or len(ring) != 2:
            raise _bad(index, "ring_seconds must be [min, max]")
        low = _number(index, "ring_seconds[0]", ring[0], high=120)
        high = _number(index, "ring_seconds[1]", ring[1], high=120)
        if low > high:
            raise _bad(index, "ring_seconds must be [min, max] with min <= max")
        changes["ring_seconds"] = (low, high)
    if "talk_seconds" in raw:
        talk = raw["talk_seconds"]
        if not isinstance(talk, dict) or set(talk) - {"mean", "max"}:
            raise _bad(index, "talk_seconds must be an object with mean and/or max")
        if "mean" in talk:
            changes["talk_mean_seconds"] = _number(
                index, "talk_seconds.mean", talk["mean"], low=1, high=14400
            )
        if "max" in talk:
            changes["talk_max_seconds"] = _number(index, "talk_seconds.max", talk["max"], low=1, high=14400)
    changes.update(_caller_side(index, raw))
    profile = replace(DEFAULT_PROFILE, **changes)
    if profile.answer + profile.busy + profile.no_answer + profile.fail <= 0:
        raise _bad(index, "at least one of answer, busy, no_answer, fail must be above 0")
    return Rule(match, profile, re.compile(fnmatch.translate(match)))


def _span(index: int, raw: dict[str, Any], name: str, high: float) -> tuple[float, float]:
    value = raw[name]
    if not isinstance(value, list) or len(value) != 2:
        raise _bad(index, f"{name} must be [min, max]")
    low, top = (
        _number(index, f"{name}[0]", value[0], high=high),
        _number(index, f"{name}[1]", value[1], high=high),
    )
    if low > top:
        raise _bad(index, f"{name} must be [min, max] with min <= max")
    return low, top


def _key(index: int, name: str, value: Any) -> str:
    if not isinstance(value, str) or (value and (len(value) > 8 or set(value) - _KEYS)):
        raise _bad(index, f'{name} must be keys from 0-9, * and # (or "" for none), not {value!r}')
    return value


def _caller_side(index: int, raw: dict[str, Any]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if "press" in raw:
        press = raw["press"]
        if not isinstance(press, list) or len(press) > 50:
            raise _bad(index, "press must be a list of at most 50 key presses")
        changes["press"] = tuple(_key(index, f"press[{i}]", key) for i, key in enumerate(press))
    if "keys" in raw:
        keys = raw["keys"]
        if not isinstance(keys, dict) or not keys:
            raise _bad(index, 'keys must weigh key presses, such as {"1": 60, "2": 30, "": 10}')
        weighed = tuple(
            (_key(index, "keys", key), _number(index, f"keys[{key!r}]", w)) for key, w in keys.items()
        )
        if sum(weight for _, weight in weighed) <= 0:
            raise _bad(index, "keys needs a weight above 0")
        changes["keys"] = weighed
    if "think_seconds" in raw:
        changes["think_seconds"] = _span(index, raw, "think_seconds", 60)
    if "message_seconds" in raw:
        changes["message_seconds"] = _span(index, raw, "message_seconds", 3600)
    return changes


def parse_scenario(document: Any) -> Scenario:
    """Validate a scenario document; every mistake is a 400 naming the rule and field."""
    if not isinstance(document, dict):
        raise InvalidParameter("a scenario must be a JSON object with a 'rules' list", parameter="rules")
    unknown = sorted(set(document) - {"rules"})
    if unknown:
        raise InvalidParameter(f"unknown scenario field {unknown[0]!r}", parameter="rules")
    rules = document.get("rules", [])
    if not isinstance(rules, list):
        raise InvalidParameter("rules must be a list", parameter="rules")
    if len(rules) > MAX_RULES:
        raise InvalidParameter(f"at most {MAX_RULES} rules", parameter="rules")
    return Scenario(tuple(_rule(i, raw) for i, raw in enumerate(rules)), {"rules": rules})


DEFAULT_SCENARIO = Scenario(document={"rules": []})
