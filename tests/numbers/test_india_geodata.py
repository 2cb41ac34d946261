"""The shipped Indian place table answers exactly as phonenumbers' geocoder (which costs 100 MB to load)."""

from __future__ import annotations

import random

import phonenumbers
from phonenumbers import geocoder
from phonenumbers.geodata import GEOCODE_DATA

from trunkline.domain.numbers.metadata import india_place


def test_extracted_places_match_the_geocoder_for_sampled_indian_fixed_lines() -> None:
    rng = random.Random(7)
    prefixes = sorted(k for k in GEOCODE_DATA if k.startswith("91"))
    checked = 0
    for prefix in rng.sample(prefixes, 1500):
        number = "+" + prefix + "".join(rng.choice("0123456789") for _ in range(12 - len(prefix)))
        parsed = phonenumbers.parse(number)
        if not phonenumbers.is_valid_number(parsed) or phonenumbers.number_type(parsed) == 1:
            continue
        expected = geocoder.description_for_number(parsed, "en")
        assert india_place(number[1:]) == ("" if expected == "India" else expected), number
        checked += 1
    assert checked > 500
