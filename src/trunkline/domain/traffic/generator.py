"""Inbound traffic from the simulated network: calls to an account's ExoPhones at a given rate.

A spec (admin API, CLI)::

    {"exophones": ["+918047112233"], "rate_per_minute": 30, "count": 500,
     "arrival": "poisson", "callers": 200, "seed": 7}

Arrivals are either evenly spaced (``uniform``) or a Poisson process (``poisson``: exponential
gaps with the same mean). Callers come from a pool of ``callers`` Indian mobile numbers, so
customers call back (Fone's Unique/Repeat), or from an explicit ``numbers`` list. The generator
stops after ``count`` calls or ``duration_seconds`` of network time, whichever comes first. Every
draw depends on the seed, the generator and the call's index only: a restart continues the same
sequence, and two generators of the same spec (seed included) place the same calls. An optional
``sessions`` block gives arrivals visitor sessions (``domain.tracking.sessions``), drawn the same way.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any

from trunkline.domain.errors import InvalidParameter
from trunkline.domain.numbers.phone import UnparseableNumber, to_e164
from trunkline.domain.tracking.sessions import Session, SessionSpec, draw_session, parse_session_spec

MAX_COUNT = 1_000_000
MAX_RATE_PER_MINUTE = 60_000.0
MIN_RATE_PER_MINUTE = 0.01
"""One call in 100 minutes: slower rates would put the next arrival beyond any clock."""
MAX_NUMBER_CHARS = 32
_FIELDS = {
    "exophones",
    "rate_per_minute",
    "count",
    "duration_seconds",
    "arrival",
    "callers",
    "numbers",
    "seed",
    "sessions",
}


@dataclass(frozen=True, slots=True)
class TrafficSpec:
    exophones: tuple[str, ...]
    rate_per_minute: float
    count: int | None = None
    duration_seconds: int | None = None
    arrival: str = "poisson"
    callers: int = 200
    numbers: tuple[str, ...] = ()
    seed: int = 0
    sessions: SessionSpec | None = None
    """Give arrivals visitor sessions (call tracking; ``domain.tracking.sessions``)."""

    def document(self) -> dict[str, Any]:
        sessions = {} if self.sessions is None else {"sessions": self.sessions.document()}
        return sessions | {
            "exophones": list(self.exophones),
            "rate_per_minute": self.rate_per_minute,
            "count": self.count,
            "duration_seconds": self.duration_seconds,
            "arrival": self.arrival,
            "callers": self.callers,
            "numbers": list(self.numbers),
            "seed": self.seed,
        }


def _bad(message: str, field: str) -> InvalidParameter:
    return InvalidParameter(message, parameter=field)


def _int(raw: dict[str, Any], name: str, low: int, high: int, default: int | None) -> int | None:
    value = raw.get(name, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _bad(f"{name} must be a whole number from {low} to {high}", name)
    return value


def _numbers(raw: dict[str, Any], name: str, limit: int) -> tuple[str, ...]:
    value = raw.get(name, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or len(value) > limit:
        raise _bad(f"{name} must be a list of at most {limit} numbers", name)
    return tuple(caller_number(str(number), name) for number in value)


def caller_number(raw: str, name: str) -> str:
    """A phone number of the public network (E.164); SIP URIs do not call ExoPhones here."""
    if len(raw) > MAX_NUMBER_CHARS or raw.strip().lower().startswith("sip:"):
        raise _bad(f"{name}: {raw[:40]!r} is not a phone number", name)
    try:
        return to_e164(raw)
    except UnparseableNumber as exc:
        raise _bad(f"{name}: {exc}", name) from None


def parse_spec(raw: Any) -> TrafficSpec:
    if not isinstance(raw, dict):
        raise _bad("a traffic spec must be a JSON object", "exophones")
    unknown = sorted(set(raw) - _FIELDS)
    if unknown:
        raise _bad(f"unknown field {unknown[0]!r} (known: {', '.join(sorted(_FIELDS))})", unknown[0])
    exophones = _numbers(raw, "exophones", 100)
    if not exophones:
        raise _bad("exophones must name at least one of the account's ExoPhones", "exophones")
    rate = raw.get("rate_per_minute")
    if isinstance(rate, bool) or not isinstance(rate, int | float) or not math.isfinite(rate):
        raise _bad("rate_per_minute must be a number", "rate_per_minute")
    if not MIN_RATE_PER_MINUTE <= rate <= MAX_RATE_PER_MINUTE:
        bounds = f"{MIN_RATE_PER_MINUTE:g} to {MAX_RATE_PER_MINUTE:g}"
        raise _bad(f"rate_per_minute must be from {bounds} calls a minute", "rate_per_minute")
    count = _int(raw, "count", 1, MAX_COUNT, None)
    duration = _int(raw, "duration_seconds", 1, 366 * 86400, None)
    if count is None and duration is None:
        raise _bad("give count or duration_seconds (or both): a generator must end", "count")
    arrival = raw.get("arrival", "poisson")
    if arrival not in ("poisson", "uniform"):
        raise _bad("arrival must be poisson or uniform", "arrival")
    return TrafficSpec(
        exophones=exophones,
        rate_per_minute=float(rate),
        count=count,
        duration_seconds=duration,
        arrival=arrival,
        callers=_int(raw, "callers", 1, 1_000_000, 200) or 200,
        numbers=_numbers(raw, "numbers", 10_000),
        seed=_int(raw, "seed", 0, 2**62, 0) or 0,
        sessions=parse_session_spec(raw.get("sessions")),
    )


@dataclass(frozen=True, slots=True)
class Arrival:
    index: int
    at: int
    caller: str
    exophone: str


def _rng(spec: TrafficSpec, what: str, index: int) -> random.Random:
    return random.Random(f"traffic:{spec.seed}:{what}:{index}")


def gap_ms(spec: TrafficSpec, index: int) -> int:
    """Time from arrival ``index`` to the next one."""
    mean_ms = 60_000 / spec.rate_per_minute
    if spec.arrival == "uniform":
        return max(1, round(mean_ms))
    return max(1, round(_rng(spec, "gap", index).expovariate(1 / mean_ms)))


def arrival(spec: TrafficSpec, index: int, at: int) -> Arrival:
    rng = _rng(spec, "call", index)
    if spec.numbers:
        caller = spec.numbers[rng.randrange(len(spec.numbers))]
    else:
        customer = rng.randrange(spec.callers)
        digits = random.Random(f"traffic:{spec.seed}:caller:{customer}")
        caller = f"+91{digits.choice('6789')}{digits.randrange(10**9):09d}"
    return Arrival(index, at, caller, spec.exophones[rng.randrange(len(spec.exophones))])


def session(spec: TrafficSpec, index: int, at: int) -> Session | None:
    """Arrival ``index``'s visitor session, when the spec asks for sessions."""
    return None if spec.sessions is None else draw_session(spec.sessions, spec.seed, index, at)


def is_finished(spec: TrafficSpec, placed: int, next_at: int, started_at: int) -> bool:
    if spec.count is not None and placed >= spec.count:
        return True
    return spec.duration_seconds is not None and next_at >= started_at + spec.duration_seconds * 1000
