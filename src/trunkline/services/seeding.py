"""Seeding: filling an account with realistic finished calls (demos, client tests, load tests),
optionally tracked as Fone Dynamics calls, and the demo account a server starts with."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import chain

from trunkline.domain.calls.model import Call
from trunkline.domain.clock import now_ms
from trunkline.domain.errors import InvalidParameter, NotFound
from trunkline.engine.seeding.history import generate_history
from trunkline.engine.seeding.tracking import TrackedHistory, mobile_circles, prepare_property
from trunkline.services.accounts import AccountService, Credential
from trunkline.store.bulk_load import load_calls, rebuild_tracking
from trunkline.store.calls import CallStore
from trunkline.store.database import Database


@dataclass
class SeedPlan:
    """A seed checked and ready to load: the account, its calls to come and what tracks them."""

    account_id: int
    account_sid: str
    calls: int
    records: Iterator[Call]
    tracked: TrackedHistory | None
    property_sid: str | None
    seed: int
    """The seed the calls come from (the one given, or the one picked): the same seed gives the
    same calls again in another store."""


MAX_SEED_TRIES = 1000
"""How many seeds ``plan`` tries when none is given."""


class SeedingService:
    def __init__(self, db: Database, accounts: AccountService) -> None:
        self._db, self._accounts = db, accounts

    def plan(self, account_sid: str, calls: int, days: int, seed: int | None, *, tracking: bool) -> SeedPlan:
        """Check the account can take the seed (it has an ExoPhone, and not this seed's calls
        already) and prepare its tracking property when asked. Without a ``seed``, the lowest one
        from 1 up whose calls the account does not hold: a new server's demo account already holds
        seed 1's history, and the README's ``trunkline seed`` (no ``--seed``) must still work, as
        must running it twice."""
        found = self._accounts.find(account_sid)
        if found is None:
            raise NotFound(
                f"no account {account_sid!r}; create it with `trunkline accounts create --sid {account_sid}`"
            )
        if not found.exophones:
            raise InvalidParameter(
                f"account {account_sid!r} has no ExoPhone; add one with "
                f"`trunkline accounts add-exophone --sid {account_sid} <number>` "
                "(or create accounts with `trunkline accounts create --exophone <number>`)"
            )
        calls_store = CallStore(self._db)
        at = now_ms()
        candidates = [seed] if seed is not None else range(1, 1 + MAX_SEED_TRIES)
        for candidate in candidates:
            records = generate_history(found.exophones, found.sid, calls, days, candidate, at)
            # A seed's Sids depend on the seed and the account only, so the first one tells a repeat.
            first = next(records, None)
            if first is None or calls_store.get(found.id, found.sid, first.sid) is None:
                break
        else:
            if seed is not None:
                raise InvalidParameter(
                    f"account {account_sid!r} already holds the calls of seed {seed}; choose another --seed"
                )
            raise InvalidParameter(
                f"account {account_sid!r} holds seeds 1 to {MAX_SEED_TRIES}; give a --seed"
            )
        tracked, property_sid = None, None
        if tracking:
            prop, numbers = prepare_property(self._db, found.id, found.sid, found.exophones, candidate, at)
            tracked = TrackedHistory(found.id, prop.id, numbers, candidate, mobile_circles(self._db))
            property_sid = prop.sid
        everything = chain([] if first is None else [first], records)
        return SeedPlan(found.id, found.sid, calls, everything, tracked, property_sid, candidate)

    @staticmethod
    def sample(account_sid: str, exophones: list[str], calls: int, seed: int, at_ms: int) -> list[Call]:
        """A seed's calls as of a fixed instant, stored nowhere: the same on every run (the
        OpenAPI document's examples are rendered from them)."""
        return list(generate_history(exophones, account_sid, calls, 30, seed, at_ms))

    def load(self, plan: SeedPlan, on_batch: Callable[[int], None] | None = None) -> int:
        """Load the plan's calls (bulk path); the calls loaded."""
        loaded = load_calls(self._db, plan.account_id, plan.records, on_batch=on_batch, along=plan.tracked)
        if plan.tracked is not None and loaded:
            rebuild_tracking(self._db, plan.account_id)
        return loaded

    def ensure_demo(self, sid: str, credential: Credential, exophone: str, calls: int) -> None:
        """Create the demo account unless it exists; a new one gets a month of history, so the
        first curl shows real-looking calls."""
        if not self._accounts.ensure(sid, credential, [exophone]):
            return
        account = self._accounts.get(sid)
        history = generate_history(account.exophones, sid, calls, 30, 1, now_ms())
        load_calls(self._db, account.id, history)
