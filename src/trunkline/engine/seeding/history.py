"""Realistic, deterministic call history for one account (``trunkline seed``).

Everything random is drawn from one ``random.Random(seed)`` in a fixed order, so the same arguments
always give the same calls. Every distribution is turned into an equal-probability lookup table once,
so one call costs a dozen ``random()`` draws and list lookups: a million calls generate in seconds.

The model (every share and rate is a constant below):

* Volume follows an IST business-day profile (``HOURLY_WEIGHTS`` x ``WEEKDAY_WEIGHTS``, with a
  per-day swing of +-``DAILY_SWING``): busy 10:00-18:00, quiet at night and on Sundays.
* Directions: ``DIRECTION_SHARES``. Inbound: a customer calls an ExoPhone; leg 1 is the caller, leg 2
  the agent the flow connects. Outbound (api, dial): Exotel rings an agent first (leg 1, ``From``) and,
  once the agent answers, the customer (leg 2, ``To``); the ExoPhone is the caller id.
* Leg outcomes are drawn per leg (``*_LEG1``/``*_LEG2``); leg 2 exists only when leg 1 answered, and the
  call's status is leg 1's when leg 1 did not answer, else leg 2's.
* Leg 1's OnCallDuration covers leg 2's ringing and the conversation (so it is >= leg 2's), Duration is
  EndTime - StartTime (leg 1's ringing plus its time on the call), ConversationDuration is leg 2's time.
* Price: ``RATE_PER_PULSE_MICROS`` per started minute of each billed leg, for completed calls only
  (outbound bills both legs, inbound the caller's leg; Exotel's docs show 1.500 for a two-leg 17 s call and
  0.750 for an inbound one). Other settled calls cost 0.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Iterator, Sequence
from statistics import NormalDist
from typing import TypeVar

from trunkline.domain.calls.model import Call, CallStatus, Direction, Leg

T = TypeVar("T")

DAY_MS = 86_400_000
HOUR_MS = 3_600_000
IST_OFFSET_MS = 19_800_000
"""IST is UTC+05:30 all year; the profile is laid out on IST wall-clock hours."""

SETTLED_BEFORE_NOW_MS = HOUR_MS
"""Calls start at least an hour before ``now_ms``, so even the longest (under 50 minutes with its
settling) has ended and settled: the window is [now - days, now - 1 hour)."""

#: Relative call volume per IST hour 00..23: a morning ramp, a lunch dip, an evening tail.
HOURLY_WEIGHTS: tuple[float, ...] = (
    0.06, 0.04, 0.03, 0.03, 0.04, 0.08, 0.20, 0.45, 0.90, 1.55, 2.05, 2.25,
    2.15, 1.70, 1.85, 2.05, 2.05, 1.85, 1.45, 1.05, 0.75, 0.50, 0.30, 0.14,
)  # fmt: skip
#: Relative volume Monday..Sunday.
WEEKDAY_WEIGHTS: tuple[float, ...] = (1.0, 1.0, 0.98, 0.97, 0.95, 0.70, 0.30)
DAILY_SWING = 0.12
"""Each day's volume is scaled by a factor drawn uniformly from 1 +- DAILY_SWING."""

# Plain ``str`` values, not the enum members: drivers (psycopg) may dump an Enum by its name.
DIRECTION_SHARES: dict[str, float] = {
    Direction.INBOUND.value: 0.50,
    Direction.OUTBOUND_API.value: 0.42,
    Direction.OUTBOUND_DIAL.value: 0.08,
}

_C, _NA, _B, _F, _X = (
    CallStatus.COMPLETED.value,
    CallStatus.NO_ANSWER.value,
    CallStatus.BUSY.value,
    CallStatus.FAILED.value,
    CallStatus.CANCELED.value,
)
#: The agent's phone, rung first on outbound calls.
OUTBOUND_LEG1: dict[str, float] = {_C: 0.90, _NA: 0.05, _B: 0.025, _F: 0.02, _X: 0.005}
#: The customer, rung once the agent answered.
OUTBOUND_LEG2: dict[str, float] = {_C: 0.68, _NA: 0.19, _B: 0.08, _F: 0.05, _X: 0.01}
#: The caller reaching the ExoPhone: answered by the flow unless they hang up first or the call fails.
INBOUND_LEG1: dict[str, float] = {_C: 0.97, _X: 0.015, _F: 0.015}
#: The agent the flow connects the caller to.
INBOUND_LEG2: dict[str, float] = {_C: 0.83, _NA: 0.11, _B: 0.05, _X: 0.01}
# Overall, with the direction shares: completed ~71%, no-answer ~16%, busy ~7%, failed ~4%, canceled ~2%.

MACHINE_SHARE = 0.015
"""Answered outbound calls picked up by voicemail (AnsweredBy ``machine``); the rest ``human``."""
RECORDED_SHARE = 0.40
"""Completed calls with a recording."""
CUSTOM_FIELD_SHARE = 0.15
"""outbound-api calls that carried a CustomField."""
RATE_PER_PULSE_MICROS = 750_000
"""Rs 0.75 per started minute (pulse) of each billed leg, in micro-units (``PRICE_SCALE``)."""

CUSTOMERS = 400
"""Distinct customer numbers; popularity is Zipf-like (1 / (rank + 5)), so a few dozen call often."""
AGENTS = 20
"""Agent phones that outbound calls ring first and inbound calls are connected to."""
_MOBILE_FIRST_DIGIT: dict[str, float] = {"9": 0.40, "8": 0.25, "7": 0.25, "6": 0.10}

_SLOTS = 4096
"""Size of the equal-probability tables: a draw is ``table[int(random() * len(table))]``."""
_MASK128 = (1 << 128) - 1


def _table(weights: dict[T, float] | Sequence[tuple[T, float]], slots: int = _SLOTS) -> list[T]:
    """A list in which each value fills a share of the slots proportional to its weight.

    Largest-remainder rounding keeps every share within one slot of exact, and any value with a
    weight above zero keeps at least one slot.
    """
    items = list(weights.items()) if isinstance(weights, dict) else list(weights)
    total = sum(w for _, w in items)
    exact = [w / total * slots for _, w in items]
    counts = [max(1, int(e)) if w > 0 else 0 for e, (_, w) in zip(exact, items, strict=True)]
    by_remainder = sorted(range(len(items)), key=lambda i: counts[i] - exact[i])
    i = 0
    while sum(counts) < slots:
        counts[by_remainder[i % len(items)]] += 1
        i += 1
    while sum(counts) > slots:
        j = max(range(len(items)), key=lambda k: counts[k] - exact[k])
        counts[j] -= 1
    table: list[T] = []
    for (value, _), count in zip(items, counts, strict=True):
        table.extend([value] * count)
    return table


def _seconds(quantile: Callable[[float], float], low: int, high: int, slots: int = 1024) -> list[int]:
    """Whole seconds at evenly spaced quantiles of a distribution, clipped to [low, high]."""
    return [min(high, max(low, round(quantile((i + 0.5) / slots)))) for i in range(slots)]


def _lognormal(median: float, sigma: float) -> Callable[[float], float]:
    normal = NormalDist(0.0, sigma)
    return lambda p: median * 2.718281828459045 ** normal.inv_cdf(p)


def _uniform(low: float, high: float) -> Callable[[float], float]:
    return lambda p: low + (high - low) * p


#: Seconds a leg rings before its outcome, by that outcome.
_RING: dict[str, list[int]] = {
    _C: _seconds(_lognormal(7.0, 0.5), 2, 40),
    _NA: _seconds(_uniform(25.0, 45.0), 25, 45),
    _B: _seconds(_uniform(1.0, 8.0), 1, 8),
    _F: _seconds(_uniform(0.0, 4.0), 0, 4),
    _X: _seconds(_lognormal(8.0, 0.6), 1, 40),
}
#: Seconds both parties talk: median 75 s, a long tail capped at 45 minutes.
_CONVERSATION = _seconds(_lognormal(75.0, 1.0), 3, 2700)
#: Seconds an inbound caller spends in the greeting/IVR before the agent's phone rings.
_IVR = _seconds(_lognormal(10.0, 0.5), 3, 40)
#: Seconds between the agent answering and the customer's phone being dialled.
_BRIDGE = [0, 1, 1, 2]
#: The keys an inbound caller pressed in that IVR (menus nested up to three deep), None: none.
_KEY_PATHS: list[str | None] = _table(
    {"1": 28, "2": 20, "1,1": 12, "1,2": 10, "2,1": 8, "3": 8, "1,2,3": 4, "9": 3, None: 7}
)


def _mobile_numbers(rng: random.Random, count: int, taken: set[str]) -> list[str]:
    """Distinct Indian mobile numbers in E.164 (+91 and ten digits starting 6-9)."""
    first = _table(_MOBILE_FIRST_DIGIT, 20)
    numbers: list[str] = []
    while len(numbers) < count:
        number = f"+91{first[int(rng.random() * 20)]}{rng.randrange(10**9):09d}"
        if number not in taken:
            taken.add(number)
            numbers.append(number)
    return numbers


def _zipf(values: Sequence[T], offset: float, slots: int) -> list[T]:
    return _table([(v, 1.0 / (rank + offset)) for rank, v in enumerate(values, 1)], slots)


def _hour_buckets(rng: random.Random, days: int, now_ms: int) -> tuple[list[int], list[float], list[float]]:
    """The window cut at IST hour boundaries: each bucket's start, cumulative weight and ms per weight.

    A bucket's weight is its profile weight times its length in ms, so partial hours at either end
    get their share and a uniform draw over the total weight lands on a millisecond.
    """
    start = now_ms - days * DAY_MS
    end = now_ms - SETTLED_BEFORE_NOW_MS
    day_factor: dict[int, float] = {}
    starts: list[int] = []
    cumulative: list[float] = [0.0]
    ms_per_weight: list[float] = []
    hour = (start + IST_OFFSET_MS) // HOUR_MS
    while True:
        lo = max(start, hour * HOUR_MS - IST_OFFSET_MS)
        hi = min(end, (hour + 1) * HOUR_MS - IST_OFFSET_MS)
        if lo >= end:
            break
        day = hour // 24
        if day not in day_factor:
            # 1970-01-01 was a Thursday (index 3 with Monday = 0).
            weekday = (day + 3) % 7
            day_factor[day] = WEEKDAY_WEIGHTS[weekday] * (1.0 + DAILY_SWING * (2.0 * rng.random() - 1.0))
        weight = HOURLY_WEIGHTS[hour % 24] * day_factor[day]
        starts.append(lo)
        cumulative.append(cumulative[-1] + weight * (hi - lo))
        ms_per_weight.append(1.0 / weight)
        hour += 1
    return starts, cumulative, ms_per_weight


_Outcome = tuple[str, str, str, str | None, bool, list[int], list[int]]
"""direction, call status, leg 1 status, leg 2 status, inbound?, leg 1 ring table, leg 2 ring table."""


def _outcomes() -> list[_Outcome]:
    """Direction and both legs' outcomes as one joint table, so a call needs a single draw for them."""
    joint: list[tuple[_Outcome, float]] = []
    for direction, share in DIRECTION_SHARES.items():
        inbound = direction == Direction.INBOUND.value
        leg1s, leg2s = (INBOUND_LEG1, INBOUND_LEG2) if inbound else (OUTBOUND_LEG1, OUTBOUND_LEG2)
        for leg1, p1 in leg1s.items():
            if leg1 != _C:
                joint.append(((direction, leg1, leg1, None, inbound, _RING[leg1], _RING[leg1]), share * p1))
                continue
            for leg2, p2 in leg2s.items():
                joint.append(
                    ((direction, leg2, leg1, leg2, inbound, _RING[leg1], _RING[leg2]), share * p1 * p2)
                )
    return _table(joint, 1 << 16)


_OUTCOMES = _outcomes()


def _sid_keys(rng: random.Random, account_sid: str) -> tuple[int, int, int, int]:
    """Keys of the bijection from a call's ordinal to its 128-bit Sid.

    The salt makes two accounts seeded with the same seed get different Sids (Sids are unique
    store-wide); being a bijection, the Sids of one run are distinct by construction.
    """
    salt = int.from_bytes(hashlib.blake2b(account_sid.encode(), digest_size=16).digest(), "big")
    return rng.getrandbits(128) | 1, rng.getrandbits(128), rng.getrandbits(128) | 1, salt


def generate_history(
    exophones: Sequence[str], account_sid: str, calls: int, days: int, seed: int, now_ms: int
) -> Iterator[Call]:
    """``calls`` finished calls of ``account_sid`` over the ``days`` days before ``now_ms``, oldest first.

    ``exophones`` (E.164) are the account's numbers; the first gets the most traffic. The same
    arguments always give the same calls.
    """
    if calls < 0:
        raise ValueError("calls must not be negative")
    if days < 1:
        raise ValueError("days must be at least 1")
    if not exophones:
        raise ValueError("the account needs at least one ExoPhone")
    return _generate(list(exophones), account_sid, calls, days, random.Random(seed), now_ms)


def _generate(
    exophones: list[str], account_sid: str, count: int, days: int, rng: random.Random, now_ms: int
) -> Iterator[Call]:
    # Drawn first, so the Sids depend on the seed and the account only: seeding an account twice
    # with one seed collides on the first Sid, which ``trunkline seed`` reports before loading.
    k1, k2, k3, salt = _sid_keys(rng, account_sid)
    taken = set(exophones)
    agent_numbers = _mobile_numbers(rng, AGENTS, taken)
    customer_numbers = _mobile_numbers(rng, CUSTOMERS, taken)
    rng.shuffle(customer_numbers)
    agents = _zipf(agent_numbers, 3.0, _SLOTS)
    customers = _zipf(customer_numbers, 5.0, 1 << 15)
    lines = _zipf(exophones, 1.0, _SLOTS)
    starts, cumulative, ms_per_weight = _hour_buckets(rng, days, now_ms)
    recordings = f"exotelrecordings/{account_sid}/"

    rnd = rng.random
    outcomes, n_outcomes = _OUTCOMES, len(_OUTCOMES)
    n_agents, n_customers, n_lines = len(agents), len(customers), len(lines)
    conversation, n_conv = _CONVERSATION, len(_CONVERSATION)
    ivr, n_ivr = _IVR, len(_IVR)
    key_paths, n_key_paths = _KEY_PATHS, len(_KEY_PATHS)
    n_ring = len(_RING[_C])
    total = cumulative[-1]
    last_bucket = len(starts) - 1
    bucket = 0
    position = 0.0
    completed, api, human, machine = _C, Direction.OUTBOUND_API.value, "human", "machine"

    for ordinal in range(count):
        # Sorted uniforms one at a time: the next order statistic of the remaining (count - ordinal).
        position = 1.0 - (1.0 - position) * rnd() ** (1.0 / (count - ordinal))
        target = position * total
        while bucket < last_bucket and cumulative[bucket + 1] <= target:
            bucket += 1
        created = int(starts[bucket] + (target - cumulative[bucket]) * ms_per_weight[bucket])
        created -= created % 1000  # Exotel keeps whole seconds

        x = (ordinal * k1 + k2) & _MASK128
        x ^= x >> 67
        x = (x * k3) & _MASK128
        x ^= x >> 59
        sid = f"{x ^ salt:032x}"

        direction, status, leg1_status, leg2_status, inbound, ring1, ring2 = outcomes[int(rnd() * n_outcomes)]
        customer = customers[int(rnd() * n_customers)]
        agent = agents[int(rnd() * n_agents)]
        line = lines[int(rnd() * n_lines)]
        start = created + 1000 * int(rnd() * 4)
        rung1 = ring1[int(rnd() * n_ring)]
        answered_by = None
        price = 0
        talk = 0
        recording = None
        custom = None
        keys = None
        if leg2_status is None:
            on_call1 = 0
            legs = [Leg(1, customer if inbound else agent, leg1_status, 0)]
        else:
            rung2 = ring2[int(rnd() * n_ring)]
            if leg2_status == completed:
                talk = conversation[int(rnd() * n_conv)]
                answered_by = machine if not inbound and rnd() < MACHINE_SHARE else human
            if inbound:
                on_call1 = ivr[int(rnd() * n_ivr)] + rung2 + talk
                # From the Sid's hash, not the random stream: a seed gives the calls it gave before.
                keys = key_paths[(x >> 32) % n_key_paths]
                legs = [
                    Leg(1, customer, leg1_status, on_call1),
                    Leg(2, agent, leg2_status, talk, human if talk else None),
                ]
                if talk:
                    price = RATE_PER_PULSE_MICROS * (-(-on_call1 // 60))
            else:
                on_call1 = _BRIDGE[int(rnd() * 4)] + rung2 + talk
                legs = [
                    Leg(1, agent, leg1_status, on_call1),
                    Leg(2, customer, leg2_status, talk, answered_by),
                ]
                if talk:
                    price = RATE_PER_PULSE_MICROS * (-(-on_call1 // 60) - (-talk // 60))
            if talk and rnd() < RECORDED_SHARE:
                recording = f"{recordings}{sid}.mp3"
        duration = rung1 + on_call1
        end = start + 1000 * duration
        if direction == api and rnd() < CUSTOM_FIELD_SHARE:
            custom = f"order_{int(rnd() * 900_000) + 100_000}"
        yield Call(
            sid=sid,
            account_sid=account_sid,
            date_created=created,
            date_updated=end + 1000 * (60 + int(rnd() * 180)),
            from_number=customer if inbound else agent,
            to_number=line if inbound else customer,
            phone_number=line,
            status=status,
            direction=direction,
            start_time=start,
            end_time=end,
            duration=duration,
            price_micros=price,
            answered_by=answered_by,
            recording_path=recording,
            conversation_duration=talk,
            custom_field=custom,
            ivr_keys=keys,
            legs=legs,
        )
