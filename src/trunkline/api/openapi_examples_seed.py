"""What every documented example is built from: a fixed seed, a fixed instant, fixed ids.

Shared by the dialects' examples (``openapi_examples_build``) and the admin API's
(``openapi_admin_examples``), so both tell of the same account, ExoPhone and calls. Ids the server
would draw at random (a new call's Sid, CCM's request_id, an API key) are derived from the seed
instead, so the examples are the same bytes on every run.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import Any

from trunkline.domain.calls.model import Call
from trunkline.services.seeding import SeedingService

SEED = 17
AT_MS = 1_736_925_000_000
"""2025-01-15 12:40 IST: the instant the example history ends at."""
ACCOUNT_SID = "exampleco1"
EXOPHONE = "+918047112233"
PUBLIC_URL = "http://127.0.0.1:8000"
PROPERTY_SID = "PR" + hashlib.blake2b(b"example-property", digest_size=16).hexdigest()


def fixed_id(label: str) -> str:
    """A 32-hex-digit id standing for one the server would draw at random."""
    return hashlib.blake2b(f"{SEED}/{label}".encode(), digest_size=16).hexdigest()


def seeded_calls() -> list[Call]:
    """The example account's call history: 40 calls of the seeder, ending at ``AT_MS``."""
    return SeedingService.sample(ACCOUNT_SID, [EXOPHONE], 40, SEED, AT_MS)


def finished_call(calls: list[Call]) -> Call:
    """The newest answered, recorded call with both legs (the most telling example)."""
    for call in reversed(calls):
        if call.status == "completed" and call.recording_path and len(call.legs) == 2:
            return call
    return calls[-1]


def just_placed(call: Call, label: str, at_ms: int, **changes: Any) -> Call:
    """``call`` as placing it answers: in progress since ``at_ms``, nothing rung or settled yet, with
    the Sid ``fixed_id(label)`` (and ``changes``: an inbound call's numbers)."""
    return replace(
        call,
        sid=fixed_id(label),
        status="in-progress",
        date_created=at_ms,
        date_updated=at_ms,
        start_time=None,
        end_time=None,
        duration=None,
        price_micros=None,
        recording_path=None,
        conversation_duration=None,
        answered_by=None,
        legs=[],
        **changes,
    )
