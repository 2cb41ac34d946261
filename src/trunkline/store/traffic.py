"""Traffic generators: their spec, progress, and when each places its next call (network clock)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection, func, select, update

from trunkline.store.database import Database
from trunkline.store.schema.accounts import accounts
from trunkline.store.schema.traffic import traffic_generators

RUNNING, FINISHED, STOPPED, FAILED = "running", "finished", "stopped", "failed"
START_AT_ONCE = -1
"""``next_at`` of a generator that starts at the engine's now: due at once, whatever the clock."""


@dataclass(frozen=True, slots=True)
class Generator:
    id: int
    account_id: int
    account_sid: str
    spec: dict[str, Any]
    """The spec document, plus ``started_at`` and, once it ended early, ``reason``."""
    state: str
    next_at: int | None
    placed: int
    created_at: int


def _generator(row: Any) -> Generator:
    return Generator(
        int(row.id),
        int(row.account_id),
        row.sid,
        orjson.loads(row.spec),
        row.state,
        row.next_at,
        int(row.placed),
        int(row.created_at),
    )


_SELECT = select(traffic_generators, accounts.c.sid).join(
    accounts, accounts.c.id == traffic_generators.c.account_id
)


class TrafficStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def create(self, account_id: int, spec: dict[str, Any], starts_at: int | None, wall_now: int) -> int:
        """A new generator from ``starts_at`` (network clock); None: from whenever the engine next
        looks (the CLI, which does not know the server's clock)."""
        if starts_at is not None:
            spec = spec | {"started_at": starts_at}
        with self._db.write() as conn:
            return int(
                conn.execute(
                    traffic_generators.insert()
                    .values(
                        account_id=account_id,
                        spec=orjson.dumps(spec).decode(),
                        state=RUNNING,
                        next_at=START_AT_ONCE if starts_at is None else starts_at,
                        placed=0,
                        created_at=wall_now,
                    )
                    .returning(traffic_generators.c.id)
                ).scalar_one()
            )

    def get(self, generator_id: int) -> Generator | None:
        with self._db.read() as conn:
            row = conn.execute(_SELECT.where(traffic_generators.c.id == generator_id)).first()
        return None if row is None else _generator(row)

    def of_account(self, account_id: int) -> list[Generator]:
        with self._db.read() as conn:
            rows = conn.execute(
                _SELECT.where(traffic_generators.c.account_id == account_id).order_by(traffic_generators.c.id)
            )
            return [_generator(row) for row in rows]

    def stop(self, generator_id: int) -> bool:
        with self._db.write() as conn:
            return bool(
                conn.execute(
                    update(traffic_generators)
                    .where(traffic_generators.c.id == generator_id, traffic_generators.c.state == RUNNING)
                    .values(state=STOPPED, next_at=None)
                ).rowcount
            )

    def stop_all(self, account_id: int | None) -> int:
        """Stop the running generators of one account (or of all)."""
        query = update(traffic_generators).where(traffic_generators.c.state == RUNNING)
        if account_id is not None:
            query = query.where(traffic_generators.c.account_id == account_id)
        with self._db.write() as conn:
            return int(conn.execute(query.values(state=STOPPED, next_at=None)).rowcount)

    def next_at(self) -> int | None:
        with self._db.read() as conn:
            value = conn.execute(select(func.min(traffic_generators.c.next_at))).scalar()
        return None if value is None else int(value)

    @staticmethod
    def claim_due(conn: Connection, now_ms: int) -> list[Generator]:
        query = _SELECT.where(traffic_generators.c.next_at <= now_ms).order_by(traffic_generators.c.id)
        if conn.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True, of=traffic_generators)
        return [_generator(row) for row in conn.execute(query)]

    @staticmethod
    def progress(
        conn: Connection,
        generator_id: int,
        *,
        placed: int,
        next_at: int | None,
        state: str,
        spec: dict[str, Any] | None = None,
    ) -> None:
        """Record how far a generator got; ``spec`` replaces the stored one (its start, a reason)."""
        values: dict[str, Any] = {"placed": placed, "next_at": next_at, "state": state}
        if spec is not None:
            values["spec"] = orjson.dumps(spec).decode()
        conn.execute(update(traffic_generators).where(traffic_generators.c.id == generator_id).values(values))
