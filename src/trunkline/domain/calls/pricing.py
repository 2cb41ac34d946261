"""What a call costs: each answered leg pays per started billing pulse at its destination's rate."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from trunkline.domain.calls.model import PRICE_SCALE


@dataclass(frozen=True, slots=True)
class RateTable:
    per_minute_by_prefix: Mapping[str, float]
    """E.164 prefix → price per minute; the longest matching prefix wins, ``""`` is the fallback."""
    pulse_seconds: int = 60

    def per_minute(self, number: str) -> float:
        best, rate = -1, 0.0
        for prefix, value in self.per_minute_by_prefix.items():
            if number.startswith(prefix) and len(prefix) > best:
                best, rate = len(prefix), value
        return rate

    def price_micros(self, legs: Iterable[tuple[str, int]]) -> int:
        """Total for (number, seconds on the call) per leg; legs never answered cost nothing."""
        total = 0
        for number, seconds in legs:
            if seconds <= 0:
                continue
            pulses = -(-seconds // self.pulse_seconds)
            per_pulse = self.per_minute(number) * self.pulse_seconds / 60
            total += round(pulses * per_pulse * PRICE_SCALE)
        return total
