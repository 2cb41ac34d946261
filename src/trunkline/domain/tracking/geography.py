"""Where a caller is, from the number alone (From_CountryCode, From_Region, From_City).

Country: libphonenumber's region code. India: a fixed line's city and telecom circle come from the
STD code (libphonenumber's geocoding data, extracted to ``domain/numbers/data``); a mobile has no
place in that data, only a circle by its series (``mobile_series``, which the store reads and hands
in). Other countries get the country only: importing ``phonenumbers.geocoder`` would load every
country's names, about 100 MB of server memory (``domain/numbers/metadata.py``). ``anonymous``
and unparseable callers have no geography.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import phonenumbers

from trunkline.domain.errors import InvalidParameter
from trunkline.domain.numbers.metadata import CIRCLES, MOBILE, classify, india_place

ANONYMOUS = "anonymous"


@dataclass(frozen=True, slots=True)
class Geography:
    country: str | None = None
    region: str | None = None
    city: str | None = None


NOWHERE = Geography()


def circle_name(code: str) -> str | None:
    """A telecom circle's short name: ``KA`` → ``Karnataka``, ``DL`` → ``Delhi Metro``."""
    name = CIRCLES.get(code)
    return None if name is None else name.split(" Telecom Circle")[0]


def mobile_series_prefixes(number: str) -> tuple[str, ...]:
    """The series prefixes (longest first) the store may hold an Indian mobile under; () otherwise."""
    if not number.startswith("+91") or len(number) != 13:
        return ()
    national = number[3:]
    return tuple(national[:n] for n in (6, 5, 4))


@lru_cache(maxsize=65536)
def geography(number: str, mobile_circle: str | None = None) -> Geography:
    """The caller's geography; ``mobile_circle`` is the circle code of the number's mobile series, if
    the store knows it."""
    if not number or number == ANONYMOUS or not number.startswith("+"):
        return NOWHERE
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return NOWHERE
    country = phonenumbers.region_code_for_number(parsed)
    if country is None or country == "ZZ":
        return NOWHERE
    if country != "IN":
        return Geography(country)
    try:
        info = classify(number)
    except InvalidParameter:
        return Geography(country)
    if info.type == MOBILE:
        return Geography(country, circle_name(mobile_circle) if mobile_circle else None)
    place = india_place(number[1:])
    city = place.split(",")[0].strip() if place and place != "India" else None
    return Geography(country, circle_name(info.circle) if info.circle else None, city)
