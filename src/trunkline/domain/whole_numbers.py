"""Reading a whole number a client wrote, safely whatever its length.

Python's ``int()`` refuses more than 4,300 digits (``ValueError``, since 3.11), and a number that
does fit can still overflow the database's 64-bit integers. So a parameter is read here: the
digits are counted before they are converted, and anything past the parameter's bound is simply
out of range, however many digits it has.
"""

from __future__ import annotations

MAX_STORED = 2**63 - 1
"""The largest integer either database stores (a signed 64-bit column)."""


def whole_number(raw: str, high: int) -> int | None:
    """The value of ``raw`` (ASCII digits only: no sign, no spaces) when it is at most ``high``;
    None for anything else, which the caller turns into its own 400."""
    if not (raw.isascii() and raw.isdigit()):  # isdigit() alone also takes "²", which int() refuses
        return None
    digits = raw.lstrip("0") or "0"
    if len(digits) > len(str(high)):
        return None
    value = int(digits)
    return value if value <= high else None
