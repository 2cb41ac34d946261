"""Tracked history for ``trunkline seed --tracking``: a property whose tracking numbers are the
account's ExoPhones, each with its own attribution, and a ``tracked_calls`` row for every seeded
inbound call to them, loaded in the same batches as the calls (``bulk_load.load_calls(along=...)``).

The rows come from the same functions as live calls: ``outcome_of`` for Disposition, Endpoint and
Duration, ``geography`` for the caller, ``draw_session`` for visitor sessions (``SESSION_SHARE`` of
the calls, drawn from the seed and the call's index among the tracked ones). Calls arrive oldest
first, so the repeat flag is a set of the callers seen so far: exactly "an earlier call from this
caller to this property exists". The rollup is rebuilt once after the load.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from trunkline.domain.calls.model import Call, Direction
from trunkline.domain.tracking.geography import geography, mobile_series_prefixes
from trunkline.domain.tracking.numbers import TrackingNumber
from trunkline.domain.tracking.outcome import outcome_of
from trunkline.domain.tracking.properties import Property
from trunkline.domain.tracking.sessions import SessionSpec, draw_session
from trunkline.store.bulk_load import RowWriter
from trunkline.store.database import Database
from trunkline.store.schema.numbering import mobile_series
from trunkline.store.schema.tracking import tracked_calls
from trunkline.store.tracking.numbers import TrackingNumberStore
from trunkline.store.tracking.properties import PropertyStore

SESSION_SHARE = 0.7
ATTRIBUTIONS: tuple[tuple[str, str, str | None, str | None], ...] = (
    ("google", "cpc", "brand", "text-ad"),
    ("bing", "organic", None, None),
    ("facebook", "social", "spring-sale", "video"),
    ("newsletter", "email", "monthly", None),
)
"""Source, medium, campaign, content of the n-th tracking number (cycled)."""

COLUMNS = (
    "call_id", "account_id", "property_id", "call_sid", "date_start", "from_number", "to_number",
    "to_friendly", "endpoint", "disposition", "duration", "is_repeat", "attribution_source",
    "attribution_medium", "attribution_campaign", "attribution_content", "session_traffic_type",
    "session_keywords", "session_landing_uri", "session_conversion_uri", "ga_client_id", "ads_click_id",
    "from_country", "from_region", "from_city", "prompts_keys", "recording_path",
)  # fmt: skip


def seeded_property_sid(account_sid: str, seed: int) -> str:
    return "PR" + hashlib.blake2b(f"{account_sid}:{seed}".encode(), digest_size=16).hexdigest()


def prepare_property(
    db: Database, account_id: int, account_sid: str, exophones: Sequence[str], seed: int, now_ms: int
) -> tuple[Property, dict[str, TrackingNumber]]:
    """The seed's property with every ExoPhone as a tracking number (reused when seeding again)."""
    properties, tracking_numbers = PropertyStore(db), TrackingNumberStore(db)
    sid = seeded_property_sid(account_sid, seed)
    prop = properties.property_by_sid(sid) or properties.create_property(
        account_id, f"Seeded website {seed}", now_ms, sid
    )
    numbers = {}
    for index, number in enumerate(exophones):
        tracking_numbers.buy_number(prop, number, None, now_ms)
        source, medium, campaign, content = ATTRIBUTIONS[index % len(ATTRIBUTIONS)]
        changes = {
            "friendly": f"{source.title()} {medium}",
            "attribution_source": source,
            "attribution_medium": medium,
            "attribution_campaign": campaign,
            "attribution_content": content,
        }
        numbers[number] = tracking_numbers.update_number(account_id, number, changes, now_ms)
    return prop, numbers


def mobile_circles(db: Database) -> dict[str, str]:
    with db.read() as conn:
        return dict(conn.execute(select(mobile_series.c.prefix, mobile_series.c.circle_code)).all())


@dataclass
class TrackedHistory:
    """Builds the ``tracked_calls`` rows of each loaded batch (``load_calls``' ``along``)."""

    account_id: int
    property_id: int
    numbers: dict[str, TrackingNumber]
    seed: int
    circles: dict[str, str] = field(default_factory=dict)
    sessions: SessionSpec = field(default_factory=lambda: SessionSpec(share=SESSION_SHARE))
    seen: set[str] = field(default_factory=set)
    index: int = 0

    def _circle(self, caller: str) -> str | None:
        for prefix in mobile_series_prefixes(caller):
            if prefix in self.circles:
                return self.circles[prefix]
        return None

    def rows(self, batch: Sequence[tuple[int, Call]]) -> list[tuple[Any, ...]]:
        rows = []
        inbound = Direction.INBOUND.value
        for call_id, call in batch:
            number = self.numbers.get(call.phone_number) if call.direction == inbound else None
            outcome = outcome_of(call) if number is not None else None
            if number is None or outcome is None:
                continue
            caller = call.from_number
            repeat = caller in self.seen
            self.seen.add(caller)
            where = geography(caller, self._circle(caller))
            session = draw_session(self.sessions, self.seed, self.index, call.date_created)
            self.index += 1
            rows.append(
                (
                    call_id, self.account_id, self.property_id, call.sid, call.date_created, caller,
                    number.number, number.friendly, outcome.endpoint, outcome.disposition, outcome.duration,
                    int(repeat), number.attribution_source, number.attribution_medium,
                    number.attribution_campaign, number.attribution_content,
                    *(
                        (session.traffic_type, session.keywords, session.landing_uri, session.conversion_uri,
                         session.ga_client_id, session.ads_click_id)
                        if session is not None else (None,) * 6
                    ),
                    where.country, where.region, where.city, call.ivr_keys, call.recording_path,
                )
            )  # fmt: skip
        return rows

    def __call__(self, write: RowWriter, batch: Sequence[tuple[int, Call]]) -> None:
        rows = self.rows(batch)
        if rows:
            write(tracked_calls.name, COLUMNS, rows)
