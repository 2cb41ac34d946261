"""Building accounts and calls for tests, through the store's public interface."""

from __future__ import annotations

import itertools
import secrets
from dataclasses import dataclass, field

import httpx

from trunkline.domain.calls.model import Call, Leg
from trunkline.domain.clock import now_ms
from trunkline.services.commands import CommandServices
from trunkline.store.bulk_load import load_calls
from trunkline.store.database import Database

_counter = itertools.count()
_numbers = itertools.count(secrets.randbelow(10**8))
"""A number belongs to one account, so each account gets its own: consecutive numbers from a random
start (workers of one test run share a PostgreSQL cluster)."""


def new_exophone() -> str:
    """A Bangalore number (+9180…) no other account of this process was given."""
    return f"+9180{next(_numbers) % 10**8:08d}"


@dataclass
class AccountFixture:
    sid: str
    account_id: int
    api_key: str
    api_token: str
    db: Database
    exophones: tuple[str, ...] = field(default_factory=lambda: (new_exophone(),))

    @property
    def exophone(self) -> str:
        """The first ExoPhone, E.164 (``+9180…``)."""
        return self.exophones[0]

    @property
    def exophone_local(self) -> str:
        """The first ExoPhone as Exotel's v1 shows it (``080…``)."""
        return "0" + self.exophones[0].removeprefix("+91")

    @property
    def auth(self) -> httpx.BasicAuth:
        return httpx.BasicAuth(self.api_key, self.api_token)

    def add_calls(self, *calls: Call) -> list[Call]:
        load_calls(self.db, self.account_id, calls)  # as seeding stores finished calls
        return list(calls)


def make_account(db: Database, *, exophones: tuple[str, ...] | None = None) -> AccountFixture:
    """A new account with one credential and its own ExoPhone (or these)."""
    exophones = exophones or (new_exophone(),)
    sid = f"acct{next(_counter)}x{secrets.token_hex(3)}"
    account, credential = CommandServices.over(db).accounts.create(sid, exophone_numbers=exophones)
    return AccountFixture(sid, account.id, credential.api_key, credential.api_token, db, exophones)


def make_call(account: AccountFixture, *, minutes_ago: float = 60, **overrides: object) -> Call:
    """A finished, answered two-leg outbound call; override any field."""
    created = overrides.pop("date_created", None) or now_ms() - int(minutes_ago * 60_000)
    assert isinstance(created, int)
    values: dict[str, object] = dict(
        sid=secrets.token_hex(16),
        account_sid=account.sid,
        date_created=created,
        date_updated=created + 90_000,
        from_number="+919876543210",
        to_number="+919812345678",
        phone_number=account.exophones[0],
        status="completed",
        direction="outbound-api",
        start_time=created + 1000,
        end_time=created + 22_000,
        duration=21,
        price_micros=1_500_000,
        answered_by="human",
        conversation_duration=8,
        recording_path=None,
        legs=[
            Leg(1, "+919876543210", "completed", 21, "human"),
            Leg(2, "+919812345678", "completed", 8, "human"),
        ],
    )
    values.update(overrides)
    return Call(**values)  # type: ignore[arg-type]
