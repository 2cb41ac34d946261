"""One normal form for numbers: E.164 in the store, 0-prefixed national in v1 responses.

Clients send E.164, 0-prefixed national, bare ten digits, landlines with their STD code,
a ``+`` decoded to a space, or ``sip:`` URIs; all of them must match the same stored call.
"""

from __future__ import annotations

from functools import lru_cache

import phonenumbers

DEFAULT_REGION = "IN"


class UnparseableNumber(ValueError):
    pass


@lru_cache(maxsize=65536)
def to_e164(raw: str, region: str = DEFAULT_REGION) -> str:
    """Normalise any accepted spelling of a number to E.164; ``sip:`` URIs are kept as they are."""
    text = raw.strip()
    if not text:
        raise UnparseableNumber("empty number")
    if text.lower().startswith("sip:"):
        return text
    if raw.startswith(" ") and text[0].isdigit():
        # An unencoded '+' in a query string arrives as a space.
        text = "+" + text
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise UnparseableNumber(f"cannot parse {raw.strip()!r} as a phone number") from exc
    if not phonenumbers.is_possible_number(parsed):
        raise UnparseableNumber(f"{raw.strip()!r} is not a possible phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def to_v1(e164: str | None) -> str | None:
    """How v1 responses show a stored number: Indian numbers 0-prefixed national, others unchanged."""
    if e164 is not None and e164.startswith("+91"):
        return "0" + e164[3:]
    return e164
