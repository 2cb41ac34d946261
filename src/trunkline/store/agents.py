"""Agents (CCM users) and which agent each CCM call was placed for.

``AgentStore`` is also a ``CallObserver`` (``store.call_writes``): a call placed with
``extra["AgentUserId"]`` gets its ``agent_calls`` row in the transaction that stores the call, so a
call never exists without its agent and the busy check sees it at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, delete, exists, select, text, update
from sqlalchemy.exc import IntegrityError

from trunkline.domain.agents.model import AGENT_KEY, Agent, AgentChanges
from trunkline.domain.calls.model import FINAL_STATUSES
from trunkline.domain.client_text import has_control
from trunkline.domain.errors import Conflict, NotFound
from trunkline.store.call_writes import NewRun, RunUpdate
from trunkline.store.database import Database
from trunkline.store.schema.agents import agent_calls, agents
from trunkline.store.schema.calls import calls

_COLUMNS = (
    agents.c.user_id,
    agents.c.name,
    agents.c.contact_uri,
    agents.c.device_state,
    agents.c.created_at,
    agents.c.updated_at,
)
# Built once: the make-call and details paths run these on every request.
_BY_ID = select(*_COLUMNS).where(
    agents.c.account_id == bindparam("account_id"), agents.c.user_id == bindparam("user_id")
)
_BY_CONTACT = select(*_COLUMNS).where(
    agents.c.account_id == bindparam("account_id"), agents.c.contact_uri == bindparam("contact_uri")
)
_LIVE_CALL = select(
    exists().where(
        agent_calls.c.account_id == bindparam("account_id"),
        agent_calls.c.user_id == bindparam("user_id"),
        calls.c.id == agent_calls.c.call_id,
        calls.c.status.not_in(sorted(FINAL_STATUSES)),
    )
)
_CALL_AGENT = select(
    select(agent_calls.c.user_id)
    .where(
        agent_calls.c.account_id == bindparam("account_id"), agent_calls.c.call_sid == bindparam("call_sid")
    )
    .scalar_subquery()
    .label("placed_for"),
    select(agents.c.user_id)
    .where(agents.c.account_id == bindparam("account_id"), agents.c.contact_uri == bindparam("contact_uri"))
    .scalar_subquery()
    .label("by_number"),
)
"""Both ways to find a call's agent in one statement: the details path runs it on every request."""


def _agent(row: Any) -> Agent:
    return Agent(row.user_id, row.name, row.contact_uri, row.device_state, row.created_at, row.updated_at)


class AgentStore:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._call_agent_sql: tuple[str, list[str]] | None = None
        if db.is_sqlite:  # compiled once, run on the pinned connection (as ``CallStore.get``)
            compiled = _CALL_AGENT.compile(dialect=db.engine.dialect)
            self._call_agent_sql = str(compiled), list(compiled.positiontup or [])

    # --- agents ---

    def create(self, account_id: int, agent: Agent) -> Agent:
        """Store a new agent; ``Conflict`` when its user_id or contact_uri is already the account's."""
        try:
            with self._db.write() as conn:
                conn.execute(
                    agents.insert().values(
                        account_id=account_id,
                        user_id=agent.user_id,
                        name=agent.name,
                        contact_uri=agent.contact_uri,
                        device_state=agent.device_state,
                        created_at=agent.created_at,
                        updated_at=agent.updated_at,
                    )
                )
        except IntegrityError:
            raise self._conflict(account_id, agent.user_id, agent.contact_uri) from None
        return agent

    def _conflict(self, account_id: int, user_id: str | None, contact_uri: str | None) -> Conflict:
        if user_id is not None and self.get(account_id, user_id) is not None:
            return Conflict(f"a user with user_id {user_id} already exists")
        return Conflict(f"another user already has contact_uri {contact_uri}")

    def get(self, account_id: int, user_id: str) -> Agent | None:
        if has_control(user_id):  # no agent has one; PostgreSQL would refuse the NUL itself
            return None
        with self._db.read() as conn:
            row = conn.execute(_BY_ID, {"account_id": account_id, "user_id": user_id}).first()
        return None if row is None else _agent(row)

    def by_contact_uri(self, account_id: int, contact_uri: str) -> Agent | None:
        with self._db.read() as conn:
            row = conn.execute(_BY_CONTACT, {"account_id": account_id, "contact_uri": contact_uri}).first()
        return None if row is None else _agent(row)

    def list(self, account_id: int) -> list[Agent]:
        query = (
            select(*_COLUMNS)
            .where(agents.c.account_id == account_id)
            .order_by(agents.c.created_at, agents.c.user_id)
        )
        with self._db.read() as conn:
            return [_agent(row) for row in conn.execute(query)]

    def update(self, account_id: int, user_id: str, changes: AgentChanges, now_ms: int) -> Agent:
        if has_control(user_id):
            raise NotFound(f"no user {user_id!r}")
        values: dict[str, Any] = {
            name: value
            for name, value in (
                ("name", changes.name),
                ("contact_uri", changes.contact_uri),
                ("device_state", changes.device_state),
            )
            if value is not None
        }
        values["updated_at"] = now_ms
        try:
            with self._db.write() as conn:
                changed = conn.execute(
                    update(agents)
                    .where(agents.c.account_id == account_id, agents.c.user_id == user_id)
                    .values(values)
                ).rowcount
        except IntegrityError:
            raise self._conflict(account_id, None, changes.contact_uri) from None
        if not changed:
            raise NotFound(f"no user {user_id}")
        found = self.get(account_id, user_id)
        if found is None:  # removed between the update and the read
            raise NotFound(f"no user {user_id}")
        return found

    def delete(self, account_id: int, user_id: str) -> bool:
        """Remove an agent. Its calls keep their user_id (``agent_calls`` is history)."""
        if has_control(user_id):
            return False
        with self._db.write() as conn:
            deleted = conn.execute(
                delete(agents).where(agents.c.account_id == account_id, agents.c.user_id == user_id)
            ).rowcount
        return bool(deleted)

    # --- agents' calls ---

    @property
    def shared(self) -> bool:
        """Whether other processes may place calls on this store too (PostgreSQL)."""
        return not self._db.is_sqlite

    def lock_turn(self, account_id: int, user_id: str) -> Connection | None:
        """On PostgreSQL, hold the agent's turn across every process sharing the store: a
        transaction-level advisory lock on (account, agent), held by the returned connection until
        ``end_turn`` (or its process dies: the lock goes with the connection). None on SQLite, where
        one process serves the store and its in-process turns suffice."""
        if self._db.is_sqlite:
            return None
        conn = self._db.engine.connect()
        try:
            conn.begin()
            conn.execute(
                text("SELECT pg_advisory_xact_lock(:account_id, hashtext(:user_id))"),
                {"account_id": account_id, "user_id": user_id},
            )
        except BaseException:
            conn.close()
            raise
        return conn

    @staticmethod
    def end_turn(conn: Connection | None) -> None:
        if conn is not None:
            try:
                conn.rollback()  # ends the transaction, which releases the advisory lock
            finally:
                conn.close()

    def on_a_call(self, account_id: int, user_id: str) -> bool:
        """Whether a call placed for the agent has not ended yet."""
        with self._db.read() as conn:
            return bool(conn.execute(_LIVE_CALL, {"account_id": account_id, "user_id": user_id}).scalar())

    def agent_of_call(self, account_id: int, call_sid: str, from_number: str | None) -> str | None:
        """The user_id a call was placed for; for a call not placed through CCM, the agent whose
        contact_uri is the call's ``from_number`` (None: no agent)."""
        values = {"account_id": account_id, "call_sid": call_sid, "contact_uri": from_number}
        if self._call_agent_sql is not None:
            sql, names = self._call_agent_sql
            with self._db.point_read() as connection:
                row = connection.execute(sql, tuple(values[n] for n in names)).fetchone()
        else:
            with self._db.read() as conn:
                row = conn.execute(_CALL_AGENT, values).first()
        user_id = row[0] if row[0] is not None else row[1]
        return None if user_id is None else str(user_id)

    # --- CallObserver ---

    def inserted(self, conn: Connection, stored: Sequence[tuple[int, NewRun]]) -> None:
        rows = [
            {
                "call_id": call_id,
                "account_id": new.account_id,
                "call_sid": new.call.sid,
                "user_id": new.run.extra[AGENT_KEY],
            }
            for call_id, new in stored
            if AGENT_KEY in new.run.extra
        ]
        if rows:
            conn.execute(agent_calls.insert(), rows)

    def saved(self, conn: Connection, updates: Sequence[RunUpdate]) -> None:
        """Nothing to keep in step: whether an agent's call is live is read from the call itself."""
