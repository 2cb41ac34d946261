"""The services one running server shares, built once at start and reached by every dialect."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import anyio.to_thread

from trunkline.api.auth import Authenticator
from trunkline.api.rate_limit import RateLimiter
from trunkline.config import Settings
from trunkline.domain.calls.cursor import CursorCodec
from trunkline.store.accounts import AccountStore
from trunkline.store.calls import CallStore
from trunkline.store.database import Database
from trunkline.store.numbering import NumberingStore

T = TypeVar("T")


@dataclass
class AppContext:
    settings: Settings
    db: Database
    accounts: AccountStore
    calls: CallStore
    numbering: NumberingStore
    authenticator: Authenticator
    limiter: RateLimiter
    cursors: CursorCodec
    secret_key: bytes

    @classmethod
    def build(cls, settings: Settings, db: Database) -> AppContext:
        accounts = AccountStore(db)
        secret = db.secret_key(settings.secret_key)
        return cls(
            settings=settings,
            db=db,
            accounts=accounts,
            calls=CallStore(db),
            numbering=NumberingStore(db),
            authenticator=Authenticator(accounts),
            limiter=RateLimiter(settings.rate_limit_per_minute),
            cursors=CursorCodec(secret),
            secret_key=secret,
        )

    async def read(self, fn: Callable[..., T], *args: object, quick: bool = False) -> T:
        """Run a store read. A quick SQLite read (a primary-key lookup, tens of microseconds) runs
        inline: handing it to a thread would cost more than it saves. Everything else, and every
        PostgreSQL round trip, runs in the thread pool so the event loop keeps serving."""
        if quick and self.db.is_sqlite:
            return fn(*args)
        return await anyio.to_thread.run_sync(fn, *args)
