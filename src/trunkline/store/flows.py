"""Flow definitions per account, and the flow each ExoPhone answers inbound calls with."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection, delete, select, update

from trunkline.domain.errors import InvalidParameter, NotFound
from trunkline.domain.flows.definition import Flow
from trunkline.store.database import Database
from trunkline.store.schema.accounts import exophones
from trunkline.store.schema.flows import flows


@dataclass(frozen=True, slots=True)
class StoredFlow:
    app_id: str
    name: str
    document: dict[str, Any]
    updated_at: int
    exophones: list[str]


class FlowInUse(InvalidParameter):
    status = 409
    code = "flow-in-use"


class FlowStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def put(self, account_id: int, flow: Flow, now_ms: int) -> bool:
        """Create or replace a flow; True if it was created."""
        with self._db.write() as conn:
            return self.put_in(conn, account_id, flow, now_ms)

    def put_in(self, conn: Connection, account_id: int, flow: Flow, now_ms: int) -> bool:
        """``put`` inside the caller's transaction (Configure Numbers writes a flow with its number)."""
        values = {"name": flow.name, "definition": orjson.dumps(flow.document).decode(), "updated_at": now_ms}
        changed = conn.execute(
            update(flows)
            .where(flows.c.account_id == account_id, flows.c.app_id == flow.app_id)
            .values(values)
        ).rowcount
        if changed:
            return False
        conn.execute(flows.insert().values(account_id=account_id, app_id=flow.app_id, **values))
        return True

    def get(self, account_id: int, app_id: str) -> StoredFlow | None:
        found = self.of_account(account_id, app_id)
        return found[0] if found else None

    def of_account(self, account_id: int, app_id: str | None = None) -> list[StoredFlow]:
        query = select(flows).where(flows.c.account_id == account_id).order_by(flows.c.app_id)
        if app_id is not None:
            query = query.where(flows.c.app_id == app_id)
        with self._db.read() as conn:
            rows = conn.execute(query).all()
            numbers = conn.execute(
                select(exophones.c.flow_app_id, exophones.c.number)
                .where(exophones.c.account_id == account_id, exophones.c.flow_app_id.is_not(None))
                .order_by(exophones.c.number)
            ).all()
        by_flow: dict[str, list[str]] = {}
        for flow_app_id, number in numbers:
            by_flow.setdefault(flow_app_id, []).append(number)
        return [
            StoredFlow(r.app_id, r.name, orjson.loads(r.definition), r.updated_at, by_flow.get(r.app_id, []))
            for r in rows
        ]

    def delete(self, account_id: int, app_id: str) -> bool:
        with self._db.write() as conn:
            used = conn.execute(
                select(exophones.c.number).where(
                    exophones.c.account_id == account_id, exophones.c.flow_app_id == app_id
                )
            ).first()
            if used is not None:
                raise FlowInUse(
                    f"flow {app_id} answers calls to {used.number}; assign that ExoPhone another flow first",
                    parameter="app_id",
                )
            return bool(
                conn.execute(
                    delete(flows).where(flows.c.account_id == account_id, flows.c.app_id == app_id)
                ).rowcount
            )

    def assign(self, account_id: int, number: str, app_id: str | None) -> None:
        """Make ``number`` (an ExoPhone of the account) answer inbound calls with ``app_id`` (None: none)."""
        with self._db.write() as conn:
            self.assign_in(conn, account_id, number, app_id)

    def assign_in(self, conn: Connection, account_id: int, number: str, app_id: str | None) -> None:
        """``assign`` inside the caller's transaction."""
        if app_id is not None:
            exists = conn.execute(
                select(flows.c.app_id).where(flows.c.account_id == account_id, flows.c.app_id == app_id)
            ).first()
            if exists is None:
                raise NotFound(f"no flow {app_id} in this account", parameter="app_id")
        changed = conn.execute(
            update(exophones)
            .where(exophones.c.account_id == account_id, exophones.c.number == number)
            .values(flow_app_id=app_id)
        ).rowcount
        if not changed:
            raise NotFound(f"{number} is not an ExoPhone of this account", parameter="number")

    def exophone_flow(self, account_id: int, number: str) -> tuple[str | None] | None:
        """(the app_id answering calls to ``number``, or None); None if it is not an ExoPhone."""
        with self._db.read() as conn:
            row = conn.execute(
                select(exophones.c.flow_app_id).where(
                    exophones.c.account_id == account_id, exophones.c.number == number
                )
            ).first()
        return None if row is None else (row.flow_app_id,)

    def exophone_flows(self, account_id: int, numbers: list[str]) -> dict[str, StoredFlow]:
        """The flows answering each of ``numbers`` that has one (a traffic generator's ExoPhones), in
        one query: the engine asks on every batch a generator is due."""
        with self._db.read() as conn:
            rows = conn.execute(
                select(exophones.c.number, flows)
                .join(
                    flows,
                    (flows.c.account_id == exophones.c.account_id)
                    & (flows.c.app_id == exophones.c.flow_app_id),
                )
                .where(exophones.c.account_id == account_id, exophones.c.number.in_(numbers))
            ).all()
        return {
            r.number: StoredFlow(r.app_id, r.name, orjson.loads(r.definition), r.updated_at, [r.number])
            for r in rows
        }
