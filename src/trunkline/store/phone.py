"""The console's Phone in the store: holds on numbers, and the live legs that ring them.

A hold is one row per (number, page): the number is held while any of its rows has not expired. Of
two accounts asking for one number at once, one gets it: on PostgreSQL a transaction-scoped
advisory lock on the number serialises them, on SQLite the write lock does.

``PhoneLegObserver`` is a ``CallObserver``: in the transaction that stores or advances calls it
keeps ``phone_legs`` in step with the console legs of those calls (one cheap check per call for
all the others), so listing an account's ringing and answered legs reads a handful of rows.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import orjson
from sqlalchemy import Connection, delete, func, insert, select, text

from trunkline.domain.calls.run_state import LIVE_LEG_STATUSES, CallRun
from trunkline.store.call_writes import NewRun, RunUpdate
from trunkline.store.database import Database
from trunkline.store.schema.accounts import accounts, exophones
from trunkline.store.schema.call_runs import call_runs
from trunkline.store.schema.calls import calls
from trunkline.store.schema.phone import phone_holds, phone_legs


@dataclass(frozen=True, slots=True)
class HeldNumber:
    number: str
    expires_at: int
    pages: int
    """How many pages hold it now."""


@dataclass(frozen=True, slots=True)
class StoredPhoneLeg:
    call_sid: str
    leg: int
    number: str
    status: str
    since: int
    run: CallRun


class PhoneStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def hold(
        self, account_id: int, holder: str, numbers: Sequence[str], until: int, now: int
    ) -> dict[str, bool]:
        """Hold (or renew) ``numbers`` for one page until ``until``; each number maps to False when
        another account holds it now (nothing is stored for it)."""
        taken: dict[str, bool] = {}
        with self._db.write() as conn:
            for number in sorted(set(numbers)):
                if conn.dialect.name == "postgresql":
                    key = zlib.crc32(number.encode())
                    conn.execute(text("SELECT pg_advisory_xact_lock(1414, :key)"), {"key": key - 2**31})
                conn.execute(
                    delete(phone_holds).where(phone_holds.c.number == number, phone_holds.c.expires_at <= now)
                )
                other = conn.execute(
                    select(phone_holds.c.account_id)
                    .where(phone_holds.c.number == number, phone_holds.c.account_id != account_id)
                    .limit(1)
                ).first()
                if other is not None:
                    taken[number] = False
                    continue
                conn.execute(
                    delete(phone_holds).where(phone_holds.c.number == number, phone_holds.c.holder == holder)
                )
                conn.execute(
                    insert(phone_holds).values(
                        number=number, holder=holder, account_id=account_id, expires_at=until
                    )
                )
                taken[number] = True
        return taken

    def release(self, account_id: int, holder: str, number: str | None) -> int:
        """Let go of one number of a page, or all of them (None); how many rows went."""
        with self._db.write() as conn:
            query = delete(phone_holds).where(
                phone_holds.c.account_id == account_id, phone_holds.c.holder == holder
            )
            if number is not None:
                query = query.where(phone_holds.c.number == number)
            return int(conn.execute(query).rowcount)

    def of_account(self, account_id: int, now: int) -> list[HeldNumber]:
        query = (
            select(phone_holds.c.number, func.max(phone_holds.c.expires_at), func.count())
            .where(phone_holds.c.account_id == account_id, phone_holds.c.expires_at > now)
            .group_by(phone_holds.c.number)
            .order_by(phone_holds.c.number)
        )
        with self._db.read() as conn:
            return [
                HeldNumber(number, int(until), int(pages)) for number, until, pages in conn.execute(query)
            ]

    def live(self, now: int) -> dict[str, tuple[str, int]]:
        """Every number held now: number -> (account Sid, held until)."""
        query = (
            select(phone_holds.c.number, accounts.c.sid, func.max(phone_holds.c.expires_at))
            .join(accounts, accounts.c.id == phone_holds.c.account_id)
            .where(phone_holds.c.expires_at > now)
            .group_by(phone_holds.c.number, accounts.c.sid)
        )
        with self._db.read() as conn:
            return {number: (sid, int(until)) for number, sid, until in conn.execute(query)}

    def is_exophone(self, number: str) -> bool:
        with self._db.read() as conn:
            return (
                conn.execute(select(exophones.c.number).where(exophones.c.number == number)).first()
                is not None
            )

    def legs(self, account_id: int) -> list[StoredPhoneLeg]:
        """The account's live console legs with their calls' runs, oldest first."""
        query = (
            select(
                calls.c.sid,
                phone_legs.c.leg,
                phone_legs.c.number,
                phone_legs.c.status,
                phone_legs.c.since,
                call_runs.c.state,
            )
            .join(calls, calls.c.id == phone_legs.c.call_id)
            .join(call_runs, call_runs.c.call_id == phone_legs.c.call_id)
            .where(phone_legs.c.account_id == account_id)
            .order_by(phone_legs.c.since, phone_legs.c.call_id, phone_legs.c.leg)
        )
        with self._db.read() as conn:
            return [
                StoredPhoneLeg(
                    sid, int(leg), number, status, int(since), CallRun.from_dict(orjson.loads(state))
                )
                for sid, leg, number, status, since, state in conn.execute(query)
            ]


def _rows(call_id: int, account_id: int, run: CallRun) -> list[dict[str, object]]:
    return [
        {
            "call_id": call_id,
            "leg": number,
            "account_id": account_id,
            "number": leg.number,
            "status": leg.status,
            "since": leg.answered_at if leg.answered_at is not None else leg.dialed_at,
        }
        for number, leg in enumerate(run.legs, start=1)
        if leg.console and leg.status in LIVE_LEG_STATUSES and not run.is_over
    ]


def _has_console_leg(run: CallRun) -> bool:
    return any(leg.console for leg in run.legs)


class PhoneLegObserver:
    """Keeps ``phone_legs`` in step with calls (see the module docstring)."""

    def inserted(self, conn: Connection, stored: Sequence[tuple[int, NewRun]]) -> None:
        rows = [
            row
            for call_id, new in stored
            if _has_console_leg(new.run)
            for row in _rows(call_id, new.account_id, new.run)
        ]
        if rows:
            conn.execute(insert(phone_legs), rows)

    def saved(self, conn: Connection, updates: Sequence[RunUpdate]) -> None:
        changed = [u.claimed for u in updates if _has_console_leg(u.claimed.run)]
        if not changed:
            return
        conn.execute(delete(phone_legs).where(phone_legs.c.call_id.in_([c.call_id for c in changed])))
        rows = [row for c in changed for row in _rows(c.call_id, c.account_id, c.run)]
        if rows:
            conn.execute(insert(phone_legs), rows)
