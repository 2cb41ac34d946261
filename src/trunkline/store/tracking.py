"""Call tracking records: properties, tracking numbers, and a row per tracked call, with the two
rollups that answer Get Calls' TotalCount and deep Results_Skip (``tracked_call_counts`` per day by
every filter, ``tracked_call_summary`` per hour and day by the common ones; the list query itself is
``tracked_call_lists``).

A tracked call is an inbound call to a tracking number. ``TrackingObserver`` writes its row in the
transaction that stores the call (attribution snapshot, geography, repeat flag) and fills in the
outcome in the engine batch that ends it, adding it to ``tracked_call_counts`` then. Only rows with
an outcome are listed, so the rollup and the lists always agree.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Connection,
    bindparam,
    delete,
    func,
    insert,
    literal_column,
    select,
    tuple_,
    update,
)
from sqlalchemy.exc import IntegrityError

from trunkline.domain.calls.bulk_filters import DAY_MS
from trunkline.domain.errors import InvalidParameter, NotFound
from trunkline.domain.tracking.errors import NumberInOtherProperty
from trunkline.domain.tracking.geography import geography, mobile_series_prefixes
from trunkline.domain.tracking.outcome import outcome_of
from trunkline.domain.tracking.properties import check_new_property
from trunkline.domain.tracking.query import CallsQuery
from trunkline.domain.tracking.sessions import from_extra
from trunkline.store import tracked_call_lists
from trunkline.store.call_runs import NewRun, RunUpdate
from trunkline.store.database import Database
from trunkline.store.rollup_periods import HOUR_MS, adding_upsert, fill_longer_periods
from trunkline.store.schema.accounts import exophones
from trunkline.store.schema.numbering import mobile_series
from trunkline.store.schema.tracking import (
    tracked_call_counts,
    tracked_call_summary,
    tracked_calls,
    tracking_numbers,
    tracking_properties,
)
from trunkline.store.tracked_call_lists import ROWS, CallsPage, TrackedCall

ACTIVE = "Active"


class PropertyExists(InvalidParameter):
    status = 409
    code = "property-exists"


T = tracked_calls
R = tracked_call_counts
S = tracked_call_summary
_SUMMARY_KEY = (
    "account_id",
    "period_ms",
    "period_start",
    "property_id",
    "is_repeat",
    "disposition",
    "prompts_keys",
)
_ROLLUP_KEYS = (
    "property_id",
    "to_number",
    "disposition",
    "is_repeat",
    "endpoint",
    "attribution_source",
    "attribution_medium",
    "attribution_campaign",
    "attribution_content",
)
"""The rollup's columns besides account and day; each is also a column of ``tracked_calls``."""


@dataclass(frozen=True, slots=True)
class Property:
    id: int
    account_id: int
    sid: str
    name: str
    created_at: int


@dataclass(frozen=True, slots=True)
class TrackingNumber:
    account_id: int
    number: str
    property_id: int
    property_sid: str
    status: str
    friendly: str | None
    address_sid: str | None
    attribution_source: str | None
    attribution_medium: str | None
    attribution_campaign: str | None
    attribution_content: str | None
    routing_method: str | None
    endpoint_number: str | None
    flow: str | None
    recording: str
    send_sms_from: str | None
    send_sms_to: str | None
    send_email_from: str | None
    send_email_to: str | None
    created_at: int
    updated_at: int


def new_property_sid() -> str:
    return "PR" + secrets.token_hex(16)


def day_start(at_ms: int) -> int:
    return at_ms - at_ms % DAY_MS


class TrackingStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    # --- properties ---

    def create_property(self, account_id: int, name: str, now_ms: int, sid: str | None = None) -> Property:
        check_new_property(name, sid)
        sid = sid or new_property_sid()
        with self._db.write() as conn:
            try:
                property_id = conn.execute(
                    tracking_properties.insert()
                    .values(account_id=account_id, sid=sid, name=name, created_at=now_ms)
                    .returning(tracking_properties.c.id)
                ).scalar_one()
            except IntegrityError:
                raise PropertyExists(f"property {sid} already exists", parameter="sid") from None
        return Property(property_id, account_id, sid, name, now_ms)

    def properties(self, account_id: int) -> list[Property]:
        query = select(tracking_properties).where(tracking_properties.c.account_id == account_id)
        with self._db.read() as conn:
            return [
                Property(**row._mapping) for row in conn.execute(query.order_by(tracking_properties.c.id))
            ]

    def property_by_sid(self, sid: str) -> Property | None:
        """A property by Sid, whichever account holds it (the dialect decides 403 or 404)."""
        query = select(tracking_properties).where(tracking_properties.c.sid == sid)
        with self._db.read() as conn:
            row = conn.execute(query).first()
        return None if row is None else Property(**row._mapping)

    def delete_property(self, account_id: int, sid: str) -> bool:
        """Delete a property with its tracking numbers and tracked-call rows (the calls, and the numbers
        as ExoPhones, stay)."""
        with self._db.write() as conn:
            found = conn.execute(
                select(tracking_properties.c.id).where(
                    tracking_properties.c.account_id == account_id, tracking_properties.c.sid == sid
                )
            ).first()
            if found is None:
                return False
            for rollup in (R, S):
                conn.execute(
                    delete(rollup).where(rollup.c.account_id == account_id, rollup.c.property_id == found.id)
                )
            conn.execute(delete(T).where(T.c.property_id == found.id))
            conn.execute(delete(tracking_numbers).where(tracking_numbers.c.property_id == found.id))
            conn.execute(delete(tracking_properties).where(tracking_properties.c.id == found.id))
        return True

    def number_counts(self, account_id: int) -> dict[int, int]:
        query = (
            select(tracking_numbers.c.property_id, func.count())
            .where(tracking_numbers.c.account_id == account_id)
            .group_by(tracking_numbers.c.property_id)
        )
        with self._db.read() as conn:
            return {int(pid): int(n) for pid, n in conn.execute(query)}

    # --- tracking numbers ---

    def buy_number(self, prop: Property, number: str, address_sid: str | None, now_ms: int) -> TrackingNumber:
        """Put ``number`` in ``prop`` (it becomes, or stays, one of the account's ExoPhones). Buying it
        again into the same property is a no-op; into another one, ``NumberInOtherProperty``."""
        with self._db.write() as conn:
            held = self._number(conn, prop.account_id, number)
            if held is not None and held.property_id != prop.id:
                raise NumberInOtherProperty(
                    f"{number} belongs to property {held.property_sid} of this account", parameter="Number"
                )
            if held is None:
                is_exophone = conn.execute(
                    select(exophones.c.number).where(
                        exophones.c.account_id == prop.account_id, exophones.c.number == number
                    )
                ).first()
                if is_exophone is None:
                    conn.execute(exophones.insert().values(account_id=prop.account_id, number=number))
                conn.execute(
                    tracking_numbers.insert().values(
                        account_id=prop.account_id,
                        number=number,
                        property_id=prop.id,
                        status=ACTIVE,
                        address_sid=address_sid,
                        recording="Off",
                        created_at=now_ms,
                        updated_at=now_ms,
                    )
                )
            elif address_sid is not None:
                conn.execute(
                    update(tracking_numbers)
                    .where(
                        tracking_numbers.c.account_id == prop.account_id, tracking_numbers.c.number == number
                    )
                    .values(address_sid=address_sid, updated_at=now_ms)
                )
            bought = self._number(conn, prop.account_id, number)
        assert bought is not None
        return bought

    def number(self, account_id: int, number: str) -> TrackingNumber | None:
        with self._db.read() as conn:
            return self._number(conn, account_id, number)

    def numbers(self, account_id: int, property_id: int | None = None) -> list[TrackingNumber]:
        query = _NUMBER_QUERY.where(tracking_numbers.c.account_id == account_id)
        if property_id is not None:
            query = query.where(tracking_numbers.c.property_id == property_id)
        with self._db.read() as conn:
            return [
                TrackingNumber(**row._mapping)
                for row in conn.execute(query.order_by(tracking_numbers.c.number))
            ]

    @staticmethod
    def _number(conn: Connection, account_id: int, number: str) -> TrackingNumber | None:
        row = conn.execute(
            _NUMBER_QUERY.where(
                tracking_numbers.c.account_id == account_id, tracking_numbers.c.number == number
            )
        ).first()
        return None if row is None else TrackingNumber(**row._mapping)

    def update_number(
        self, account_id: int, number: str, changes: dict[str, Any], now_ms: int
    ) -> TrackingNumber:
        with self._db.write() as conn:
            return self.update_number_in(conn, account_id, number, changes, now_ms)

    def update_number_in(
        self, conn: Connection, account_id: int, number: str, changes: dict[str, Any], now_ms: int
    ) -> TrackingNumber:
        """``update_number`` inside the caller's transaction (with the number's routing)."""
        changed = conn.execute(
            update(tracking_numbers)
            .where(tracking_numbers.c.account_id == account_id, tracking_numbers.c.number == number)
            .values({**changes, "updated_at": now_ms})
        ).rowcount
        if not changed:
            raise NotFound(f"{number} is not a tracking number of this account", parameter="Number")
        found = self._number(conn, account_id, number)
        assert found is not None
        return found

    # --- tracked calls ---

    def get_call(self, account_id: int, sid: str) -> TrackedCall | None:
        """A tracked call of the account by Sid, listed or not yet."""
        query = ROWS.where(T.c.call_sid == sid, T.c.account_id == account_id)
        with self._db.read() as conn:
            row = conn.execute(query).first()
        return None if row is None else TrackedCall._make(row)

    def list_calls(self, account_id: int, property_id: int | None, query: CallsQuery) -> CallsPage:
        """One page of listed calls, earliest first (ties by call id), and how many match in all."""
        with self._db.read() as conn:
            return tracked_call_lists.list_calls(conn, account_id, property_id, query)


_NUMBER_QUERY = select(tracking_numbers, tracking_properties.c.sid.label("property_sid")).join(
    tracking_properties, tracking_properties.c.id == tracking_numbers.c.property_id
)


# --- keeping rows in step with calls ---


def _rollup_key(row: dict[str, Any]) -> tuple[Any, ...]:
    return (
        row["account_id"],
        day_start(row["date_start"]),
        *(row[k] if row[k] is not None else ("" if k != "is_repeat" else 0) for k in _ROLLUP_KEYS),
    )


def _summary_keys(row: dict[str, Any]) -> list[tuple[Any, ...]]:
    at = row["date_start"]
    keys = (row["property_id"], row["is_repeat"], row["disposition"], row["prompts_keys"] or "")
    return [(row["account_id"], length, at - at % length, *keys) for length in (HOUR_MS, DAY_MS)]


def add_to_rollup(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Count newly listed rows (their outcome just set) in ``tracked_call_counts`` and
    ``tracked_call_summary``; sorted, so concurrent batches lock shared rows in one order."""
    for table, key, groups in (
        (R, ("account_id", "day_start", *_ROLLUP_KEYS), Counter(_rollup_key(row) for row in rows)),
        (S, _SUMMARY_KEY, Counter(key for row in rows for key in _summary_keys(row))),
    ):
        if groups:
            conn.execute(
                adding_upsert(conn, table, key),
                [{**dict(zip(key, values, strict=True)), "calls": n} for values, n in sorted(groups.items())],
            )


def rebuild_rollup(conn: Connection, account_id: int) -> None:
    """Recount the account's rollups from ``tracked_calls`` (after bulk loads)."""
    purge_rollup(conn, account_id)
    day = T.c.date_start - T.c.date_start % literal_column(str(DAY_MS))
    keyed = [T.c[k] if k in ("property_id", "is_repeat") else func.coalesce(T.c[k], "") for k in _ROLLUP_KEYS]
    listed = (T.c.account_id == account_id, T.c.disposition.is_not(None), T.c.date_start >= 0)
    grouped = (
        select(T.c.account_id, day, *keyed, func.count()).where(*listed).group_by(T.c.account_id, day, *keyed)
    )
    conn.execute(insert(R).from_select(["account_id", "day_start", *_ROLLUP_KEYS, "calls"], grouped))
    hour = T.c.date_start - T.c.date_start % literal_column(str(HOUR_MS))
    summary = (T.c.property_id, T.c.is_repeat, T.c.disposition, func.coalesce(T.c.prompts_keys, ""))
    hours = (
        select(T.c.account_id, literal_column(str(HOUR_MS)), hour, *summary, func.count())
        .where(*listed)
        .group_by(T.c.account_id, hour, *summary)
    )
    conn.execute(insert(S).from_select([*_SUMMARY_KEY, "calls"], hours))
    fill_longer_periods(conn, S, account_id, _SUMMARY_KEY[3:], up_to=DAY_MS)


def purge_rollup(conn: Connection, account_id: int | None) -> None:
    for table in (R, S):
        conn.execute(
            delete(table) if account_id is None else delete(table).where(table.c.account_id == account_id)
        )


class TrackingObserver:
    """Keeps ``tracked_calls`` in step with calls (a ``CallObserver`` of ``CallRunStore``)."""

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
        conn.execute(T.insert(), rows)

    def saved(self, conn: Connection, updates: Sequence[RunUpdate]) -> None:
        ended = {
            u.claimed.call_id: u
            for u in updates
            if not u.claimed.was_final and u.claimed.run.is_over and u.call.direction == "inbound"
        }
        if not ended:
            return
        keys = [
            T.c.call_id,
            T.c.account_id,
            T.c.date_start,
            *(T.c[k] for k in _ROLLUP_KEYS if k not in ("disposition", "endpoint")),
        ]
        found = conn.execute(select(*keys).where(T.c.call_id.in_(sorted(ended)))).all()
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
    return update(T).where(T.c.call_id == bindparam("_id")).values({n: bindparam(n) for n in names})


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
        select(T.c.property_id, T.c.from_number)
        .where(tuple_(T.c.property_id, T.c.from_number).in_(sorted(pairs)))
        .distinct()
    )
    return {(int(pid), caller) for pid, caller in conn.execute(query)}
