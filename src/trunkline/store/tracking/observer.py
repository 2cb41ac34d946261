"""Keeping ``tracked_calls`` in step with calls: a ``CallObserver`` that writes a row for each
inbound call to a tracking number as it is stored, and its outcome when the engine ends it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, select, tuple_, update

from trunkline.domain.tracking.geography import geography, mobile_series_prefixes
from trunkline.domain.tracking.outcome import outcome_of
from trunkline.domain.tracking.sessions import from_extra
from trunkline.store.call_writes import NewRun, RunUpdate
from trunkline.store.schema.numbering import mobile_series
from trunkline.store.schema.tracking import tracked_calls, tracking_numbers
from trunkline.store.tracking.rollups import ROLLUP_KEYS, add_to_rollup


class TrackingObserver:
    """Keeps ``tracked_calls`` in step with calls (a ``CallObserver`` of ``CallWrites``)."""

    def inserted(self, conn: Connection, stored: Sequence[tuple[int, NewRun]]) -> None:
        inbound = [(call_id, item) for call_id, item in stored if item.call.direction == "inbound"]
        if not inbound:
            return
        pairs = sorted({(item.account_id, item.call.to_number or "") for _, item in inbound})
        numbers = {
            (row.account_id, row.number): row
            for row in conn.execute(
                select(tracking_numbers).where(
                    tuple_(tracking_numbers.c.account_id, tracking_numbers.c.number).in_(pairs)
                )
            )
        }
        tracked = [
            (cid, item, numbers[key])
            for cid, item in inbound
            if (key := (item.account_id, item.call.to_number or "")) in numbers
        ]
        if not tracked:
            return
        circles = _mobile_circles(conn, {item.call.from_number for _, item, _ in tracked})
        seen = _callers_seen(
            conn, {(number.property_id, item.call.from_number) for _, item, number in tracked}
        )
        rows = []
        for call_id, item, number in sorted(tracked, key=lambda t: (t[1].call.date_created, t[0])):
            call, caller = item.call, item.call.from_number
            key = (number.property_id, caller)
            repeat = caller != "anonymous" and key in seen
            seen.add(key)
            where = geography(caller, circles.get(caller))
            session = from_extra(item.run.extra)
            rows.append(
                {
                    "call_id": call_id,
                    "account_id": item.account_id,
                    "property_id": number.property_id,
                    "call_sid": call.sid,
                    "date_start": call.date_created,
                    "from_number": caller,
                    "to_number": number.number,
                    "to_friendly": number.friendly,
                    "is_repeat": int(repeat),
                    "attribution_source": number.attribution_source,
                    "attribution_medium": number.attribution_medium,
                    "attribution_campaign": number.attribution_campaign,
                    "attribution_content": number.attribution_content,
                    "session_traffic_type": session.traffic_type if session else None,
                    "session_keywords": session.keywords if session else None,
                    "session_landing_uri": session.landing_uri if session else None,
                    "session_conversion_uri": session.conversion_uri if session else None,
                    "ga_client_id": session.ga_client_id if session else None,
                    "ads_click_id": session.ads_click_id if session else None,
                    "from_country": where.country,
                    "from_region": where.region,
                    "from_city": where.city,
                }
            )
        conn.execute(tracked_calls.insert(), rows)

    def saved(self, conn: Connection, updates: Sequence[RunUpdate]) -> None:
        ended = {
            u.claimed.call_id: u
            for u in updates
            if not u.claimed.was_final and u.claimed.run.is_over and u.call.direction == "inbound"
        }
        if not ended:
            return
        keys = [
            tracked_calls.c.call_id,
            tracked_calls.c.account_id,
            tracked_calls.c.date_start,
            *(tracked_calls.c[k] for k in ROLLUP_KEYS if k not in ("disposition", "endpoint")),
        ]
        found = conn.execute(select(*keys).where(tracked_calls.c.call_id.in_(sorted(ended)))).all()
        if not found:
            return
        listed = []
        for row in found:
            update_ = ended[row.call_id]
            outcome = outcome_of(update_.call)
            if outcome is None:
                continue
            listed.append(
                {
                    **row._mapping,
                    "_id": row.call_id,
                    "disposition": outcome.disposition,
                    "endpoint": outcome.endpoint,
                    "duration": outcome.duration,
                    "prompts_keys": update_.call.ivr_keys,
                    "recording_path": update_.call.recording_path,
                }
            )
        if not listed:
            return
        names = ("_id", "disposition", "endpoint", "duration", "prompts_keys", "recording_path")
        conn.execute(_OUTCOME, [{n: row[n] for n in names} for row in listed])
        add_to_rollup(conn, listed)


def _outcome_statement() -> Any:
    names = ("disposition", "endpoint", "duration", "prompts_keys", "recording_path")
    return (
        update(tracked_calls)
        .where(tracked_calls.c.call_id == bindparam("_id"))
        .values({n: bindparam(n) for n in names})
    )


_OUTCOME = _outcome_statement()


def _mobile_circles(conn: Connection, callers: set[str]) -> dict[str, str]:
    """The circle of each Indian mobile caller whose series the store knows (one query)."""
    prefixes = {caller: mobile_series_prefixes(caller) for caller in callers}
    wanted = sorted({p for options in prefixes.values() for p in options})
    if not wanted:
        return {}
    known = dict(
        conn.execute(
            select(mobile_series.c.prefix, mobile_series.c.circle_code).where(
                mobile_series.c.prefix.in_(wanted)
            )
        ).all()
    )
    circles = {}
    for caller, options in prefixes.items():
        for prefix in options:
            if prefix in known:
                circles[caller] = known[prefix]
                break
    return circles


def _callers_seen(conn: Connection, pairs: set[tuple[int, str]]) -> set[tuple[int, str]]:
    """Which (property, caller) pairs have called before (one query on ``ix_tracked_calls_caller``)."""
    if not pairs:
        return set()
    query = (
        select(tracked_calls.c.property_id, tracked_calls.c.from_number)
        .where(tuple_(tracked_calls.c.property_id, tracked_calls.c.from_number).in_(sorted(pairs)))
        .distinct()
    )
    return {(int(pid), caller) for pid, caller in conn.execute(query)}
